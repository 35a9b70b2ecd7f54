"""DVI encoder: a VGA port's colour and syncs as the three TMDS channels of a DVI link."""

from amaranth.hdl import Array, Const, Module
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from ..model.display import DAC_LEVELS_2, DAC_LEVELS_3
from .interfaces import VgaSignature
from .tmds import TmdsEncoder

__all__ = ["DviEncoder", "SYMBOLS"]

#: The three channels' symbols of one pixel clock: channel 0 (blue, and the syncs in blanking),
#: 1 (green), 2 (red).
SYMBOLS = data.ArrayLayout(10, 3)


class DviEncoder(wiring.Component):
    """The colour and syncs of a :class:`~starsweeper.gateware.interfaces.VgaSignature` port, sent
    over DVI 1.0: each RGB332 colour widened to 8 bits a channel the way the Nexys 3's resistor
    DAC shows it (:data:`~starsweeper.model.display.DAC_LEVELS_3`), HSYNC and VSYNC as the
    control bits C0 and C1 of channel 0 in blanking (at the levels of the VGA pins, so
    640x480's active-low pulses stay active low), ``active`` as data enable.

    Its clock is the pixel clock: one pixel, and one symbol a channel, every clock.

    Attributes
    ----------
    vga : In(VgaSignature)
        The VGA port (the display's, or the system's).
    symbols : Out(SYMBOLS)
        Each channel's symbol, one clock after the pixel (the encoders' registers), to a
        serialiser (:class:`~starsweeper.gateware.tmds_serializer.TmdsSerializer`).
    """

    vga: In(VgaSignature())
    symbols: Out(SYMBOLS)

    LATENCY = 1

    def elaborate(self, platform):
        m = Module()
        vga = self.vga
        levels_3 = Array(Const(v, 8) for v in DAC_LEVELS_3)
        levels_2 = Array(Const(v, 8) for v in DAC_LEVELS_2)
        colours = [levels_2[vga.blue], levels_3[vga.green], levels_3[vga.red]]
        for channel, colour in enumerate(colours):
            m.submodules[f"channel{channel}"] = encoder = TmdsEncoder()
            control = (vga.vsync_n << 1) | vga.hsync_n if channel == 0 else 0
            m.d.comb += [encoder.data.eq(colour), encoder.control.eq(control),
                         encoder.active.eq(vga.active), self.symbols[channel].eq(encoder.symbol)]
        return m
