"""Streaming star-trail stacking core: ``acc' = max(acc * a, pixel)`` per RGB channel."""

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from ..model.star_trail import FixedFormat

__all__ = ["RGB", "StackerInput", "StackerOutput", "StarTrailStacker"]


class RGB(data.StructLayout):
    """Three colour channels of ``width`` bits: ``r`` in the low bits, then ``g``, then ``b``."""

    def __init__(self, width):
        super().__init__({"r": width, "g": width, "b": width})


class StackerInput(data.StructLayout):
    """One pixel of work: the running accumulator and the new frame's pixel."""

    def __init__(self, fmt):
        super().__init__({"acc": RGB(fmt.acc_width), "pixel": RGB(fmt.channel_width)})


class StackerOutput(data.StructLayout):
    """The updated accumulator and the same pixel rounded to the channel width."""

    def __init__(self, fmt):
        super().__init__({"acc": RGB(fmt.acc_width), "pixel": RGB(fmt.channel_width)})


class StarTrailStacker(wiring.Component):
    """Star-trail stacking core.

    For each input pair it emits ``acc' = max(round(acc * a), pixel << F)`` and
    ``pixel' = round(acc')`` per channel, the arithmetic of
    :class:`starsweeper.model.star_trail.FixedFormat` bit for bit (its docstring gives the number
    formats and the error bound against float64 stacking). The accumulator lives outside the core
    (in frame memory, or in the host); an accumulator of zero starts a new stack.

    Parameters
    ----------
    channel_width : int
        Bits per colour channel of the pixels, 8 or 16. The accumulator has
        ``channel_width + 10`` bits per channel (10 guard fraction bits).

    Attributes
    ----------
    attenuation : In(channel_width + 11)
        Run-time attenuation ``a`` as unsigned ``UQ1.(channel_width + 10)``; ``1 << (width-1)``
        is 1.0. Sampled with each input pixel, so change it between frames only.
    i : In(stream.Signature(StackerInput))
        Input stream of ``{acc, pixel}`` pairs.
    o : Out(stream.Signature(StackerOutput))
        Output stream of ``{acc, pixel}`` results, in input order.

    Timing: a three-stage pipeline (input register, product, round-and-max), latency 3 clocks.
    Every stage advances when it is empty or the stage after it advances, so bubbles collapse
    and the core sustains one pixel per clock whenever ``o.ready`` is high. ``o.valid`` comes from
    a register; ``i.ready`` depends combinationally on ``o.ready``. The synchronous reset empties
    the pipeline.
    """

    def __init__(self, channel_width=8):
        if channel_width not in (8, 16):
            raise ValueError(f"Channel width must be 8 or 16, not {channel_width!r}")
        self.format = FixedFormat(channel_width)
        super().__init__({
            "attenuation": In(self.format.atten_width),
            "i": In(stream.Signature(StackerInput(self.format))),
            "o": Out(stream.Signature(StackerOutput(self.format))),
        })

    #: Clocks from an input handshake to its output becoming valid, with no stalls.
    LATENCY = 3

    def elaborate(self, platform):
        m = Module()
        fmt = self.format
        A, F = fmt.atten_frac_bits, fmt.frac_bits
        channels = ("r", "g", "b")

        # Stage valid flags; stage 3's is the output's.
        s1_valid = Signal()
        s2_valid = Signal()
        s3_advance = Signal()
        s2_advance = Signal()
        s1_advance = Signal()
        m.d.comb += [
            s3_advance.eq(~self.o.valid | self.o.ready),
            s2_advance.eq(~s2_valid | s3_advance),
            s1_advance.eq(~s1_valid | s2_advance),
            self.i.ready.eq(s1_advance),
        ]

        # Stage 1: register the inputs and the attenuation.
        s1 = Signal(StackerInput(fmt))
        s1_atten = Signal(fmt.atten_width)
        with m.If(s1_advance):
            m.d.sync += [
                s1_valid.eq(self.i.valid),
                s1.eq(self.i.payload),
                s1_atten.eq(self.attenuation),
            ]

        # Stage 2: the product, with the rounding half of its dropped bits already added.
        s2_product = {c: Signal(fmt.acc_width + fmt.atten_width, name=f"s2_product_{c}")
                      for c in channels}
        s2_pixel = Signal(RGB(fmt.channel_width))
        with m.If(s2_advance):
            m.d.sync += s2_valid.eq(s1_valid)
            m.d.sync += s2_pixel.eq(s1.pixel)
            for c in channels:
                m.d.sync += s2_product[c].eq(s1.acc[c] * s1_atten + (1 << (A - 1)))

        # Stage 3: drop the fraction, take the maximum, round the result to a pixel.
        # round(max(u, v << F)) == max(round(u), v), so both maxima are taken side by side.
        with m.If(s3_advance):
            m.d.sync += self.o.valid.eq(s2_valid)
            for c in channels:
                faded = s2_product[c][A:A + fmt.acc_width]
                faded_pixel = (faded + (1 << (F - 1)))[F:F + fmt.channel_width + 1]
                new = s2_pixel[c]
                m.d.sync += [
                    self.o.payload.acc[c].eq(Mux(faded > (new << F), faded, new << F)),
                    self.o.payload.pixel[c].eq(Mux(faded_pixel > new, faded_pixel, new)),
                ]
        return m

