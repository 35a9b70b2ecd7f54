"""starsweeper: Minesweeper and star-trail stacking in Amaranth HDL for the Digilent Nexys 3."""

__version__ = "0.1.0"
