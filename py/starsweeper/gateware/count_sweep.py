"""The count sweep: every cell's neighbouring mines and zero bit, a row a clock."""

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import GRID
from .field import field_cells
from .interfaces import CellAddress, ProbeSignature, RowWriteSignature, TaskSignature
from .neighbour_counter import NeighbourCounter, RowCounts

__all__ = ["CountSweep"]


class CountSweep(wiring.Component):
    """The board's neighbour counts and zero bits (model:
    :func:`starsweeper.model.minesweeper.neighbour_counts`; a cell is zero when it is in the
    field and its count is 0), from the mines, in ``GRID + 4`` clocks.

    Clock ``k`` of the sweep probes row ``k`` (``k`` < 16); row ``k - 2`` arrives in the probe's
    row register and shifts into a :class:`NeighbourCounter` (zeros in the clocks that hold no
    row: the first ones flush the last game's rows, the last is the row below the field); row
    ``k - 4`` is counted and written. The last two clocks probe the cursor's cell. The cells
    outside the field hold no mine (the placement never puts one there); their counts are
    whatever the window gives (no reader looks at them), their zero bits 0.

    Attributes
    ----------
    control : In(TaskSignature)
        ``control.start``: sweep, from the next clock; ``control.done``: its last clock.
    beginner : In(1)
        The field is the beginner's (held while sweeping).
    cursor : In(CellAddress)
        The cell to probe at the end (held while sweeping).
    probe : Out(ProbeSignature)
        The board's probe (all 0 while idle).
    counts : Out(RowWriteSignature(RowCounts))
        Each row's counts.
    zero : Out(RowWriteSignature(16))
        Each row's zero bits.
    """

    def __init__(self):
        super().__init__({
            "control": In(TaskSignature()),
            "beginner": In(1),
            "cursor": In(CellAddress),
            "probe": Out(ProbeSignature()),
            "counts": Out(RowWriteSignature(RowCounts)),
            "zero": Out(RowWriteSignature(GRID)),
        })

    def elaborate(self, platform):
        m = Module()
        probe = self.probe
        active = field_cells(self.beginner)
        m.submodules.counter = counter = NeighbourCounter()
        step = Signal(range(GRID + 4))       # the row probed; the row counted is four less
        counted_row = (step - 4)[:4]
        row_arrives = Signal()               # the probe's row register holds a row

        with m.FSM():
            with m.State("IDLE"):
                with m.If(self.control.start):
                    m.d.sync += [step.eq(0), row_arrives.eq(0)]
                    m.next = "SWEEP"

            with m.State("SWEEP"):
                with m.If(step < GRID):
                    m.d.comb += probe.address.row.eq(step[:4])        # column 0 of row k
                with m.Else():
                    m.d.comb += probe.address.eq(self.cursor)
                m.d.comb += [counter.shift.eq(1), counter.row.eq(Mux(row_arrives, probe.mine_row, 0))]
                m.d.sync += [
                    step.eq(step + 1),
                    row_arrives.eq((step >= 1) & (step <= GRID)),
                ]
                with m.If(step >= 4):
                    m.d.comb += [
                        self.counts.row.eq(counted_row),
                        self.counts.data.eq(counter.counts),
                        self.counts.write.eq(1),
                        self.zero.row.eq(counted_row),
                        self.zero.data.eq(counter.zero & active.word_select(counted_row, GRID)),
                        self.zero.write.eq(1),
                    ]
                with m.If(step == GRID + 3):
                    m.d.comb += self.control.done.eq(1)
                    m.next = "IDLE"
        return m
