"""The Minesweeper display: the game as :func:`starsweeper.model.display.render` draws it, on VGA."""

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.display import (
    CELL, COLOURS, COUNTER_Y, DIGIT_COLOURS, DIGITS_X, FIELD_SIZE, PANEL_X, TIMER_Y, field_origin,
)
from ..model.glyphs import GLYPH_COLOURS, GLYPH_INDEX
from ..model.minesweeper import Difficulty, Status
from ..model.vga import VGA_640X480, VgaTiming
from .field import field_size
from .glyph_rom import GlyphRom
from .interfaces import CellReadPort, GameViewSignature, StatusCharsSignature, VgaSignature
from .smiley import Smiley, SmileyState
from .vga_timing import VgaTimingGenerator

__all__ = ["MinesweeperDisplay"]

#: Width of the black box around the three digits of the counter and of the timer.
_LED_MARGIN = 2


def _start(origin):
    """Column (or row) and position in it of screen coordinate 0, for cells from ``origin``."""
    return divmod(-origin, CELL)


class MinesweeperDisplay(wiring.Component):
    """Draws the game on a 640x480 VGA port, one pixel per enabled clock, in a 7-stage pipeline.

    Stages, each advancing in the clocks where ``enable`` is high: (A) the cell and the position
    in it, by counters that restart at the start of each line and frame, no division; (B) the
    game core's cell read port registers the address, the position's flags are worked out;
    (B2) the read port answers; (C) the cell's colours and glyph; (D) the glyph ROM answers and
    the smiley's pipeline ends; (D2) the ROM's row and the smiley registered (a block RAM's
    output drives nothing else); (E) the colour, registered with the syncs.

    Parameters
    ----------
    timing : VgaTiming
        VESA 640x480 (the default, the board's). A smaller one shows the top left of the same
        picture, which is laid out for 640x480: for quick frames in the display's own test.

    Attributes
    ----------
    enable : In(1)
        Pixel clock enable (every fourth clock of 100 MHz on the board; tied high in simulation).
    game : In(GameViewSignature)
        The game's status, difficulty, cursor and held button
        (:class:`~starsweeper.gateware.minesweeper.MinesweeperGame`).
    debug : In(1)
        Switch SW0: show the mines on covered cells.
    digits : Out(StatusCharsSignature)
        The counter and the timer as characters
        (:class:`~starsweeper.gateware.status_digits.StatusDigits`); ``digits.start`` is a
        one-clock pulse at each frame's first pixel (converted long before the first digit's
        line), so each frame shows them as they were as it began.
    read : Out(CellReadPort)
        The game core's cell read port (:class:`~starsweeper.gateware.interfaces.CellReadPort`):
        the address and its enable out, the cell back two enabled clocks later.
    vga : Out(VgaSignature)
        Colour (black outside the visible area) and the sync pulses, registered together.
    """

    LATENCY = 7

    def __init__(self, timing=VGA_640X480):
        if not isinstance(timing, VgaTiming):
            raise TypeError(f"Timing must be a VgaTiming, not {timing!r}")
        if timing.h_visible > VGA_640X480.h_visible or timing.v_visible > VGA_640X480.v_visible:
            raise ValueError(f"The visible area must fit 640x480, not "
                             f"{timing.h_visible}x{timing.v_visible}")
        self.timing = timing
        super().__init__({
            "enable": In(1),
            "game": In(GameViewSignature()),
            "debug": In(1),
            "digits": Out(StatusCharsSignature()),
            "read": Out(CellReadPort()),
            "vga": Out(VgaSignature()),
        })

    def elaborate(self, platform):
        m = Module()
        t = self.timing
        en = self.enable
        m.submodules.timing = timing = VgaTimingGenerator(t)
        m.submodules.smiley = smiley = Smiley()
        m.submodules.glyphs = glyphs = GlyphRom()
        m.d.comb += [timing.enable.eq(en), smiley.enable.eq(en), glyphs.enable.eq(en)]
        x, y = timing.x, timing.y
        m.d.comb += self.digits.start.eq(en & (x == 0) & (y == 0))

        beginner = self.game.difficulty == Difficulty.BEGINNER
        rows, cols = field_size(beginner)
        (b_left, b_top), (i_left, i_top) = (field_origin(Difficulty.BEGINNER),
                                            field_origin(Difficulty.INTERMEDIATE))
        lost = self.game.status == Status.LOST

        m.d.comb += [smiley.x.eq(x), smiley.y.eq(y)]
        with m.If(self.game.status == Status.LOST):
            m.d.comb += smiley.state.eq(SmileyState.DEAD)
        with m.Elif(self.game.status == Status.WON):
            m.d.comb += smiley.state.eq(SmileyState.SUNGLASSES)
        with m.Elif(self.game.held):
            m.d.comb += smiley.state.eq(SmileyState.O)
        with m.Else():
            m.d.comb += smiley.state.eq(SmileyState.NORMAL)

        # -- A: which cell, and where in it ------------------------------------------------------
        # Columns restart at x = 0 (the field's) and at the panel (the digits'); rows at y = 0.
        col, sub_x = Signal(signed(6)), Signal(5)
        row, sub_y = Signal(signed(6)), Signal(5)
        a_field, a_visible, a_hsync_n, a_vsync_n = Signal(), Signal(), Signal(init=1), Signal(init=1)
        a_band, a_in_band, a_box_y, a_box_x = Signal(), Signal(), Signal(), Signal()
        a_digit_row = Signal(5)
        step_col = Mux(sub_x == CELL - 1, col + 1, col)
        step_sub_x = Mux(sub_x == CELL - 1, 0, sub_x + 1)
        with m.If(en):
            with m.If(x == 0):
                m.d.sync += [col.eq(Mux(beginner, _start(b_left)[0], _start(i_left)[0])),
                             sub_x.eq(Mux(beginner, _start(b_left)[1], _start(i_left)[1]))]
                with m.If(y == 0):
                    m.d.sync += [row.eq(Mux(beginner, _start(b_top)[0], _start(i_top)[0])),
                                 sub_y.eq(Mux(beginner, _start(b_top)[1], _start(i_top)[1]))]
                with m.Else():
                    m.d.sync += [row.eq(Mux(sub_y == CELL - 1, row + 1, row)),
                                 sub_y.eq(Mux(sub_y == CELL - 1, 0, sub_y + 1))]
            with m.Elif(x == PANEL_X):
                panel_col, panel_sub = divmod(PANEL_X - DIGITS_X[0], CELL)
                m.d.sync += [col.eq(panel_col), sub_x.eq(panel_sub)]
            with m.Else():
                m.d.sync += [col.eq(step_col), sub_x.eq(step_sub_x)]
            in_counter = (y >= COUNTER_Y) & (y < COUNTER_Y + CELL)
            in_timer = (y >= TIMER_Y) & (y < TIMER_Y + CELL)
            m.d.sync += [
                a_field.eq(x < FIELD_SIZE),
                a_visible.eq(timing.visible),
                a_hsync_n.eq(timing.hsync_n),
                a_vsync_n.eq(timing.vsync_n),
                a_band.eq(in_timer),
                a_in_band.eq(in_counter | in_timer),
                a_digit_row.eq(Mux(in_timer, y - TIMER_Y, y - COUNTER_Y)[:5]),
                a_box_y.eq(((y >= COUNTER_Y - _LED_MARGIN) & (y < COUNTER_Y + CELL + _LED_MARGIN)) |
                           ((y >= TIMER_Y - _LED_MARGIN) & (y < TIMER_Y + CELL + _LED_MARGIN))),
                a_box_x.eq((x >= DIGITS_X[0] - _LED_MARGIN) &
                           (x < DIGITS_X[0] + len(DIGITS_X) * CELL + _LED_MARGIN)),
            ]
        assert list(DIGITS_X) == [DIGITS_X[0] + k * CELL for k in range(len(DIGITS_X))]
        m.d.comb += [self.read.row.eq(row[:4]), self.read.col.eq(col[:4]), self.read.enable.eq(en)]

        # -- B: the cell read port registers the address; where in the cell ---------------------
        b_in_cell, b_cursor, b_border, b_grid = Signal(), Signal(), Signal(), Signal()
        b_dark, b_light = Signal(), Signal()
        b_field, b_visible, b_hsync_n, b_vsync_n = Signal(), Signal(), Signal(init=1), Signal(init=1)
        b_digit, b_box = Signal(), Signal()
        b_char = Signal(4)
        b_sub_x, b_row = Signal(5), Signal(5)
        chars = Mux(a_band, self.digits.timer.as_value(), self.digits.counter.as_value())
        with m.If(en):
            m.d.sync += [
                b_in_cell.eq(a_field & (col >= 0) & (col < cols) & (row >= 0) & (row < rows)),
                b_cursor.eq((row[:4] == self.game.cursor_row) & (col[:4] == self.game.cursor_col)),
                b_border.eq((sub_x < 2) | (sub_x >= CELL - 2) | (sub_y < 2) | (sub_y >= CELL - 2)),
                b_grid.eq((sub_x == 0) | (sub_y == 0)),
                b_dark.eq((sub_x >= CELL - 2) | (sub_y >= CELL - 2)),
                b_light.eq((sub_x < 2) | (sub_y < 2)),
                b_field.eq(a_field), b_visible.eq(a_visible),
                b_hsync_n.eq(a_hsync_n), b_vsync_n.eq(a_vsync_n),
                b_digit.eq(~a_field & a_in_band & (col >= 0) & (col < len(DIGITS_X))),
                b_box.eq(~a_field & a_box_y & a_box_x),
                b_char.eq(chars.word_select(col[:2], 4)),
                b_sub_x.eq(sub_x),
                b_row.eq(Mux(a_field, sub_y, a_digit_row)),
            ]

        # -- B2: the cell read port answers; B's results wait for it ------------------------------
        b_results = [b_in_cell, b_cursor, b_border, b_grid, b_dark, b_light, b_field, b_visible,
                     b_hsync_n, b_vsync_n, b_digit, b_box, b_char, b_sub_x, b_row]
        b2_results = [Signal.like(signal, name=f"b2_{signal.name[2:]}") for signal in b_results]
        with m.If(en):
            m.d.sync += [late.eq(early) for late, early in zip(b2_results, b_results)]
        (b_in_cell, b_cursor, b_border, b_grid, b_dark, b_light, b_field, b_visible,
         b_hsync_n, b_vsync_n, b_digit, b_box, b_char, b_sub_x, b_row) = b2_results

        # -- C: the cell's background, glyph and ink ---------------------------------------------
        c_glyph_on, c_cursor = Signal(), Signal()
        c_glyph = Signal(4)
        c_ink, c_background = Signal(8), Signal(8)
        c_visible, c_hsync_n, c_vsync_n = Signal(), Signal(init=1), Signal(init=1)
        c_sub_x, c_row = Signal(5), Signal(5)
        glyph_on, glyph = Signal(), Signal(4)
        ink, background = Signal(8), Signal(8)
        cell = self.read.cell
        covered = Mux(b_dark, COLOURS["covered_dark"], Mux(b_light, COLOURS["covered_light"], COLOURS["covered"]))

        def flat(colour):
            return Mux(b_grid, COLOURS["grid"], colour)

        digit_ink = Const(GLYPH_COLOURS[1], 8)
        for n, colour in DIGIT_COLOURS.items():
            digit_ink = Mux(cell.count == n, colour, digit_ink)
        m.d.comb += ink.eq(GLYPH_COLOURS[1])
        with m.If(b_in_cell):
            with m.If(cell.revealed):
                m.d.comb += [background.eq(flat(COLOURS["revealed"])), glyph_on.eq(cell.count != 0),
                             glyph.eq(cell.count), ink.eq(digit_ink)]
            with m.Elif(cell.exploded):
                m.d.comb += [background.eq(flat(COLOURS["exploded"])), glyph_on.eq(1),
                             glyph.eq(GLYPH_INDEX["mine"])]
            with m.Elif(lost & cell.flagged & ~cell.mine):
                m.d.comb += [background.eq(flat(COLOURS["revealed"])), glyph_on.eq(1),
                             glyph.eq(GLYPH_INDEX["crossed_mine"])]
            with m.Elif(cell.flagged):
                m.d.comb += [background.eq(covered), glyph_on.eq(1), glyph.eq(GLYPH_INDEX["flag"])]
            with m.Elif(lost & cell.mine):
                m.d.comb += [background.eq(flat(COLOURS["revealed"])), glyph_on.eq(1),
                             glyph.eq(GLYPH_INDEX["mine"])]
            with m.Elif(self.debug & cell.mine):
                m.d.comb += [background.eq(covered), glyph_on.eq(1), glyph.eq(GLYPH_INDEX["mine"])]
            with m.Else():
                m.d.comb += background.eq(covered)
        with m.Elif(b_field):
            m.d.comb += background.eq(COLOURS["field"])
        with m.Elif(b_digit):
            m.d.comb += [background.eq(COLOURS["led_background"]), glyph_on.eq(1), glyph.eq(b_char),
                         ink.eq(COLOURS["led"])]
        with m.Elif(b_box):
            m.d.comb += background.eq(COLOURS["led_background"])
        with m.Else():
            m.d.comb += background.eq(COLOURS["panel"])
        with m.If(en):
            m.d.sync += [
                c_glyph_on.eq(glyph_on), c_glyph.eq(glyph), c_ink.eq(ink), c_background.eq(background),
                c_cursor.eq(b_in_cell & b_cursor & b_border),
                c_visible.eq(b_visible), c_hsync_n.eq(b_hsync_n), c_vsync_n.eq(b_vsync_n),
                c_sub_x.eq(b_sub_x), c_row.eq(b_row),
            ]
        m.d.comb += [glyphs.glyph.eq(c_glyph), glyphs.row.eq(c_row)]

        # -- D: the glyph ROM answers; the smiley's pipeline ends ---------------------------------
        d_glyph_on, d_cursor = Signal(), Signal()
        d_ink, d_background = Signal(8), Signal(8)
        d_visible, d_hsync_n, d_vsync_n = Signal(), Signal(init=1), Signal(init=1)
        d_sub_x = Signal(5)
        with m.If(en):
            m.d.sync += [
                d_glyph_on.eq(c_glyph_on), d_cursor.eq(c_cursor), d_ink.eq(c_ink),
                d_background.eq(c_background), d_visible.eq(c_visible),
                d_hsync_n.eq(c_hsync_n), d_vsync_n.eq(c_vsync_n), d_sub_x.eq(c_sub_x),
            ]
        assert Smiley.LATENCY == 5    # its face and feature are stage D's too

        # -- D2: the glyph ROM's row and the smiley, registered -----------------------------------
        # A block RAM is slow to its output unless a register follows it (5.6 ns on the ECP5):
        # nothing but this register may hang on the ROM's row.
        e_row = Signal.like(glyphs.pixels)
        e_glyph_on, e_cursor, e_face, e_feature = Signal(), Signal(), Signal(), Signal()
        e_ink, e_background = Signal(8), Signal(8)
        e_visible, e_hsync_n, e_vsync_n = Signal(), Signal(init=1), Signal(init=1)
        e_sub_x = Signal(5)
        with m.If(en):
            m.d.sync += [
                e_row.eq(glyphs.pixels), e_glyph_on.eq(d_glyph_on), e_cursor.eq(d_cursor),
                e_face.eq(smiley.face), e_feature.eq(smiley.feature), e_ink.eq(d_ink),
                e_background.eq(d_background), e_visible.eq(d_visible), e_hsync_n.eq(d_hsync_n),
                e_vsync_n.eq(d_vsync_n), e_sub_x.eq(d_sub_x),
            ]

        # -- E: the pixel ------------------------------------------------------------------------
        index = e_row.word_select(e_sub_x, 2)
        glyph_colour = Mux(index == 1, e_ink, Mux(index == 2, GLYPH_COLOURS[2], GLYPH_COLOURS[3]))
        colour = Signal(8)
        with m.If(e_cursor):
            m.d.comb += colour.eq(COLOURS["cursor"])
        with m.Elif(e_face):
            m.d.comb += colour.eq(Mux(e_feature, COLOURS["feature"], COLOURS["face"]))
        with m.Elif(e_glyph_on & (index != 0)):
            m.d.comb += colour.eq(glyph_colour)
        with m.Else():
            m.d.comb += colour.eq(e_background)
        with m.If(en):
            m.d.sync += [
                Cat(self.vga.blue, self.vga.green, self.vga.red).eq(Mux(e_visible, colour, 0)),
                self.vga.hsync_n.eq(e_hsync_n), self.vga.vsync_n.eq(e_vsync_n),
                self.vga.active.eq(e_visible),
            ]
        return m
