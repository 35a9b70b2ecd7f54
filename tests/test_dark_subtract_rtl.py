"""RTL of the dark-frame stage, alone and in front of the stacker, against the models, under
Icarus (see sim/test_dark_subtract.py)."""

import pytest

from runner import run_cocotb


@pytest.mark.slow
@pytest.mark.parametrize("top", ["dark_subtract", "calibrated_stacker"])
@pytest.mark.parametrize("channel_width", [8, 16])
def test_dark_subtract_rtl(top, channel_width, seed):
    run_cocotb(f"{top}_{channel_width}", "test_dark_subtract",
               env={"DARK_TOP": top, "CHANNEL_WIDTH": str(channel_width), "STARSWEEPER_SEED": str(seed)})
