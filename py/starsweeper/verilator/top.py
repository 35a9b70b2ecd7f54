"""The Minesweeper system as the Verilator harness drives it: the simulator's "board top"."""

from amaranth.hdl import ClockDomain, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..gateware.minesweeper_system import MinesweeperSystem

__all__ = ["VerilatorTop", "POWER_ON_CLOCKS"]

#: Clocks the system is held in reset after start-up.
POWER_ON_CLOCKS = 4


class VerilatorTop(wiring.Component):
    """:class:`~starsweeper.gateware.minesweeper_system.MinesweeperSystem` with a power-on
    reset of its own instead of a reset input, as the board's platform gives it one: the
    ``sync`` domain is held in reset for the first :data:`POWER_ON_CLOCKS` clocks (so the
    switches set before the first clock pass the synchronisers before the game core reads SW7),
    by a counter in a reset-less domain on the same clock.

    Why no reset input: Amaranth folds a domain's reset into each register's next-state logic,
    so a reset *input* makes all of that logic depend on a top-level input, and Verilator
    re-evaluates the logic that depends on inputs at every ``eval()``, twice a clock: a third of
    the model's time went there. From a register, that logic runs once, at the clock edge.

    Parameters
    ----------
    reset_input : bool
        Instead of the power-on reset, a ``rst`` input (the slow variant, for the benchmark
        that measures the difference; the harness drives it when built with
        ``-DSTARSWEEPER_RESET_INPUT``).
    **system
        Passed to the system.

    Attributes
    ----------
    clk : In(1)
        The clock.
    others
        The system's ports, under the same names and directions.
    """

    def __init__(self, *, reset_input=False, **system):
        self.system = MinesweeperSystem(**system)
        self.reset_input = reset_input
        ports = {"clk": In(1), **self.system.signature.members}
        if reset_input:
            ports["rst"] = In(1)
        super().__init__(ports)

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = sync = ClockDomain("sync")
        m.domains.power_on = power_on = ClockDomain("power_on", reset_less=True)
        remaining = Signal(range(POWER_ON_CLOCKS + 1), init=POWER_ON_CLOCKS)
        with m.If(remaining != 0):
            m.d.power_on += remaining.eq(remaining - 1)
        m.d.comb += [sync.clk.eq(self.clk), power_on.clk.eq(self.clk),
                     sync.rst.eq(self.rst if self.reset_input else remaining != 0)]
        m.submodules.system = system = self.system
        for name, member in system.signature.members.items():     # the system's ports
            if member.flow == wiring.In:
                m.d.comb += getattr(system, name).eq(getattr(self, name))
            else:
                m.d.comb += getattr(self, name).eq(getattr(system, name))
        return m
