"""The mine counter and the timer as characters of the glyph ROM, converted once per frame."""

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from ..model.glyphs import GLYPH_INDEX
from ..model.minesweeper import TIMER_MAX
from .interfaces import ScoreSignature, StatusCharsSignature

__all__ = ["BinaryToBcd", "StatusDigits"]

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
    score : In(ScoreSignature)
        The game's counter and timer.
    chars : In(StatusCharsSignature)
        ``chars.start`` samples the score; ``chars.counter`` and ``chars.timer`` change once
        both are converted (11 clocks later), so they hold still while a frame is drawn.
    """

    score: In(ScoreSignature())
    chars: In(StatusCharsSignature())

    def elaborate(self, platform):
        m = Module()
        # A signed(9) counter's magnitude is at most 256; the timer's range ends at 999 already.
        m.submodules.counter_bcd = counter_bcd = BinaryToBcd(256)
        m.submodules.timer_bcd = timer_bcd = BinaryToBcd(TIMER_MAX)
        negative = Signal()
        counter, start, chars = self.score.counter, self.chars.start, self.chars
        is_negative = counter < 0
        magnitude = Mux(is_negative, -counter, counter)[:9]
        m.d.comb += [
            counter_bcd.start.eq(start), timer_bcd.start.eq(start),
            counter_bcd.value.eq(Mux(is_negative & (magnitude > 99), 99, magnitude)),
            timer_bcd.value.eq(self.score.timer),
        ]
        converting = Signal()
        with m.If(start):
            m.d.sync += [negative.eq(is_negative), converting.eq(1)]
        with m.Elif(converting & ~counter_bcd.busy & ~timer_bcd.busy):
            m.d.sync += [
                converting.eq(0),
                chars.counter[0].eq(Mux(negative, GLYPH_INDEX["-"], counter_bcd.digits[0])),
                chars.counter[1].eq(counter_bcd.digits[1]),
                chars.counter[2].eq(counter_bcd.digits[2]),
                chars.timer.eq(timer_bcd.digits),
            ]
        return m
