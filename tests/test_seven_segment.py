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


def test_sw6_through_the_system_on_the_verilator_model():
    """The seven-segment path of the whole system (status digits, SW6's choice, the scan),
    sampled at the end of each frame of the Verilator model: SW6 down shows ``c`` and the mine
    counter, up ``t`` and the timer, each digit as the model's text lights it; a flag placed
    changes the counter shown. Frames of 420,000 clocks against 100,000-clock digits move the
    sample's digit along, so every digit is seen."""
    from starsweeper.model.buttons import BUTTON_BIT
    from starsweeper.model.minesweeper import SWITCH_FLAG, SWITCH_TIMER
    from starsweeper.moves import hold_clocks
    from starsweeper.screenshot import SIM_PARAMETERS
    from starsweeper.verilator.build import system_model
    from starsweeper.verilator.protocol import Tap, VerilatedSystem

    def shown(system, switches, counter_expected, frames=16, taps=()):
        digits_seen = set()
        for n in range(frames):
            status, _ = system.frame(0, switches, taps if n == 0 else ())
            assert status.counter == counter_expected
            characters = text(status.counter, status.timer, bool(switches >> SWITCH_TIMER & 1))
            k = status.anodes.bit_length() - 1
            assert status.anodes == 1 << k, f"anodes {status.anodes:04b} are not one digit"
            assert status.segments == SEGMENTS[characters[3 - k]], (characters, k)
            digits_seen.add(k)
        assert digits_seen == {0, 1, 2, 3}

    executable = system_model(SIM_PARAMETERS)
    with VerilatedSystem(executable, seed=7, hold_clocks=hold_clocks(SIM_PARAMETERS)) as system:
        mines = system.frame()[0].counter
        assert mines == 40
        shown(system, 0, mines)                                        # "c040"
        shown(system, 1 << SWITCH_TIMER, mines)                        # "t000"
        flag = Tap(1 << BUTTON_BIT["centre"], 1 << SWITCH_FLAG, False)
        shown(system, 0, mines - 1, taps=[flag])                       # "c039"
