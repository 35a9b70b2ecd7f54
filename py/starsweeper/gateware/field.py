"""The field of the current difficulty, as the game core's parts and the display see it."""

from amaranth.hdl import C, Mux

from ..model.minesweeper import CELLS, DIFFICULTIES, GRID, Difficulty

__all__ = ["field_mask", "field_size", "field_cells"]


def field_mask(rows, cols):
    """The cells of a ``rows`` x ``cols`` field as a 256-bit mask (cell (r, c) at bit 16 r + c)."""
    return sum(1 << (r * GRID + c) for r in range(rows) for c in range(cols))


def field_size(beginner):
    """(rows, cols) of the field: the beginner's when the 1-bit ``beginner`` is high, else the
    intermediate one's."""
    small, large = DIFFICULTIES[Difficulty.BEGINNER], DIFFICULTIES[Difficulty.INTERMEDIATE]
    return Mux(beginner, small[0], large[0]), Mux(beginner, small[1], large[1])


def field_cells(beginner):
    """The field's cells as a 256-bit mask, chosen by the 1-bit ``beginner``."""
    return Mux(beginner, C(field_mask(*DIFFICULTIES[Difficulty.BEGINNER][:2]), CELLS),
               C(field_mask(*DIFFICULTIES[Difficulty.INTERMEDIATE][:2]), CELLS))
