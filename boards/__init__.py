"""Boards: the Digilent Nexys 3 platform, its ISE build and Adept programming.

This folder is installed as the package ``starsweeper.boards``.
"""
