"""cocotb testbench of the Minesweeper display: frames the RTL draws against the reference renderer.

The design under test is ``minesweeper_system`` (game core, display, status digits) inside
``display_bench`` (sim/display_bench.py), whose pin-level VGA monitor captures a frame when armed.
The testbench plays move scripts (:mod:`starsweeper.moves`) on the buttons and on the model
together, arms the monitor, and compares the captured frame pixel for pixel with
:func:`starsweeper.model.display.render` of the model's state; every sync pulse of the whole run
is checked at the end. A mismatch leaves ``*_got.png``, ``*_expected.png`` and ``*_diff.png`` in
the build folder.

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

from starsweeper.gateware.minesweeper import SWITCH_BEGINNER, SWITCH_DEBUG, SWITCH_FLAG
from starsweeper.model.buttons import BUTTON_BIT
from starsweeper.model.display import render, to_rgb888
from starsweeper.model.minesweeper import (
    DIFFICULTIES, TIMER_MAX, Difficulty, MinesweeperGame, Status, neighbour_counts, place_mines_batch,
)
from starsweeper.model.vga import VGA_640X480
from starsweeper.moves import play
from starsweeper.vga_monitor import VgaCapture

PERIOD_NS = 10


def params():
    return json.loads(os.environ["SYSTEM_PARAMS"])


def seed_from_env():
    return int(os.environ.get("STARSWEEPER_SEED", random.randrange(1 << 32)))


def board_with_every_digit(rng, rows, cols, mines, swaps, batch=2_000):
    """A placement seed whose board has every count 1 to 8 on a safe cell, and an empty cell
    to start from (searched in batches from a random start, on the model). An 8 is rare with
    40 mines on 256 cells (of 300,000 boards, 11 had an 8 and none both a 7 and an 8), so the test
    that needs one builds the core with more mines (tests/test_display_rtl.py)."""
    while True:
        base = rng.randrange((1 << 32) - batch)
        boards = place_mines_batch(np.arange(base, base + batch), rows, cols, mines, swaps)
        mine = boards.reshape(-1, rows, cols)
        padded = np.pad(mine, ((0, 0), (1, 1), (1, 1))).astype(np.int8)
        counts = sum(padded[:, 1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]
                     for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0))
        every = np.ones(len(mine), dtype=bool)
        for d in range(0, 9):
            every &= ((counts == d) & ~mine).any(axis=(1, 2))
        if every.any():
            return base + int(np.argmax(every))


class DisplayTB:
    """Clock, reset, button driver, the VGA monitor's arm and frames, and the scoreboard."""

    def __init__(self, dut, seed):
        self.dut = dut
        self.params = params()
        self.rng = random.Random(seed)
        dut._log.info("seed %d (replay with STARSWEEPER_SEED=%d), parameters %s", seed, seed, self.params)
        self.hold = self.params["debounce_cycles"] + 6
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
        beginner = (switches >> SWITCH_BEGINNER) & 1
        self.model = MinesweeperGame(swaps=self.params["swaps"],
                                     difficulty=Difficulty.BEGINNER if beginner else Difficulty.INTERMEDIATE,
                                     mine_counts=self.params.get("mine_counts"))

    # -- driver ----------------------------------------------------------------------------------

    async def press(self, press):
        """One press, as a user makes it: switches set, button down, (up), the action done."""
        dut = self.dut
        await RisingEdge(dut.clk)
        dut.switches.value = self.switches | ((1 << SWITCH_FLAG) if press.flag_mode else 0)
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
        name = f"frame{self.frames}"
        wrong = got != expected
        if wrong.any():
            from PIL import Image
            Image.fromarray(to_rgb888(got)).save(f"{name}_got.png")
            Image.fromarray(to_rgb888(expected)).save(f"{name}_expected.png")
            Image.fromarray((wrong * 255).astype(np.uint8)).save(f"{name}_diff.png")
            ys, xs = np.nonzero(wrong)
            raise AssertionError(
                f"{what}: {int(wrong.sum())} pixels differ, in x {xs.min()}..{xs.max()}, "
                f"y {ys.min()}..{ys.max()}; first at ({xs[0]}, {ys[0]}): RTL {got[ys[0], xs[0]]:#04x}, "
                f"model {expected[ys[0], xs[0]]:#04x} (images: {name}_*.png)")
        self.dut._log.info("%s: %s frame equals the model's (%.1f s)", name, what, self.frame_seconds[-1])

    def check_syncs(self):
        capture = VgaCapture.read(".")
        # A run that saw one vertical sync pulse has no frame period to measure.
        capture.check_sync(VGA_640X480, frame_period=len(capture.sync["VW"]) > 1,
                           clocks_per_pixel=self.params["pixel_divider"])
        self.dut._log.info("syncs: %d lines, %d frames, every width and period as VESA says; "
                           "%.1f s a captured frame", len(capture.sync["HP"]), len(capture.sync["VP"]),
                           sum(self.frame_seconds) / len(self.frame_seconds))

    # -- helpers on the model's board ----------------------------------------------------------

    def cells(self, predicate):
        m = self.model
        return [(r, c) for r, c in m.cells() if predicate(r, c, m)]

    def pick(self, predicate):
        cells = self.cells(predicate)
        assert cells, "no cell of the kind the test needs"
        return self.rng.choice(cells)


def covered(r, c, m):
    return not m.revealed[r][c] and not m.flagged[r][c]


@cocotb.test()
async def intermediate_game_frames(dut):
    """New game; every digit 1 to 8 with flags; debug; "o" face; lost with wrong flags; the
    cursor on a covered cell, a flag, a covered mine, an empty cell, a digit, the exploded mine."""
    tb = DisplayTB(dut, seed_from_env())
    rows, cols, _ = DIFFICULTIES[Difficulty.INTERMEDIATE]
    mines = int(tb.params.get("mine_counts", {}).get(str(int(Difficulty.INTERMEDIATE)), 40))
    tb.game_seed = board_with_every_digit(tb.rng, rows, cols, mines, tb.params["swaps"])
    dut._log.info("board seed %d (%d mines) has every digit", tb.game_seed, mines)
    await tb.start()
    await tb.check_frame("new game, cursor on a covered cell")

    raw = place_mines_batch([tb.game_seed], rows, cols, mines, tb.params["swaps"])[0].reshape(rows, cols)
    counts = neighbour_counts(raw.tolist(), rows, cols)
    r, c = tb.rng.choice([(r, c) for r in range(rows) for c in range(cols) if not raw[r, c] and counts[r][c] == 0])
    await tb.play(f"@{r},{c} c")
    m = tb.model
    assert m.status == Status.PLAYING and m.mine == raw.tolist(), "the first reveal kept the board"
    for d in range(1, 9):
        if not any(m.revealed[r][c] and m.counts[r][c] == d for r, c in m.cells()):
            r, c = tb.pick(lambda r, c, m: covered(r, c, m) and not m.mine[r][c] and m.counts[r][c] == d)
            await tb.play(f"@{r},{c} c")
    for _ in range(3):
        r, c = tb.pick(lambda r, c, m: covered(r, c, m) and m.mine[r][c])
        await tb.play(f"@{r},{c} f")
    assert {m.counts[r][c] for r, c in m.cells() if m.revealed[r][c]} >= set(range(1, 9))
    assert m.status == Status.PLAYING
    await tb.check_frame("every digit, three flags, cursor on a flag")

    r, c = tb.pick(lambda r, c, m: covered(r, c, m) and m.mine[r][c])
    tb.set_switch(SWITCH_DEBUG, True)
    await tb.play(f"@{r},{c}")
    await tb.check_frame("debug switch, cursor on a covered mine")
    tb.set_switch(SWITCH_DEBUG, False)

    r, c = tb.pick(lambda r, c, m: m.revealed[r][c] and m.counts[r][c] == 0)
    await tb.play(f"@{r},{c} h")
    await tb.check_frame("centre held on an empty cell (the 'o' face)")
    await tb.release()

    r, c = tb.pick(lambda r, c, m: m.revealed[r][c] and m.counts[r][c] > 0)
    await tb.play(f"@{r},{c}")
    await tb.check_frame("cursor on a digit")

    for _ in range(2):
        r, c = tb.pick(lambda r, c, m: covered(r, c, m) and not m.mine[r][c])
        await tb.play(f"@{r},{c} f")
    r, c = tb.pick(lambda r, c, m: covered(r, c, m) and m.mine[r][c])
    await tb.play(f"@{r},{c} c")
    assert m.status == Status.LOST and m.exploded == (r, c)
    await tb.check_frame("lost: exploded mine, wrong flags crossed, cursor on the explosion")
    tb.check_syncs()


@cocotb.test()
async def beginner_game_frames(dut):
    """The beginner field: a negative counter (12 flags on 10 mines), then won (sunglasses)."""
    tb = DisplayTB(dut, seed_from_env())
    tb.game_seed = tb.rng.randrange(1 << 32)
    await tb.start(switches=1 << SWITCH_BEGINNER)
    rows, cols, mines = DIFFICULTIES[Difficulty.BEGINNER]
    raw = place_mines_batch([tb.game_seed], rows, cols, mines, tb.params["swaps"])[0].reshape(rows, cols)
    counts = neighbour_counts(raw.tolist(), rows, cols)
    r, c = tb.rng.choice([(r, c) for r in range(rows) for c in range(cols) if not raw[r, c] and counts[r][c]])
    await tb.play(f"@{r},{c} c")                # opens one cell: 80 stay covered
    m = tb.model
    assert m.difficulty == Difficulty.BEGINNER and m.status == Status.PLAYING
    for _ in range(12):
        r, c = tb.pick(lambda r, c, m: covered(r, c, m))
        await tb.play(f"@{r},{c} f")
    assert m.counter == -2
    digit = tb.cells(lambda r, c, m: m.revealed[r][c] and m.counts[r][c] > 0)
    if digit:
        r, c = tb.rng.choice(digit)
        await tb.play(f"@{r},{c}")
    await tb.check_frame("beginner, counter -2")

    for r, c in tb.cells(lambda r, c, m: m.flagged[r][c] and not m.mine[r][c]):
        await tb.play(f"@{r},{c} f")
    while m.status == Status.PLAYING:
        r, c = tb.cells(lambda r, c, m: covered(r, c, m) and not m.mine[r][c])[0]
        await tb.play(f"@{r},{c} c")
    assert m.status == Status.WON
    await tb.check_frame("beginner won")
    tb.check_syncs()


@cocotb.test()
async def timer_at_999(dut):
    """The timer stops at 999 (this build's second is a few clocks)."""
    tb = DisplayTB(dut, seed_from_env())
    tb.game_seed = tb.rng.randrange(1 << 32)
    await tb.start()
    await tb.play(f"@{tb.rng.randrange(16)},{tb.rng.randrange(16)} c")
    assert tb.model.status == Status.PLAYING
    await ClockCycles(dut.clk, (TIMER_MAX + 1) * tb.params["clocks_per_second"])
    tb.model.timer = TIMER_MAX
    await tb.check_frame("timer at 999")
    tb.check_syncs()


@cocotb.test()
async def board_pixel_rate_frame(dut):
    """One mid-game frame with the board's pixel enable (one clock in four)."""
    tb = DisplayTB(dut, seed_from_env())
    assert tb.params["pixel_divider"] == 4
    tb.game_seed = tb.rng.randrange(1 << 32)
    await tb.start()
    await tb.play(f"@{tb.rng.randrange(16)},{tb.rng.randrange(16)} c")
    for _ in range(3):
        r, c = tb.pick(lambda r, c, m: covered(r, c, m))
        await tb.play(f"@{r},{c} f")
    r, c = tb.pick(lambda r, c, m: m.revealed[r][c])
    await tb.play(f"@{r},{c}")
    await tb.check_frame("mid-game at the board's pixel rate")
    tb.check_syncs()
