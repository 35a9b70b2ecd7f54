"""Neighbouring mines of a row of cells, from a window of three rows."""

from amaranth.hdl import Cat, Const, Module, Signal, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import GRID

__all__ = ["NeighbourCounter", "RowCounts"]

#: The counts of one row: cell ``c``'s neighbouring mines, 0 to 8, at index ``c``.
RowCounts = data.ArrayLayout(unsigned(4), GRID)


class NeighbourCounter(wiring.Component):
    """A window of three rows of mines sliding down the field, and the neighbour counts of its
    middle row (model: :func:`starsweeper.model.minesweeper.neighbour_counts`).

    Each clock with ``shift`` high the window moves down a row: the middle row goes up, the
    lower row to the middle and ``row`` comes in at the bottom. Feeding a zero row, then the
    field's rows, then a zero row gives, after each shift from the third on, the counts of the
    row before the last one fed. The counts come from the window's registers only (no path from
    a memory read through the adders).

    Attributes
    ----------
    shift : In(1)
        Move the window down a row.
    row : In(GRID)
        The row that comes in at the bottom (a mine bit a cell, column ``c`` at bit ``c``).
    counts : Out(RowCounts)
        The middle row's counts.
    zero : Out(GRID)
        The middle row's cells with no neighbouring mine (a NOR of their neighbours' bits).
    """

    shift: In(1)
    row: In(GRID)
    counts: Out(RowCounts)
    zero: Out(GRID)

    def elaborate(self, platform):
        m = Module()
        up, mid, down = Signal(GRID), Signal(GRID), Signal(GRID)
        with m.If(self.shift):
            m.d.sync += [up.eq(mid), mid.eq(down), down.eq(self.row)]
        zero = []
        for c in range(GRID):
            bits = [up[c], down[c]]
            for dc in (-1, 1):
                if 0 <= c + dc < GRID:
                    bits += [up[c + dc], mid[c + dc], down[c + dc]]
            total = Const(0, 4)
            for bit in bits:
                total = total + bit
            m.d.comb += self.counts[c].eq(total[:4])
            # No neighbouring mine is a NOR of the bits, not the sum compared with 0: two LUT
            # levels instead of the adder's (its carry chain made the count phase's zero-bit
            # write the deepest path of the system, 7 levels).
            zero.append(~Cat(*bits).any())
        m.d.comb += self.zero.eq(Cat(*zero))
        return m
