"""The 30x30 glyphs of the Minesweeper display, defined once for the ROM and the renderer.

Each glyph is a 30x30 array of 2-bit palette indices: 0 is transparent (the cell's background
shows), 1 to 3 are the glyph's own colours (:data:`GLYPH_COLOURS`, RGB332). Digits are drawn
from a 5x7 font scaled by four; the mine, the flag and the cross from simple geometry.
"""

import numpy as np

__all__ = ["SIZE", "GLYPHS", "GLYPH_INDEX", "GLYPH_COLOURS", "ROM_STRIDE", "glyph", "rom_words"]

SIZE = 30

_FONT = {
    "0": ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
    "1": ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
    "2": ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
    "3": ["11111", "00010", "00100", "00010", "00001", "10001", "01110"],
    "4": ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
    "5": ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
    "6": ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
    "7": ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
    "8": ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
    "9": ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
    "-": ["00000", "00000", "00000", "11111", "00000", "00000", "00000"],
}


def _digit(char):
    art = np.zeros((SIZE, SIZE), dtype=np.uint8)
    for row, bits in enumerate(_FONT[char]):
        for col, bit in enumerate(bits):
            if bit == "1":
                art[1 + 4 * row:1 + 4 * row + 4, 5 + 4 * col:5 + 4 * col + 4] = 1
    return art


def _coordinates():
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    return x - 14.5, y - 14.5


def _mine():
    dx, dy = _coordinates()
    art = np.zeros((SIZE, SIZE), dtype=np.uint8)
    body = dx * dx + dy * dy < 8.5 ** 2
    spikes = ((np.abs(dx) < 1) | (np.abs(dy) < 1) | (np.abs(np.abs(dx) - np.abs(dy)) < 1.2)) \
        & (dx * dx + dy * dy < 12.5 ** 2)
    art[body | spikes] = 1                                   # black
    art[(dx + 3.5) ** 2 + (dy + 3.5) ** 2 < 2.5 ** 2] = 2    # white highlight
    return art


def _flag():
    dx, dy = _coordinates()
    art = np.zeros((SIZE, SIZE), dtype=np.uint8)
    pole = (np.abs(dx - 1.5) < 1) & (dy > -10) & (dy < 8)
    base = (np.abs(dx - 1.5) < 8) & (dy >= 8) & (dy < 11)
    cloth = (dx < 1) & (dx > -9) & (np.abs(dy + 5) < (dx + 9) * 0.55)
    art[pole | base] = 1                                     # black
    art[cloth] = 3                                           # red
    return art


def _crossed_mine():
    dx, dy = _coordinates()
    art = _mine()
    cross = ((np.abs(dx - dy) < 1.6) | (np.abs(dx + dy) < 1.6)) & (np.abs(dx) < 12) & (np.abs(dy) < 12)
    art[cross] = 3                                           # red
    return art


#: Glyph names in ROM order.
GLYPHS = [*"0123456789", "-", "mine", "flag", "crossed_mine"]
GLYPH_INDEX = {name: k for k, name in enumerate(GLYPHS)}

#: Palette of the glyph pixels: index 1 black, 2 white, 3 red (RGB332). Digits take their
#: colour from the display instead (index 1 is replaced by the digit's colour).
GLYPH_COLOURS = {1: 0x00, 2: 0xFF, 3: 0xE0}

_ART = {**{c: _digit(c) for c in "0123456789-"}, "mine": _mine(), "flag": _flag(),
        "crossed_mine": _crossed_mine()}


def glyph(name):
    """The 30x30 array of palette indices of glyph ``name``."""
    return _ART[name].copy()


#: Glyph rows per ROM glyph: 30 rounded up to a power of two, so a row's address is the glyph
#: index and the row side by side, with no multiplier.
ROM_STRIDE = 32


def rom_words():
    """The glyph ROM: one 60-bit word per glyph row, ``ROM_STRIDE`` words per glyph (the last two
    zero), ``len(GLYPHS) * ROM_STRIDE`` words; pixel ``x`` of a row in bits ``2x`` and ``2x + 1``."""
    words = []
    for name in GLYPHS:
        art = _ART[name]
        for row in art:
            words.append(sum(int(v) << (2 * x) for x, v in enumerate(row)))
        words += [0] * (ROM_STRIDE - SIZE)
    return words
