"""The board tops' structure: every output pin is driven from a flip-flop or a DDR output
register (hdl/, through Yosys)."""

import json
import shutil
import subprocess

import pytest

from starsweeper.boards.report import bit_drivers
from starsweeper.hdl import BOARD_TOPS, HDL_DIR

from test_lint import BOARD_PRIMITIVES

#: Each board top's output buffer (the platform's), and how many output pins it has.
OUTPUT_BUFFERS = {
    # LEDs, segments, anodes, VGA colour, VGA syncs
    "nexys3_minesweeper": ("OBUFT", 8 + 8 + 4 + 8 + 2),
    # LEDs, the GPDI's three data lanes and its clock lane
    "ulx3s_minesweeper": ("OBZ", 8 + 3 + 1),
}
#: Registers that may drive an output buffer besides flip-flops.
OUTPUT_REGISTERS = {"ODDRX1F"}


def netlist(verilog, top, tmp_path, primitives, black_boxes=()):
    """The design elaborated (processes to cells, hierarchy flattened), not optimised or mapped:
    the flip-flops and gates are the ones the Verilog describes; the modules ``black_boxes``
    left as black boxes (one cell each)."""
    out = tmp_path / "netlist.json"
    boxes = "".join(f"blackbox \\{module}; " for module in black_boxes)
    script = (f"read_verilog -lib {primitives}; read_verilog {verilog}; {boxes}hierarchy -top {top}; "
              f"proc; flatten; write_json {out}")
    subprocess.run(["yosys", "-q", "-p", script], check=True, capture_output=True, timeout=300)
    return json.loads(out.read_text())["modules"][top]["cells"]


def unregistered_outputs(cells, output_buffer):
    """Output buffers whose input is not a flip-flop's output (inverters on the way allowed:
    they go into the flip-flop or the I/O block)."""
    driver = bit_drivers(cells)
    bad = []
    for name, cell in cells.items():
        if cell["type"] != output_buffer:
            continue
        source = driver.get(cell["connections"]["I"][0])
        while source is not None and cells[source]["type"] == "$not":
            source = driver.get(cells[source]["connections"]["A"][0])
        if source is None or not ("dff" in cells[source]["type"] or cells[source]["type"] in OUTPUT_REGISTERS):
            bad.append((name, source and cells[source]["type"]))
    return bad


pytestmark = pytest.mark.skipif(shutil.which("yosys") is None, reason="needs yosys")


@pytest.mark.parametrize("top", sorted(BOARD_TOPS))
def test_every_output_pin_comes_from_a_flip_flop(top, tmp_path):
    """The game core is a black box here (its board store is most of the design and of Yosys's
    time: 30 s a top, 1 s without it). Nothing is lost: a pin the game drove, through logic or
    from its own flip-flop, would have the black box as its driver, which is no flip-flop."""
    output_buffer, pins = OUTPUT_BUFFERS[top]
    cells = netlist(HDL_DIR / f"{top}.v", top, tmp_path, BOARD_PRIMITIVES[top], [f"{top}.system.game"])
    assert any(cell["type"] == f"{top}.system.game" for cell in cells.values())   # (the box is there)
    buffers = [c for c in cells.values() if c["type"] == output_buffer]
    assert len(buffers) == pins
    assert unregistered_outputs(cells, output_buffer) == []


def test_a_combinational_output_is_found(tmp_path):
    """The check can fail: an output buffer behind an AND gate is reported."""
    source = tmp_path / "comb_out.v"
    source.write_text("module comb_out(input clk, input a, input b, output pin);\n"
                      "  reg q;\n  always @(posedge clk) q <= a;\n"
                      "  OBUFT buffer(.I(q & b), .T(1'b0), .O(pin));\nendmodule\n")
    cells = netlist(source, "comb_out", tmp_path, BOARD_PRIMITIVES["nexys3_minesweeper"])
    assert [kind for _, kind in unregistered_outputs(cells, "OBUFT")] == ["$and"]


def test_a_pin_driven_from_a_black_box_is_found(tmp_path):
    """A black box counts as no flip-flop, even when a flip-flop inside it drives the pin."""
    source = tmp_path / "boxed.v"
    source.write_text("module inner(input clk, output reg q);\n  always @(posedge clk) q <= ~q;\nendmodule\n"
                      "module boxed(input clk, output pin);\n  wire q;\n  inner core(.clk(clk), .q(q));\n"
                      "  OBUFT buffer(.I(q), .T(1'b0), .O(pin));\nendmodule\n")
    primitives = BOARD_PRIMITIVES["nexys3_minesweeper"]
    assert unregistered_outputs(netlist(source, "boxed", tmp_path, primitives), "OBUFT") == []
    boxed = netlist(source, "boxed", tmp_path, primitives, ["inner"])
    assert [kind for _, kind in unregistered_outputs(boxed, "OBUFT")] == ["inner"]
