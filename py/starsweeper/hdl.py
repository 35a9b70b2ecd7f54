"""Emit every core as Verilog into ``hdl/``, byte-reproducibly (``emit_src=False``).

``python -m starsweeper.hdl`` rewrites the files; ``--check`` exits non-zero, naming the stale
files, when what is committed differs from what the gateware emits now.
"""

import argparse
from pathlib import Path
import sys

__all__ = ["CORES", "BOARD_TOPS", "HDL_DIR", "names", "convert", "emit", "emit_all", "stale_files"]

def _verilog_dir():
    from . import verilog
    return Path(verilog.__file__).parent


#: Where the generated Verilog is: the package ``starsweeper.verilog``, which is the
#: repository's ``hdl/`` folder (pyproject.toml maps it) and a copy of it when installed.
HDL_DIR = _verilog_dir()


def _star_trail_stacker(channel_width):
    from .gateware.star_trail import StarTrailStacker
    return StarTrailStacker(channel_width)


def _dark_subtract(channel_width):
    from .gateware.dark_subtract import DarkSubtract
    return DarkSubtract(channel_width)


def _calibrated_stacker(channel_width):
    from .gateware.dark_subtract import CalibratedStacker
    return CalibratedStacker(channel_width)


def _minesweeper_game():
    from .gateware.minesweeper import MinesweeperGame
    return MinesweeperGame()


def _game_part(name):
    def make():
        from .gateware.board_store import BoardStore
        from .gateware.chord import Chord
        from .gateware.count_sweep import CountSweep
        from .gateware.flood import FloodEngine
        from .gateware.lcg import Lcg
        from .gateware.neighbour_counter import NeighbourCounter
        from .gateware.placement import Placement
        from .gateware.probe_bus import ProbeBus
        from .gateware.win_scan import WinScan
        return {"lcg": Lcg, "placement": Placement, "neighbour_counter": NeighbourCounter,
                "count_sweep": CountSweep, "flood": FloodEngine, "chord": Chord, "win_scan": WinScan,
                "probe_bus": lambda: ProbeBus(5), "board_store": BoardStore}[name]()
    return make


def _minesweeper_display():
    from .gateware.display import MinesweeperDisplay
    return MinesweeperDisplay()


def _minesweeper_system():
    from .gateware.minesweeper_system import MinesweeperSystem
    return MinesweeperSystem()


def _dvi_encoder():
    from .gateware.dvi import DviEncoder
    return DviEncoder()


def _tmds_encoder():
    from .gateware.tmds import TmdsEncoder
    return TmdsEncoder()


def _vga_test_pattern():
    from .gateware.vga_test_pattern import VgaTestPattern
    return VgaTestPattern()


#: Verilog module name -> constructor of the component it is made from (board parameters).
CORES = {
    "minesweeper_game": _minesweeper_game,
    # The game core's parts, each on its own (for the report's per-part table and lint).
    "minesweeper_lcg": _game_part("lcg"),
    "minesweeper_placement": _game_part("placement"),
    "minesweeper_neighbour_counter": _game_part("neighbour_counter"),
    "minesweeper_count_sweep": _game_part("count_sweep"),
    "minesweeper_flood": _game_part("flood"),
    "minesweeper_chord": _game_part("chord"),
    "minesweeper_win_scan": _game_part("win_scan"),
    "minesweeper_probe_bus": _game_part("probe_bus"),
    "minesweeper_board_store": _game_part("board_store"),
    "minesweeper_display": _minesweeper_display,
    "minesweeper_system": _minesweeper_system,
    "vga_test_pattern": _vga_test_pattern,
    "tmds_encoder": _tmds_encoder,
    "dvi_encoder": _dvi_encoder,
    "star_trail_stacker_8": lambda: _star_trail_stacker(8),
    "star_trail_stacker_16": lambda: _star_trail_stacker(16),
    "dark_subtract_8": lambda: _dark_subtract(8),
    "dark_subtract_16": lambda: _dark_subtract(16),
    "calibrated_stacker_8": lambda: _calibrated_stacker(8),
    "calibrated_stacker_16": lambda: _calibrated_stacker(16),
}


def _nexys3_minesweeper():
    """The board top's Verilog, as the Nexys 3 build tree has it (I/O buffers included)."""
    from .boards.build import prepare
    name = "nexys3_minesweeper"
    return prepare("nexys3", name).files[f"{name}.v"]


def _ulx3s_minesweeper():
    """The ULX3S board top's Verilog (the 85F's: the devices differ only in nextpnr's options),
    PLL, DDR registers and I/O buffers included."""
    from .boards.build import prepare
    name = "ulx3s_minesweeper"
    return prepare("ulx3s", name, debug_verilog=True).files[f"{name}.debug.v"]


#: Verilog module name -> function giving the Verilog of a board top level.
BOARD_TOPS = {
    "nexys3_minesweeper": _nexys3_minesweeper,
    "ulx3s_minesweeper": _ulx3s_minesweeper,
}


def convert(component, name):
    """Verilog of ``component`` as module ``name``, byte-reproducibly (no source locations)."""
    from amaranth.back import verilog
    return verilog.convert(component, name=name, emit_src=False)


def emit(name):
    """The Verilog text of the core or board top ``name``."""
    if name in BOARD_TOPS:
        return BOARD_TOPS[name]()
    return convert(CORES[name](), name)


def names():
    """Every file of ``hdl/``, without ``.v``: the cores, then the board tops."""
    return [*CORES, *BOARD_TOPS]


def emit_all(directory=HDL_DIR):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in names():
        path = directory / f"{name}.v"
        text = emit(name)
        tmp = path.with_suffix(".v.tmp")
        tmp.write_text(text)
        tmp.replace(path)


def stale_files(directory=HDL_DIR):
    """Names of the files in ``directory`` that differ from what the gateware emits now."""
    stale = []
    for name in names():
        path = Path(directory) / f"{name}.v"
        if not path.exists() or path.read_text() != emit(name):
            stale.append(path.name)
    return stale


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m starsweeper.hdl", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that hdl/ is up to date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        if stale:
            print(f"{parser.prog}: error: hdl/ is stale: {', '.join(stale)}; run: python -m starsweeper.hdl",
                  file=sys.stderr)
            return 1
        print(f"hdl/ is up to date ({len(names())} files)")
        return 0
    emit_all()
    print(f"wrote {len(names())} files to {HDL_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
