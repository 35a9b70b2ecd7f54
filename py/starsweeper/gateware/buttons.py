"""The five buttons: debouncing, press detection and auto-repeat."""

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.buttons import BUTTONS, DIRECTIONS_MASK
from .debouncer import Debouncer

__all__ = ["ButtonActions"]


class ButtonActions(wiring.Component):
    """Turns five synchronised buttons into one-clock presses, with auto-repeat on directions.

    Model: :class:`starsweeper.model.buttons.ButtonActions` (clock for clock).

    Parameters
    ----------
    debounce_cycles : int
        See :class:`Debouncer`.
    repeat_delay, repeat_period : int
        A held direction presses again ``repeat_delay`` clocks after the last press of any
        button, then every ``repeat_period`` clocks.

    Attributes
    ----------
    buttons : In(5)
        Synchronised buttons, bit order centre, up, down, left, right.
    press : Out(5)
        One-clock pulse per press (and per repeat), same bit order.
    held : Out(1)
        Some button is held down (debounced).
    """

    buttons: In(len(BUTTONS))
    press: Out(len(BUTTONS))
    held: Out(1)

    def __init__(self, debounce_cycles, repeat_delay, repeat_period):
        if not 0 < repeat_period <= repeat_delay:
            raise ValueError(f"Need 0 < repeat_period <= repeat_delay, not {repeat_period!r} "
                             f"and {repeat_delay!r}")
        self.debounce_cycles = debounce_cycles
        self.repeat_delay = repeat_delay
        self.repeat_period = repeat_period
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        levels = Signal(len(BUTTONS))
        for bit in range(len(BUTTONS)):
            debouncer = m.submodules[f"debounce_{BUTTONS[bit]}"] = Debouncer(self.debounce_cycles)
            m.d.comb += [debouncer.i.eq(self.buttons[bit]), levels[bit].eq(debouncer.o)]

        previous = Signal(len(BUTTONS))
        pressed = Signal(len(BUTTONS))
        held_directions = Signal(len(BUTTONS))
        repeat = Signal(len(BUTTONS))
        repeat_count = Signal(range(self.repeat_delay))
        m.d.sync += previous.eq(levels)
        m.d.comb += [
            pressed.eq(levels & ~previous),
            held_directions.eq(levels & DIRECTIONS_MASK),
            self.press.eq(pressed | repeat),
            self.held.eq(levels.any()),
        ]
        with m.If(pressed.any() | ~held_directions.any()):
            m.d.sync += repeat_count.eq(0)
        with m.Elif(repeat_count == self.repeat_delay - 1):
            m.d.comb += repeat.eq(held_directions)
            m.d.sync += repeat_count.eq(self.repeat_delay - self.repeat_period)
        with m.Else():
            m.d.sync += repeat_count.eq(repeat_count + 1)
        return m
