# amaranth: UnusedElaboratable=no
# (test_bad_cycles makes a component whose constructor fails: it cannot be used)
"""The debouncer (gateware/debouncer.py) against its model (model/buttons.py ``Debouncer``),
clock for clock in Amaranth's simulator, on bouncing inputs drawn by hypothesis."""

from hypothesis import given, settings, strategies as st
import pytest

from starsweeper.gateware.debouncer import Debouncer
from starsweeper.model.buttons import Debouncer as DebouncerModel
from test_display_parts import run


def bouncing(max_run=12):
    """Runs of one level, each 1 to ``max_run`` clocks: bounces and holds."""
    return st.lists(st.tuples(st.integers(0, 1), st.integers(1, max_run)), min_size=1,
                    max_size=25).map(lambda runs: [level for level, n in runs for _ in range(n)])


def simulate(dut, inputs):
    outputs = []

    async def bench(ctx):
        for level in inputs:
            outputs.append(ctx.get(dut.o))     # the register, before this clock's edge
            ctx.set(dut.i, level)
            await ctx.tick()

    run(dut, bench)
    return outputs


def model_outputs(cycles, inputs):
    model = DebouncerModel(cycles)
    outputs = []
    for level in inputs:
        outputs.append(model.level)
        model.step(level)
    return outputs


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), bouncing())
def test_the_debouncer_follows_its_model(cycles, inputs):
    assert simulate(Debouncer(cycles), inputs) == model_outputs(cycles, inputs)


def test_a_bounce_one_clock_short_is_ignored_and_a_hold_is_not():
    cycles = 4
    short = [1] * (cycles - 1) + [0] * 10
    held = [1] * cycles + [0] * 10
    assert max(simulate(Debouncer(cycles), short)) == 0
    assert simulate(Debouncer(cycles), held)[cycles] == 1
    assert simulate(Debouncer(cycles), held) == model_outputs(cycles, held)


@pytest.mark.parametrize("cycles", [0, -3, 2.5, "10"])
def test_bad_cycles(cycles):
    with pytest.raises(ValueError, match=f"Debounce cycles must be a positive integer, not {cycles!r}"):
        Debouncer(cycles)
