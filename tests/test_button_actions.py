# amaranth: UnusedElaboratable=no
# (test_bad_repeat_times makes a component whose constructor fails: it cannot be used)
"""The five buttons' front end (gateware/buttons.py ``ButtonActions``) against its model
(model/buttons.py), clock for clock in Amaranth's simulator: presses, auto-repeat and ``held``
on bouncing, overlapping presses drawn by hypothesis."""

from hypothesis import given, settings, strategies as st
import pytest

from starsweeper.gateware.buttons import ButtonActions
from starsweeper.model.buttons import BUTTON_BIT, BUTTONS, ButtonActions as ButtonActionsModel
from test_display_parts import run

TIMES = dict(debounce_cycles=3, repeat_delay=9, repeat_period=4)


def button_runs():
    """Runs of one input word over the five buttons, 1 to 30 clocks each."""
    return st.lists(st.tuples(st.integers(0, (1 << len(BUTTONS)) - 1), st.integers(1, 30)),
                    min_size=1, max_size=15).map(
        lambda runs: [word for word, n in runs for _ in range(n)])


def simulate(inputs, times=TIMES):
    dut = ButtonActions(**times)
    got = []

    async def bench(ctx):
        for word in inputs:
            got.append((ctx.get(dut.press), ctx.get(dut.held)))
            ctx.set(dut.buttons, word)
            await ctx.tick()

    run(dut, bench)
    return got


def model(inputs, times=TIMES):
    buttons = ButtonActionsModel(**times)
    expected = []
    for word in inputs:
        held = int(buttons.held)
        expected.append((buttons.step(word), held))
    return expected


@settings(max_examples=30, deadline=None)
@given(button_runs())
def test_the_buttons_act_as_their_model(inputs):
    assert simulate(inputs) == model(inputs)


def test_a_held_direction_repeats_at_the_repeat_times():
    up = 1 << BUTTON_BIT["up"]
    inputs = [up] * 60
    got = simulate(inputs)
    presses = [k for k, (press, _) in enumerate(got) if press]
    d, delay, period = TIMES["debounce_cycles"], TIMES["repeat_delay"], TIMES["repeat_period"]
    first = presses[0]
    assert presses == [first] + list(range(first + delay, len(inputs), period))
    assert first == d              # the level rises after d edges of high; the press with it
    assert got == model(inputs)


def test_the_centre_button_never_repeats():
    centre = 1 << BUTTON_BIT["centre"]
    got = simulate([centre] * 60)
    assert sum(1 for press, _ in got if press) == 1


@pytest.mark.parametrize("delay, period", [(4, 0), (4, 5), (3, -1)])
def test_bad_repeat_times(delay, period):
    with pytest.raises(ValueError, match=f"Need 0 < repeat_period <= repeat_delay, not {period!r} "
                                         f"and {delay!r}"):
        ButtonActions(3, delay, period)
