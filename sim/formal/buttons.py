"""Formal properties of the button path: :class:`Debouncer` and :class:`ButtonActions`.

Small times stand in for the board's (10 ms debounce, 0.4 s and 0.1 s repeat): the logic is
the same for any numbers, and every count is a parameter.

The debouncer (by induction), for any input:

* the output changes exactly when the input has differed from it for ``cycles`` clocks in a
  row (the harness counts that run itself), and then to the input's level;
* so a bounce shorter than ``cycles`` clocks never reaches the output.

The button actions, for any five inputs:

* a press of the centre button (which does not repeat) comes only after its input was high
  for the last ``debounce`` clocks, and between two presses its input was low for
  ``debounce`` clocks in a row: a bounce shorter than that never yields two actions;
* a held direction repeats at exactly the auto-repeat times: the presses equal, clock for
  clock, a specification written here of its own (a debounced level per button from the run
  of clocks its input has differed from it; a press per rising level; while a direction is
  held, the held directions again ``repeat_delay`` clocks after the last press, then every
  ``repeat_period`` clocks).

Covers: a repeat after a repeat, and a release and press of the centre button.
"""

from amaranth.hdl import Assert, Cover, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from starsweeper.gateware.buttons import ButtonActions
from starsweeper.gateware.debouncer import Debouncer
from starsweeper.model.buttons import BUTTONS, DIRECTIONS_MASK

from .runner import Proof

__all__ = ["DebouncerHarness", "ButtonActionsHarness", "PROOFS"]


class DebouncerHarness(wiring.Component):
    i: In(1)

    def __init__(self, cycles, core=Debouncer):
        self.cycles = cycles
        self.make_core = core
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        dut = m.submodules.dut = self.make_core(self.cycles)
        m.d.comb += dut.i.eq(self.i)
        # Clocks in a row, up to and including this one, in which the input differed from the
        # output (saturating at ``cycles``).
        differing = Signal(range(self.cycles + 1))
        run = Mux(self.i != dut.o, Mux(differing == self.cycles, self.cycles, differing + 1), 0)
        before = Signal()
        ran_out = Signal()
        level = Signal()
        started = Signal()
        m.d.sync += [started.eq(1), before.eq(dut.o), level.eq(self.i),
                     ran_out.eq(run == self.cycles),
                     differing.eq(Mux(run == self.cycles, 0, run))]
        with m.If(started):
            m.d.comb += Assert((dut.o != before) == ran_out)
            with m.If(dut.o != before):
                m.d.comb += Assert(dut.o == level)
        m.d.comb += [Cover(started & (dut.o != before) & dut.o),
                     Cover(started & (dut.o != before) & ~dut.o)]
        return m


class ButtonActionsHarness(wiring.Component):
    buttons: In(len(BUTTONS))

    def __init__(self, debounce, repeat_delay, repeat_period, core=ButtonActions):
        self.debounce = debounce
        self.repeat_delay = repeat_delay
        self.repeat_period = repeat_period
        self.make_core = core
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        n = len(BUTTONS)
        d = self.debounce
        dut = m.submodules.dut = self.make_core(d, self.repeat_delay, self.repeat_period)
        m.d.comb += dut.buttons.eq(self.buttons)
        started = Signal()
        m.d.sync += started.eq(1)

        # The centre button (which never repeats): clocks in a row its input has been high,
        # and low, before this clock (saturating).
        centre = BUTTONS.index("centre")
        high_run = Signal(range(d + 1))
        low_run = Signal(range(d + 1))
        with m.If(self.buttons[centre]):
            m.d.sync += [high_run.eq(Mux(high_run == d, d, high_run + 1)), low_run.eq(0)]
        with m.Else():
            m.d.sync += [low_run.eq(Mux(low_run == d, d, low_run + 1)), high_run.eq(0)]

        # It is pressed only after ``debounce`` clocks high, and released for ``debounce``
        # clocks in a row between two presses.
        released = Signal(init=1)
        pressed_before = Signal()
        with m.If(dut.press[centre]):
            m.d.comb += [Assert(high_run == d), Assert(released)]
            m.d.sync += [released.eq(0), pressed_before.eq(1)]
        with m.Elif(low_run == d):
            m.d.sync += released.eq(1)

        # The specification, clock for clock: each button's debounced level (it takes the
        # input's level once the input has differed from it for ``debounce`` clocks in a row),
        # a press on each rising level, and while a direction is held a repeat of the held
        # directions ``repeat_delay`` clocks after the last press, then every
        # ``repeat_period`` clocks, a new press starting the count again.
        level = Signal(n)
        differing = [Signal(range(d + 1), name=f"differing_{b}") for b in range(n)]
        for b in range(n):
            run = Mux(self.buttons[b] != level[b], differing[b] + 1, 0)
            with m.If(run == d):
                m.d.sync += [level[b].eq(self.buttons[b]), differing[b].eq(0)]
            with m.Else():
                m.d.sync += differing[b].eq(run)
        before = Signal(n)
        m.d.sync += before.eq(level)
        fresh = level & ~before
        held_directions = level & DIRECTIONS_MASK
        limit = self.repeat_delay + 1
        since = Signal(range(limit + 1))
        last_was_repeat = Signal()
        gap = Mux(last_was_repeat, self.repeat_period, self.repeat_delay)
        repeat = Signal()
        m.d.comb += repeat.eq(held_directions.any() & ~fresh.any() & (since == gap))
        with m.If(fresh.any() | repeat):
            m.d.sync += [since.eq(1), last_was_repeat.eq(repeat)]
        with m.Elif(since != limit):
            m.d.sync += since.eq(since + 1)
        m.d.comb += [
            Assert(dut.press == (fresh | Mux(repeat, held_directions, 0))),
            Assert(dut.held == level.any()),
        ]

        m.d.comb += [
            Cover(repeat & last_was_repeat),
            Cover(dut.press[centre] & pressed_before),
        ]
        return m


PROOFS = [
    *[Proof(f"debouncer_{cycles}_prove", lambda cycles=cycles: DebouncerHarness(cycles),
            "prove", 2 * cycles + 2) for cycles in (1, 2, 5)],
    Proof("debouncer_5_cover", lambda: DebouncerHarness(5), "cover", 14),
    Proof("button_actions_bmc", lambda: ButtonActionsHarness(3, 6, 2), "bmc", 40),
    Proof("button_actions_cover", lambda: ButtonActionsHarness(3, 6, 2), "cover", 24),
]
