"""A VGA test pattern: the timing generator and a colour per pixel, for bringing up a monitor."""

from amaranth.hdl import Module, Mux
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.vga import VGA_640X480
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
    red, green, blue : Out(3), Out(3), Out(2)
        Colour, black outside the visible area.
    hsync_n, vsync_n : Out(1)
        Sync pulses, active low.
    """

    enable: In(1)
    red: Out(3)
    green: Out(3)
    blue: Out(2)
    hsync_n: Out(1, init=1)
    vsync_n: Out(1, init=1)

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
                self.red.eq(Mux(timing.visible, x[5:8], 0)),
                self.green.eq(Mux(timing.visible, y[5:8], 0)),
                self.blue.eq(Mux(timing.visible, (x ^ y)[6:8], 0)),
                self.hsync_n.eq(timing.hsync_n),
                self.vsync_n.eq(timing.vsync_n),
            ]
        return m
