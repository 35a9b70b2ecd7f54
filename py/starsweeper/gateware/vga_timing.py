"""VGA timing generator."""

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.vga import VGA_640X480, VgaTiming

__all__ = ["VgaTimingGenerator"]


class VgaTimingGenerator(wiring.Component):
    """Pixel and line counters with the sync pulses of a :class:`VgaTiming`.

    Every output comes from a register, and all of them describe the same pixel, so a renderer
    that needs ``n`` clocks to colour pixel (``x``, ``y``) delays the syncs by ``n`` pixels too.

    Parameters
    ----------
    timing : VgaTiming
        Default: VESA 640x480 at 60 Hz.

    Attributes
    ----------
    enable : In(1)
        Pixel clock enable: the counters advance in clocks where it is high (on the Nexys 3
        every fourth clock of 100 MHz; tie it high to simulate one pixel per clock).
    x, y : Out(range(h_total)), Out(range(v_total))
        The current pixel, counting the blanking intervals too.
    visible : Out(1)
        ``x`` and ``y`` are inside the visible area.
    hsync_n, vsync_n : Out(1)
        The sync pulses, active low.
    frame_start : Out(1)
        High for the first pixel (0, 0) of each frame.
    """

    def __init__(self, timing=VGA_640X480):
        if not isinstance(timing, VgaTiming):
            raise TypeError(f"Timing must be a VgaTiming, not {timing!r}")
        self.timing = timing
        super().__init__({
            "enable": In(1),
            "x": Out(range(timing.h_total)),
            "y": Out(range(timing.v_total)),
            "visible": Out(1, init=1),
            "hsync_n": Out(1, init=1),
            "vsync_n": Out(1, init=1),
            "frame_start": Out(1, init=1),
        })

    def elaborate(self, platform):
        m = Module()
        t = self.timing
        next_x = Signal.like(self.x)
        next_y = Signal.like(self.y)
        with m.If(self.x == t.h_total - 1):
            m.d.comb += next_x.eq(0)
            m.d.comb += next_y.eq(0)
            with m.If(self.y != t.v_total - 1):
                m.d.comb += next_y.eq(self.y + 1)
        with m.Else():
            m.d.comb += [next_x.eq(self.x + 1), next_y.eq(self.y)]
        with m.If(self.enable):
            m.d.sync += [
                self.x.eq(next_x),
                self.y.eq(next_y),
                self.visible.eq((next_x < t.h_visible) & (next_y < t.v_visible)),
                self.hsync_n.eq(~((next_x >= t.h_sync_start) & (next_x < t.h_sync_start + t.h_sync))),
                self.vsync_n.eq(~((next_y >= t.v_sync_start) & (next_y < t.v_sync_start + t.v_sync))),
                self.frame_start.eq((next_x == 0) & (next_y == 0)),
            ]
        return m
