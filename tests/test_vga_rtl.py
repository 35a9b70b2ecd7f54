"""VGA cores under Icarus, seen through the pin-level monitor (starsweeper/vga_monitor.py)."""

import pytest

from runner import BUILD, HDL, run_cocotb
from starsweeper.model.vga import VGA_640X480
from starsweeper.vga_monitor import bench_verilog, capture_verilog


@pytest.mark.slow
def test_vga_test_pattern_frames_and_syncs():
    folder = BUILD / "vga_test_pattern"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vga_capture.v").write_text(capture_verilog(VGA_640X480, frames=2))
    (folder / "vga_bench.v").write_text(bench_verilog("vga_test_pattern", {"enable": "1'b1"}))
    run_cocotb("vga_bench", "test_vga_test_pattern", build_name="vga_test_pattern",
               sources=[HDL / "vga_test_pattern.v", folder / "vga_capture.v", folder / "vga_bench.v"],
               env={"FRAMES": "2"})
