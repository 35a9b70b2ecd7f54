# amaranth: UnusedElaboratable=no
# (test_bad_digit_clocks makes a component whose constructor fails: it cannot be used)
"""The seven-segment display: its model, and the gateware against it (Amaranth's simulator)."""

from amaranth.sim import Simulator
from hypothesis import given, settings, strategies as st
import pytest

from starsweeper.gateware.seven_segment import SevenSegmentDisplay
from starsweeper.model.seven_segment import CHARACTERS, SEGMENTS, scan, text


@pytest.mark.parametrize("counter, timer, show_timer, shown", [
    (40, 0, False, "c040"), (-12, 5, False, "c-12"), (-250, 5, False, "c-99"),
    (40, 123, True, "t123"), (0, 1500, True, "t999"),
])
def test_text(counter, timer, show_timer, shown):
    assert text(counter, timer, show_timer) == shown


def test_segments_of_the_digits_look_like_digits():
    # a b c d e f: the ring; 8 lights all seven, 0 all but the middle bar g, 1 only b and c.
    assert SEGMENTS["8"] == 0x7F and SEGMENTS["0"] == 0x3F and SEGMENTS["1"] == 0b110
    assert len({SEGMENTS[c] for c in CHARACTERS}) == len(CHARACTERS)


@settings(max_examples=15, deadline=None)
@given(st.text(alphabet=CHARACTERS, min_size=4, max_size=4), st.integers(1, 4))
def test_gateware_scans_as_the_model(characters, digit_clocks):
    dut = SevenSegmentDisplay(digit_clocks)
    clocks = 4 * digit_clocks * 2 + 3
    got = []

    async def bench(ctx):
        for k, ch in enumerate(characters):
            ctx.set(dut.characters[k], CHARACTERS.index(ch))
        for _ in range(clocks):
            await ctx.tick()
            got.append((ctx.get(dut.digits), ctx.get(dut.segments)))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    assert got == scan(characters, clocks, digit_clocks)


def test_bad_digit_clocks():
    with pytest.raises(ValueError, match="Digit clocks must be a positive integer, not 0"):
        SevenSegmentDisplay(0)
