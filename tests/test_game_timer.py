# amaranth: UnusedElaboratable=no
# (test_bad_clocks_per_second makes a component whose constructor fails: it cannot be used)
"""The game's timer (gateware/game_timer.py) against its model (model/game_timer.py), clock for
clock in Amaranth's simulator: runs, pauses and clears drawn by hypothesis, and the hold at 999."""

from hypothesis import given, settings, strategies as st
import pytest

from starsweeper.gateware.game_timer import GameTimer
from starsweeper.model.game_timer import GameTimer as GameTimerModel
from starsweeper.model.minesweeper import TIMER_MAX
from test_display_parts import run


def simulate(clocks_per_second, inputs):
    """The seconds after each clock of ``inputs``, (run, clear) a clock."""
    dut = GameTimer(clocks_per_second)
    seconds = []

    async def bench(ctx):
        for run_, clear in inputs:
            ctx.set(dut.run, run_)
            ctx.set(dut.clear, clear)
            await ctx.tick()
            seconds.append(ctx.get(dut.seconds))

    run(dut, bench)
    return seconds


def model_seconds(clocks_per_second, inputs):
    model = GameTimerModel(clocks_per_second)
    return [model.clock(run_, clear) for run_, clear in inputs]


def runs_of(max_run=15):
    """Runs of one (run, clear) pair, clears short: play, pauses, new games."""
    step = st.sampled_from([(1, 0), (1, 0), (0, 0), (1, 1), (0, 1)])
    return st.lists(st.tuples(step, st.integers(1, max_run)), min_size=1, max_size=30).map(
        lambda runs: [s for s, n in runs for _ in range(n if not s[1] else 1)])


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), runs_of())
def test_the_timer_follows_its_model(clocks_per_second, inputs):
    assert simulate(clocks_per_second, inputs) == model_seconds(clocks_per_second, inputs)


def test_the_model_counts_whole_seconds_of_play_and_holds_at_999():
    model = GameTimerModel(3)
    assert [model.clock(1, 0) for _ in range(7)] == [0, 0, 1, 1, 1, 2, 2]
    assert [model.clock(0, 0) for _ in range(5)] == [2] * 5          # a pause keeps the second under way
    assert [model.clock(1, 0), model.clock(1, 0)] == [2, 3]
    assert model.clock(1, 1) == 0 and model.fraction == 0
    for _ in range(3 * (TIMER_MAX + 10)):
        model.clock(1, 0)
    assert model.seconds == TIMER_MAX


def test_the_rtl_holds_at_999_and_a_clear_restarts_it():
    inputs = [(1, 0)] * (2 * TIMER_MAX + 6) + [(1, 1)] + [(1, 0)] * 5
    seconds = simulate(2, inputs)
    assert seconds == model_seconds(2, inputs)
    assert seconds[2 * TIMER_MAX - 1] == TIMER_MAX and seconds[2 * TIMER_MAX + 5] == TIMER_MAX
    assert seconds[-6:] == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize("cls", [GameTimer, GameTimerModel])
@pytest.mark.parametrize("bad", [1, 0, 2.5, "3"])
def test_bad_clocks_per_second(cls, bad):
    with pytest.raises(ValueError, match=f"Clocks per second must be an integer of at least 2, not {bad!r}"):
        cls(bad)
