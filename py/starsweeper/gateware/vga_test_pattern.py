"""A VGA test pattern: the timing generator and a colour per pixel, for bringing up a monitor."""

from amaranth.hdl import Module, Mux
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.vga import VGA_640X480
from .interfaces import VgaSignature
from .vga_timing import VgaTimingGenerator

__all__ = ["VgaTestPattern"]


class VgaTestPattern(wiring.Component):
    """Draws :func:`starsweeper.model.vga.test_pattern` on a VGA port.

    Colour and syncs leave from registers, aligned: the colour of a pixel and the syncs of the
    same pixel change in the same clock.

    Attributes
    ----------
    enable : In(1)
        Pixel clock enable (see :class:`VgaTimingGenerator`).
    vga : Out(VgaSignature)
        Colour (black outside the visible area) and the sync pulses.
    """

    enable: In(1)
    vga: Out(VgaSignature())

    def __init__(self, timing=VGA_640X480):
        self.timing = timing
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        m.submodules.timing = timing = VgaTimingGenerator(self.timing)
        m.d.comb += timing.enable.eq(self.enable)
        x, y = timing.x, timing.y
        with m.If(self.enable):
            m.d.sync += [
                self.vga.red.eq(Mux(timing.visible, x[5:8], 0)),
                self.vga.green.eq(Mux(timing.visible, y[5:8], 0)),
                self.vga.blue.eq(Mux(timing.visible, (x ^ y)[6:8], 0)),
                self.vga.hsync_n.eq(timing.hsync_n),
                self.vga.vsync_n.eq(timing.vsync_n),
                self.vga.active.eq(timing.visible),
            ]
        return m
