"""The Minesweeper top level for the ULX3S (Lattice ECP5): the system's logical ports on the
board's buttons, DIP switches and LEDs, and its picture as DVI on the GPDI connector."""

from amaranth import Elaboratable
from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import io, wiring
from amaranth.lib.cdc import FFSynchronizer

from starsweeper.gateware.dvi import DviEncoder
from starsweeper.gateware.minesweeper_system import MinesweeperSystem
from starsweeper.gateware.tmds_serializer import BIT_CLOCKS, TmdsSerializer
from starsweeper.model.buttons import BUTTONS
from starsweeper.model.minesweeper import SWITCH_BEGINNER, SWITCH_DEBUG, SWITCH_FLAG, SWITCH_TIMER
from starsweeper.model.timing import PIXEL_HZ, system_parameters

from .ecp5_pll import add_pll_domains, pll_config

__all__ = ["Ulx3sMinesweeperTop", "BUTTON_RESOURCES", "DIP_SWITCHES", "CLOCK_HZ", "PLL"]

#: The board's oscillator.
CLOCK_HZ = 25_000_000
#: The PLL: the 5x bit clock on CLKOP, the pixel clock on CLKOS, from the oscillator.
PLL = pll_config(CLOCK_HZ, BIT_CLOCKS * PIXEL_HZ, PIXEL_HZ)
#: The system's buttons (centre, up, down, left, right) as the ULX3S platform names them: FIRE1
#: is the centre button.
BUTTON_RESOURCES = {"centre": ("button_fire", 0), "up": ("button_up", 0), "down": ("button_down", 0),
                    "left": ("button_left", 0), "right": ("button_right", 0)}
#: The system's switch for each of the four DIP switches (1 to 4, the platform's switch 0 to 3).
DIP_SWITCHES = (SWITCH_DEBUG, SWITCH_FLAG, SWITCH_BEGINNER, SWITCH_TIMER)


class Ulx3sMinesweeperTop(Elaboratable):
    """:class:`~starsweeper.gateware.minesweeper_system.MinesweeperSystem` on a ULX3S.

    Clocks (:func:`~.ecp5_pll.add_pll_domains`): the 25 MHz oscillator feeds the PLL, which
    makes the pixel clock (25 MHz, ``sync``: the system runs a pixel a clock, with the game's times from
    :func:`~starsweeper.model.timing.system_parameters` of 25 MHz) and, in phase with it, the
    5x bit clock (125 MHz, ``shift``: ten bits a pixel through the DDR output registers).
    Each domain is held in reset until the PLL locks (a reset synchroniser each).

    Video: the system's VGA port goes through :class:`~starsweeper.gateware.dvi.DviEncoder` and
    :class:`~starsweeper.gateware.tmds_serializer.TmdsSerializer` to one ``io.DDRBuffer`` a lane
    (ODDRX1F on the ECP5) on the GPDI connector's three data pairs and its clock pair
    (LVCMOS33D: the pair's negative pin follows from the I/O type).

    Buttons: FIRE1 is the centre, UP, DOWN, LEFT, RIGHT the directions. DIP switches 1 to 4 are
    SW0 (debug), SW1 (flag mode), SW7 (beginner) and SW6: with it up the LEDs show the timer's
    seconds (the low eight bits, in binary) instead of the cursor, as SW6 shows the timer on the
    Nexys 3's seven-segment display, which the ULX3S does not have. LEDs 7 to 0 are the system's
    LD7 to LD0. Every output comes from a register; every pin's buffer is here.
    """

    def __init__(self, **system):
        parameters = system_parameters(PIXEL_HZ)
        parameters.update(system)
        self.system = MinesweeperSystem(**parameters)
        self.pll = PLL

    def elaborate(self, platform):
        m = Module()

        def buffer(name, direction, port, **kwargs):
            m.submodules[f"{name}_buffer"] = buf = (io.DDRBuffer if kwargs else io.Buffer)(direction, port, **kwargs)
            return buf

        def pin(name, number=0):
            return platform.request(name, number, dir="-")

        # Clocks and resets: the pixel clock is sync, the bit clock shift.
        add_pll_domains(m, platform, self.pll, primary="shift", secondary="sync")

        # The system, its buttons and switches.
        m.submodules.system = system = self.system
        buttons = [buffer(f"button_{name}", "i", pin(*BUTTON_RESOURCES[name])).i for name in BUTTONS]
        dips = [buffer(f"switch_{k}", "i", pin("switch", k)).i for k in range(len(DIP_SWITCHES))]
        switches = [0] * 8
        for dip, bit in zip(dips, DIP_SWITCHES):
            switches[bit] = dip
        m.d.comb += [system.buttons.eq(Cat(*buttons)), system.switches.eq(Cat(*switches)),
                     system.seed_force.eq(0), system.seed_value.eq(0)]

        # LEDs, from registers: the system's, or the timer's seconds with SW6 up.
        show_timer = Signal()
        m.submodules.show_timer_sync = FFSynchronizer(dips[DIP_SWITCHES.index(SWITCH_TIMER)], show_timer)
        leds = Mux(show_timer, system.timer[:8], system.leds)
        for k in range(8):
            m.d.sync += buffer(f"led_{k}", "o", pin("led", k)).o.eq(leds[k])

        # DVI on the GPDI connector.
        m.submodules.dvi = dvi = DviEncoder()
        m.submodules.serializer = serializer = TmdsSerializer()
        wiring.connect(m, system.vga, dvi.vga)
        m.d.comb += serializer.symbols.eq(dvi.symbols)
        gpdi = platform.request("hdmi", 0, dir={"clk": "-", "d": "-", "cec": "-", "eth": "-", "scl": "-", "sda": "-"})
        data = buffer("gpdi_data", "o", gpdi.d, o_domain="shift")
        clock = buffer("gpdi_clock", "o", gpdi.clk, o_domain="shift")
        for lane in range(3):
            m.d.comb += [data.o[0][lane].eq(serializer.lanes[lane][0]),
                         data.o[1][lane].eq(serializer.lanes[lane][1])]
        m.d.comb += [clock.o[0].eq(serializer.lanes[3][0]), clock.o[1].eq(serializer.lanes[3][1])]
        return m
