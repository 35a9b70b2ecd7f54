"""The Minesweeper system as the Verilator harness drives it: the simulator's "board top"."""

from amaranth.hdl import ClockDomain, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..gateware.dvi import SYMBOLS, DviEncoder
from ..gateware.minesweeper_system import MinesweeperSystem
from ..gateware.vga_test_pattern import VgaTestPattern

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
    dvi : bool
        The system's VGA port also feeds a :class:`~starsweeper.gateware.dvi.DviEncoder`, as on
        the ULX3S, so that the harness can hand out the DVI link's symbols of a frame too (the
        tests' models); without it (``play``'s model) ``dvi_symbols`` is 0, and the model a
        tenth faster.
    reset_input : bool
        Instead of the power-on reset, a ``rst`` input (the slow variant, for the benchmark
        that measures the difference).
    floor : bool
        Instead of the system, a bare VGA counter (:class:`VgaTestPattern`) on the same ports:
        the benchmark's floor, the cost of a clock in the same harness with almost no design.
    **system
        Passed to the system.

    Attributes
    ----------
    clk : In(1)
        The clock.
    dvi_symbols : Out(SYMBOLS)
        The DVI encoder's three channels, one clock after the VGA port's pixel.
    others
        The system's ports, flattened: an interface's members as ``interface_member``
        (``vga_red``), since Verilator would spell Amaranth's ``vga__red`` as ``vga___05Fred``.
    """

    def __init__(self, *, dvi=True, reset_input=False, floor=False, **system):
        divider = system.get("pixel_divider", MinesweeperSystem.__init__.__kwdefaults__["pixel_divider"])
        if dvi and divider != 1:
            self._MustUse__silence = True            # refused: not an unused design
            raise ValueError(f"The DVI encoder takes a pixel every clock: a model with it needs "
                             f"pixel_divider 1, not {divider}")
        self.system = MinesweeperSystem(**system)
        self.dvi, self.reset_input, self.floor = dvi, reset_input, floor
        ports = {"clk": In(1)}
        for path, member, _ in self.system.signature.flatten(self.system):
            ports[self._name(path)] = (In if member.flow == In else Out)(member.shape, init=member.init)
        ports["dvi_symbols"] = Out(SYMBOLS)
        if reset_input:
            ports["rst"] = In(1)
        super().__init__(ports)

    @staticmethod
    def _name(path):
        return "_".join(str(part) for part in path)

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
        if self.floor:
            # The system stays, with nothing connected, so that Verilator drops it whole.
            m.submodules.pattern = pattern = VgaTestPattern()
            m.d.comb += pattern.enable.eq(1)
            vga = pattern.vga
            for field in vga.signature.members:
                m.d.comb += getattr(self, self._name(("vga", field))).eq(getattr(vga, field))
        else:
            vga = system.vga
            for path, member, value in system.signature.flatten(system):     # the system's ports
                port = getattr(self, self._name(path))
                if member.flow == In:
                    m.d.comb += value.eq(port)
                else:
                    m.d.comb += port.eq(value)
        if self.dvi:
            m.submodules.dvi = dvi = DviEncoder()
            wiring.connect(m, vga, dvi.vga)
            m.d.comb += self.dvi_symbols.eq(dvi.symbols)
        return m
