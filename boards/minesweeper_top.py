"""The Minesweeper top level for the Nexys 3: the system's logical ports on the board's pins."""

from amaranth import Elaboratable
from amaranth.hdl import Cat, Module
from amaranth.lib import io

from starsweeper.gateware.minesweeper_system import MinesweeperSystem
from starsweeper.model.buttons import BUTTONS

__all__ = ["MinesweeperTop"]


class MinesweeperTop(Elaboratable):
    """:class:`~starsweeper.gateware.minesweeper_system.MinesweeperSystem` on a Nexys 3.

    One clock domain, ``sync``, from the 100 MHz oscillator (the platform's default clock, with
    its 10 ns period constraint and a power-on reset); the VGA pipeline runs on a pixel enable,
    one clock in four. Inputs pass two-flop synchronisers (in the system); every output comes
    from a register. Every pin has an I/O buffer here and nowhere else; the seven-segment
    display's active-low segments and anodes are inverted by their ``PinsN`` resources. The
    placement seed is the free-running counter's at the first reveal (``seed_force`` tied low).

    Parameters
    ----------
    **system
        Passed to the system (the defaults are the board's: 100 MHz, 10 ms debounce).
    """

    def __init__(self, **system):
        self.system = MinesweeperSystem(**system)

    def elaborate(self, platform):
        m = Module()
        m.submodules.system = system = self.system

        def buffer(name, direction, port):
            m.submodules[f"{name}_buffer"] = buf = io.Buffer(direction, port)
            return buf

        def pin(name, number=0):
            return platform.request(name, number, dir="-")

        # Buttons in the system's order (centre, up, down, left, right) and the switches.
        buttons = [buffer(f"button_{name}", "i", pin(f"button_{name}")).i for name in BUTTONS]
        switches = [buffer(f"switch_{k}", "i", pin("switch", k)).i for k in range(8)]
        m.d.comb += [system.buttons.eq(Cat(*buttons)), system.switches.eq(Cat(*switches)),
                     system.seed_force.eq(0), system.seed_value.eq(0)]

        # The LEDs are the game core's status decoded: a register here, so that every output
        # pin, like the VGA and seven-segment lines, comes straight from a flip-flop.
        for k in range(8):
            m.d.sync += buffer(f"led_{k}", "o", pin("led", k)).o.eq(system.leds[k])

        vga = pin("vga")
        for name, value in (("r", system.vga.red), ("g", system.vga.green), ("b", system.vga.blue),
                            ("hs", system.vga.hsync_n), ("vs", system.vga.vsync_n)):
            m.d.comb += buffer(f"vga_{name}", "o", getattr(vga, name)).o.eq(value)

        segments = pin("display_7seg")
        for k, name in enumerate(["a", "b", "c", "d", "e", "f", "g", "dp"]):
            m.d.comb += buffer(f"segment_{name}", "o", getattr(segments, name)).o.eq(system.segments[k])
        m.d.comb += buffer("anodes", "o", pin("display_7seg_ctrl").en).o.eq(system.anodes)
        return m
