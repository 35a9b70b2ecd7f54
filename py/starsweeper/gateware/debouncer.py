"""Button debouncer."""

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["Debouncer"]


class Debouncer(wiring.Component):
    """Debounces one synchronised button input.

    The output takes the input's level once the input has differed from the output for
    ``cycles`` consecutive clocks; shorter glitches are ignored. Model:
    :class:`starsweeper.model.buttons.Debouncer`.

    Parameters
    ----------
    cycles : int
        Clocks the input must hold a new level (on the board 10 ms: 1,000,000 clocks).

    Attributes
    ----------
    i : In(1)
        The button, already synchronised to the clock domain.
    o : Out(1)
        The debounced level, from a register.
    """

    i: In(1)
    o: Out(1)

    def __init__(self, cycles):
        if not isinstance(cycles, int) or cycles < 1:
            raise ValueError(f"Debounce cycles must be a positive integer, not {cycles!r}")
        self.cycles = cycles
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        count = Signal(range(self.cycles))
        with m.If(self.i == self.o):
            m.d.sync += count.eq(0)
        with m.Elif(count == self.cycles - 1):
            m.d.sync += [self.o.eq(self.i), count.eq(0)]
        with m.Else():
            m.d.sync += count.eq(count + 1)
        return m
