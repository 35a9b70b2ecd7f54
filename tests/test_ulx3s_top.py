"""The ULX3S board top in Icarus, as a monitor on the GPDI connector sees it: the stand-in PLL
(sim/ecp5_primitives.v) makes the pixel and bit clocks from the 25 MHz oscillator, and the
bench's receiver (sim/ulx3s_bench.v) cuts the serial lanes into symbols at the clock lane's
edges; the DVI receiver model decodes the first whole frame, checking the link's rules on the
way (control tokens, sync polarity and timing of 640x480 at 60 Hz, data enable, disparity), and
its picture must equal the reference renderer's new game, pixel for pixel."""

from pathlib import Path
import subprocess

import numpy as np
import pytest

from starsweeper.hdl import HDL_DIR
from starsweeper.model.display import render, to_rgb888
from starsweeper.model.dvi import decode_frame
from starsweeper.model.minesweeper import MinesweeperGame
from starsweeper.model.tmds import CONTROL_TOKENS
from starsweeper.model.vga import VGA_640X480

SIM = Path(__file__).resolve().parents[1] / "sim"
FRAME = VGA_640X480.h_total * VGA_640X480.v_total


def first_frame(symbols):
    """The symbols from the first clock of the first vertical sync pulse, one frame of them
    (VSYNC is C1 of channel 0's control tokens, low during the pulse)."""
    vsync_low = np.array([s in CONTROL_TOKENS and not CONTROL_TOKENS.index(s) & 2 for s in symbols[:, 0]])
    starts = np.flatnonzero(vsync_low[1:] & ~vsync_low[:-1]) + 1
    assert len(starts), "no vertical sync pulse in the capture"
    start = int(starts[0])
    assert start + FRAME <= len(symbols), "the capture ends before the frame does"
    return symbols[start:start + FRAME]


@pytest.mark.slow
def test_gpdi_carries_the_new_game_frame(tmp_path):
    # From reset the display starts at the first pixel: the first vertical sync pulse comes
    # after 490 lines, and the frame from it needs one frame more.
    count = (VGA_640X480.v_sync_start + 5) * VGA_640X480.h_total + FRAME
    vvp = tmp_path / "bench.vvp"
    subprocess.run(["iverilog", "-g2005", "-o", str(vvp), "-s", "ulx3s_bench",
                    f"-Pulx3s_bench.SYMBOLS={count}", str(SIM / "ulx3s_bench.v"),
                    str(SIM / "ecp5_primitives.v"), str(HDL_DIR / "ulx3s_minesweeper.v")],
                   check=True, capture_output=True, timeout=300)
    subprocess.run(["vvp", "-n", str(vvp)], cwd=tmp_path, check=True, capture_output=True, timeout=900)
    text = (tmp_path / "gpdi_symbols.txt").read_text().split()
    symbols = np.array([int(word, 16) for word in text], dtype=np.int64).reshape(-1, 3)
    assert len(symbols) == count
    frame = decode_frame(first_frame(symbols))
    expected = to_rgb888(render(MinesweeperGame()))
    wrong = np.argwhere((frame.pixels != expected).any(axis=2))
    assert len(wrong) == 0, f"{len(wrong)} pixels differ, the first at (x, y) = {tuple(wrong[0][::-1])}"
    assert 0 < frame.max_disparity <= 8
