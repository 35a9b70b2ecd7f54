"""The VGA test pattern under Icarus, seen through the pin-level monitor (sim/vga_capture.v)."""

import pytest

from runner import HDL, run_cocotb
from starsweeper.model.vga import VGA_640X480
from vga_capture import SOURCES, monitor_parameters


@pytest.mark.slow
def test_vga_test_pattern_frames_and_syncs():
    """Two frames with a pixel every other clock: the enable high and low in turn (a board's
    pixel enable), the pixels, the syncs and the data enable from the pins."""
    run_cocotb("vga_bench", "test_vga_test_pattern", build_name="vga_test_pattern",
               sources=[HDL / "vga_test_pattern.v", SOURCES["vga_capture"], SOURCES["vga_bench"]],
               parameters={**monitor_parameters(VGA_640X480, 2), "FRAMES": 2},
               env={"FRAMES": "2", "CLOCKS_PER_PIXEL": "2"})
