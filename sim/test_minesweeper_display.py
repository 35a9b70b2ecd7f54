"""cocotb testbench of the Minesweeper display: frames the RTL draws against the reference renderer.

The design under test is ``minesweeper_system`` (game core, display, status digits) inside
``display_bench`` (display_bench.v), whose pin-level VGA monitor (vga_capture.v) captures a frame when armed.
The testbench carries out the scenarios of sim/display_scenarios.py (the same ones the
Verilator model plays in tests/test_verilator_frames.py): it plays move scripts
(:mod:`starsweeper.moves`) on the buttons and on the model together, arms the monitor, and
compares the captured frame pixel for pixel with :func:`starsweeper.model.display.render` of the
model's state; every sync pulse of the whole run is checked at the end. A mismatch leaves
``*_got.png``, ``*_expected.png`` and ``*_diff.png`` in the build folder.

Environment (set by tests/test_display_rtl.py): ``SYSTEM_PARAMS`` (JSON of the system's
parameters), ``STARSWEEPER_SEED`` (printed; set it to replay).
"""

import json
import os
import random
import time

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge, RisingEdge, ValueChange
import numpy as np

from seeds import seed_from_env
from display_scenarios import SCENARIOS, Check, Play, Release, SetSwitch, Start, Wait, compare_frames, new_model
from starsweeper.model.minesweeper import SWITCH_DEBUG
from starsweeper.model.buttons import BUTTON_BIT
from starsweeper.model.display import render
from starsweeper.model.vga import VGA_640X480
from starsweeper.moves import hold_clocks, play
from vga_capture import VgaCapture

PERIOD_NS = 10


def params():
    return json.loads(os.environ["SYSTEM_PARAMS"])


class DisplayTB:
    """Clock, reset, button driver, the VGA monitor's arm and frames, and the scoreboard."""

    def __init__(self, dut, seed):
        self.dut = dut
        self.params = params()
        self.rng = random.Random(seed)
        dut._log.info("seed %d (replay with STARSWEEPER_SEED=%d), parameters %s", seed, seed, self.params)
        self.hold = hold_clocks(self.params)
        self.switches = 0
        self.game_seed = 0
        self.model = None
        self.held = False
        self.frames = 0
        self.frame_seconds = []
        dut.buttons.value = 0
        dut.switches.value = 0
        dut.seed_force.value = 1
        dut.seed_value.value = 0
        dut.arm.value = 0

    async def start(self, switches=0):
        cocotb.start_soon(Clock(self.dut.clk, PERIOD_NS, unit="ns", impl="gpi").start())
        self.switches = switches
        self.dut.switches.value = switches
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, 4)
        self.dut.rst.value = 0
        await ClockCycles(self.dut.clk, 4)
        self.model = new_model(self.params, switches)

    # -- driver ----------------------------------------------------------------------------------

    async def press(self, press):
        """One press, as a user makes it: switches set, button down, (up), the action done."""
        dut = self.dut
        await RisingEdge(dut.clk)
        dut.switches.value = press.switches_for(self.switches)
        dut.seed_value.value = self.game_seed
        await ClockCycles(dut.clk, 3)
        dut.buttons.value = 1 << BUTTON_BIT[press.button]
        await ClockCycles(dut.clk, self.hold)
        if not press.hold:
            dut.buttons.value = 0
            await ClockCycles(dut.clk, self.hold)
        while int(dut.busy.value):
            await FallingEdge(dut.busy)
        dut.switches.value = self.switches

    async def play(self, moves):
        """``moves`` on the RTL and the model."""
        presses, _, held = play(moves, game=self.model, seed=self.game_seed, switches=self.switches)
        for press in presses:
            await self.press(press)
        self.held = held

    async def release(self):
        await RisingEdge(self.dut.clk)
        self.dut.buttons.value = 0
        await ClockCycles(self.dut.clk, self.hold)
        self.held = False

    def set_switch(self, bit, on):
        self.switches = (self.switches & ~(1 << bit)) | (int(bool(on)) << bit)
        self.dut.switches.value = self.switches

    # -- monitor and scoreboard ----------------------------------------------------------------

    async def capture(self):
        """The next whole frame the monitor sees (480 x 640 RGB332)."""
        dut = self.dut
        started = time.perf_counter()
        await RisingEdge(dut.clk)
        await ClockCycles(dut.clk, 4)          # the switches pass the synchroniser
        dut.arm.value = 1
        before = int(dut.captured.value)
        while int(dut.captured.value) == before:
            await ValueChange(dut.captured)
        await RisingEdge(dut.clk)
        dut.arm.value = 0
        self.frame_seconds.append(time.perf_counter() - started)
        return np.array(VgaCapture.read(".").split_frames(VGA_640X480)[-1], dtype=np.uint8)

    async def check_frame(self, what):
        got = await self.capture()
        expected = render(self.model, debug=bool((self.switches >> SWITCH_DEBUG) & 1), held=self.held)
        self.frames += 1
        compare_frames(got, expected, what, f"frame{self.frames}")
        self.dut._log.info("frame%d: %s frame equals the model's (%.1f s)", self.frames, what,
                           self.frame_seconds[-1])

    def check_syncs(self):
        capture = VgaCapture.read(".")
        # A run that saw one vertical sync pulse has no frame period to measure.
        capture.check_sync(VGA_640X480, frame_period=len(capture.sync["VW"]) > 1,
                           clocks_per_pixel=self.params["pixel_divider"])
        self.dut._log.info("syncs: %d lines, %d frames, every width and period as VESA says; "
                           "%.1f s a captured frame", len(capture.sync["HP"]), len(capture.sync["VP"]),
                           sum(self.frame_seconds) / len(self.frame_seconds))

    # -- scenarios -----------------------------------------------------------------------------

    async def run(self, name):
        """Carry out scenario ``name`` of sim/display_scenarios.py, then check every sync."""
        for action in SCENARIOS[name](self.rng, self.params, self):
            if isinstance(action, Start):
                self.game_seed = action.game_seed
                await self.start(action.switches)
            elif isinstance(action, Play):
                await self.play(action.moves)
            elif isinstance(action, SetSwitch):
                self.set_switch(action.bit, action.on)
            elif isinstance(action, Release):
                await self.release()
            elif isinstance(action, Wait):
                await ClockCycles(self.dut.clk, action.clocks)
            elif isinstance(action, Check):
                await self.check_frame(action.what)
            else:
                raise AssertionError(f"unknown action {action!r}")
        self.check_syncs()


@cocotb.test()
async def intermediate_game_frames(dut):
    """sim/display_scenarios.py's intermediate game: every digit, debug, the 'o' face, lost."""
    await DisplayTB(dut, seed_from_env()).run("intermediate_game")


@cocotb.test()
async def beginner_game_frames(dut):
    """The beginner field: a negative counter, then won (sunglasses)."""
    await DisplayTB(dut, seed_from_env()).run("beginner_game")


@cocotb.test()
async def timer_at_999(dut):
    """The timer stops at 999 (this build's second is a few clocks)."""
    await DisplayTB(dut, seed_from_env()).run("timer_at_999")


@cocotb.test()
async def idle_frames(dut):
    """``FRAMES`` frames of a new game with nothing pressed, each against the model's, their
    simulation times written to ``frame_seconds.txt`` (``python -m starsweeper.bench frame``)."""
    tb = DisplayTB(dut, seed_from_env())
    await tb.start()
    for k in range(int(os.environ.get("FRAMES", "2"))):
        await tb.check_frame(f"new game, frame {k + 1}")
    tb.check_syncs()
    with open("frame_seconds.txt", "w") as file:
        file.write("\n".join(f"{seconds:.3f}" for seconds in tb.frame_seconds) + "\n")
