"""Every file in hdl/ passes `verilator --lint-only` (waivers explained in sim/verilator_lint.vlt)."""

import subprocess
from pathlib import Path

import pytest

from starsweeper.hdl import BOARD_TOPS, HDL_DIR, names

SIM = Path(__file__).resolve().parents[1] / "sim"
WAIVERS = SIM / "verilator_lint.vlt"
#: Port-level stand-ins for the Xilinx primitives a board top instantiates (lint only).
PRIMITIVES = SIM / "xilinx_primitives.v"
#: Each board top's stand-ins.
BOARD_PRIMITIVES = {"nexys3_minesweeper": PRIMITIVES, "ulx3s_minesweeper": SIM / "ecp5_primitives.v"}


def lint(path, top=None):
    extra = [str(BOARD_PRIMITIVES[top]), "--top-module", top] if top else []
    result = subprocess.run(["verilator", "--lint-only", str(WAIVERS), *extra, str(path)],
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


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
