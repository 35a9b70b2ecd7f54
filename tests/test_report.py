"""`starsweeper report`: Yosys resource counts and the longest-path finder."""

from starsweeper.boards.report import DEVICE, synthesize
from starsweeper.cli import main

XOR10 = """
module xor10(input clk, input [9:0] a, output reg y);
  reg [9:0] a_q;
  always @(posedge clk) begin
    a_q <= a;
    y <= ^a_q;
  end
endmodule
"""


def test_counts_and_path_of_a_known_circuit(tmp_path):
    """Ten registered bits XORed into one register: 11 flip-flops, and a 10-input XOR takes
    two levels of six-input LUTs."""
    source = tmp_path / "xor10.v"
    source.write_text(XOR10)
    r = synthesize(source, "xor10")
    assert r.ffs == 11
    assert r.longest_path == 2
    assert r.logic_levels == 2
    assert r.luts == 2
    assert r.brams == 0 and r.dsps == 0


COUNTER32 = """
module counter32(input clk, output reg [31:0] count);
  always @(posedge clk) count <= count + 1;
endmodule
"""


def test_a_carry_chain_is_one_logic_level(tmp_path):
    """A 32-bit incrementer is a chain of eight CARRY4 cells (a long path in cells) but a single
    carry chain: at most one LUT level in front of it."""
    source = tmp_path / "counter32.v"
    source.write_text(COUNTER32)
    r = synthesize(source, "counter32")
    assert r.ffs == 32
    assert r.longest_path >= 32 // 4
    assert 1 <= r.logic_levels <= 2


def test_report_command_on_the_stacker(capsys):
    assert main(["report", "star_trail_stacker_8"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| star_trail_stacker_8 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    luts = int(cells[1].split()[0])
    dsps = int(cells[4].split()[0])
    assert 0 < luts < DEVICE["luts"] and dsps > 0   # the three channel multipliers
    assert f"({100 * luts / DEVICE['luts']:.1f}%)" in cells[1]


def test_report_rejects_an_unknown_core(capsys):
    assert main(["report", "no_such_core"]) == 1
    assert "unknown core 'no_such_core'" in capsys.readouterr().err


def test_report_without_yosys(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["report", "star_trail_stacker_8"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "install the Debian/Ubuntu package yosys" in err
