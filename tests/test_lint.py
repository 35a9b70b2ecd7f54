"""Every file in hdl/ passes `verilator --lint-only` (waivers explained in sim/verilator_lint.vlt,
for the generated files only), and so does every hand-written bench and harness, with the
design it drives."""

import subprocess
import sys
from pathlib import Path

import pytest

from starsweeper.hdl import BOARD_TOPS, HDL_DIR, names
from starsweeper.stack.rtl import HARNESS as STACKER_HARNESS

SIM = Path(__file__).resolve().parents[1] / "sim"
WAIVERS = SIM / "verilator_lint.vlt"
#: Port-level stand-ins for the Xilinx primitives a board top instantiates (lint only).
PRIMITIVES = SIM / "xilinx_primitives.v"
#: Each board top's stand-ins.
BOARD_PRIMITIVES = {"nexys3_minesweeper": PRIMITIVES, "ulx3s_minesweeper": SIM / "ecp5_primitives.v"}


def lint(path, top=None, sources=(), flags=()):
    extra = [str(BOARD_PRIMITIVES[top]), "--top-module", top] if top in BOARD_PRIMITIVES else []
    if top and top not in BOARD_PRIMITIVES:
        extra = ["--top-module", top]
    result = subprocess.run(["verilator", "--lint-only", *flags, str(WAIVERS), *extra, str(path),
                             *map(str, sources)],
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


#: The hand-written benches and harnesses: (file, top module, the design files it needs, flags).
BENCHES = {
    "vga_capture": (SIM / "vga_capture.v", "vga_capture", [], []),
    "display_bench": (SIM / "display_bench.v", "display_bench",
                      [SIM / "vga_capture.v", HDL_DIR / "minesweeper_system.v"], []),
    "vga_bench": (SIM / "vga_bench.v", "vga_bench", [SIM / "vga_capture.v", HDL_DIR / "vga_test_pattern.v"], []),
    "ulx3s_bench": (SIM / "ulx3s_bench.v", "ulx3s_bench",
                    [SIM / "ecp5_primitives.v", HDL_DIR / "ulx3s_minesweeper.v"], ["--timing"]),
    "stacker_harness": (STACKER_HARNESS, "stacker_harness", [HDL_DIR / "star_trail_stacker_8.v"],
                        ["--timing", "-DDUT=star_trail_stacker_8"]),
    "calibrated_stacker_harness": (STACKER_HARNESS, "stacker_harness", [HDL_DIR / "calibrated_stacker_16.v"],
                                   ["--timing", "-DDUT=calibrated_stacker_16", "-GIN_WIDTH=174",
                                    "-GOUT_WIDTH=126", "-GATTEN_WIDTH=27"]),
}


@pytest.mark.parametrize("name", BENCHES)
def test_benches_and_harnesses_pass_lint(name):
    path, top, sources, flags = BENCHES[name]
    code, output = lint(path, top, sources, flags)
    assert code == 0 and "%Warning" not in output and "%Error" not in output, output[:2000]


@pytest.mark.parametrize("name", names())
def test_generated_verilog_passes_lint(name):
    code, output = lint(HDL_DIR / f"{name}.v", top=name if name in BOARD_TOPS else None)
    assert code == 0 and "%Warning" not in output and "%Error" not in output, output[:2000]


def test_lint_still_catches_a_real_problem(tmp_path):
    """The waivers do not silence everything: a signal driven twice is still an error."""
    bad = tmp_path / "bad.v"
    bad.write_text("module bad(input a, input b, output y);\n"
                   "  assign y = a;\n  assign y = b;\n"
                   "  wire unused_but_undeclared = c;\nendmodule\n")
    code, output = lint(bad)
    assert code != 0 and "%" in output


def test_the_width_waiver_is_for_the_generated_files_only(tmp_path):
    """A hand-written file assigning 8 bits to 4 is a WIDTH warning; the waiver covers hdl/."""
    bench = tmp_path / "bench.v"
    bench.write_text("module bench(input [7:0] a, output [3:0] y);\n  assign y = a;\nendmodule\n")
    code, output = lint(bench)
    assert code != 0 and "%Warning-WIDTH" in output


# -- Python ---------------------------------------------------------------------------------------

ROOT = SIM.parent


def ruff(*paths):
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
                             *map(str, paths)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_python_passes_ruff():
    """The project's Python, with the configuration in pyproject.toml."""
    code, output = ruff("py", "boards", "sim", "tests")
    assert code == 0, output[-3000:]


def test_ruff_catches_an_unused_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n")
    code, output = ruff(bad)
    assert code != 0 and "F401" in output
