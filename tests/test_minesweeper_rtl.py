"""RTL of the Minesweeper game core against its model, under Icarus (see sim/)."""

import json
import os

import pytest

from runner import build_folder, run_cocotb

#: Simulation parameters: the board's swaps, fast buttons and a short second.
GAME_PARAMS = dict(swaps=1000, clocks_per_second=40_000, debounce_cycles=4,
                   repeat_delay=40, repeat_period=10)
#: The timer's test: a second of three clocks, so that it counts to 999 in a few seconds.
TIMER_PARAMS = dict(GAME_PARAMS, clocks_per_second=3)


def run_game_tests(params, testcase, seed, instance=None, **env):
    """The core with ``params``, in its own build folder, under the testbench's ``testcase``."""
    from starsweeper.gateware.minesweeper import MinesweeperGame
    from starsweeper.hdl import convert

    sources, build_name = build_folder(
        "minesweeper_game", params,
        {"minesweeper_game.v": convert(MinesweeperGame(**params), "minesweeper_game")}, instance)
    run_cocotb("minesweeper_game", "test_minesweeper_game", sources=sources, build_name=build_name,
               testcase=testcase,
               env={"GAME_PARAMS": json.dumps(params), "STARSWEEPER_SEED": str(seed),
                    **{k: str(v) for k, v in env.items()}})


#: 36 random games per run (each run a fresh seed, printed), in three parts that pytest-xdist
#: spreads over the cores (100, then 45, before the suite neared its ten minutes).
GAME_PARTS = 3
GAMES_PER_PART = int(os.environ.get("GAMES_PER_PART", 12))


@pytest.mark.slow
@pytest.mark.parametrize("part", range(GAME_PARTS))
def test_random_games(part, seed):
    """Random games (each part with its own seed), every action checked against the model."""
    run_game_tests(GAME_PARAMS, "random_games_match_the_model", seed + part, instance=f"part{part}",
                   GAMES=GAMES_PER_PART)


@pytest.mark.slow
def test_bouncing_buttons_and_auto_repeat(seed):
    params = dict(GAME_PARAMS, debounce_cycles=8, repeat_delay=200, repeat_period=50)
    run_game_tests(params, ["bouncing_buttons_act_once_per_press", "held_direction_repeats"], seed)


@pytest.mark.slow
def test_held_direction_repeats_in_the_games_build(seed):
    """The auto-repeat in the build the random games (and the mutation campaign) use."""
    run_game_tests(GAME_PARAMS, "held_direction_repeats", seed, instance="repeats")


@pytest.mark.slow
def test_timer_holds_at_999_and_freezes(seed):
    run_game_tests(TIMER_PARAMS, "timer_stops_at_999_and_when_the_game_ends", seed)


@pytest.mark.slow
def test_flood_of_an_empty_board(seed):
    run_game_tests(dict(GAME_PARAMS, mine_counts={"0": 0, "1": 10}), "flood_of_an_empty_board", seed)


@pytest.mark.slow
def test_flags_on_every_cell(seed):
    run_game_tests(GAME_PARAMS, "flags_on_every_cell", seed, instance="flags")


@pytest.mark.slow
def test_big_floods_open_layer_by_layer(seed):
    run_game_tests(GAME_PARAMS, "big_floods_open_layer_by_layer", seed, instance="big_floods")


@pytest.mark.slow
def test_first_reveal_on_a_mine_moves_it(seed):
    run_game_tests(GAME_PARAMS, "first_reveal_on_a_mine_moves_it", seed, instance="first_reveal")


@pytest.mark.slow
def test_chords_on_the_field_edges(seed):
    run_game_tests(GAME_PARAMS, ["chords_on_the_edges_of_the_large_field",
                                 "chords_on_the_edges_of_the_beginner_field"], seed, instance="chords")


@pytest.mark.slow
def test_counts_of_crowded_boards(seed):
    run_game_tests(dict(GAME_PARAMS, mine_counts={"0": 99, "1": 30}), "counts_of_crowded_boards", seed)
