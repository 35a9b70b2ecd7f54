"""The mine counter and the timer as characters of the glyph ROM, converted once per frame."""

from amaranth.hdl import Cat, Module, Mux, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from ..model.glyphs import GLYPH_INDEX
from ..model.minesweeper import TIMER_MAX

__all__ = ["BinaryToBcd", "StatusDigits", "CHARACTERS"]

#: Three glyph indices, the leftmost first.
CHARACTERS = data.ArrayLayout(4, 3)

# A decimal digit is its own glyph index.
assert all(GLYPH_INDEX[str(d)] == d for d in range(10))


class BinaryToBcd(wiring.Component):
    """Binary to decimal by double dabble, one bit a clock (as many clocks as ``value`` has bits).

    Parameters
    ----------
    maximum : int
        The largest value converted; it sets the input's width and the number of digits.

    Attributes
    ----------
    start : In(1)
        Loads ``value`` and starts a conversion (restarts one under way).
    value : In(range(maximum + 1))
        At most ``maximum`` (larger values give wrong digits).
    busy : Out(1)
    digits : Out(ArrayLayout(4, len(str(maximum))))
        The decimal digits, the most significant first; valid while ``busy`` is low.
    """

    def __init__(self, maximum):
        if not isinstance(maximum, int) or maximum < 1:
            raise ValueError(f"Maximum must be a positive integer, not {maximum!r}")
        self.width = maximum.bit_length()
        super().__init__({
            "start": In(1),
            "value": In(range(maximum + 1)),
            "busy": Out(1),
            "digits": Out(data.ArrayLayout(4, len(str(maximum)))),
        })

    def elaborate(self, platform):
        m = Module()
        n = len(self.digits)
        shift = Signal(self.width)
        bcd = Signal(4 * n)
        left = Signal(range(self.width + 1))
        m.d.comb += self.busy.eq(left != 0)
        # The digits, the most significant first, are bcd's nibbles from the top down.
        m.d.comb += self.digits.eq(Cat(*[bcd[4 * k:4 * k + 4] for k in reversed(range(n))]))
        adjusted = Cat(*[Mux(bcd[4 * k:4 * k + 4] >= 5, bcd[4 * k:4 * k + 4] + 3, bcd[4 * k:4 * k + 4])[:4]
                         for k in range(n)])
        with m.If(self.start):
            m.d.sync += [shift.eq(self.value), bcd.eq(0), left.eq(self.width)]
        with m.Elif(self.busy):
            m.d.sync += [
                bcd.eq(Cat(shift[-1], adjusted[:-1])),
                shift.eq(shift << 1),
                left.eq(left - 1),
            ]
        return m


class StatusDigits(wiring.Component):
    """The counter and the timer as :func:`starsweeper.model.display.counter_text` draws them:
    a negative counter as a minus and two digits (down to -99), else three digits (up to 999).

    Attributes
    ----------
    start : In(1)
        Samples ``counter`` and ``timer``; the characters change once both are converted
        (11 clocks later), so they hold still while a frame is drawn.
    counter : In(signed(9))
    timer : In(range(TIMER_MAX + 1))
    counter_chars, timer_chars : Out(ArrayLayout(4, 3))
        Glyph indices (:data:`starsweeper.model.glyphs.GLYPH_INDEX`), the leftmost first.
    """

    def __init__(self):
        super().__init__({
            "start": In(1),
            "counter": In(signed(9)),
            "timer": In(range(TIMER_MAX + 1)),
            "counter_chars": Out(CHARACTERS),
            "timer_chars": Out(CHARACTERS),
        })

    def elaborate(self, platform):
        m = Module()
        # A signed(9) counter's magnitude is at most 256; the timer's range ends at 999 already.
        m.submodules.counter_bcd = counter_bcd = BinaryToBcd(256)
        m.submodules.timer_bcd = timer_bcd = BinaryToBcd(TIMER_MAX)
        negative = Signal()
        is_negative = self.counter < 0
        magnitude = Mux(is_negative, -self.counter, self.counter)[:9]
        m.d.comb += [
            counter_bcd.start.eq(self.start), timer_bcd.start.eq(self.start),
            counter_bcd.value.eq(Mux(is_negative & (magnitude > 99), 99, magnitude)),
            timer_bcd.value.eq(self.timer),
        ]
        converting = Signal()
        with m.If(self.start):
            m.d.sync += [negative.eq(is_negative), converting.eq(1)]
        with m.Elif(converting & ~counter_bcd.busy & ~timer_bcd.busy):
            m.d.sync += [
                converting.eq(0),
                self.counter_chars[0].eq(Mux(negative, GLYPH_INDEX["-"], counter_bcd.digits[0])),
                self.counter_chars[1].eq(counter_bcd.digits[1]),
                self.counter_chars[2].eq(counter_bcd.digits[2]),
                self.timer_chars.eq(timer_bcd.digits),
            ]
        return m
