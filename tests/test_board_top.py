"""The board top's structure: every output pin is driven from a flip-flop (hdl/, through Yosys)."""

import json
import shutil
import subprocess

import pytest

from starsweeper.boards.report import bit_drivers
from starsweeper.hdl import BOARD_TOPS, HDL_DIR

from test_lint import PRIMITIVES

OUTPUT_BUFFERS = {"OBUFT"}              # Amaranth's Xilinx platform uses OBUFT for outputs


def netlist(verilog, top, tmp_path):
    """The design elaborated (processes to cells, hierarchy flattened), not optimised or mapped:
    the flip-flops and gates are the ones the Verilog describes."""
    out = tmp_path / "netlist.json"
    script = (f"read_verilog -lib {PRIMITIVES}; read_verilog {verilog}; hierarchy -top {top}; "
              f"proc; flatten; write_json {out}")
    subprocess.run(["yosys", "-q", "-p", script], check=True, capture_output=True, timeout=300)
    return json.loads(out.read_text())["modules"][top]["cells"]


def unregistered_outputs(cells):
    """Output buffers whose input is not a flip-flop's output (inverters on the way allowed:
    they go into the flip-flop or the I/O block)."""
    driver = bit_drivers(cells)
    bad = []
    for name, cell in cells.items():
        if cell["type"] not in OUTPUT_BUFFERS:
            continue
        source = driver.get(cell["connections"]["I"][0])
        while source is not None and cells[source]["type"] == "$not":
            source = driver.get(cells[source]["connections"]["A"][0])
        if source is None or "dff" not in cells[source]["type"]:
            bad.append((name, source and cells[source]["type"]))
    return bad


pytestmark = pytest.mark.skipif(shutil.which("yosys") is None, reason="needs yosys")


@pytest.mark.parametrize("top", ["nexys3_minesweeper"])
def test_every_output_pin_comes_from_a_flip_flop(top, tmp_path):
    cells = netlist(HDL_DIR / f"{top}.v", top, tmp_path)
    buffers = [c for c in cells.values() if c["type"] in OUTPUT_BUFFERS]
    assert len(buffers) == 8 + 8 + 4 + 8 + 2    # LEDs, segments, anodes, VGA colour, VGA syncs
    assert unregistered_outputs(cells) == []


def test_a_combinational_output_is_found(tmp_path):
    """The check can fail: an output buffer behind an AND gate is reported."""
    source = tmp_path / "comb_out.v"
    source.write_text("module comb_out(input clk, input a, input b, output pin);\n"
                      "  reg q;\n  always @(posedge clk) q <= a;\n"
                      "  OBUFT buffer(.I(q & b), .T(1'b0), .O(pin));\nendmodule\n")
    cells = netlist(source, "comb_out", tmp_path)
    assert [kind for _, kind in unregistered_outputs(cells)] == ["$and"]
