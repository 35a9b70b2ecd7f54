"""The Minesweeper system alone on the ECP5, for its Fmax: its ports on pins, its clock from the
PLL at the frequency asked (``python -m starsweeper.bench fmax``)."""

from amaranth import Elaboratable
from amaranth.build import Attrs, Pins, Resource
from amaranth.hdl import Cat, Module
from amaranth.lib import io

from starsweeper.gateware.minesweeper_system import MinesweeperSystem
from starsweeper.model.timing import system_parameters

from .ecp5_pll import add_pll_domains, pll_config
from .ulx3s_minesweeper_top import CLOCK_HZ

__all__ = ["SystemTimingTop"]


class SystemTimingTop(Elaboratable):
    """:class:`~starsweeper.gateware.minesweeper_system.MinesweeperSystem` with the parameters of
    ``clock_hz`` (:func:`~starsweeper.model.timing.system_parameters`: 100 MHz by default, the
    Nexys 3's), clocked at ``clock_hz`` by the PLL from the ULX3S's oscillator. Its inputs and
    outputs are pins of the ULX3S's GPIO connector (through I/O buffers, no registers of their
    own), so that every path of the system's is placed and timed as in a board top."""

    def __init__(self, clock_hz=100_000_000):
        self.clock_hz = clock_hz
        self.system = MinesweeperSystem(**system_parameters(clock_hz))
        self.pll = pll_config(CLOCK_HZ, clock_hz)

    def elaborate(self, platform):
        m = Module()
        system = self.system
        add_pll_domains(m, platform, self.pll, primary="sync")

        inputs = Cat(system.buttons, system.switches)
        outputs = Cat(system.leds, system.vga.red, system.vga.green, system.vga.blue, system.vga.hsync_n,
                      system.vga.vsync_n, system.vga.active, system.segments, system.anodes)
        pins = [f"{k}{side}" for k in range(28) for side in "+-"]
        platform.add_resources([
            Resource("system_in", 0, Pins(" ".join(pins[:len(inputs)]), dir="i", conn=("gpio", 0)),
                     Attrs(IO_TYPE="LVCMOS33")),
            Resource("system_out", 0, Pins(" ".join(pins[len(inputs):len(inputs) + len(outputs)]), dir="o",
                                           conn=("gpio", 0)), Attrs(IO_TYPE="LVCMOS33")),
        ])
        m.submodules.in_buffer = in_buffer = io.Buffer("i", platform.request("system_in", 0, dir="-"))
        m.submodules.out_buffer = out_buffer = io.Buffer("o", platform.request("system_out", 0, dir="-"))
        m.submodules.system = system
        m.d.comb += [inputs.eq(in_buffer.i), out_buffer.o.eq(outputs),
                     system.seed_force.eq(0), system.seed_value.eq(0)]
        return m
