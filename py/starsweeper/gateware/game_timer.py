"""The game's timer: seconds of play from the clock, held at 999."""

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import TIMER_MAX

__all__ = ["GameTimer"]


class GameTimer(wiring.Component):
    """The seconds of a game, the rules of :class:`starsweeper.model.game_timer.GameTimer`
    clock for clock: a prescaler of ``clocks_per_second`` clocks, counted while ``run`` is
    high, makes each second.

    Parameters
    ----------
    clocks_per_second : int
        Clocks of the core's clock in a second (at least 2).

    Attributes
    ----------
    run : In(1)
        The game is being played: the clocks count.
    clear : In(1)
        The seconds and the second under way start again from 0 (before ``run``).
    seconds : Out(range(TIMER_MAX + 1))
        The seconds (a register), held at ``TIMER_MAX``.
    """

    def __init__(self, clocks_per_second):
        if not isinstance(clocks_per_second, int) or clocks_per_second < 2:
            raise ValueError(f"Clocks per second must be an integer of at least 2, not {clocks_per_second!r}")
        self.clocks_per_second = clocks_per_second
        super().__init__({
            "run": In(1),
            "clear": In(1),
            "seconds": Out(range(TIMER_MAX + 1)),
        })

    def elaborate(self, platform):
        m = Module()
        fraction = Signal(range(self.clocks_per_second))
        with m.If(self.clear):
            m.d.sync += [self.seconds.eq(0), fraction.eq(0)]
        with m.Elif(self.run):
            with m.If(fraction == self.clocks_per_second - 1):
                m.d.sync += fraction.eq(0)
                with m.If(self.seconds != TIMER_MAX):
                    m.d.sync += self.seconds.eq(self.seconds + 1)
            with m.Else():
                m.d.sync += fraction.eq(fraction + 1)
        return m
