"""``starsweeper build``: the Nexys 3 ISE build tree of the Minesweeper top level, and its run.

Amaranth's ``XilinxPlatform`` writes the tree: the top level's Verilog, the UCF (every pin, its
I/O standard and the 100 MHz clock's period), the XST project and script, and
``build_<name>.sh``, which runs xst, ngdbuild, map, par and bitgen. It runs when ISE's tools are
on PATH or ``AMARANTH_ENV_ISE`` names ISE's settings script; otherwise the tree stays ready for
a machine that has ISE.
"""

import os
from pathlib import Path
import shutil
import subprocess

__all__ = ["BOARDS", "BuildError", "prepare", "write_tree", "ise_available", "run_tree", "build"]

#: Board name -> (platform class, top-level class), imported when used.
BOARDS = {"nexys3": ("starsweeper.boards.nexys3:Nexys3Platform",
                     "starsweeper.boards.minesweeper_top:MinesweeperTop")}
NAME = "top"


class BuildError(RuntimeError):
    """The build failed; the message says where and names the log."""


def _load(spec):
    import importlib
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


def _platform(board):
    if board not in BOARDS:
        raise BuildError(f"unknown board {board!r}; the boards are {', '.join(BOARDS)}")
    platform_class, top_class = (_load(spec) for spec in BOARDS[board])
    return platform_class(), top_class


def prepare(board="nexys3", name=NAME):
    """Amaranth's build plan of ``board``'s top level, named ``name`` (no source locations, so
    its Verilog is byte-reproducible)."""
    platform, top_class = _platform(board)
    return platform.prepare(top_class(), name=name, emit_src=False)


def write_tree(folder, board="nexys3"):
    """Write the build tree into ``folder``."""
    plan = prepare(board)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # A bit file from an earlier run no longer matches the tree: never leave it to be
    # programmed by mistake.
    (folder / f"{NAME}.bit").unlink(missing_ok=True)
    plan.extract(folder)


def ise_available(board="nexys3"):
    """ISE can run here: AMARANTH_ENV_ISE names a settings script, or every tool is on PATH.
    An empty AMARANTH_ENV_ISE names nothing (Amaranth alone would count it as set); one that
    names a missing file is an error."""
    platform, _ = _platform(board)
    script = os.environ.get("AMARANTH_ENV_ISE")
    if script is not None and not script.strip():
        return all(shutil.which(tool) for tool in platform.required_tools)
    if script is not None and not Path(script).is_file():
        raise BuildError(f"AMARANTH_ENV_ISE names {script!r}, which is not a file "
                         "(ISE's settings script, for example /opt/Xilinx/14.7/ISE_DS/settings64.sh)")
    return platform.has_required_tools()


def run_tree(folder):
    """Run the build script in ``folder``; its output goes to ``build.log`` there."""
    folder = Path(folder)
    log = folder / "build.log"
    with open(log, "w") as out:
        result = subprocess.run(["bash", f"build_{NAME}.sh"], cwd=folder, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)
    if result.returncode:
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
        last = lines[-1].strip() if lines else "no output"
        raise BuildError(f"the ISE build failed (exit {result.returncode}): {last}; see {log}")
    bitfile = folder / f"{NAME}.bit"
    if not bitfile.exists():
        raise BuildError(f"the ISE build ended without {bitfile.name}; see {log}")
    return bitfile


def build(folder, board="nexys3", run=None):
    """Write the tree; run it if ``run`` (default: when ISE is available). Returns the bit
    file, or None when ISE did not run."""
    write_tree(folder, board)
    run = ise_available(board) if run is None else run
    return run_tree(folder) if run else None
