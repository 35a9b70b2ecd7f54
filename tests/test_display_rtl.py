"""The display's RTL against the reference renderer, frame by frame, under Icarus (see sim/)."""

import json

import pytest

from display_bench import display_bench_verilog
from display_scenarios import BUILDS
from runner import build_folder, run_cocotb
from starsweeper.screenshot import SIM_PARAMETERS


def run_display_tests(params, name, testcase, seed):
    """The system with ``params`` and the bench, in their own build folder, under ``testcase``."""
    from starsweeper.gateware.minesweeper_system import MinesweeperSystem
    from starsweeper.hdl import convert

    sources, build_name = build_folder(f"display_{name}", params, {
        "minesweeper_system.v": convert(MinesweeperSystem(**params), "minesweeper_system"),
        "display_bench.v": display_bench_verilog(clocks_per_pixel=params["pixel_divider"]),
    })
    run_cocotb("display_bench", "test_minesweeper_display", sources=sources, build_name=build_name,
               testcase=testcase, env={"SYSTEM_PARAMS": json.dumps(params), "STARSWEEPER_SEED": str(seed)})


@pytest.mark.slow
def test_intermediate_game_frames(seed):
    run_display_tests(BUILDS["intermediate_game"], "intermediate", "intermediate_game_frames", seed)


@pytest.mark.slow
def test_beginner_game_frames(seed):
    run_display_tests(BUILDS["beginner_game"], "beginner", "beginner_game_frames", seed)


@pytest.mark.slow
def test_timer_at_999(seed):
    run_display_tests(BUILDS["timer_at_999"], "timer", "timer_at_999", seed)


@pytest.mark.slow
def test_board_pixel_rate_frame(seed):
    """A pixel enable, one clock in two (the board's is one in four; the enables are the same,
    in half the clocks): the read port's and the ROM's enables keep the pipeline aligned
    (every other build runs a pixel a clock)."""
    run_display_tests(dict(SIM_PARAMETERS, pixel_divider=2), "board_rate", "board_pixel_rate_frame", seed)
