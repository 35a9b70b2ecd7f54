"""The display's RTL against the reference renderer, frame by frame, under Icarus (see sim/).

Two of sim/display_scenarios.py's scenarios run here, the whole system in four-state
simulation: the beginner field (the normal and the sunglasses faces, a negative counter) and
the timer at 999 with a lost game (the dead face, the exploded mine, the mines shown). Every
scenario, these two included, also runs on the Verilator model (tests/test_verilator_frames.py),
frame by frame against the same renderer, the intermediate game's seven frames among them.
"""

import json

import pytest

from display_scenarios import BUILDS
from runner import build_folder, run_cocotb
from starsweeper.model.vga import VGA_640X480
from vga_capture import SOURCES, monitor_parameters


def run_display_tests(params, name, testcase, seed):
    """The system with ``params`` and the bench, in their own build folder, under ``testcase``."""
    from starsweeper.gateware.minesweeper_system import MinesweeperSystem
    from starsweeper.hdl import convert

    sources, build_name = build_folder(f"display_{name}", params, {
        "minesweeper_system.v": convert(MinesweeperSystem(**params), "minesweeper_system"),
    })
    run_cocotb("display_bench", "test_minesweeper_display", build_name=build_name,
               sources=[*sources, SOURCES["vga_capture"], SOURCES["display_bench"]],
               parameters=monitor_parameters(VGA_640X480, params["pixel_divider"]),
               testcase=testcase, env={"SYSTEM_PARAMS": json.dumps(params), "STARSWEEPER_SEED": str(seed)})


@pytest.mark.slow
def test_beginner_game_frames(seed):
    run_display_tests(BUILDS["beginner_game"], "beginner", "beginner_game_frames", seed)


@pytest.mark.slow
def test_timer_at_999(seed):
    run_display_tests(BUILDS["timer_at_999"], "timer", "timer_at_999", seed)
