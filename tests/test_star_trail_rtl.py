"""RTL of the star-trail stacker against its bit-exact model, under Icarus (see sim/)."""

import pytest

from runner import run_cocotb


@pytest.mark.slow
@pytest.mark.parametrize("channel_width", [8, 16])
def test_star_trail_stacker_rtl(channel_width, seed):
    run_cocotb(f"star_trail_stacker_{channel_width}", "test_star_trail_stacker",
               env={"CHANNEL_WIDTH": str(channel_width), "STARSWEEPER_SEED": str(seed)})
