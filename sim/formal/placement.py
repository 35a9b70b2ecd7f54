"""Formal properties of the mine placement (:class:`Placement` on a :class:`BoardStore`), bounded.

From any seed and any cursor on the 16x16 field, the harness starts a placement and keeps a
shadow of the 256 mine bits of its own, written by the same row writes and probe writes the
placement makes, with a running count of its mines (each write adds the new bits and takes
away the old). Asserted, in every clock:

* the board store's probe reads the shadow's bit (so the shadow is the board);
* when the placement is done, the board holds exactly the asked number of mines and none on
  the cursor's cell (the first click is safe).

Covers: a placement that finds a mine on the cursor and moves it, and one that does not.
The bound is long enough for every placement of its parameters to end (asserted).

A whole game's placement (40 mines, hundreds of swaps) is thousands of clocks, far past what a
bounded proof reaches; the proof runs the same logic with a few mines and swaps (its
parameters), so that a placement ends within the bound. On the 16x16 field no draw is ever
rejected (every 4-bit row and column is in the field), so every trace ends at a fixed clock;
the beginner's field, whose rejected draws depend on the seed, stays in simulation.
"""

from amaranth.hdl import Assert, Assume, Cover, Module, ResetSignal, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from starsweeper.gateware.board_store import BoardStore
from starsweeper.gateware.interfaces import CellAddress
from starsweeper.gateware.placement import Placement
from starsweeper.model.minesweeper import CELLS, GRID, Difficulty

from .runner import Proof

__all__ = ["PlacementHarness", "PROOFS"]


def popcount(value):
    result = 0
    for bit in value:
        result = result + bit
    return result


class PlacementHarness(wiring.Component):
    seed: In(32)
    cursor: In(8)

    def __init__(self, mines, swaps, bound, core=Placement):
        self.mines = mines
        self.bound = bound
        self.placement = core(swaps=swaps, mines={Difficulty.INTERMEDIATE: mines})
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        part = m.submodules.part = self.placement
        board = m.submodules.board = BoardStore()
        wiring.connect(m, part.probe, board.probe)
        wiring.connect(m, part.layout, board.layout)

        started = Signal()
        cursor = Signal(CellAddress)
        m.d.sync += started.eq(1)
        with m.If(~started):
            m.d.sync += cursor.eq(self.cursor)
        m.d.comb += [part.control.start.eq(~started), part.seed.eq(self.seed), part.cursor.eq(cursor),
                     part.beginner.eq(0), board.new_game.eq(~started), board.new_beginner.eq(0)]

        shadow = Signal(CELLS)
        count = Signal(range(CELLS + 1))
        row_write = board.layout.write
        row = board.layout.row
        old_row = shadow.word_select(row, GRID)
        probe = board.probe
        old_bit = shadow.bit_select(probe.cell.index(), 1)
        with m.If(row_write):
            m.d.sync += shadow.word_select(row, GRID).eq(board.layout.data)
            m.d.sync += count.eq(count + popcount(board.layout.data) - popcount(old_row))
        with m.Elif(probe.mine_write):
            m.d.sync += shadow.bit_select(probe.cell.index(), 1).eq(probe.mine_value)
            m.d.sync += count.eq(count + probe.mine_value - old_bit)
        # A row write and a probe write never share a clock.
        m.d.comb += Assert(~(row_write & probe.mine_write))

        # The probe's bit is the board's: from the first layout on, the shadow and the store
        # agree on every cell the probe reads.
        loaded = Signal()
        with m.If(row_write & (row == GRID - 1)):
            m.d.sync += loaded.eq(1)
        with m.If(loaded):
            m.d.comb += Assert(probe.mine == old_bit)

        done = Signal()
        with m.If(part.control.done):
            m.d.sync += done.eq(1)
        with m.If(done):
            m.d.comb += [Assert(count == self.mines), Assert(~shadow.bit_select(cursor.index(), 1))]
        # Every trace ends within the bound, so the bound checks every placement of these
        # parameters from every seed and cursor.
        clocks = Signal(range(self.bound + 1))
        m.d.sync += clocks.eq(clocks + (clocks != self.bound))
        with m.If(clocks == self.bound - 1):
            m.d.comb += Assert(done)
        # The scan's write of the moved mine is in the last clock; without a mine on the
        # cursor the last clock writes nothing.
        m.d.comb += [Cover(part.control.done & probe.mine_write),
                     Cover(part.control.done & ~probe.mine_write)]
        # One placement from power-up: a reset would only start it again.
        m.d.comb += Assume(~ResetSignal())
        return m


#: Clocks from power-up within which a placement of ``MINES`` mines and ``SWAPS`` swaps ends.
MINES, SWAPS, BOUND = 2, 1, 30

PROOFS = [
    Proof("placement_bmc", lambda: PlacementHarness(MINES, SWAPS, BOUND), "bmc", BOUND),
    Proof("placement_cover", lambda: PlacementHarness(MINES, SWAPS, BOUND), "cover", BOUND),
]
