"""cocotb testbench of ``VgaTestPattern`` through the pin-level VGA monitor (vga_capture.v).

The monitor captures ``FRAMES`` frames (environment); each must equal the model's test pattern
pixel for pixel, and every sync pulse must have the VESA width and period.
"""

import os
import time

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, Timer

from starsweeper.model.vga import VGA_640X480, test_pattern_frame
from vga_capture import VgaCapture


class VgaBenchTB:
    def __init__(self, dut):
        self.dut = dut
        self.timing = VGA_640X480
        self.clocks_per_pixel = int(os.environ.get("CLOCKS_PER_PIXEL", "1"))

    async def run_frames(self, frames):
        cocotb.start_soon(Clock(self.dut.clk, 10, unit="ns", impl="gpi").start())
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, 2)
        self.dut.rst.value = 0
        frame_clocks = self.timing.h_total * self.timing.v_total * self.clocks_per_pixel
        started = time.perf_counter()
        for _ in range(frames + 2):           # one partial frame before the first vsync
            await Timer(frame_clocks * 10, unit="ns")
            if int(self.dut.done.value):
                break
        await RisingEdge(self.dut.clk)
        assert int(self.dut.done.value), "the monitor did not capture enough frames"
        seconds = time.perf_counter() - started
        self.dut._log.info("captured %d frames in %.2f s of simulation (%.2f s a frame)",
                           frames, seconds, seconds / (frames + 1))
        return VgaCapture.read(".")


@cocotb.test()
async def frames_match_the_model_and_syncs_the_standard(dut):
    frames = int(os.environ.get("FRAMES", "2"))
    tb = VgaBenchTB(dut)
    capture = await tb.run_frames(frames)
    capture.check_sync(tb.timing, clocks_per_pixel=tb.clocks_per_pixel)
    expected = test_pattern_frame(tb.timing)
    got = capture.split_frames(tb.timing)
    assert len(got) == frames
    for k, frame in enumerate(got):
        for y, (row, want) in enumerate(zip(frame, expected)):
            assert row == want, (f"frame {k}, line {y}: first difference at x = "
                                 f"{next(x for x, (a, b) in enumerate(zip(row, want)) if a != b)}")
