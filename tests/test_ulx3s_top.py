"""The ULX3S board top in Icarus, as a monitor on the GPDI connector sees it: the stand-in PLL
(sim/ecp5_primitives.v) makes the pixel and bit clocks from the 25 MHz oscillator, and the
bench's receiver (sim/ulx3s_bench.v) cuts the serial lanes into symbols at the clock lane's
edges; the DVI receiver model decodes the first whole frame, checking the link's rules on the
way (control tokens, sync polarity and timing, data enable, disparity), and its picture must
equal the reference renderer's new game, pixel for pixel.

The top is the board's, built with a short frame (:data:`SHORT`: the full width, the top 130
lines, short blanking), so that a frame is a fifth of 640x480's clocks: what this test alone
checks, the PLL, the DDR output registers, the serialiser and the pins, does not depend on the
frame's size; the full 640x480 frame goes through the same DVI encoder and the same receiver
model on the Verilator model, for every display scenario (tests/test_verilator_frames.py)."""

from pathlib import Path
import subprocess

import numpy as np
import pytest

from starsweeper.boards.build import prepare
from starsweeper.boards.ulx3s_minesweeper_top import Ulx3sMinesweeperTop
from starsweeper.model.display import render, to_rgb888
from starsweeper.model.dvi import decode_frame
from starsweeper.model.minesweeper import MinesweeperGame
from starsweeper.model.tmds import CONTROL_TOKENS
from starsweeper.model.vga import VgaTiming

SIM = Path(__file__).resolve().parents[1] / "sim"
#: The frame of the test's top: the smiley (rows 40 to 120), the first cells and the panel.
SHORT = VgaTiming(640, 8, 16, 8, 130, 1, 2, 2)
FRAME = SHORT.h_total * SHORT.v_total


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
    top = tmp_path / "ulx3s_minesweeper.v"
    plan = prepare("ulx3s", "ulx3s_minesweeper", top=Ulx3sMinesweeperTop(timing=SHORT), debug_verilog=True)
    top.write_text(plan.files["ulx3s_minesweeper.debug.v"])
    # From reset the display starts at the first pixel: the first vertical sync pulse comes
    # after the visible lines and the front porch, and the frame from it needs one frame more.
    count = (SHORT.v_sync_start + 5) * SHORT.h_total + FRAME
    vvp = tmp_path / "bench.vvp"
    subprocess.run(["iverilog", "-g2005", "-o", str(vvp), "-s", "ulx3s_bench",
                    f"-Pulx3s_bench.SYMBOLS={count}", str(SIM / "ulx3s_bench.v"),
                    str(SIM / "ecp5_primitives.v"), str(top)],
                   check=True, capture_output=True, timeout=300)
    subprocess.run(["vvp", "-n", str(vvp)], cwd=tmp_path, check=True, capture_output=True, timeout=900)
    text = (tmp_path / "gpdi_symbols.txt").read_text().split()
    symbols = np.array([int(word, 16) for word in text], dtype=np.int64).reshape(-1, 3)
    assert len(symbols) == count
    frame = decode_frame(first_frame(symbols), SHORT)
    expected = to_rgb888(render(MinesweeperGame()))[:SHORT.v_visible, :SHORT.h_visible]
    wrong = np.argwhere((frame.pixels != expected).any(axis=2))
    assert len(wrong) == 0, f"{len(wrong)} pixels differ, the first at (x, y) = {tuple(wrong[0][::-1])}"
    assert 0 < frame.max_disparity <= 8
