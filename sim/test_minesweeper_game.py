"""cocotb testbench of ``MinesweeperGame``: random games, checked after every action.

Environment (set by tests/test_minesweeper_rtl.py, which builds the core with these parameters):
``GAME_PARAMS`` (JSON of the constructor's arguments), ``STARSWEEPER_SEED`` (printed; set it to
replay), ``GAMES`` (how many random games).
"""

import json
import math
import os
import random

import cocotb
from cocotb.utils import get_sim_time
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge, ReadOnly, RisingEdge, Timer

from starsweeper.model.buttons import BUTTON_BIT, ButtonActions
from starsweeper.model.minesweeper import (
    GRID, STATUS_MOVES, SWITCH_BEGINNER, SWITCH_FLAG, TIMER_MAX, Difficulty, Direction, MinesweeperGame,
    Status, difficulty_of, neighbour_counts, neighbours, place_mines,
)

from seeds import seed_from_env

PERIOD_NS = 10
DIRECTION_BUTTON = {Direction.UP: "up", Direction.DOWN: "down",
                    Direction.LEFT: "left", Direction.RIGHT: "right"}


def params():
    return json.loads(os.environ["GAME_PARAMS"])


def bits_to_grid(value):
    return [[bool((value >> (r * GRID + c)) & 1) for c in range(GRID)] for r in range(GRID)]


def bits_to_cells(value):
    """The (row, column) of each set bit, in order."""
    return [divmod(k, GRID) for k in range(GRID * GRID) if (value >> k) & 1]


def on_every_change(signal, react):
    """Call ``react(last, value)`` (integers) at each change of ``signal``, read in the read-only
    phase of the step it changed in; returns the task. Woken by the signal's changes only, so it
    costs nothing between them."""
    async def watch():
        last = signal.value.to_unsigned()
        while True:
            await signal.value_change
            await ReadOnly()
            value = signal.value.to_unsigned()
            react(last, value)
            last = value
    return cocotb.start_soon(watch())


class EdgeClock:
    """The bench's clock, started now (each cocotb test of a run starts its own, at the time it
    starts): its rising edges are ``PERIOD_NS`` apart from this time on."""

    def __init__(self, clk):
        self.origin_ns = get_sim_time("ns")
        cocotb.start_soon(Clock(clk, PERIOD_NS, unit="ns", impl="gpi").start())

    def clocks(self, ns):
        """The clocks from the start to the time ``ns`` (a float: its fraction off an edge)."""
        return (ns - self.origin_ns) / PERIOD_NS

    def at_edge(self, ns):
        """Whether the time ``ns`` is a rising edge (within a thousandth of a clock)."""
        return abs(self.clocks(ns) - round(self.clocks(ns))) < 1e-3


class StatusMonitor:
    """Every change of ``view__status``, held against the game's moves (``STATUS_MOVES``): the
    moves it was not allowed to make, or made between two rising edges of the clock (a
    register's output changes only at one), with their times (ns), in ``wrong``."""

    def __init__(self, dut, clock):
        self.wrong = []
        self.clock = clock
        on_every_change(dut.view__status, self._moved)

    def _moved(self, last, value):
        last, status = Status(last), Status(value)
        now = get_sim_time("ns")
        if (status != last and (last, status) not in STATUS_MOVES) or not self.clock.at_edge(now):
            self.wrong.append((now, last.name, status.name))


class TimerMonitor:
    """Every change of ``score__timer``: at a rising edge of the ``clock``, one second more,
    exactly a second (``clocks_per_second``) after the second before it in the same game, or
    back to 0 (a new game, a first reveal). The changes that were not, with their times (ns),
    in ``wrong``; the seconds counted, ``(ns, seconds)``, in ``seconds`` (the bench holds each
    to the time since the first reveal, once it knows that time)."""

    def __init__(self, dut, clock, clocks_per_second):
        self.wrong, self.seconds = [], []
        self.clock, self.clocks_per_second = clock, clocks_per_second
        self.last_second_ns = None
        on_every_change(dut.score__timer, self._changed)

    def _changed(self, last, value):
        now = get_sim_time("ns")
        if not self.clock.at_edge(now):
            self.wrong.append((now, last, value))
        elif value == 0:
            self.last_second_ns = None
        elif value == last + 1 <= TIMER_MAX and (
                self.last_second_ns is None
                or round(self.clock.clocks(now) - self.clock.clocks(self.last_second_ns)) == self.clocks_per_second):
            self.last_second_ns = now
            self.seconds.append((now, value))
        else:
            self.wrong.append((now, last, value))


class RevealMonitor:
    """The cells ``revealed_bits`` gains, with the time (ns) of each change."""

    def __init__(self, dut):
        self.openings = []                  # (ns, bits newly revealed)
        on_every_change(dut.revealed_bits, self._changed)

    def _changed(self, last, value):
        if value & ~last:
            self.openings.append((get_sim_time("ns"), value & ~last))


class GameTB:
    """Clock, reset, button driver, board monitor and a scoreboard fed by the model."""

    def __init__(self, dut, seed):
        self.dut = dut
        self.params = params()
        self.rng = random.Random(seed)
        dut._log.info("seed %d (replay with STARSWEEPER_SEED=%d), parameters %s", seed, seed, self.params)
        self.debounce = self.params["debounce_cycles"]
        self.tick = self.params["clocks_per_second"]
        self.model = None
        self.switches = 0
        self.first_reveal_ns = None
        self.forced_seed = None
        self.frozen_timer = 0
        self.actions = 0
        self.outcomes = {}
        dut.buttons.value = 0
        dut.switches.value = 0
        dut.seed_force.value = 0
        dut.seed_value.value = 0
        dut.read__address.value = 0
        dut.read__enable.value = 1

    async def start(self, beginner=False):
        self.clock = EdgeClock(self.dut.clk)
        self.set_switch(SWITCH_BEGINNER, beginner)
        self.dut.switches.value = self.switches
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, 3)
        self.dut.rst.value = 0
        await self.settle()
        self.model = MinesweeperGame(
            swaps=self.params["swaps"],
            difficulty=Difficulty.BEGINNER if beginner else Difficulty.INTERMEDIATE,
            mine_counts=self.params.get("mine_counts"))
        self.reveals = RevealMonitor(self.dut)
        self.statuses = StatusMonitor(self.dut, self.clock)
        self.timers = TimerMonitor(self.dut, self.clock, self.tick)
        self.compare("after reset")

    def set_switch(self, bit, on):
        """Takes effect with the next press (inputs change only just after a clock edge)."""
        self.switches = (self.switches & ~(1 << bit)) | (int(bool(on)) << bit)

    def now_ns(self):
        return get_sim_time("ns")

    async def settle(self):
        """Wait until the core is idle; return in the read-only phase just after a clock edge,
        where every register shows its value after that edge."""
        await RisingEdge(self.dut.clk)
        await RisingEdge(self.dut.clk)
        while int(self.dut.busy.value):
            await FallingEdge(self.dut.busy)
        await RisingEdge(self.dut.clk)
        await ReadOnly()

    async def press(self, button):
        """A clean press and release, each held for longer than the debounce time.

        Returns the time of the clock edge after which the button was driven."""
        hold = (self.debounce + 3) * PERIOD_NS
        await RisingEdge(self.dut.clk)
        edge_ns = self.now_ns()
        self.dut.switches.value = self.switches
        self.dut.seed_force.value = self.forced_seed is not None
        self.dut.seed_value.value = self.forced_seed or 0
        self.dut.buttons.value = 1 << BUTTON_BIT[button]
        await Timer(hold, unit="ns")
        self.dut.buttons.value = 0
        await Timer(hold, unit="ns")
        await self.settle()
        self.actions += 1
        return edge_ns

    # -- actions on both the RTL and the model ---------------------------------------------------

    async def move_to(self, row, col):
        m = self.model
        while m.cursor != (row, col):
            r, c = m.cursor
            if r != row:
                down = (row - r) % m.rows
                d = Direction.DOWN if down <= m.rows - down else Direction.UP
            else:
                right = (col - c) % m.cols
                d = Direction.RIGHT if right <= m.cols - right else Direction.LEFT
            await self.move(d)

    async def move(self, direction):
        await self.press(DIRECTION_BUTTON[direction])
        self.model.move(direction)
        self.compare(f"move {direction.name}")

    async def centre(self, flag_mode=False, forced_seed=None, beginner=None):
        self.set_switch(SWITCH_FLAG, flag_mode)
        if beginner is not None:
            self.set_switch(SWITCH_BEGINNER, beginner)
        self.forced_seed = forced_seed
        window = await self.avoid_tick_window()
        self.reveals.openings.clear()
        layers = self.model.last_flood_layers
        edge_ns = await self.press("centre")
        difficulty = difficulty_of(self.switches)
        # The seed of a free-running game is whatever the counter held: the RTL tells it.
        seed = forced_seed if forced_seed is not None else int(self.dut.seed.value)
        was_ready = self.model.status == Status.READY
        was_finished = self.model.finished
        outcome = self.model.centre(flag_mode, seed=seed, difficulty=difficulty)
        if was_ready and self.model.status != Status.READY:
            self.first_reveal_ns = edge_ns + self.press_latency_ns()
        if was_finished:
            self.first_reveal_ns = None
        if window is not None:
            took = self.now_ns() - edge_ns
            assert took <= window, f"the action took {took} ns, more than the {window} ns kept clear of ticks"
        if self.model.finished and not was_finished:
            self.frozen_timer = self.expected_timer(self.now_ns())
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        self.compare(f"centre ({outcome})")
        if self.model.last_flood_layers is not layers:      # the model opened cells
            self.check_flood_layers(f"centre ({outcome})")
        return outcome

    def check_flood_layers(self, what):
        """The flood opens the model's layers in order, one a clock, after the cells the action
        revealed itself (none, for a chord whose flood opens a cell once flagged beside an
        open zero): the action's last openings are the layers, a clock apart."""
        layers = self.model.last_flood_layers
        if not layers:
            return
        where = f"after action {self.actions} ({what})"
        openings = self.reveals.openings
        assert len(openings) >= len(layers), f"{where}: {len(openings)} openings for {len(layers)} flood steps"
        flood = openings[-len(layers):]
        for step, ((ns, bits), layer) in enumerate(zip(flood, layers), start=1):
            assert bits_to_cells(bits) == layer, f"{where}: flood step {step} opened {bits_to_cells(bits)}, model {layer}"
            assert self.clock.at_edge(ns), f"{where}: flood step {step} opened cells between two clock edges"
            if step > 1:
                assert round(self.clock.clocks(ns) - self.clock.clocks(flood[step - 2][0])) == 1, \
                    f"{where}: flood step {step} came a clock late"

    def press_latency_ns(self):
        """From the edge after which a button is driven to the edge where the core takes the
        press (the timer starts there): the buttons' model gives the clock of the press pulse;
        the pending register adds one clock, the dispatch another, the probe register and the
        cell's registers two more (the decision is taken on registered bits)."""
        model = ButtonActions(self.debounce, self.params["repeat_delay"], self.params["repeat_period"])
        for k in range(self.debounce + 10):
            if model.step(1):
                return (k + 4) * PERIOD_NS
        raise AssertionError("the button model never pressed")

    async def avoid_tick_window(self):
        """Keep timer ticks out of an action that may end the game.

        The timer freezes at the clock where a game ends, some hundreds of clocks into the
        action (debounce, placement, chord, flood); with no tick inside the action the frozen
        value is known exactly. Returns the window's length in ns (None if no timer runs)."""
        period = self.tick * PERIOD_NS
        window = (2 * self.debounce + 40) * PERIOD_NS + self.max_processing_ns()
        assert window < period - 100 * PERIOD_NS, "the timer period is too short for this test"
        if self.model.status != Status.PLAYING or self.first_reveal_ns is None:
            return window if self.model.status == Status.READY else None
        into = (self.now_ns() + PERIOD_NS - self.first_reveal_ns) % period
        if into + window >= period - 10 * PERIOD_NS:
            # Whole clocks: a time in ns worked out from the simulator's float can fall between
            # its steps (cocotb refuses it).
            await ClockCycles(self.dut.clk, math.ceil((period - into) / PERIOD_NS) + 10)
        return window

    def max_processing_ns(self):
        """A bound on the clocks a centre action runs: placement at the first reveal, else a
        chord and a flood. Placement: five clocks a swap and three per rejected draw; the
        rejected draws of a swap are geometric (acceptance p), so their total has mean
        swaps (1 - p) / p and standard deviation sqrt(swaps (1 - p)) / p: six of those above
        the mean is never reached in practice."""
        m, swaps = self.model, self.params["swaps"]
        acceptance = (m.rows / GRID) ** 2 * (m.cols / GRID) ** 2
        rejected = swaps * (1 - acceptance) / acceptance + 6 * math.sqrt(swaps * (1 - acceptance)) / acceptance
        placement = int(3 * rejected) + 5 * swaps + 2 * GRID * GRID
        return (placement + 300) * PERIOD_NS

    # -- monitor and scoreboard --------------------------------------------------------------

    def expected_timer(self, now_ns):
        m = self.model
        if m.status == Status.READY or self.first_reveal_ns is None:
            return 0
        return min(TIMER_MAX, (now_ns - self.first_reveal_ns) // (self.tick * PERIOD_NS))

    def compare(self, what):
        dut, m = self.dut, self.model
        where = f"after action {self.actions} ({what})"
        assert int(dut.view__status.value) == m.status, \
            f"{where}: status {int(dut.view__status.value)}, model {m.status!r}"
        assert not self.statuses.wrong, f"{where}: the status made moves no game makes: {self.statuses.wrong}"
        assert int(dut.view__difficulty.value) == m.difficulty, f"{where}: difficulty"
        assert int(dut.leds.value) == m.leds, f"{where}: LEDs {int(dut.leds.value):08b}, model {m.leds:08b}"
        assert (int(dut.view__cursor_row.value), int(dut.view__cursor_col.value)) == m.cursor, f"{where}: cursor"
        assert dut.score__counter.value.to_signed() == m.counter, \
            f"{where}: counter {dut.score__counter.value.to_signed()}, model {m.counter}"
        # The mines are read through the read port (compare_cells), after placement and at the
        # end: they change nowhere else.
        for name, grid in (("revealed", m.revealed), ("flagged", m.flagged)):
            got = bits_to_grid(getattr(dut, f"{name}_bits").value.to_unsigned())
            if name == "revealed":
                # The cells outside a beginner field read as revealed (they never open).
                grid = [[grid[r][c] or r >= m.rows or c >= m.cols for c in range(GRID)] for r in range(GRID)]
            if name == "flagged" and m.status == Status.WON:
                # A won game's mines are flagged by the read port, not in the flag register.
                got = [[got[r][c] or m.mine[r][c] for c in range(GRID)] for r in range(GRID)]
            assert got == grid, f"{where}: {name} bits differ:\n{diff_grids(got, grid)}"
        if m.status != Status.READY:
            # The flood's zero bits, as the count sweep wrote them: every cell of the field
            # with no neighbouring mine (a zero bit lost inside a region of zeros would only
            # show in the flood when it is the region's one way through).
            zero = [[r < m.rows and c < m.cols and m.counts[r][c] == 0 for c in range(GRID)]
                    for r in range(GRID)]
            got = bits_to_grid(dut.zero_bits.value.to_unsigned())
            assert got == zero, f"{where}: zero bits differ:\n{diff_grids(got, zero)}"
            assert int(dut.flood_steps.value) == m.last_flood_steps, \
                f"{where}: flood took {int(dut.flood_steps.value)} steps, model {m.last_flood_steps}"
        if m.status == Status.LOST:
            assert (int(dut.exploded_row.value), int(dut.exploded_col.value)) == m.exploded, f"{where}: exploded"
        self.check_timer(where)

    def check_timer(self, where):
        assert not self.timers.wrong, f"{where}: the timer changed as no clock of seconds does: {self.timers.wrong}"
        for ns, seconds in self.timers.seconds:           # (each second at its clock since the first reveal)
            expected = self.expected_timer(ns + PERIOD_NS / 2)    # (in the clock it shows: no rounding at its edge)
            assert seconds == expected, f"{where}: the timer showed {seconds} at {ns} ns, {expected} expected"
        self.timers.seconds.clear()
        got = int(self.dut.score__timer.value)
        if self.model.finished:
            expected = self.frozen_timer
        else:
            expected = self.expected_timer(self.now_ns())
        assert got == expected, f"{where}: timer {got}, expected {expected}"

    async def read_cells(self):
        """Every cell through the read port, as the display reads it: an address a clock, each
        driven just after a clock edge; a cell comes out two edges after its address (the
        address register, then the cell's)."""
        cells = {}
        addresses = [(r, c) for r in range(GRID) for c in range(GRID)]
        await RisingEdge(self.dut.clk)
        for k in range(len(addresses) + 1):
            if k < len(addresses):
                row, col = addresses[k]
                self.dut.read__address.value = GRID * row + col       # CellAddress: col, then row
            await RisingEdge(self.dut.clk)
            await ReadOnly()
            if k >= 1:
                cells[addresses[k - 1]] = self.dut.read__cell.value.to_unsigned()
            await Timer(1, unit="ns")
        return cells


def diff_grids(got, want):
    lines = []
    for r in range(GRID):
        lines.append("".join("." if g == w else ("+" if g else "-") for g, w in zip(got[r], want[r])))
    return "\n".join(lines)


def cell_fields(view):
    """Unpack a CellView word with the gateware's own layout."""
    from starsweeper.gateware.interfaces import CellView
    from streams import unpack
    return unpack(CellView(), view)


async def compare_cells(tb, what):
    """The read port shows what the model says, cell by cell (the display's view)."""
    m = tb.model
    cells = await tb.read_cells()
    for (r, c), view in cells.items():
        got = cell_fields(view)
        want = {
            "mine": int(m.mine[r][c]),
            # The cells outside a beginner field read as revealed (they never open).
            "revealed": int(m.revealed[r][c] or r >= m.rows or c >= m.cols),
            "flagged": int(m.flagged[r][c]),
            "exploded": int(m.status == Status.LOST and m.exploded == (r, c)),
        }
        if m.status != Status.READY and r < m.rows and c < m.cols:
            want["count"] = m.counts[r][c]
        else:
            got.pop("count")  # no counts before placement; none outside the field
        assert got == want, f"{what}: cell ({r}, {c}) reads {got}, model says {want}"


def covered(m, *, flagged=None, mine=None):
    return [(r, c) for r, c in m.cells()
            if not m.revealed[r][c]
            and (flagged is None or m.flagged[r][c] == flagged)
            and (mine is None or m.mine[r][c] == mine)]


def numbers(m):
    return [(r, c) for r, c in m.cells() if m.revealed[r][c] and m.counts[r][c]]


async def end_on_a_mine(tb):
    """A game in play ended on one of its mines (after it, the centre button starts a new one)."""
    m = tb.model
    if m.status == Status.PLAYING:
        await act_on(tb, next((r, c) for r, c in m.cells() if m.mine[r][c]))


async def act_on(tb, cell, flag_mode=False):
    await tb.move_to(*cell)
    return await tb.centre(flag_mode)


async def play_random_game(tb, max_centres, to_win=False):
    """One game of random, model-guided moves: reveals, flags (some wrong), chords (some wrong),
    blocked reveals; then moves after the end, and a new game at a random difficulty. With
    ``to_win``, only safe reveals and correct chords, until the game is won."""
    m, rng = tb.model, tb.rng
    centres = sum(tb.outcomes.values())
    forced = rng.randrange(1 << 32) if rng.random() < 0.6 else None
    for _ in range(rng.randrange(3)):       # flags before the first reveal
        await act_on(tb, (rng.randrange(m.rows), rng.randrange(m.cols)), flag_mode=True)
    start = rng.choice(covered(m, flagged=False))
    await tb.move_to(*start)
    await tb.centre(forced_seed=forced)
    await compare_cells(tb, "after placement")
    for _ in range(400):
        if m.status != Status.PLAYING or (not to_win and sum(tb.outcomes.values()) - centres >= max_centres):
            break
        if to_win and not covered(m, flagged=False, mine=False):
            await act_on(tb, covered(m, flagged=True, mine=False)[0], flag_mode=True)  # a wrong flag
            continue
        kind = rng.choices(
            ["safe", "flag", "unflag", "chord", "set_chord", "wrong_chord", "random", "blocked"],
            [10, 0, 0, 0, 1, 0, 0, 0] if to_win else [30, 10, 4, 8, 10, 3, 2, 3])[0]
        if kind == "safe":
            cells = covered(m, flagged=False, mine=False)  # empty if wrong flags cover the rest
            if cells:
                await act_on(tb, rng.choice(cells))
        elif kind == "flag":
            cells = covered(m, flagged=False, mine=rng.random() < 0.7)
            if cells:
                await act_on(tb, rng.choice(cells), flag_mode=True)
        elif kind == "unflag" and covered(m, flagged=True):
            await act_on(tb, rng.choice(covered(m, flagged=True)), flag_mode=True)
        elif kind == "chord" and numbers(m):
            await act_on(tb, rng.choice(numbers(m)), flag_mode=rng.random() < 0.3)
        elif kind in ("set_chord", "wrong_chord") and numbers(m):
            r, c = rng.choice(numbers(m))
            near = [n for n in neighbours(r, c, m.rows, m.cols) if not m.revealed[n[0]][n[1]]]
            for n in near:                  # clear the flags around it, then flag exactly count cells
                if m.flagged[n[0]][n[1]]:
                    await act_on(tb, n, flag_mode=True)
            mines = [n for n in near if m.mine[n[0]][n[1]]]
            safe = [n for n in near if not m.mine[n[0]][n[1]]]
            chosen = mines
            if kind == "wrong_chord" and safe:
                chosen = mines[:-1] + [rng.choice(safe)]
            for n in chosen:
                await act_on(tb, n, flag_mode=True)
            if m.status == Status.PLAYING:
                await act_on(tb, (r, c))
        elif kind == "random":
            await act_on(tb, (rng.randrange(m.rows), rng.randrange(m.cols)))
        elif kind == "blocked" and covered(m, flagged=True):
            await act_on(tb, rng.choice(covered(m, flagged=True)))
    assert not (to_win and m.status == Status.PLAYING), "400 steps and the game is not won"
    if m.status == Status.PLAYING:          # end it: step on an unflagged mine
        targets = covered(m, flagged=False, mine=True)
        if not targets:
            await act_on(tb, rng.choice(covered(m, flagged=True, mine=True)), flag_mode=True)
            targets = covered(m, flagged=False, mine=True)
        await act_on(tb, rng.choice(targets))
    assert m.finished
    await compare_cells(tb, f"after the game ({m.status.name})")
    for _ in range(rng.randrange(1, 4)):    # moves after the end change nothing but the cursor
        await tb.move(rng.choice(list(Direction)))
    await tb.centre(flag_mode=rng.random() < 0.5, beginner=rng.random() < 0.5)
    assert m.status == Status.READY


@cocotb.test()
async def random_games_match_the_model(dut):
    tb = GameTB(dut, seed_from_env())
    await tb.start(beginner=tb.rng.random() < 0.5)
    games = int(os.environ.get("GAMES", "10"))
    results = {}
    for game in range(games):
        await play_random_game(tb, max_centres=25, to_win=game % 3 == 0)
    for outcome, count in sorted(tb.outcomes.items()):
        results[outcome] = count
    dut._log.info("%d games, %d actions, outcomes %s", games, tb.actions, results)
    assert results.get("won", 0) + results.get("lost", 0) == games
    assert results.get("won", 0) >= games // 3
    assert results.get("chord", 0) > 0 and results.get("flag", 0) > 0


async def drive_waveform(tb, wave):
    """Drive ``buttons`` from a list of per-clock values (set just after each clock edge)."""
    await RisingEdge(tb.dut.clk)
    for value in wave:
        tb.dut.buttons.value = value
        await RisingEdge(tb.dut.clk)
    tb.dut.buttons.value = 0


def bouncy_press(rng, bit, debounce, length):
    """A press of ``length`` clocks whose edges bounce: glitches shorter than the debounce."""
    wave = []
    for level in (1, 0):
        for _ in range(rng.randrange(1, 5)):  # bounces before the level settles
            wave += [level << bit] * rng.randrange(1, debounce)
            wave += [(1 - level) << bit] * rng.randrange(1, debounce)
        wave += [level << bit] * length
    return wave


@cocotb.test()
async def bouncing_buttons_act_once_per_press(dut):
    """Random glitches shorter than the debounce time: exactly one action per press."""
    tb = GameTB(dut, seed_from_env())
    assert tb.params["repeat_delay"] >= 10 * tb.debounce, "needs a build that repeats late"
    await tb.start()
    model = ButtonActions(tb.debounce, tb.params["repeat_delay"], tb.params["repeat_period"])
    presses = tb.rng.randrange(5, 12)
    wave = []
    for _ in range(presses):
        wave += bouncy_press(tb.rng, BUTTON_BIT["right"], tb.debounce, 2 * tb.debounce)
    await drive_waveform(tb, wave)
    await tb.settle()
    predicted = sum(bool(model.step(v) & (1 << BUTTON_BIT["right"])) for v in wave)
    assert predicted == presses, f"the buttons' model saw {predicted} presses in {presses}"
    for _ in range(predicted):
        tb.model.move(Direction.RIGHT)
    tb.compare(f"{presses} bouncing presses")


@cocotb.test()
async def held_direction_repeats(dut):
    """Holding a direction repeats it at the times the buttons' model gives: each of the four
    held in turn (a random order, holds and pauses of random lengths), as many moves as the
    model's presses, each as many clocks after the one before (the cursor watched as it
    changes)."""
    tb = GameTB(dut, seed_from_env())
    await tb.start()
    directions = [Direction.UP, Direction.DOWN, Direction.LEFT, Direction.RIGHT]
    tb.rng.shuffle(directions)
    wave = []
    for direction in directions:
        hold = tb.params["repeat_delay"] + tb.rng.randrange(0, 6) * tb.params["repeat_period"] + 3 * tb.debounce
        wave += [1 << BUTTON_BIT[DIRECTION_BUTTON[direction]]] * hold
        wave += [0] * tb.rng.randrange(2 * tb.debounce, tb.params["repeat_delay"] + 2 * tb.debounce)
    moves = []
    watchers = [on_every_change(signal, lambda last, value: moves.append(get_sim_time("ns")))
                for signal in (dut.view__cursor_row, dut.view__cursor_col)]
    await drive_waveform(tb, wave)
    await tb.settle()
    for watcher in watchers:
        watcher.cancel()
    model = ButtonActions(tb.debounce, tb.params["repeat_delay"], tb.params["repeat_period"])
    presses = []
    for k, v in enumerate(wave):
        pressed = model.step(v)
        presses += [(k, d) for d in directions if pressed & (1 << BUTTON_BIT[DIRECTION_BUTTON[d]])]
    assert len(presses) >= 8, "each hold should repeat at least once"
    assert len(moves) == len(presses), f"{len(moves)} moves for the model's {len(presses)} presses"
    apart = [round((b - a) / PERIOD_NS) for a, b in zip(moves, moves[1:])]
    assert apart == [b - a for (a, _), (b, _) in zip(presses, presses[1:])], f"moves {apart} clocks apart"
    for _, direction in presses:
        tb.model.move(direction)
    tb.compare(f"{[d.name for d in directions]} held in turn")


@cocotb.test()
async def timer_stops_at_999_and_when_the_game_ends(dut):
    """With a short second: the timer counts from the first reveal, holds at 999, and freezes
    when the game is lost."""
    tb = GameTB(dut, seed_from_env())
    assert tb.tick <= 50, "needs the short-second build"
    await tb.start()
    # A seed whose first reveal at (0, 0) does not end the game, found with the model.
    while True:
        seed = tb.rng.randrange(1 << 32)
        trial = MinesweeperGame(swaps=tb.params["swaps"])
        trial.centre(seed=seed)
        if trial.status == Status.PLAYING:
            break
    tb.forced_seed = seed
    edge_ns = await tb.press("centre")
    tb.model.centre(seed=seed)
    tb.first_reveal_ns = edge_ns + tb.press_latency_ns()
    tb.compare("first reveal")
    for _ in range(3):
        await ClockCycles(dut.clk, tb.rng.randrange(1, 40 * tb.tick))
        await ReadOnly()
        tb.check_timer("while playing")
        await Timer(1, unit="ns")
    await Timer((TIMER_MAX + 5) * tb.tick * PERIOD_NS, unit="ns")
    await RisingEdge(dut.clk)
    await ReadOnly()
    assert int(dut.score__timer.value) == TIMER_MAX
    tb.check_timer("after 1000 seconds")
    mine = next((r, c) for r, c in tb.model.cells() if tb.model.mine[r][c])
    await tb.move_to(*mine)
    await tb.press("centre")
    tb.model.centre()
    tb.frozen_timer = TIMER_MAX
    tb.compare("stepped on a mine")
    await Timer(50 * tb.tick * PERIOD_NS, unit="ns")
    await ReadOnly()
    tb.compare("lost, later")


async def chords_on_the_edges(dut, beginner):
    """Chords on numbers in the first and last rows and columns of the field: one flag short
    (nothing opens), then with exactly their mines flagged (the rest opens); every cell
    compared with the model after each. The field's edges are where a chord must leave out
    the neighbours outside it."""
    tb = GameTB(dut, seed_from_env())
    await tb.start(beginner=beginner)
    m, rng = tb.model, tb.rng
    await tb.move_to(*rng.choice(covered(m, flagged=False)))
    await tb.centre(forced_seed=rng.randrange(1 << 32))
    chords = 0
    while m.status == Status.PLAYING and chords < 6:
        candidates = [
            (r, c) for r, c in m.cells()
            if (r in (0, m.rows - 1) or c in (0, m.cols - 1)) and not m.mine[r][c]
            and not m.flagged[r][c] and m.counts[r][c]
            and any(not m.revealed[nr][nc] and not m.mine[nr][nc]
                    for nr, nc in neighbours(r, c, m.rows, m.cols))]
        if not candidates:
            break
        # The last column first (its neighbours one column further are off the field), and
        # numbers of 2 or more (a chord counts their flags).
        right = [(r, c) for r, c in candidates if c == m.cols - 1] or candidates
        r, c = rng.choice([(r, c) for r, c in right if m.counts[r][c] >= 2] or right)
        if not m.revealed[r][c]:
            await act_on(tb, (r, c))
        near = [n for n in neighbours(r, c, m.rows, m.cols) if not m.revealed[n[0]][n[1]]]
        for n in near:
            if m.flagged[n[0]][n[1]]:
                await act_on(tb, n, flag_mode=True)
        mines = [n for n in near if m.mine[n[0]][n[1]]]
        for n in mines[:-1]:
            await act_on(tb, n, flag_mode=True)
        await act_on(tb, (r, c))
        await compare_cells(tb, f"a chord on {(r, c)} one flag short")
        await act_on(tb, mines[-1], flag_mode=True)
        await act_on(tb, (r, c))
        await compare_cells(tb, f"a chord on {(r, c)}")
        chords += 1
    assert chords, "no number on the field's edges to chord"
    await explode_a_wrong_chord(tb)


async def explode_a_wrong_chord(tb):
    """A chord whose flags are on safe cells opens its unflagged mines, and the game is lost on
    the first of them in the model's neighbour order: the exploded mine's cell (the core's
    ``exploded_row``/``exploded_col``, checked by every compare of a lost game) and the read
    port's exploded bit are compared with the model. Numbers of 2 or more with two safe
    neighbours are preferred, so that two mines open and the order decides."""
    m, rng = tb.model, tb.rng
    for _ in range(20):
        if m.status != Status.PLAYING:
            await tb.centre()                                     # a new game, then a reveal
            await act_on(tb, rng.choice(covered(m, flagged=False)))
            continue
        options = []
        for r, c in m.cells():
            if not m.revealed[r][c] or not m.counts[r][c]:
                continue
            near = [n for n in neighbours(r, c, m.rows, m.cols) if not m.revealed[n[0]][n[1]]]
            safe = [n for n in near if not m.mine[n[0]][n[1]]]
            if safe:
                options.append(((r, c), near, safe))
        if not options:
            await act_on(tb, rng.choice(covered(m, flagged=False, mine=False)))
            continue
        (r, c), near, safe = rng.choice(
            [o for o in options if m.counts[o[0][0]][o[0][1]] >= 2 and len(o[2]) >= 2] or options)
        mines = [n for n in near if m.mine[n[0]][n[1]]]
        take = min(len(safe), m.counts[r][c])
        flags = set(rng.sample(safe, take)) | set(mines[:m.counts[r][c] - take])
        for n in near:
            if m.flagged[n[0]][n[1]] != (n in flags):
                await act_on(tb, n, flag_mode=True)
        outcome = await act_on(tb, (r, c))
        assert outcome == "lost" and m.exploded is not None, f"a wrong chord on {(r, c)}: {outcome}"
        await compare_cells(tb, f"a wrong chord on {(r, c)}")
        return
    raise AssertionError("no number to chord wrongly in 20 tries")


@cocotb.test()
async def chords_on_the_edges_of_the_large_field(dut):
    await chords_on_the_edges(dut, beginner=False)


@cocotb.test()
async def chords_on_the_edges_of_the_beginner_field(dut):
    await chords_on_the_edges(dut, beginner=True)


@cocotb.test()
async def flood_of_an_empty_board(dut):
    """An empty 16x16 board: one reveal opens everything, in at most 15 steps (16 clocks with
    the step that finds nothing left to open), exactly as many as the model takes."""
    tb = GameTB(dut, seed_from_env())
    assert (tb.params.get("mine_counts") or {}).get("0") == 0, "needs the empty-board build"
    await tb.start()
    for start in [(0, 0), (15, 15), (tb.rng.randrange(GRID), tb.rng.randrange(GRID))]:
        await tb.move_to(*start)
        outcome = await tb.centre(forced_seed=tb.rng.randrange(1 << 32))
        assert outcome == "won"
        assert int(dut.flood_steps.value) <= GRID - 1, f"flood took {int(dut.flood_steps.value)} steps"
        await compare_cells(tb, "after the flood")
        await tb.centre()  # new game


@cocotb.test()
async def flags_on_every_cell(dut):
    """Before the first reveal, every cell of the large field flagged in turn (a snake through
    the rows), then every flag taken off in the same order: the flag bits (all of them, after
    each press) are the model's, so no cell's flag follows another's."""
    tb = GameTB(dut, seed_from_env())
    await tb.start()
    snake = [(r, c if r % 2 == 0 else GRID - 1 - c) for r in range(GRID) for c in range(GRID)]
    for flagged in (True, False):
        for cell in snake:
            await tb.move_to(*cell)
            await tb.centre(flag_mode=True)
        assert all(tb.model.flagged[r][c] == flagged for r, c in snake)      # (the model's own state)


@cocotb.test()
async def big_floods_open_layer_by_layer(dut):
    """First reveals in the four corners of the large field, on boards where the flood opens at
    least half of it (seeds found with the model): every layer the model's, a clock apart
    (``check_flood_layers``), so that a cell opened a step early or late anywhere on the field
    is seen, not only the board the flood leaves."""
    tb = GameTB(dut, seed_from_env())
    await tb.start()
    m = tb.model
    corners = [(0, 0), (0, GRID - 1), (GRID - 1, 0), (GRID - 1, GRID - 1)]
    for k, corner in enumerate(corners):
        while True:
            seed = tb.rng.randrange(1 << 32)
            trial = MinesweeperGame(swaps=tb.params["swaps"])
            trial.cursor = corner
            trial.centre(seed=seed)
            if sum(map(sum, trial.revealed)) >= GRID * GRID // 2:
                break
        await tb.move_to(*corner)
        await tb.centre(forced_seed=seed)
        assert len(m.last_flood_layers) >= 8, f"{corner}: a flood of {len(m.last_flood_layers)} steps"
        await compare_cells(tb, f"after the flood from {corner}")
        await end_on_a_mine(tb)
        if k + 1 < len(corners):
            await tb.centre()


@cocotb.test()
async def first_reveal_on_a_mine_moves_it(dut):
    """First-click safety at the edges of the scan for a free cell: the clicked cell holds a
    mine after the swaps, at (0, 0) (the scan's first cell is the cursor itself), at the last
    cell of the field, and at a random cell, in both difficulties."""
    tb = GameTB(dut, seed_from_env())
    await tb.start()
    trials = [(beginner, place) for beginner in (False, True) for place in ("first", "last", "random")]
    for k, (beginner, place) in enumerate(trials):
        m = tb.model
        assert (m.difficulty == Difficulty.BEGINNER) == beginner
        cell = {"first": (0, 0), "last": (m.rows - 1, m.cols - 1),
                "random": (tb.rng.randrange(m.rows), tb.rng.randrange(m.cols))}[place]
        # A seed whose swaps leave a mine on the cell, found with the model.
        while True:
            seed = tb.rng.randrange(1 << 32)
            mine, _ = place_mines(seed, m.rows, m.cols, m.mines, tb.params["swaps"])
            if mine[cell[0]][cell[1]]:
                break
        await tb.move_to(*cell)
        outcome = await tb.centre(forced_seed=seed)
        assert outcome != "lost" and not m.mine[cell[0]][cell[1]], f"{cell}: {outcome}"
        assert sum(map(sum, m.mine)) == m.mines
        await compare_cells(tb, f"after the first reveal at {cell}")
        # End the game on a mine, then start the next at the next trial's difficulty.
        await end_on_a_mine(tb)
        if k + 1 < len(trials):
            await tb.centre(beginner=trials[k + 1][0])


@cocotb.test()
async def counts_of_crowded_boards(dut):
    """Boards crowded with mines (a build with more of them), so that every count from 0 to 8
    turns up on them: after the first reveal every cell's count, read through the read port,
    is the model's, on both fields."""
    from display_scenarios import board_with_every_digit
    tb = GameTB(dut, seed_from_env())
    assert int((tb.params.get("mine_counts") or {}).get("0", 40)) > 40, "needs a crowded build"
    await tb.start()
    seen = set()
    for k in range(6):
        beginner = k % 2 == 1
        m = tb.model
        if beginner:                    # a random board, a random first reveal
            seed = tb.rng.randrange(1 << 32)
            cell = (tb.rng.randrange(m.rows), tb.rng.randrange(m.cols))
        else:                           # a board with every count (an 8 is rare), from an empty cell
            seed = board_with_every_digit(tb.rng, m.rows, m.cols, m.mines, tb.params["swaps"])
            mine, _ = place_mines(seed, m.rows, m.cols, m.mines, tb.params["swaps"])
            counts = neighbour_counts(mine, m.rows, m.cols)
            cell = tb.rng.choice([(r, c) for r, c in m.cells() if not mine[r][c] and counts[r][c] == 0])
        await tb.move_to(*cell)
        outcome = await tb.centre(forced_seed=seed)
        assert outcome != "lost"
        await compare_cells(tb, f"board {k} after the first reveal at {cell}")
        seen |= {m.counts[r][c] for r, c in m.cells() if not m.mine[r][c]}
        await end_on_a_mine(tb)
        await tb.centre(beginner=not beginner)
    assert seen == set(range(9)), f"the boards had the counts {sorted(seen)} only"
