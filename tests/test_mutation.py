"""The mutation campaign's own parts (sim/mutation.py; the campaign itself is a benchmark):
a module's text cut out of emitted Verilog, and a mutant spliced into what a bench compiles."""

import json
import re

import pytest

from mutation import CORES, equivalent, module_text, sample_mutations
from runner import HDL, _with_mutant


def test_module_text_cuts_one_whole_module():
    verilog = (HDL / "vga_test_pattern.v").read_text()
    top = module_text(verilog, "vga_test_pattern")
    timing = module_text(verilog, "vga_test_pattern.timing")
    assert top.startswith("module vga_test_pattern(") and top.endswith("endmodule\n")
    assert timing.startswith("module \\vga_test_pattern.timing (")
    assert top.count("endmodule") == timing.count("endmodule") == 1
    assert top in verilog and timing in verilog and top != timing


def test_an_unknown_module_is_named():
    with pytest.raises(ValueError, match="no module nothing_here in the Verilog"):
        module_text("module a(x);\nendmodule\n", "nothing_here")


def test_every_core_names_a_module_of_its_verilog():
    for core in CORES.values():
        assert module_text(core.verilog(), core.module).startswith("module ")


def test_the_mutant_replaces_its_module_in_the_sources_that_hold_it(tmp_path):
    verilog = (HDL / "vga_test_pattern.v").read_text()
    original = module_text(verilog, "vga_test_pattern.timing")
    mutated = original.replace("endmodule", "// mutated\nendmodule")
    mutant = tmp_path / "mutant.json"
    mutant.write_text(json.dumps({"module": "vga_test_pattern.timing", "original": original,
                                  "mutated": mutated}))
    other = tmp_path / "other.v"
    other.write_text("module other(a);\nendmodule\n")
    sources, folder = _with_mutant(mutant, [HDL / "vga_test_pattern.v", other], "bench")
    assert folder == tmp_path / "build" / "bench"
    assert sources[1] == other
    assert sources[0] == folder / "vga_test_pattern.v"
    assert sources[0].read_text() == verilog.replace(original, mutated)
    assert (HDL / "vga_test_pattern.v").read_text() == verilog


def test_a_mutant_that_reaches_no_source_is_refused(tmp_path):
    mutant = tmp_path / "mutant.json"
    mutant.write_text(json.dumps({"module": "elsewhere", "original": "module elsewhere();\nendmodule\n",
                                  "mutated": "module elsewhere();\n// mutated\nendmodule\n"}))
    with pytest.raises(AssertionError, match="no source of bench holds the module elsewhere"):
        _with_mutant(mutant, [HDL / "vga_test_pattern.v"], "bench")


def test_the_display_cores_module_is_the_same_text_in_both_icarus_builds():
    """The display's mutants are cut from one build's Verilog and spliced into the two builds
    the frame tests compile; the smiley's into the one its own bench compiles."""
    from display_scenarios import BUILDS
    from starsweeper.gateware.minesweeper_system import MinesweeperSystem
    from starsweeper.hdl import convert
    from test_smiley_rtl import smiley_verilog
    timer = convert(MinesweeperSystem(**BUILDS["timer_at_999"]), "minesweeper_system")
    core = CORES["display"]
    assert module_text(core.verilog(), core.module) in timer
    core = CORES["smiley"]
    assert module_text(core.verilog(), core.module) in smiley_verilog()


def test_every_cores_tests_compile_the_module_its_mutants_replace():
    """A test built with other parameters than the core's Verilog would run the unmutated
    design (and the campaign refuses it): each core's tests build the module's very text."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from test_minesweeper_rtl import GAME_PARAMS, TIMER_PARAMS
    from starsweeper.gateware.minesweeper import MinesweeperGame
    from starsweeper.hdl import convert
    builds = {
        "test_random_games": GAME_PARAMS, "test_first_reveal_on_a_mine_moves_it": GAME_PARAMS,
        "test_chords_on_the_field_edges": GAME_PARAMS, "test_big_floods_open_layer_by_layer": GAME_PARAMS,
        "test_flags_on_every_cell": GAME_PARAMS, "test_held_direction_repeats_in_the_games_build": GAME_PARAMS,
        "test_flood_of_an_empty_board": dict(GAME_PARAMS, mine_counts={"0": 0, "1": 10}),
        "test_counts_of_crowded_boards": dict(GAME_PARAMS, mine_counts={"0": 99, "1": 30}),
        "test_timer_holds_at_999_and_freezes": TIMER_PARAMS,
    }
    texts = {}
    for core in CORES.values():
        if not core.module.startswith("minesweeper_game"):
            continue
        module = module_text(core.verilog(), core.module)
        for test in core.tests:
            name = test.split("::")[1].split("[")[0]
            if name not in texts:
                texts[name] = convert(MinesweeperGame(**builds[name]), "minesweeper_game")
            assert module in texts[name], f"{core.name}: {name} does not compile {core.module}"


COUNTER = """module counter(clk, en, q);
  input clk;
  input en;
  output [3:0] q;
  reg [3:0] r = 4'h0;
  wire [7:0] sum;
  assign sum = r + 8'h01;
  always @(posedge clk) if (en) r <= sum[3:0];
  assign q = r;
endmodule
"""


def test_equivalence_is_proven_for_unused_bits_of_a_counter_and_never_for_used_ones(tmp_path):
    """A 4-bit counter whose sum is 8 bits wide: every mutant of the sum's bits 4 to 7 (which
    the register never takes) is proven equivalent, and none of its bits 0 to 3 (each of which
    changes the count)."""
    (tmp_path / "design.v").write_text(COUNTER)
    verdicts = {}
    for mutation in sample_mutations(tmp_path, "counter", 60, 1):
        found = re.search(r"-cell \$add\S* -port Y -portbit (\d)", mutation)
        if found:
            verdicts[mutation] = (int(found.group(1)), equivalent(tmp_path, "counter", mutation))
    unused = [v for bit, v in verdicts.values() if bit >= 4]
    used = [v for bit, v in verdicts.values() if bit < 4]
    assert len(unused) >= 3 and len(used) >= 3
    assert all(v is True for v in unused)
    assert not any(v is True for v in used)


CASE = """module pick(s, y);
  input [1:0] s;
  output reg [3:0] y;
  always @*
    case (s)
      2'd0: y = 4'h0;
      2'd1: y = 4'h2;
      2'd2: y = 4'h4;
      2'd3: y = 4'h8;
    endcase
endmodule
"""


def test_a_mutant_that_leaves_a_value_undefined_is_not_equivalent(tmp_path):
    """Every case of a full case tied to a constant in one bit of its compare: some input
    then matches no case, and the value is ``x`` (which Icarus shows, and a test reads as a
    failure). Where the value would have been 0, a check that did not model undefined values
    took ``x`` for 0 and called four of these equivalent (the DVI encoder's colour table had
    one)."""
    (tmp_path / "design.v").write_text(CASE)
    compares = [m for m in sample_mutations(tmp_path, "pick", 80, 1)
                if re.search(r"-mode const[01] .*_CMP0 -port A ", m)]
    assert len(compares) >= 8
    assert not any(equivalent(tmp_path, "pick", m) for m in compares)


def test_a_clock_inverted_is_left_to_the_tests(tmp_path):
    """The formal models step every flip-flop once a cycle whatever its edge, and would call a
    counter clocked on the other edge equivalent: a mutant of a clock port is never decided
    by them."""
    (tmp_path / "design.v").write_text(COUNTER)
    clocks = [m for m in sample_mutations(tmp_path, "counter", 80, 1) if "-port CLK" in m]
    assert clocks
    assert all(equivalent(tmp_path, "counter", m) is None for m in clocks)
