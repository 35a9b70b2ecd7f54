"""Move scripts (py/starsweeper/moves.py): parsing, errors, and play on the model."""

from hypothesis import given, strategies as st
import pytest

from starsweeper.model.minesweeper import Difficulty, Status
from starsweeper.moves import MoveError, Press, parse, play


def test_counts_and_words():
    assert parse("3r C f") == [("r", None)] * 3 + [("c", None), ("f", None)]
    assert parse("  ") == []


@pytest.mark.parametrize("text, message", [
    ("x", "unknown move 'x'"),
    ("0r", "the count must be 1 to 1000"),
    ("1001d", "the count must be 1 to 1000"),
    ("h c", "must be the last"),
    ("@1", "unknown move '@1'"),
])
def test_bad_moves_are_named(text, message):
    with pytest.raises(MoveError, match=message):
        parse(text)


def test_goto_off_the_field():
    with pytest.raises(MoveError, match="off the 9x9 field"):
        play("@9,0", switches=1 << 7)


@given(st.integers(0, 15), st.integers(0, 15), st.integers(0, 15), st.integers(0, 15))
def test_goto_takes_the_short_way(r0, c0, r1, c1):
    presses, game, _ = play(f"@{r0},{c0} @{r1},{c1}")
    assert game.cursor == (r1, c1)
    first, _, _ = play(f"@{r0},{c0}")
    steps = len(presses) - len(first)
    dr, dc = abs(r1 - r0), abs(c1 - c0)
    assert steps == min(dr, 16 - dr) + min(dc, 16 - dc)


def test_flag_reveal_and_hold_presses():
    presses, game, held = play("@8,8 c @0,0 f h", seed=56)
    assert presses[-2] == Press("centre", flag_mode=True)
    assert presses[-1] == Press("centre", hold=True)
    assert held and game.status == Status.PLAYING and game.flagged[0][0]


def test_switches_pick_beginner_and_flag_mode():
    presses, game, _ = play("c", switches=(1 << 7) | (1 << 1))
    assert game.difficulty == Difficulty.BEGINNER
    assert presses == [Press("centre", flag_mode=True)] and game.flagged[0][0]
