"""The formal proofs (sim/formal/): every property of every core proven by SymbiYosys, and a
deliberately broken core failing its proof, so that a proof can fail."""

from dataclasses import replace

import pytest
from amaranth.hdl import Module
from amaranth.lib import wiring
from formal import PROOFS, buttons, dark_subtract, flood, placement, vga_timing, win_scan
from formal.runner import Proof, prove

from starsweeper.gateware.dark_subtract import DarkSubtract
from starsweeper.gateware.debouncer import Debouncer
from starsweeper.gateware.flood import FloodEngine
from starsweeper.gateware.placement import Placement
from starsweeper.gateware.vga_timing import VgaTimingGenerator
from starsweeper.gateware.win_scan import WinScan
from starsweeper.model.minesweeper import Difficulty

ALL = [proof for proofs in PROOFS.values() for proof in proofs]


@pytest.mark.parametrize("proof", ALL, ids=[proof.name for proof in ALL])
def test_proof_passes(proof):
    result = prove(proof)
    assert result.passed, f"{proof.name}: {result.status}\n{result.summary()}\nsee {result.folder}"


class WrappingDarkSubtract(DarkSubtract):
    """Subtracts without saturating: a dark above the pixel wraps to a large value (the last
    assignment to the output register, in the same clocks, wins)."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        with m.If(~self.o.valid | self.o.ready):
            for c in ("r", "g", "b"):
                m.d.sync += self.o.payload.pixel[c].eq(self.i.payload.pixel[c]
                                                       - self.i.payload.dark[c])
        return m


class AlwaysReadyDarkSubtract(DarkSubtract):
    """Takes a pixel while its output waits: the waiting pixel is overwritten and lost."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        m.d.comb += self.i.ready.eq(1)
        return m


class FlagBlindFlood(FloodEngine):
    """A flood engine that is shown no flags, so it opens flagged cells too."""

    def elaborate(self, platform):
        m = Module()
        m.submodules.engine = engine = FloodEngine(self.grid)
        m.d.comb += [engine.board.revealed.eq(self.board.revealed),
                     engine.board.zero.eq(self.board.zero),
                     self.board.opening.eq(engine.board.opening),
                     self.opened_rows.eq(engine.opened_rows)]
        return m


class MineBlindWinScan(WinScan):
    """A win scan shown no mines: a covered mine stops it as a covered safe cell would, so a
    won board reads as not won."""

    def elaborate(self, platform):
        m = Module()
        m.submodules.scan = scan = WinScan(self.cells)
        wiring.connect(m, wiring.flipped(self.probe), scan.probe)
        wiring.connect(m, wiring.flipped(self.control), scan.control)
        m.d.comb += [scan.probe.mine.eq(0), self.won.eq(scan.won)]
        return m


BROKEN = {
    "vga_hsync_one_pixel_long": Proof(
        "broken_vga_timing", lambda: vga_timing.VgaTimingHarness(
            vga_timing.small_timing(), core=lambda t: VgaTimingGenerator(
                replace(t, h_sync=t.h_sync + 1, h_back=t.h_back - 1))), "bmc", 20),
    "dark_subtract_wraps": Proof(
        "broken_dark_subtract",
        lambda: dark_subtract.dark_subtract_harness(8, core=WrappingDarkSubtract), "prove", 3),
    "dark_subtract_drops_a_waiting_pixel": Proof(
        "broken_dark_subtract_ready",
        lambda: dark_subtract.dark_subtract_harness(8, core=AlwaysReadyDarkSubtract), "prove", 3),
    "flood_opens_flags": Proof(
        "broken_flood", lambda: flood.FloodHarness(4, core=FlagBlindFlood), "prove", 2),
    "debouncer_a_clock_short": Proof(
        "broken_debouncer", lambda: buttons.DebouncerHarness(5, core=lambda c: Debouncer(c - 1)),
        "prove", 12),
    "placement_one_mine_too_many": Proof(
        "broken_placement", lambda: placement.PlacementHarness(
            placement.MINES, placement.SWAPS, placement.BOUND,
            core=lambda swaps, mines: Placement(
                swaps=swaps, mines={Difficulty.INTERMEDIATE: placement.MINES + 1})),
        "bmc", placement.BOUND),
    "win_scan_blind_to_mines": Proof(
        "broken_win_scan", lambda: win_scan.WinScanHarness(16, core=MineBlindWinScan), "prove", 4),
}


@pytest.mark.parametrize("broken", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_core_fails_its_proof(broken):
    result = prove(broken)
    assert result.status == "FAIL", f"{broken.name}: {result.status}\n{result.log[-2000:]}"
    assert "failed assertion" in result.summary()
