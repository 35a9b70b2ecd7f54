"""The Nexys 3's four-digit seven-segment display: what it shows and how it is scanned.

The display shows either the mine counter or the timer, chosen by switch SW6 (off: counter,
on: timer), as a letter and the three characters the VGA panel shows: ``c040``, ``c-12``,
``t123``. The digits share their segment lines, so one digit is lit at a time, each for
``digit_clocks`` clocks (100,000 at 100 MHz: each digit 250 times a second), from AN0 (the
rightmost) to AN3 (the leftmost).

Segments a to g are bits 0 to 6 (a top, then clockwise, g the middle bar), the decimal point
bit 7; 1 means lit here (the board top inverts them for the active-low pins).
"""

from .display import counter_text, timer_text
from .glyphs import GLYPH_INDEX

__all__ = ["CHARACTERS", "SEGMENTS", "DIGITS", "text", "segments_of", "scan"]

#: Characters the display can show, in code order: the decimal digits and '-' have the codes the
#: glyph ROM gives them (:data:`starsweeper.model.glyphs.GLYPH_INDEX`).
CHARACTERS = "0123456789-ct "

assert all(CHARACTERS.index(ch) == GLYPH_INDEX[ch] for ch in "0123456789-")

#: Lit segments of each character (bit 0 = a ... bit 6 = g).
SEGMENTS = {
    "0": 0b0111111, "1": 0b0000110, "2": 0b1011011, "3": 0b1001111, "4": 0b1100110,
    "5": 0b1101101, "6": 0b1111101, "7": 0b0000111, "8": 0b1111111, "9": 0b1101111,
    "-": 0b1000000, "c": 0b1011000, "t": 0b1111000, " ": 0b0000000,
}

DIGITS = 4


def text(counter, timer, show_timer):
    """The four characters, leftmost first."""
    return "t" + timer_text(timer) if show_timer else "c" + counter_text(counter)


def segments_of(characters):
    """Lit segments of each of the four characters, leftmost first."""
    return [SEGMENTS[ch] for ch in characters]


def scan(characters, clocks, digit_clocks):
    """(digit enables, segments) after each of the first ``clocks`` clock edges from reset: bit
    k of the enables is AN k; AN0, the rightmost digit, first."""
    lit = segments_of(characters)
    out = []
    for t in range(1, clocks + 1):
        k = (t // digit_clocks) % DIGITS
        out.append((1 << k, lit[DIGITS - 1 - k]))
    return out
