"""The Minesweeper display: the game as :func:`starsweeper.model.display.render` draws it, on VGA."""

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed
from amaranth.lib import data, wiring
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


#: A pixel's sync pins and whether it is visible, carried through every stage beside it.
class _Sync(data.Struct):
    visible: 1
    hsync_n: 1
    vsync_n: 1


_SYNC_INIT = {"hsync_n": 1, "vsync_n": 1}


class _StageA(data.Struct):
    """Stage A: where the pixel is, besides its cell and the position in it (the counters)."""
    sync: _Sync
    field: 1          # in the field's 480 columns
    band: 1           # on the timer's rows (else the counter's)
    in_band: 1        # on the counter's or the timer's rows
    digit_row: 5      # the row in the digit
    box_y: 1          # on the rows of the black box around the digits
    box_x: 1          # on its columns


class _StageB(data.Struct):
    """Stage B: the position's flags, while the read port registers the cell's address."""
    sync: _Sync
    in_cell: 1        # on a cell of the current field
    cursor: 1         # the cell is the cursor's
    border: 1         # on the cursor frame's two pixels
    grid: 1           # on a revealed cell's grid line
    dark: 1           # on a covered cell's dark edge
    light: 1          # on its light edge
    field: 1
    digit: 1          # on a digit of the counter or the timer
    box: 1            # in the black box around them
    char: 4           # the digit's glyph
    sub_x: 5          # the column in the cell or the digit
    row: 5            # the row in the cell or the digit


class _StageC(data.Struct):
    """Stage C: the cell's colours and glyph (the glyph ROM is read with them)."""
    sync: _Sync
    glyph_on: 1
    glyph: 4
    ink: 8
    background: 8
    cursor: 1         # on the cursor's frame
    sub_x: 5
    row: 5


class _StageD(data.Struct):
    """Stage D: the glyph ROM answers; the smiley's pipeline ends."""
    sync: _Sync
    glyph_on: 1
    ink: 8
    background: 8
    cursor: 1
    sub_x: 5


class _StageE(data.Struct):
    """Stage D2: the glyph ROM's row and the smiley, registered (a block RAM's output drives
    nothing else)."""
    sync: _Sync
    pixels: 2 * CELL  # the glyph's row
    glyph_on: 1
    ink: 8
    background: 8
    cursor: 1
    face: 1
    feature: 1
    sub_x: 5


class MinesweeperDisplay(wiring.Component):
    """Draws the game on a 640x480 VGA port, one pixel per enabled clock, in a 7-stage pipeline.

    Stages, each advancing in the clocks where ``enable`` is high, each a register of its own
    layout: (A) the cell and the position in it, by counters that restart at the start of each
    line and frame, no division; (B) the game core's cell read port registers the address, the
    position's flags are worked out; (B2) the read port answers; (C) the cell's colours and
    glyph; (D) the glyph ROM answers and the smiley's pipeline ends; (D2) the ROM's row and the
    smiley registered (a block RAM's output drives nothing else); (E) the colour, registered
    with the syncs.

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
        en = self.enable
        m.submodules.timing = timing = VgaTimingGenerator(self.timing)
        m.submodules.smiley = smiley = Smiley()
        m.submodules.glyphs = glyphs = GlyphRom()
        m.d.comb += [timing.enable.eq(en), smiley.enable.eq(en), glyphs.enable.eq(en),
                     self.digits.start.eq(en & (timing.x == 0) & (timing.y == 0))]
        self._smiley(m, smiley, timing)

        def stage(layout, name):
            return Signal(layout, name=name, init={"sync": _SYNC_INIT})

        a, b, b2, c, d, e = (stage(layout, name) for layout, name in [
            (_StageA, "a"), (_StageB, "b"), (_StageB, "b2"), (_StageC, "c"), (_StageD, "d"),
            (_StageE, "e")])
        cell = self._stage_a(m, timing, a)
        self._stage_b(m, a, cell, b)
        with m.If(en):
            m.d.sync += b2.eq(b)                    # B2: the read port answers
        self._stage_c(m, b2, c)
        m.d.comb += [glyphs.glyph.eq(c.glyph), glyphs.row.eq(c.row)]
        assert Smiley.LATENCY == 5                  # its face and feature are stage D's too
        with m.If(en):
            m.d.sync += [
                d.sync.eq(c.sync), d.glyph_on.eq(c.glyph_on), d.ink.eq(c.ink),
                d.background.eq(c.background), d.cursor.eq(c.cursor), d.sub_x.eq(c.sub_x),
                # D2: nothing but this register may hang on the ROM's row (a block RAM is slow to
                # its output unless a register follows it: 5.6 ns on the ECP5).
                e.sync.eq(d.sync), e.pixels.eq(glyphs.pixels), e.glyph_on.eq(d.glyph_on),
                e.ink.eq(d.ink), e.background.eq(d.background), e.cursor.eq(d.cursor),
                e.face.eq(smiley.face), e.feature.eq(smiley.feature), e.sub_x.eq(d.sub_x),
            ]
        self._stage_e(m, e)
        return m

    def _smiley(self, m, smiley, timing):
        """The smiley's pixel and face: dead when lost, sunglasses when won, "o" while a button
        is held."""
        m.d.comb += [smiley.x.eq(timing.x), smiley.y.eq(timing.y)]
        with m.If(self.game.status == Status.LOST):
            m.d.comb += smiley.state.eq(SmileyState.DEAD)
        with m.Elif(self.game.status == Status.WON):
            m.d.comb += smiley.state.eq(SmileyState.SUNGLASSES)
        with m.Elif(self.game.held):
            m.d.comb += smiley.state.eq(SmileyState.O)
        with m.Else():
            m.d.comb += smiley.state.eq(SmileyState.NORMAL)

    def _stage_a(self, m, timing, a):
        """A: which cell, and where in it. Columns restart at x = 0 (the field's) and at the
        panel (the digits'); rows at y = 0. Returns the cell counters (col, sub_x, row, sub_y),
        whose cell goes to the read port."""
        en, x, y = self.enable, timing.x, timing.y
        beginner = self.game.difficulty == Difficulty.BEGINNER
        (b_left, b_top), (i_left, i_top) = (field_origin(Difficulty.BEGINNER),
                                            field_origin(Difficulty.INTERMEDIATE))
        col, sub_x = Signal(signed(6)), Signal(5)
        row, sub_y = Signal(signed(6)), Signal(5)
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
                a.field.eq(x < FIELD_SIZE),
                a.sync.visible.eq(timing.visible),
                a.sync.hsync_n.eq(timing.hsync_n),
                a.sync.vsync_n.eq(timing.vsync_n),
                a.band.eq(in_timer),
                a.in_band.eq(in_counter | in_timer),
                a.digit_row.eq(Mux(in_timer, y - TIMER_Y, y - COUNTER_Y)[:5]),
                a.box_y.eq(((y >= COUNTER_Y - _LED_MARGIN) & (y < COUNTER_Y + CELL + _LED_MARGIN)) |
                           ((y >= TIMER_Y - _LED_MARGIN) & (y < TIMER_Y + CELL + _LED_MARGIN))),
                a.box_x.eq((x >= DIGITS_X[0] - _LED_MARGIN) &
                           (x < DIGITS_X[0] + len(DIGITS_X) * CELL + _LED_MARGIN)),
            ]
        assert list(DIGITS_X) == [DIGITS_X[0] + k * CELL for k in range(len(DIGITS_X))]
        m.d.comb += [self.read.address.row.eq(row[:4]), self.read.address.col.eq(col[:4]),
                     self.read.enable.eq(en)]
        return col, sub_x, row, sub_y

    def _stage_b(self, m, a, cell, b):
        """B: the cell read port registers the address; where in the cell the pixel is."""
        col, sub_x, row, sub_y = cell
        rows, cols = field_size(self.game.difficulty == Difficulty.BEGINNER)
        chars = Mux(a.band, self.digits.timer.as_value(), self.digits.counter.as_value())
        with m.If(self.enable):
            m.d.sync += [
                b.in_cell.eq(a.field & (col >= 0) & (col < cols) & (row >= 0) & (row < rows)),
                b.cursor.eq((row[:4] == self.game.cursor_row) & (col[:4] == self.game.cursor_col)),
                b.border.eq((sub_x < 2) | (sub_x >= CELL - 2) | (sub_y < 2) | (sub_y >= CELL - 2)),
                b.grid.eq((sub_x == 0) | (sub_y == 0)),
                b.dark.eq((sub_x >= CELL - 2) | (sub_y >= CELL - 2)),
                b.light.eq((sub_x < 2) | (sub_y < 2)),
                b.field.eq(a.field), b.sync.eq(a.sync),
                b.digit.eq(~a.field & a.in_band & (col >= 0) & (col < len(DIGITS_X))),
                b.box.eq(~a.field & a.box_y & a.box_x),
                b.char.eq(chars.word_select(col[:2], 4)),
                b.sub_x.eq(sub_x),
                b.row.eq(Mux(a.field, sub_y, a.digit_row)),
            ]

    def _stage_c(self, m, b, c):
        """C: the cell's background, glyph and ink, from the read port's cell and stage B2."""
        cell = self.read.cell
        lost = self.game.status == Status.LOST
        glyph_on, glyph = Signal(), Signal(4)
        ink, background = Signal(8), Signal(8)
        covered = Mux(b.dark, COLOURS["covered_dark"], Mux(b.light, COLOURS["covered_light"], COLOURS["covered"]))

        def flat(colour):
            return Mux(b.grid, COLOURS["grid"], colour)

        digit_ink = Const(GLYPH_COLOURS[1], 8)
        for n, colour in DIGIT_COLOURS.items():
            digit_ink = Mux(cell.count == n, colour, digit_ink)
        m.d.comb += ink.eq(GLYPH_COLOURS[1])
        with m.If(b.in_cell):
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
        with m.Elif(b.field):
            m.d.comb += background.eq(COLOURS["field"])
        with m.Elif(b.digit):
            m.d.comb += [background.eq(COLOURS["led_background"]), glyph_on.eq(1), glyph.eq(b.char),
                         ink.eq(COLOURS["led"])]
        with m.Elif(b.box):
            m.d.comb += background.eq(COLOURS["led_background"])
        with m.Else():
            m.d.comb += background.eq(COLOURS["panel"])
        with m.If(self.enable):
            m.d.sync += [
                c.glyph_on.eq(glyph_on), c.glyph.eq(glyph), c.ink.eq(ink), c.background.eq(background),
                c.cursor.eq(b.in_cell & b.cursor & b.border), c.sync.eq(b.sync),
                c.sub_x.eq(b.sub_x), c.row.eq(b.row),
            ]

    def _stage_e(self, m, e):
        """E: the pixel: the cursor's frame, the smiley, the glyph or the background."""
        index = e.pixels.word_select(e.sub_x, 2)
        glyph_colour = Mux(index == 1, e.ink, Mux(index == 2, GLYPH_COLOURS[2], GLYPH_COLOURS[3]))
        colour = Signal(8)
        with m.If(e.cursor):
            m.d.comb += colour.eq(COLOURS["cursor"])
        with m.Elif(e.face):
            m.d.comb += colour.eq(Mux(e.feature, COLOURS["feature"], COLOURS["face"]))
        with m.Elif(e.glyph_on & (index != 0)):
            m.d.comb += colour.eq(glyph_colour)
        with m.Else():
            m.d.comb += colour.eq(e.background)
        with m.If(self.enable):
            m.d.sync += [
                Cat(self.vga.blue, self.vga.green, self.vga.red).eq(Mux(e.sync.visible, colour, 0)),
                self.vga.hsync_n.eq(e.sync.hsync_n), self.vga.vsync_n.eq(e.sync.vsync_n),
                self.vga.active.eq(e.sync.visible),
            ]
