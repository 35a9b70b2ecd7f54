"""Minesweeper, whole: button synchronisers, the game core, the VGA display, status digits."""

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import In, Out

from ..model.buttons import BUTTONS
from ..model.vga import VGA_640X480
from .display import MinesweeperDisplay
from .interfaces import VgaSignature
from ..model.seven_segment import CHARACTERS as SEVEN_SEGMENT_CHARACTERS
from ..model.minesweeper import SWITCH_DEBUG, SWITCH_TIMER
from ..model.timing import DEFAULT_CLOCK_HZ, system_parameters
from .minesweeper import MinesweeperGame
from .seven_segment import SevenSegmentDisplay
from .status_digits import StatusDigits

__all__ = ["MinesweeperSystem", "READBACK"]

#: The defaults: the 100 MHz clock's counts; a board passes
#: :func:`~starsweeper.model.timing.system_parameters` of its own clock.
_BOARD = system_parameters(DEFAULT_CLOCK_HZ)

#: The game core's outputs the system passes on for testbenches and the Verilator harness:
#: the system's port name, and the game's interface that has it.
READBACK = {"status": "view", "difficulty": "view", "cursor_row": "view", "cursor_col": "view",
            "counter": "score", "timer": "score"}


class MinesweeperSystem(wiring.Component):
    """The game, its picture and the seven-segment display, with logical ports only (the board
    top adds the pins and their buffers).

    One clock domain (``sync``: 100 MHz on the Nexys 3, 25 MHz on the ULX3S). The VGA pipeline
    advances on a pixel clock enable, high one clock in ``pixel_divider``, from a register;
    buttons and switches pass through two-flop synchronisers before the game core's debouncers.
    A board's parameters come from :func:`starsweeper.model.timing.system_parameters` of its
    clock (the defaults are the 100 MHz ones).

    Parameters
    ----------
    pixel_divider : int
        Clocks per pixel: 4 at 100 MHz, 1 at 25 MHz and in simulation.
    digit_clocks : int
        Clocks each seven-segment digit stays lit (1 ms).
    timing : VgaTiming
        The display's (:class:`~starsweeper.gateware.display.MinesweeperDisplay`): VESA
        640x480, the default and every board's; a shorter frame for quick simulations.
    **game
        Parameters of :class:`~starsweeper.gateware.minesweeper.MinesweeperGame`.

    Attributes
    ----------
    buttons : In(5)
        The buttons as they come from the pins (asynchronous), centre, up, down, left, right.
    switches : In(8)
        The switches (asynchronous): SW0 debug, SW1 flag mode, SW6 the seven-segment display
        shows the timer (else the mine counter), SW7 beginner.
    seed_force, seed_value : In(1), In(32)
        Forced placement seed (simulation; tie low on the board).
    leds : Out(8)
    vga : Out(VgaSignature)
        The VGA port.
    segments, anodes : Out(8), Out(4)
        The seven-segment display (:mod:`starsweeper.model.seven_segment`): segments a to g and
        the point, and the digit enables (bit k for AN k), 1 = lit (the pins are active low:
        the board top inverts).
    busy : Out(1)
        The game core is carrying out an action (readback for testbenches).
    status, difficulty, cursor_row, cursor_col, counter, timer : Out
        The game core's state as the display shows it (readback for testbenches and the
        Verilator harness of ``starsweeper play``; the board top leaves them unconnected).
    """

    def __init__(self, *, pixel_divider=_BOARD["pixel_divider"], digit_clocks=_BOARD["digit_clocks"],
                 timing=VGA_640X480, **game):
        if not isinstance(pixel_divider, int) or pixel_divider < 1:
            raise ValueError(f"Pixel divider must be a positive integer, not {pixel_divider!r}")
        self.pixel_divider = pixel_divider
        self.display = MinesweeperDisplay(timing)
        self.game = MinesweeperGame(**game)
        self.seven_segment = SevenSegmentDisplay(digit_clocks)
        super().__init__({
            "buttons": In(len(BUTTONS)),
            "switches": In(8),
            "seed_force": In(1),
            "seed_value": In(32),
            "leds": Out(8),
            "vga": Out(VgaSignature()),
            "segments": Out(8),
            "anodes": Out(4),
            "busy": Out(1),
            **{name: self.game.signature.members[group].signature.members[name]
               for name, group in READBACK.items()},
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.game = game = self.game
        m.submodules.display = display = self.display
        m.submodules.digits = digits = StatusDigits()
        m.submodules.seven_segment = seven_segment = self.seven_segment

        buttons = Signal.like(self.buttons)
        switches = Signal.like(self.switches)
        m.submodules.buttons_sync = FFSynchronizer(self.buttons, buttons)
        m.submodules.switches_sync = FFSynchronizer(self.switches, switches)

        pixel_enable = Signal()
        if self.pixel_divider == 1:
            m.d.comb += pixel_enable.eq(1)
        else:
            divider = Signal(range(self.pixel_divider))
            m.d.sync += [
                divider.eq(Mux(divider == self.pixel_divider - 1, 0, divider + 1)),
                pixel_enable.eq(divider == self.pixel_divider - 1),
            ]

        m.d.comb += [
            game.buttons.eq(buttons), game.switches.eq(switches),
            game.seed_force.eq(self.seed_force), game.seed_value.eq(self.seed_value),
            self.leds.eq(game.leds), self.busy.eq(game.busy),
            *[getattr(self, name).eq(getattr(getattr(game, group), name))
              for name, group in READBACK.items()],
            display.enable.eq(pixel_enable), display.debug.eq(switches[SWITCH_DEBUG]),
        ]
        wiring.connect(m, game.view, display.game)
        wiring.connect(m, game.read, display.read)
        wiring.connect(m, game.score, digits.score)
        wiring.connect(m, display.digits, digits.chars)
        wiring.connect(m, display.vga, wiring.flipped(self.vga))

        show_timer = switches[SWITCH_TIMER]
        m.d.comb += [
            seven_segment.characters[0].eq(Mux(show_timer, SEVEN_SEGMENT_CHARACTERS.index("t"),
                                               SEVEN_SEGMENT_CHARACTERS.index("c"))),
            self.segments.eq(seven_segment.segments), self.anodes.eq(seven_segment.digits),
        ]
        for k in range(3):
            m.d.comb += seven_segment.characters[1 + k].eq(
                Mux(show_timer, digits.chars.timer[k], digits.chars.counter[k]))
        return m
