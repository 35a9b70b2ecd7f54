"""The TMDS channel's emitted Verilog (hdl/tmds_encoder.v) under Icarus against the model, clock
for clock (sim/test_tmds_encoder.py): every byte from every reachable disparity, and random
streams with blanking and resets. tests/test_tmds.py checks the same rules on the Amaranth
design in Amaranth's simulator; this bench is what the mutation campaign runs."""

import pytest

from runner import run_cocotb


@pytest.mark.parametrize("testcase", ["every_byte_from_every_disparity", "random_streams"])
def test_tmds_encoder_rtl(testcase, seed):
    run_cocotb("tmds_encoder", "test_tmds_encoder", build_name=f"tmds_encoder_{testcase}",
               testcase=testcase, env={"STARSWEEPER_SEED": str(seed)})
