"""Reference renderer of the Minesweeper display: a game state to a 640x480 RGB332 frame.

Layout. The field takes the left 480x480: intermediate's 16x16 cells of 30x30 pixels from the
top-left corner, beginner's 9x9 centred (from (105, 105)); the rest of that square is the field
background. The status panel takes the right 160 columns: the smiley (drawn by inequalities on
the pixel coordinates, no bitmap), the mine counter and the seconds timer, red digits on black.

Cells. Covered: raised grey (light top and left edges, dark bottom and right, 2 pixels).
Revealed: flat light grey with a one-pixel grid line on the top and left, and the count's digit
in the classic colour. Flag: on a covered cell. Debug (switch SW0): a covered mine shows its
mine. Lost: every unflagged mine shows on a revealed cell, the one that exploded on red, and a
wrong flag as a crossed-out mine. The cursor is a 2-pixel yellow frame over any cell.

Every colour is RGB332, as the Nexys 3's VGA port takes it (:func:`rgb332`); :func:`to_rgb888`
expands a frame the way the board's resistor DAC scales it, for PNG files.
"""

import numpy as np

from . import smiley
from .glyphs import GLYPH_COLOURS, SIZE as CELL, glyph
from .minesweeper import Difficulty, DIFFICULTIES, Status
from .vga import VGA_640X480, rgb332

__all__ = [
    "CELL", "FIELD_SIZE", "PANEL_X", "field_origin", "COLOURS", "DIGIT_COLOURS", "SMILEY",
    "COUNTER_Y", "TIMER_Y", "DIGITS_X", "render", "to_rgb888", "DAC_LEVELS_3", "DAC_LEVELS_2", "counter_text", "timer_text",
    "smiley_state",
]

FIELD_SIZE = 480
PANEL_X = 480

COLOURS = {
    "field": rgb332(0, 2, 1),
    "panel": rgb332(5, 5, 2),
    "covered": rgb332(5, 5, 2),
    "covered_light": rgb332(7, 7, 3),
    "covered_dark": rgb332(3, 3, 1),
    "revealed": rgb332(5, 5, 2),      # the covered grey, flat, as in Windows
    "grid": rgb332(4, 4, 2),
    "exploded": rgb332(7, 0, 0),
    "cursor": rgb332(7, 7, 0),
    "led_background": rgb332(0, 0, 0),
    "led": rgb332(7, 0, 0),
    "face": rgb332(7, 7, 0),
    "feature": rgb332(0, 0, 0),
}

#: Colours of the digits 1 to 8, as in Windows: blue, green, red, navy, maroon, teal, black, grey.
DIGIT_COLOURS = {
    1: rgb332(0, 0, 3), 2: rgb332(0, 4, 0), 3: rgb332(7, 0, 0), 4: rgb332(0, 0, 2),
    5: rgb332(4, 0, 0), 6: rgb332(0, 4, 2), 7: rgb332(0, 0, 0), 8: rgb332(4, 4, 2),
}

#: Smiley centre and radius (the face itself is :mod:`starsweeper.model.smiley`).
SMILEY = (*smiley.CENTRE, smiley.RADIUS)
#: Top of the counter's and the timer's digits; left edges of their three digits.
COUNTER_Y = 160
TIMER_Y = 240
DIGITS_X = (515, 545, 575)


def field_origin(difficulty):
    rows, cols, _ = DIFFICULTIES[Difficulty(difficulty)]
    return (FIELD_SIZE - cols * CELL) // 2, (FIELD_SIZE - rows * CELL) // 2


def counter_text(value):
    """Three characters: 000 to 999, or a minus and two digits down to -99 (clamped)."""
    if value < 0:
        return "-" + f"{min(99, -value):02d}"
    return f"{min(999, value):03d}"


def timer_text(value):
    """Three digits, 000 to 999 (held at 999)."""
    return f"{min(999, value):03d}"


def smiley_state(game, held):
    if game.status == Status.LOST:
        return "dead"
    if game.status == Status.WON:
        return "sunglasses"
    return "o" if held else "normal"


def _covered_tile():
    tile = np.full((CELL, CELL), COLOURS["covered"], dtype=np.uint8)
    y, x = np.mgrid[0:CELL, 0:CELL]
    tile[(x >= CELL - 2) | (y >= CELL - 2)] = COLOURS["covered_dark"]
    tile[((x < 2) | (y < 2)) & (x < CELL - 2) & (y < CELL - 2)] = COLOURS["covered_light"]
    tile[((x < 2) & (y >= CELL - 2)) | ((y < 2) & (x >= CELL - 2))] = COLOURS["covered_dark"]
    return tile


def _flat_tile(colour):
    tile = np.full((CELL, CELL), colour, dtype=np.uint8)
    tile[0, :] = COLOURS["grid"]
    tile[:, 0] = COLOURS["grid"]
    return tile


def _draw_glyph(tile, name, digit_colour=None):
    art = glyph(name)
    for index, colour in GLYPH_COLOURS.items():
        if index == 1 and digit_colour is not None:
            colour = digit_colour
        tile[art == index] = colour


def cell_tile(game, r, c, debug):
    """The 30x30 pixels of cell (``r``, ``c``)."""
    mine, revealed, flagged = game.mine[r][c], game.revealed[r][c], game.flagged[r][c]
    lost = game.status == Status.LOST
    if revealed:
        tile = _flat_tile(COLOURS["revealed"])
        if game.counts[r][c]:
            _draw_glyph(tile, str(game.counts[r][c]), DIGIT_COLOURS[game.counts[r][c]])
    elif lost and mine and game.exploded == (r, c):
        tile = _flat_tile(COLOURS["exploded"])
        _draw_glyph(tile, "mine")
    elif lost and flagged and not mine:
        tile = _flat_tile(COLOURS["revealed"])
        _draw_glyph(tile, "crossed_mine")
    elif flagged:
        tile = _covered_tile()
        _draw_glyph(tile, "flag")
    elif lost and mine:
        tile = _flat_tile(COLOURS["revealed"])
        _draw_glyph(tile, "mine")
    elif debug and mine:
        tile = _covered_tile()
        _draw_glyph(tile, "mine")
    else:
        tile = _covered_tile()
    if game.cursor == (r, c):
        tile[:2, :] = tile[-2:, :] = COLOURS["cursor"]
        tile[:, :2] = tile[:, -2:] = COLOURS["cursor"]
    return tile


def _smiley(frame, state):
    cx, cy = smiley.CENTRE
    y, x = np.mgrid[0:VGA_640X480.v_visible, 0:VGA_640X480.h_visible]
    pixels = smiley.smiley_pixels(x - cx, y - cy, state)
    frame[pixels == 1] = COLOURS["face"]
    frame[pixels == 2] = COLOURS["feature"]


def _digits(frame, text, top):
    left = DIGITS_X[0]
    frame[top - 2:top + CELL + 2, left - 2:left + 3 * CELL + 2] = COLOURS["led_background"]
    for char, x0 in zip(text, DIGITS_X):
        art = glyph(char)
        block = frame[top:top + CELL, x0:x0 + CELL]
        block[art == 1] = COLOURS["led"]


def render(game, debug=False, held=False):
    """The 480 x 640 frame (rows of RGB332) the display shows for ``game``.

    ``debug`` is switch SW0; ``held`` is the game core's "a button is held" output."""
    frame = np.full((VGA_640X480.v_visible, VGA_640X480.h_visible), COLOURS["panel"], dtype=np.uint8)
    frame[:FIELD_SIZE, :FIELD_SIZE] = COLOURS["field"]
    left, top = field_origin(game.difficulty)
    for r, c in game.cells():
        frame[top + r * CELL:top + (r + 1) * CELL, left + c * CELL:left + (c + 1) * CELL] = \
            cell_tile(game, r, c, debug)
    _smiley(frame, smiley_state(game, held))
    _digits(frame, counter_text(game.counter), COUNTER_Y)
    _digits(frame, timer_text(game.timer), TIMER_Y)
    return frame


#: The 8-bit level of each code of a 3-bit and of a 2-bit colour channel, as the Nexys 3's
#: resistor DAC scales it (full scale = 255, rounded down): what :func:`to_rgb888` and the DVI
#: encoder (:class:`starsweeper.gateware.dvi.DviEncoder`) send for each code.
DAC_LEVELS_3 = tuple(code * 255 // 7 for code in range(8))
DAC_LEVELS_2 = tuple(code * 255 // 3 for code in range(4))


def to_rgb888(frame):
    """Expand RGB332 to 8 bits a channel, as the resistor DAC scales it (:data:`DAC_LEVELS_3`,
    :data:`DAC_LEVELS_2`)."""
    frame = np.asarray(frame, dtype=np.uint16)
    levels_3, levels_2 = np.array(DAC_LEVELS_3, np.uint8), np.array(DAC_LEVELS_2, np.uint8)
    return np.stack([levels_3[(frame >> 5) & 7], levels_3[(frame >> 2) & 7], levels_2[frame & 3]], axis=-1)
