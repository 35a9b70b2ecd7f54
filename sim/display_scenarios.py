"""The display's game states, as scenarios any simulator can drive.

A scenario is a generator: given a random generator, the system's parameters and a ``player``
(whose ``model`` attribute is the game model, created at :class:`Start` and changed by each
:class:`Play`), it yields actions; the driver carries each out on its simulator and on the
model before the scenario goes on, so the scenario picks its next cells from the model's board.
:class:`Check` asks for the next whole frame and its comparison with the reference renderer.

Drivers: the cocotb testbench under Icarus (sim/test_minesweeper_display.py) and the Verilator
model (tests/test_verilator_frames.py): the same scripts on both, each frame against the same
renderer.
"""

from dataclasses import dataclass

import numpy as np

from starsweeper.model.minesweeper import (
    DIFFICULTIES, SWITCH_BEGINNER, SWITCH_DEBUG, TIMER_MAX, Difficulty, MinesweeperGame, Status,
    difficulty_of, neighbour_counts, place_mines_batch,
)
from starsweeper.screenshot import SIM_PARAMETERS

__all__ = ["Start", "Play", "SetSwitch", "Release", "Wait", "Check", "SCENARIOS", "BUILDS",
           "CROWDED", "board_with_every_digit", "compare_frames", "new_model"]

#: Every digit 1 to 8 on one board needs more mines than 40: of 300,000 40-mine boards, 11 had
#: an 8 and none both a 7 and an 8; with 99 mines, about one board in thirty has every digit.
CROWDED = dict(SIM_PARAMETERS, mine_counts={"0": 99, "1": 10})


@dataclass(frozen=True)
class Start:
    """Reset the system with ``switches`` set; every first reveal is seeded with ``game_seed``."""
    switches: int
    game_seed: int


@dataclass(frozen=True)
class Play:
    """A move script (:mod:`starsweeper.moves`), on the buttons and on the model."""
    moves: str


@dataclass(frozen=True)
class SetSwitch:
    bit: int
    on: bool


@dataclass(frozen=True)
class Release:
    """Let go of a button held by a move script's ``h``."""


@dataclass(frozen=True)
class Wait:
    """Let at least ``clocks`` clocks pass."""
    clocks: int


@dataclass(frozen=True)
class Check:
    """The next whole frame must equal the renderer's frame of the model (``what`` says which)."""
    what: str


def new_model(params, switches):
    """The game model of a system with ``params`` just reset with ``switches`` set."""
    return MinesweeperGame(swaps=params["swaps"], difficulty=difficulty_of(switches),
                           mine_counts=params.get("mine_counts"))


def compare_frames(got, expected, what, name, folder="."):
    """Raise naming where ``got`` differs from ``expected`` (480 x 640 RGB332), leaving
    ``{name}_got.png``, ``_expected.png`` and ``_diff.png`` in ``folder`` when it does."""
    wrong = got != expected
    if not wrong.any():
        return
    from PIL import Image
    from starsweeper.model.display import to_rgb888
    Image.fromarray(to_rgb888(got)).save(f"{folder}/{name}_got.png")
    Image.fromarray(to_rgb888(expected)).save(f"{folder}/{name}_expected.png")
    Image.fromarray((wrong * 255).astype(np.uint8)).save(f"{folder}/{name}_diff.png")
    ys, xs = np.nonzero(wrong)
    raise AssertionError(
        f"{what}: {int(wrong.sum())} pixels differ, in x {xs.min()}..{xs.max()}, "
        f"y {ys.min()}..{ys.max()}; first at ({xs[0]}, {ys[0]}): RTL {got[ys[0], xs[0]]:#04x}, "
        f"model {expected[ys[0], xs[0]]:#04x} (images: {folder}/{name}_*.png)")


def board_with_every_digit(rng, rows, cols, mines, swaps, batch=2_000):
    """A placement seed whose board has every count 1 to 8 on a safe cell, and an empty cell
    to start from (searched in batches from a random start, on the model). An 8 is rare with
    40 mines on 256 cells (of 300,000 boards, 11 had an 8 and none both a 7 and an 8), so the test
    that needs one builds the core with more mines (tests/test_display_rtl.py)."""
    while True:
        base = rng.randrange((1 << 32) - batch)
        boards = place_mines_batch(np.arange(base, base + batch), rows, cols, mines, swaps)
        mine = boards.reshape(-1, rows, cols)
        padded = np.pad(mine, ((0, 0), (1, 1), (1, 1))).astype(np.int8)
        counts = sum(padded[:, 1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]
                     for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0))
        every = np.ones(len(mine), dtype=bool)
        for d in range(0, 9):
            every &= ((counts == d) & ~mine).any(axis=(1, 2))
        if every.any():
            return base + int(np.argmax(every))


def cells(model, predicate):
    return [(r, c) for r, c in model.cells() if predicate(r, c, model)]


def pick(rng, model, predicate):
    found = cells(model, predicate)
    assert found, "no cell of the kind the test needs"
    return rng.choice(found)


def covered(r, c, m):
    return not m.revealed[r][c] and not m.flagged[r][c]


def _mines(params, difficulty):
    return int(params.get("mine_counts", {}).get(str(int(difficulty)), DIFFICULTIES[difficulty][2]))


def intermediate_game(rng, params, player):
    """New game; every digit 1 to 8 with flags; debug; "o" face; lost with wrong flags; the
    cursor on a covered cell, a flag, a covered mine, an empty cell, a digit, the exploded mine."""
    rows, cols, _ = DIFFICULTIES[Difficulty.INTERMEDIATE]
    mines = _mines(params, Difficulty.INTERMEDIATE)
    game_seed = board_with_every_digit(rng, rows, cols, mines, params["swaps"])
    yield Start(0, game_seed)
    yield Check("new game, cursor on a covered cell")

    raw = place_mines_batch([game_seed], rows, cols, mines, params["swaps"])[0].reshape(rows, cols)
    counts = neighbour_counts(raw.tolist(), rows, cols)
    r, c = rng.choice([(r, c) for r in range(rows) for c in range(cols) if not raw[r, c] and counts[r][c] == 0])
    yield Play(f"@{r},{c} c")
    m = player.model
    assert m.status == Status.PLAYING and m.mine == raw.tolist(), "the first reveal kept the board"
    for d in range(1, 9):
        if not any(m.revealed[r][c] and m.counts[r][c] == d for r, c in m.cells()):
            r, c = pick(rng, m, lambda r, c, m: covered(r, c, m) and not m.mine[r][c] and m.counts[r][c] == d)
            yield Play(f"@{r},{c} c")
    for _ in range(3):
        r, c = pick(rng, m, lambda r, c, m: covered(r, c, m) and m.mine[r][c])
        yield Play(f"@{r},{c} f")
    assert {m.counts[r][c] for r, c in m.cells() if m.revealed[r][c]} >= set(range(1, 9))
    assert m.status == Status.PLAYING
    yield Check("every digit, three flags, cursor on a flag")

    r, c = pick(rng, m, lambda r, c, m: covered(r, c, m) and m.mine[r][c])
    yield SetSwitch(SWITCH_DEBUG, True)
    yield Play(f"@{r},{c}")
    yield Check("debug switch, cursor on a covered mine")
    yield SetSwitch(SWITCH_DEBUG, False)

    r, c = pick(rng, m, lambda r, c, m: m.revealed[r][c] and m.counts[r][c] == 0)
    yield Play(f"@{r},{c} h")
    yield Check("centre held on an empty cell (the 'o' face)")
    yield Release()

    r, c = pick(rng, m, lambda r, c, m: m.revealed[r][c] and m.counts[r][c] > 0)
    yield Play(f"@{r},{c}")
    yield Check("cursor on a digit")

    for _ in range(2):
        r, c = pick(rng, m, lambda r, c, m: covered(r, c, m) and not m.mine[r][c])
        yield Play(f"@{r},{c} f")
    r, c = pick(rng, m, lambda r, c, m: covered(r, c, m) and m.mine[r][c])
    yield Play(f"@{r},{c} c")
    assert m.status == Status.LOST and m.exploded == (r, c)
    yield Check("lost: exploded mine, wrong flags crossed, cursor on the explosion")


def beginner_game(rng, params, player):
    """The beginner field: a negative counter (12 flags on 10 mines), then won (sunglasses)."""
    game_seed = rng.randrange(1 << 32)
    yield Start(1 << SWITCH_BEGINNER, game_seed)
    rows, cols, mines = DIFFICULTIES[Difficulty.BEGINNER]
    raw = place_mines_batch([game_seed], rows, cols, mines, params["swaps"])[0].reshape(rows, cols)
    counts = neighbour_counts(raw.tolist(), rows, cols)
    r, c = rng.choice([(r, c) for r in range(rows) for c in range(cols) if not raw[r, c] and counts[r][c]])
    yield Play(f"@{r},{c} c")                # opens one cell: 80 stay covered
    m = player.model
    assert m.difficulty == Difficulty.BEGINNER and m.status == Status.PLAYING
    for _ in range(12):
        r, c = pick(rng, m, lambda r, c, m: covered(r, c, m))
        yield Play(f"@{r},{c} f")
    assert m.counter == -2
    digit = cells(m, lambda r, c, m: m.revealed[r][c] and m.counts[r][c] > 0)
    if digit:
        r, c = rng.choice(digit)
        yield Play(f"@{r},{c}")
    yield Check("beginner, counter -2")

    for r, c in cells(m, lambda r, c, m: m.flagged[r][c] and not m.mine[r][c]):
        yield Play(f"@{r},{c} f")
    while m.status == Status.PLAYING:
        r, c = cells(m, lambda r, c, m: covered(r, c, m) and not m.mine[r][c])[0]
        yield Play(f"@{r},{c} c")
    assert m.status == Status.WON
    yield Check("beginner won")


def timer_at_999(rng, params, player):
    """The timer stops at 999 (the build's second is a few clocks), and stays there when the
    game is lost: the dead face, the exploded mine, the other mines shown."""
    yield Start(0, rng.randrange(1 << 32))
    yield Play(f"@{rng.randrange(16)},{rng.randrange(16)} c")
    m = player.model
    assert m.status == Status.PLAYING
    yield Wait((TIMER_MAX + 1) * params["clocks_per_second"])
    m.timer = TIMER_MAX
    r, c = pick(rng, m, lambda r, c, m: covered(r, c, m) and m.mine[r][c])
    yield Play(f"@{r},{c} c")
    assert m.status == Status.LOST and m.timer == TIMER_MAX
    yield Check("timer at 999, then lost")


def mid_game(rng, params, player):
    """One mid-game frame: a reveal, three flags, the cursor on a revealed cell."""
    yield Start(0, rng.randrange(1 << 32))
    yield Play(f"@{rng.randrange(16)},{rng.randrange(16)} c")
    m = player.model
    for _ in range(3):
        r, c = pick(rng, m, lambda r, c, m: covered(r, c, m))
        yield Play(f"@{r},{c} f")
    r, c = pick(rng, m, lambda r, c, m: m.revealed[r][c])
    yield Play(f"@{r},{c}")
    yield Check("mid-game")


#: Scenario name -> generator function.
SCENARIOS = {
    "intermediate_game": intermediate_game,
    "beginner_game": beginner_game,
    "timer_at_999": timer_at_999,
    "mid_game": mid_game,
}

#: Scenario name -> the system's parameters it is played on (a pixel a clock; a pixel enable of
#: one clock in two, as the board's is one in four, is a build of its own in tests/test_display_rtl.py).
BUILDS = {
    "intermediate_game": CROWDED,
    "beginner_game": SIM_PARAMETERS,
    "timer_at_999": dict(SIM_PARAMETERS, clocks_per_second=3),
    "mid_game": SIM_PARAMETERS,
}
