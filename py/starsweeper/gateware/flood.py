"""The parallel flood: every cell at once, one step a clock."""

from amaranth.hdl import C, Cat, Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import GRID
from .interfaces import FloodSignature

__all__ = ["FloodEngine", "neighbour_of"]


def neighbour_of(vector, dr, dc, grid=GRID):
    """Bit (r, c) of the result is bit (r + dr, c + dc) of the ``grid * grid``-bit ``vector``
    (cell (r, c) at bit ``grid r + c``); 0 off the grid."""
    cells = grid * grid
    shift = dr * grid + dc
    moved = (vector >> shift) if shift > 0 else (vector << -shift)[:cells]
    if dc:
        edge = grid - 1 if dc > 0 else 0   # columns whose neighbour is off the grid
        keep = sum(1 << (r * grid + c) for r in range(grid) for c in range(grid) if c != edge)
        moved = moved & C(keep, cells)
    return moved[:cells]


class FloodEngine(wiring.Component):
    """Which cells one flood step opens (model:
    :meth:`starsweeper.model.minesweeper.MinesweeperGame.flood_step`), for every cell at once.

    A covered, unflagged cell opens when a revealed cell with no neighbouring mines is next to
    it. The 3x3 box around each cell is a pass along the rows, then one along the columns (the
    cell itself is in its box, harmlessly: a cell that spreads is revealed). There is no
    ``~mine`` term (a cell next to a cell with no neighbouring mines is no mine) and no field
    mask (cells outside the field are kept revealed, and ``zero`` is 0 there). Cell (r, c) is
    bit ``16 r + c`` of every vector.

    Parameters
    ----------
    grid : int
        Rows and columns of the square grid of cells: 16, the game's; smaller grids are for the
        formal proofs, which cover every board of a 4x4 or 5x5 grid.

    Attributes
    ----------
    board : In(FloodSignature(grid))
        The board (revealed cells, flags, cells with no neighbouring mine) in; ``board.opening``,
        the cells this step opens, out (combinational).
    opened_rows : Out(grid)
        A clock later, the rows in which that step opened a cell (a register: a 256-input OR
        in one clock would be the longest path of the game core).
    """

    def __init__(self, grid=GRID):
        if not isinstance(grid, int) or not 2 <= grid <= GRID:
            raise ValueError(f"Grid must be an integer from 2 to {GRID}, not {grid!r}")
        self.grid = grid
        super().__init__({"board": In(FloodSignature(grid)), "opened_rows": Out(grid)})

    def elaborate(self, platform):
        m = Module()
        board, grid = self.board, self.grid
        spread = board.revealed & board.zero
        across = spread | neighbour_of(spread, 0, -1, grid) | neighbour_of(spread, 0, 1, grid)
        box = across | neighbour_of(across, -1, 0, grid) | neighbour_of(across, 1, 0, grid)
        m.d.comb += board.opening.eq(~board.revealed & ~board.flagged & box)
        m.d.sync += self.opened_rows.eq(Cat(*[board.opening.word_select(r, grid).any()
                                              for r in range(grid)]))
        return m
