"""The DVI encoder's emitted Verilog (hdl/dvi_encoder.v) under Icarus against the model, clock
for clock (sim/test_dvi_encoder.py). tests/test_dvi.py checks the Amaranth design in Amaranth's
simulator; this bench is what the mutation campaign runs."""

from runner import run_cocotb


def test_dvi_encoder_rtl(seed):
    run_cocotb("dvi_encoder", "test_dvi_encoder", testcase="random_lines", env={"STARSWEEPER_SEED": str(seed)})
