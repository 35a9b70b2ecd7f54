"""The four-digit seven-segment display: segment decoding and digit scanning."""

from amaranth.hdl import Module, Signal
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from ..model.seven_segment import CHARACTERS, DIGITS, SEGMENTS

__all__ = ["SevenSegmentDisplay"]


class SevenSegmentDisplay(wiring.Component):
    """:func:`starsweeper.model.seven_segment.scan`: one digit lit at a time.

    Parameters
    ----------
    digit_clocks : int
        Clocks each digit stays lit (100,000 at 100 MHz).

    Attributes
    ----------
    characters : In(ArrayLayout(4, 4))
        Codes in :data:`~starsweeper.model.seven_segment.CHARACTERS`, the leftmost first.
    segments : Out(8)
        Segments a to g (bits 0 to 6) and the decimal point (bit 7), 1 = lit, from a register.
    digits : Out(4)
        Bit k lights digit AN k (AN0 the rightmost), 1 = on, from a register.
    """

    def __init__(self, digit_clocks=100_000):
        if not isinstance(digit_clocks, int) or digit_clocks < 1:
            raise ValueError(f"Digit clocks must be a positive integer, not {digit_clocks!r}")
        self.digit_clocks = digit_clocks
        super().__init__({
            "characters": In(data.ArrayLayout(4, DIGITS)),
            "segments": Out(8),
            "digits": Out(DIGITS),
        })

    def elaborate(self, platform):
        m = Module()
        count = Signal(range(self.digit_clocks))
        digit = Signal(range(DIGITS))
        next_digit = Signal(range(DIGITS))
        with m.If(count == self.digit_clocks - 1):
            m.d.sync += [count.eq(0), digit.eq(digit + 1)]
            m.d.comb += next_digit.eq(digit + 1)
        with m.Else():
            m.d.sync += count.eq(count + 1)
            m.d.comb += next_digit.eq(digit)
        # AN k shows the character k places from the right.
        code = self.characters.as_value().word_select((DIGITS - 1 - next_digit)[:2], 4)
        lit = Signal(7)
        with m.Switch(code):
            for k, ch in enumerate(CHARACTERS):
                with m.Case(k):
                    m.d.comb += lit.eq(SEGMENTS[ch])
        m.d.sync += [self.segments.eq(lit), self.digits.eq(1 << next_digit)]
        return m
