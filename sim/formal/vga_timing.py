"""Formal properties of :class:`VgaTimingGenerator`, for every input (enable, reset) and every clock.

* The counters stay in range: ``x < h_total``, ``y < v_total``.
* ``visible``, ``hsync_n`` and ``vsync_n`` are exactly the windows of the current (``x``, ``y``):
  visible area, sync pulses (active low), from the :class:`VgaTiming`'s numbers.
* The frame is ``h_total * v_total`` enabled clocks: a harness counter of enabled clocks since
  the last frame start (wrapping at ``h_total * v_total``) always equals ``y * h_total + x``,
  and ``frame_start`` is high exactly when it is 0.
* Without ``enable`` nothing moves.

Covers: the last pixel of a frame is reached, and a frame starts again after it.
"""

from amaranth.hdl import Assert, Cat, Cover, Module, Mux, ResetSignal, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from starsweeper.gateware.vga_timing import VgaTimingGenerator
from starsweeper.model.vga import VGA_640X480

from .runner import Proof

__all__ = ["VgaTimingHarness", "small_timing", "PROOFS"]


class VgaTimingHarness(wiring.Component):
    enable: In(1)

    def __init__(self, timing=VGA_640X480, core=VgaTimingGenerator, frame_start=True):
        self.timing = timing
        self.core = core
        self.frame_start = frame_start
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        t = self.timing
        dut = m.submodules.dut = self.core(t)
        m.d.comb += dut.enable.eq(self.enable)

        frame = t.h_total * t.v_total
        clocks = Signal(range(frame))
        with m.If(self.enable):
            m.d.sync += clocks.eq(Mux(clocks == frame - 1, 0, clocks + 1))

        before_x = Signal.like(dut.x)
        before_y = Signal.like(dut.y)
        before_outputs = Signal(4)         # frame_start last: 0 when it is not checked
        outputs = Cat(dut.visible, dut.hsync_n, dut.vsync_n,
                      dut.frame_start if self.frame_start else 0)
        started = Signal()
        stepped = Signal()
        m.d.sync += [before_x.eq(dut.x), before_y.eq(dut.y), before_outputs.eq(outputs),
                     stepped.eq(self.enable | ResetSignal()), started.eq(1)]

        x, y = dut.x, dut.y
        m.d.comb += [
            Assert(x < t.h_total),
            Assert(y < t.v_total),
            Assert(dut.visible == ((x < t.h_visible) & (y < t.v_visible))),
            Assert(dut.hsync_n == ~((x >= t.h_sync_start) & (x < t.h_sync_start + t.h_sync))),
            Assert(dut.vsync_n == ~((y >= t.v_sync_start) & (y < t.v_sync_start + t.v_sync))),
            Assert(clocks == y * t.h_total + x),
        ]
        if self.frame_start:
            m.d.comb += Assert(dut.frame_start == (clocks == 0))
        with m.If(started & ~stepped):
            m.d.comb += Assert((x == before_x) & (y == before_y) & (outputs == before_outputs))

        reached_end = Signal()
        with m.If((x == t.h_total - 1) & (y == t.v_total - 1)):
            m.d.sync += reached_end.eq(1)
        m.d.comb += [
            Cover((x == t.h_total - 1) & (y == t.v_total - 1)),
            Cover(reached_end & dut.frame_start),
        ]
        return m


def small_timing():
    """A frame small enough for the covers to reach its end within a short bound."""
    from starsweeper.model.vga import VgaTiming
    return VgaTiming(h_visible=4, h_front=1, h_sync=2, h_back=1,
                     v_visible=3, v_front=1, v_sync=1, v_back=1)


PROOFS = [
    Proof("vga_timing_prove", lambda: VgaTimingHarness(), "prove", 2),
    Proof("vga_timing_cover", lambda: VgaTimingHarness(small_timing()), "cover", 60),
]
