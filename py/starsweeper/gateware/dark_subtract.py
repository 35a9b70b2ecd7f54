"""Dark-frame calibration in front of the stacker: ``max(pixel - dark, 0)`` per channel."""

from amaranth.hdl import Module, Mux
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from ..model.star_trail import FixedFormat
from .star_trail import RGB, StackerInput, StackerOutput, StarTrailStacker

__all__ = ["CalibrationInput", "DarkSubtract", "CalibratedStacker"]


class CalibrationInput(data.StructLayout):
    """One pixel of work for a calibrated stack: the running accumulator, the new frame's pixel
    and the master dark's pixel at the same place."""

    def __init__(self, fmt):
        super().__init__({"acc": RGB(fmt.acc_width), "pixel": RGB(fmt.channel_width),
                          "dark": RGB(fmt.channel_width)})


class DarkSubtract(wiring.Component):
    """Subtracts the master dark from each pixel, saturating at 0 (model:
    :func:`starsweeper.model.dark_frame.subtract_dark`), and passes the stacker's accumulator
    through unchanged, so that its output is the stacker's input.

    Parameters
    ----------
    channel_width : int
        Bits per colour channel, 8 or 16.

    Attributes
    ----------
    i : In(stream.Signature(CalibrationInput))
        ``{acc, pixel, dark}``.
    o : Out(stream.Signature(StackerInput))
        ``{acc, pixel - dark}``, in input order.

    Timing: one registered stage, latency 1 clock, one pixel per clock while ``o.ready`` is
    high. ``o.valid`` comes from a register; ``i.ready`` depends combinationally on
    ``o.ready``. The synchronous reset empties the stage.
    """

    #: Clocks from an input handshake to its output becoming valid, with no stalls.
    LATENCY = 1

    def __init__(self, channel_width=8):
        if channel_width not in (8, 16):
            raise ValueError(f"Channel width must be 8 or 16, not {channel_width!r}")
        self.format = FixedFormat(channel_width)
        super().__init__({
            "i": In(stream.Signature(CalibrationInput(self.format))),
            "o": Out(stream.Signature(StackerInput(self.format))),
        })

    def elaborate(self, platform):
        m = Module()
        advance = ~self.o.valid | self.o.ready
        m.d.comb += self.i.ready.eq(advance)
        with m.If(advance):
            m.d.sync += [self.o.valid.eq(self.i.valid), self.o.payload.acc.eq(self.i.payload.acc)]
            for c in ("r", "g", "b"):
                pixel, dark = self.i.payload.pixel[c], self.i.payload.dark[c]
                m.d.sync += self.o.payload.pixel[c].eq(Mux(pixel > dark, pixel - dark, 0))
        return m


class CalibratedStacker(wiring.Component):
    """The dark-frame stage and the stacker, one after the other (the hardware's ``stack
    --darks``): ``acc' = max(round(acc * a), max(pixel - dark, 0) << F)`` per channel.

    Parameters
    ----------
    channel_width : int
        Bits per colour channel, 8 or 16.

    Attributes
    ----------
    attenuation : In(channel_width + 11)
        As :class:`StarTrailStacker`'s.
    i : In(stream.Signature(CalibrationInput))
        ``{acc, pixel, dark}``.
    o : Out(stream.Signature(StackerOutput))
        The stacker's ``{acc, pixel}``, in input order; latency 4 clocks.
    """

    LATENCY = DarkSubtract.LATENCY + StarTrailStacker.LATENCY

    def __init__(self, channel_width=8):
        self.dark = DarkSubtract(channel_width)
        self.stacker = StarTrailStacker(channel_width)
        self.format = self.stacker.format
        super().__init__({
            "attenuation": In(self.format.atten_width),
            "i": In(stream.Signature(CalibrationInput(self.format))),
            "o": Out(stream.Signature(StackerOutput(self.format))),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.dark = self.dark
        m.submodules.stacker = self.stacker
        wiring.connect(m, wiring.flipped(self.i), self.dark.i)
        wiring.connect(m, self.dark.o, self.stacker.i)
        wiring.connect(m, self.stacker.o, wiring.flipped(self.o))
        m.d.comb += self.stacker.attenuation.eq(self.attenuation)
        return m
