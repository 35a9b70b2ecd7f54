"""Formal properties of the win scan (:class:`WinScan`), by induction.

The harness is the board's probe: any board (256 revealed bits and 256 mine bits, free inputs)
that may change while the scan is idle and holds while it runs, read as the board store reads
it (the cell named by ``address`` in clock ``t`` is in ``revealed`` and ``mine`` in ``t + 2``).
Beside it, a specification of its own: after ``start`` in an idle clock, the scan's clock ``s``
(from 0) probes cell ``s``; in clock ``s >= 2`` it takes cell ``s - 2``, and the first covered
safe cell it takes ends it, not won; with none among the 256, clock 257 ends it, won. Asserted,
in every clock:

* the probe address is ``s`` while the scan runs (cells 0 to 255) and 0 while it is idle, so
  that the probes of the game's parts join by OR;
* ``done`` and ``won`` are exactly the specification's, clock for clock, and 0 while idle;
* so, with ``done``: ``won`` holds exactly when the board has no covered safe cell at all
  (the model's ``all_safe_revealed``), asserted as such too.

Covers: a won scan, and a scan stopped by a covered safe cell in the board's last cell.

How far the proofs reach: by induction for a scan of 16 cells and of 254 (any scan whose
step counter, ``range(cells + 2)``, fits in the 8 bits of the address, which then shows the
whole counter). The game's scan of 256 cells has a ninth bit no port shows: a state whose
counter is 256 ahead of the specification's looks the same for 256 clocks, so induction would
need a depth of about 258, and a bounded proof that deep (512 free board bits) runs for hours
with yices. It is proven bounded, ``BOUND_256`` clocks from reset; its end (clock 257, won)
is the 254-cell proof's logic with other constants, and the game's tests check it.
"""

from amaranth.hdl import Assert, Const, Cover, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from starsweeper.gateware.win_scan import WinScan
from starsweeper.model.minesweeper import CELLS

from .runner import Proof

__all__ = ["WinScanHarness", "PROOFS"]


class WinScanHarness(wiring.Component):
    """The scan of ``cells`` cells (``core(cells)``) on a board of its own."""

    def __init__(self, cells=CELLS, core=WinScan):
        self.cells = cells
        self.make_core = core
        super().__init__({"start": In(1), "revealed": In(cells), "mine": In(cells)})

    def elaborate(self, platform):
        m = Module()
        cells = self.cells
        dut = m.submodules.dut = self.make_core(cells)

        running = Signal()
        step = Signal(range(cells + 2))
        revealed = Signal(cells)
        mine = Signal(cells)
        with m.If(~running):                      # the board changes only between scans
            m.d.sync += [revealed.eq(self.revealed), mine.eq(self.mine)]
        covered_safe = ~revealed & ~mine

        # The board store's probe: two clocks from address to bits.
        probed = Signal(8)
        taken = Signal(8)
        m.d.sync += [probed.eq(dut.probe.address), taken.eq(probed)]
        m.d.comb += [dut.control.start.eq(self.start), dut.probe.cell.eq(taken),
                     dut.probe.revealed.eq(revealed.bit_select(taken, 1)),
                     dut.probe.mine.eq(mine.bit_select(taken, 1))]

        # The specification.
        stops = (step >= 2) & covered_safe.bit_select((step - 2)[:8], 1)
        ends = running & (stops | (step == cells + 1))
        won = running & ~stops & (step == cells + 1)
        with m.If(~running & self.start):
            m.d.sync += [running.eq(1), step.eq(0)]
        with m.Elif(ends):
            m.d.sync += running.eq(0)
        with m.Elif(running):
            m.d.sync += step.eq(step + 1)

        done, address = dut.control.done, dut.probe.address.index()
        m.d.comb += [Assert(done == ends), Assert(dut.won == won)]
        with m.If(running & (step < cells)):
            m.d.comb += Assert(address == step[:8])
        with m.If(~running):
            m.d.comb += Assert(address == 0)
        with m.If(done):
            m.d.comb += Assert(dut.won == (covered_safe == 0))
        # No covered safe cell before the one the scan takes now: what makes the step-wise
        # specification the whole board's (and closes the induction).
        below = (Const(1, cells + 1) << (step - 2)[:9]) - 1
        with m.If(running & (step >= 2)):
            m.d.comb += Assert((covered_safe & below[:cells]) == 0)
        # The harness's own probe pipeline follows the scan (for the induction).
        with m.If(running & (step >= 1)):
            m.d.comb += Assert(probed == (step - 1)[:8])
        with m.If(running & (step >= 2)):
            m.d.comb += Assert(taken == (step - 2)[:8])
        # The parts that write through the probe: the scan never does.
        m.d.comb += Assert(~(dut.probe.reveal | dut.probe.flag_write | dut.probe.mine_write))

        m.d.comb += [Cover(done & dut.won),
                     Cover(done & ~dut.won & (step == cells + 1))]
        return m


#: Clocks of the game's 256-cell scan proven from reset: a scan that stops within its first
#: 22 cells, and the first clocks of every other.
BOUND_256 = 24

PROOFS = [
    Proof("win_scan_16_prove", lambda: WinScanHarness(16), "prove", 4),
    Proof("win_scan_16_cover", lambda: WinScanHarness(16), "cover", 19),
    Proof("win_scan_254_prove", lambda: WinScanHarness(254), "prove", 4),
    Proof("win_scan_256_bmc", lambda: WinScanHarness(), "bmc", BOUND_256),
]
