"""Mine placement: the first layout, the generator's swaps, and the first click made safe."""

from amaranth.hdl import C, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import CELLS, DIFFICULTIES, GRID, SWAPS, Difficulty
from .field import field_size
from .interfaces import CellAddress, ProbeSignature, RowWriteSignature, TaskSignature
from .lcg import Lcg

__all__ = ["Placement"]


def first_cells_mask(rows, cols, count):
    """The first ``count`` cells of a ``rows`` x ``cols`` field, row-major, as a 256-bit mask."""
    return sum(1 << ((i // cols) * GRID + i % cols) for i in range(count))


class Placement(wiring.Component):
    """The mines of a new game, as :func:`starsweeper.model.minesweeper.place_mines` places them
    (with ``safe`` the cursor).

    In order: the first layout (the mines in the field's first cells, row-major, a row a
    clock); ``swaps`` swaps of the two cells each generator step draws (a draw with a cell
    outside the field is dropped), five clocks a swap through the probe; then, if the cursor's
    cell holds a mine, the mine moves to the first free cell other than the cursor's, scanning
    row-major through the probe.

    Parameters
    ----------
    swaps : int
        Swaps to make.
    mines : dict
        Mines per :class:`Difficulty`.

    Attributes
    ----------
    control : In(TaskSignature)
        ``control.start``: place the mines, from ``seed`` (taken this clock);
        ``control.done``: the placement's last clock.
    seed : In(32)
    beginner : In(1)
        The field is the beginner's (held while placing).
    cursor : In(CellAddress)
        The cell that must not hold a mine (held while placing).
    probe : Out(ProbeSignature)
        The board's probe (the cursor's cell, unless a swap or the scan needs another; all 0 while
        idle). The cursor's cell is probed in the last two clocks.
    layout : Out(RowWriteSignature(16))
        The first layout's rows.
    """

    def __init__(self, *, swaps=SWAPS, mines=None):
        if not isinstance(swaps, int) or swaps < 1:
            raise ValueError(f"Swaps must be a positive integer, not {swaps!r}")
        self.swaps = swaps
        self.mines = {d: DIFFICULTIES[d][2] for d in Difficulty}
        self.mines.update(mines or {})
        super().__init__({
            "control": In(TaskSignature()),
            "seed": In(32),
            "beginner": In(1),
            "cursor": In(CellAddress),
            "probe": Out(ProbeSignature()),
            "layout": Out(RowWriteSignature(GRID)),
        })

    def elaborate(self, platform):
        m = Module()
        probe, cursor = self.probe, self.cursor
        beginner = self.beginner
        rows, cols = field_size(beginner)
        size = {d: DIFFICULTIES[d][:2] for d in Difficulty}
        first_cells = Mux(
            beginner,
            C(first_cells_mask(*size[Difficulty.BEGINNER], self.mines[Difficulty.BEGINNER]), CELLS),
            C(first_cells_mask(*size[Difficulty.INTERMEDIATE], self.mines[Difficulty.INTERMEDIATE]), CELLS))

        # The generator steps in three clocks; the first step starts from the seed in LOAD's
        # first clock.
        m.submodules.lcg = generator = Lcg()
        lcg = generator.value
        m.d.comb += [generator.load.eq(self.control.start), generator.load_value.eq(self.seed)]
        draw_r1, draw_c1, draw_r2, draw_c2 = lcg[28:32], lcg[24:28], lcg[20:24], lcg[16:20]
        draw_ok = (draw_r1 < rows) & (draw_c1 < cols) & (draw_r2 < rows) & (draw_c2 < cols)
        cell_a, cell_b = Signal(CellAddress), Signal(CellAddress)
        m.d.comb += [cell_a.row.eq(draw_r1), cell_a.col.eq(draw_c1),
                     cell_b.row.eq(draw_r2), cell_b.col.eq(draw_c2)]

        load_row = Signal(4)
        swaps_done = Signal(range(self.swaps + 1))
        swap_phase = Signal(3)           # see PLACE
        swap_a = Signal()                # the mines of cells a and b
        swap_b = Signal()
        scan = Signal(CellAddress)

        with m.FSM():
            with m.State("IDLE"):
                with m.If(self.control.start):
                    m.d.sync += [load_row.eq(0), swaps_done.eq(0), swap_phase.eq(0)]
                    m.next = "LOAD"

            with m.State("LOAD"):
                # The first layout, a row a clock: the mines in the first cells, row-major.
                m.d.comb += [
                    probe.address.eq(cursor),
                    self.layout.row.eq(load_row),
                    self.layout.data.eq(first_cells.word_select(load_row, GRID)),
                    self.layout.write.eq(1),
                    generator.request.eq(load_row == 0),
                ]
                m.d.sync += load_row.eq(load_row + 1)
                with m.If(load_row == GRID - 1):
                    m.next = "PLACE"

            with m.State("PLACE"):
                # A swap: 0 draws (a rejected draw waits for the next), 1 probes cell b, 2 takes
                # a's mine and probes a again, 3 takes b's and writes a's there, 4 writes b's
                # into a (the row read of 3 sees 3's write when a shares b's row). The last
                # clocks probe the cursor's cell.
                m.d.comb += probe.address.eq(cursor)
                with m.Switch(swap_phase):
                    with m.Case(0):
                        m.d.comb += probe.address.eq(cell_a)
                        with m.If(generator.ready):
                            with m.If(draw_ok):
                                m.d.sync += swap_phase.eq(1)
                            with m.Else():
                                m.d.comb += generator.request.eq(1)
                    with m.Case(1):
                        m.d.comb += probe.address.eq(cell_b)
                        m.d.sync += swap_phase.eq(2)
                    with m.Case(2):
                        # The next draw starts; it lands after this swap's last clock.
                        m.d.comb += [probe.address.eq(cell_a), generator.request.eq(1)]
                        m.d.sync += [swap_a.eq(probe.mine), swap_phase.eq(3)]
                    with m.Case(3):
                        m.d.comb += [probe.mine_write.eq(1), probe.mine_value.eq(swap_a)]
                        m.d.sync += [swap_b.eq(probe.mine), swap_phase.eq(4)]
                    with m.Default():
                        m.d.comb += [probe.mine_write.eq(1), probe.mine_value.eq(swap_b)]
                        m.d.sync += [swaps_done.eq(swaps_done + 1), swap_phase.eq(0)]
                        with m.If(swaps_done == self.swaps - 1):
                            m.next = "SAFE"

            with m.State("SAFE"):
                # probe.*: the cursor's cell.
                m.d.comb += probe.address.eq(cursor)
                m.d.sync += scan.eq(0)
                with m.If(probe.mine):
                    m.d.comb += [probe.mine_write.eq(1), probe.mine_value.eq(0)]
                    m.next = "SCAN"
                with m.Else():
                    m.d.comb += self.control.done.eq(1)
                    m.next = "IDLE"

            with m.State("SCAN"):
                # probe.*: the cell scanned two clocks before (in the first two clocks, the
                # cursor's, which the test excludes).
                m.d.comb += probe.address.eq(scan)
                with m.If(scan.col == cols - 1):
                    m.d.sync += [scan.col.eq(0), scan.row.eq(scan.row + 1)]
                with m.Else():
                    m.d.sync += scan.col.eq(scan.col + 1)
                with m.If(~probe.mine & (probe.cell != cursor)):
                    m.d.comb += [probe.mine_write.eq(1), probe.mine_value.eq(1), self.control.done.eq(1)]
                    m.next = "IDLE"
        return m
