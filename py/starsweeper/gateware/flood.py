"""The parallel flood: every cell at once, one step a clock."""

from amaranth.hdl import C, Cat, Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import CELLS, GRID
from .interfaces import FloodSignature

__all__ = ["FloodEngine", "neighbour_of"]



def neighbour_of(vector, dr, dc):
    """Bit (r, c) of the result is bit (r + dr, c + dc) of the 256-bit ``vector``; 0 off the grid."""
    shift = dr * GRID + dc
    moved = (vector >> shift) if shift > 0 else (vector << -shift)[:CELLS]
    if dc:
        edge = GRID - 1 if dc > 0 else 0   # columns whose neighbour is off the grid
        keep = sum(1 << (r * GRID + c) for r in range(GRID) for c in range(GRID) if c != edge)
        moved = moved & C(keep, CELLS)
    return moved[:CELLS]


class FloodEngine(wiring.Component):
    """Which cells one flood step opens (model:
    :meth:`starsweeper.model.minesweeper.MinesweeperGame.flood_step`), for every cell at once.

    A covered, unflagged cell opens when a revealed cell with no neighbouring mines is next to
    it. The 3x3 box around each cell is a pass along the rows, then one along the columns (the
    cell itself is in its box, harmlessly: a cell that spreads is revealed). There is no
    ``~mine`` term (a cell next to a cell with no neighbouring mines is no mine) and no field
    mask (cells outside the field are kept revealed, and ``zero`` is 0 there). Cell (r, c) is
    bit ``16 r + c`` of every vector.

    Attributes
    ----------
    board : In(FloodSignature)
        The board (revealed cells, flags, cells with no neighbouring mine) in; ``board.opening``,
        the cells this step opens, out (combinational).
    opened_rows : Out(16)
        A clock later, the rows in which that step opened a cell (a register: a 256-input OR
        in one clock would be the longest path of the game core).
    """

    board: In(FloodSignature())
    opened_rows: Out(GRID)

    def elaborate(self, platform):
        m = Module()
        board = self.board
        spread = board.revealed & board.zero
        across = spread | neighbour_of(spread, 0, -1) | neighbour_of(spread, 0, 1)
        box = across | neighbour_of(across, -1, 0) | neighbour_of(across, 1, 0)
        m.d.comb += board.opening.eq(~board.revealed & ~board.flagged & box)
        m.d.sync += self.opened_rows.eq(Cat(*[board.opening.word_select(r, GRID).any()
                                              for r in range(GRID)]))
        return m
