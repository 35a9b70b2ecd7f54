"""Property tests of the Minesweeper reference model (py/starsweeper/model/minesweeper.py)."""

from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from starsweeper.model.buttons import BUTTON_BIT, ButtonActions, Debouncer
from starsweeper.model.minesweeper import (
    DIFFICULTIES, GRID, STATUS_MOVES, TIMER_MAX, Difficulty, Direction, MinesweeperGame, Status,
    lcg_next, place_mines,
)

difficulties = st.sampled_from(list(Difficulty))
seeds = st.integers(0, 2**32 - 1)
SMALL_SWAPS = 200   # placement is exercised at full size in the RTL games and the report


def game_with_first_click(difficulty, seed, row, col, flags=()):
    g = MinesweeperGame(swaps=SMALL_SWAPS, difficulty=difficulty)
    row, col = row % g.rows, col % g.cols
    for r, c in flags:
        g.cursor = (r % g.rows, c % g.cols)
        g.centre(flag_mode=True)
    g.cursor = (row, col)
    g.centre(seed=seed)
    return g


def independent_counts(mine, rows, cols):
    """Neighbour counts by a 3x3 box sum over a zero-padded array."""
    a = np.zeros((rows + 2, cols + 2), dtype=int)
    a[1:-1, 1:-1] = np.array(mine)[:rows, :cols]
    box = sum(a[1 + dr:rows + 1 + dr, 1 + dc:cols + 1 + dc] for dr in (-1, 0, 1) for dc in (-1, 0, 1))
    return box - a[1:-1, 1:-1]


@given(difficulties, seeds, st.integers(0, 15), st.integers(0, 15))
def test_exactly_n_mines_inside_the_field_and_not_under_the_click(difficulty, seed, r, c):
    rows, cols, mines = DIFFICULTIES[difficulty]
    r, c = r % rows, c % cols
    mine, draws = place_mines(seed, rows, cols, mines, SMALL_SWAPS, safe=(r, c))
    grid = np.array(mine)
    assert grid.sum() == mines
    assert not grid[rows:, :].any() and not grid[:, cols:].any()
    assert not mine[r][c]
    assert draws >= SMALL_SWAPS


@given(difficulties, seeds, st.integers(0, 15), st.integers(0, 15))
def test_counts_equal_an_independent_count(difficulty, seed, r, c):
    g = game_with_first_click(difficulty, seed, r, c)
    expected = independent_counts(g.mine, g.rows, g.cols)
    assert np.array_equal(np.array(g.counts)[:g.rows, :g.cols], expected)
    assert max(map(max, g.counts)) <= 8


def test_a_count_of_eight_is_eight():
    g = MinesweeperGame(swaps=SMALL_SWAPS, difficulty=Difficulty.BEGINNER)
    g.mine = [[(r, c) != (1, 1) and r < 3 and c < 3 for c in range(GRID)] for r in range(GRID)]
    from starsweeper.model.minesweeper import neighbour_counts
    assert neighbour_counts(g.mine, 9, 9)[1][1] == 8


def bfs_closure(g, start):
    """The classic reveal: open the cell; from every opened zero cell, open its unflagged
    neighbours; flags are never opened."""
    opened, queue = {start}, deque([start])
    while queue:
        r, c = queue.popleft()
        if g.counts[r][c]:
            continue
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                n = (r + dr, c + dc)
                if (0 <= n[0] < g.rows and 0 <= n[1] < g.cols and n not in opened
                        and not g.flagged[n[0]][n[1]] and not g.mine[n[0]][n[1]]):
                    opened.add(n)
                    queue.append(n)
    return opened


flag_sets = st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=12)


@given(difficulties, seeds, st.integers(0, 15), st.integers(0, 15), flag_sets)
def test_first_reveal_never_loses_and_the_flood_is_the_bfs_closure(difficulty, seed, r, c, flags):
    g = game_with_first_click(difficulty, seed, r, c, flags)
    start = g.cursor
    if g.flagged[start[0]][start[1]]:
        assert g.status == Status.READY  # a flagged cell does not open, so nothing started
        return
    assert g.status in (Status.PLAYING, Status.WON)
    opened = {(r, c) for r, c in g.cells() if g.revealed[r][c]}
    assert opened == bfs_closure(g, start)
    assert not any(g.flagged[r][c] and g.revealed[r][c] for r, c in g.cells())


@given(difficulties, seeds, st.integers(0, 15), st.integers(0, 15))
def test_flood_steps_are_the_depth_of_the_region(difficulty, seed, r, c):
    """One step per ring: the steps equal the largest BFS distance (in king moves) at which a
    cell opened, counted from the zero cells that the reveal opened directly."""
    g = game_with_first_click(difficulty, seed, r, c)
    start = g.cursor
    if g.counts[start[0]][start[1]]:
        assert g.last_flood_steps == 0
        return
    depth = {start: 0}
    queue = deque([start])
    while queue:
        cell = queue.popleft()
        if g.counts[cell[0]][cell[1]]:
            continue
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                n = (cell[0] + dr, cell[1] + dc)
                if 0 <= n[0] < g.rows and 0 <= n[1] < g.cols and n not in depth and not g.mine[n[0]][n[1]]:
                    depth[n] = depth[cell] + 1
                    queue.append(n)
    assert g.last_flood_steps == max(depth.values())
    # Each step opens one ring, in order: the cells at that distance (row by row).
    assert g.last_flood_layers == [sorted(cell for cell, d in depth.items() if d == k)
                                   for k in range(1, g.last_flood_steps + 1)]


@pytest.mark.parametrize("start", [(0, 0), (15, 15), (7, 8), (0, 15), (3, 12)])
def test_empty_board_floods_in_chebyshev_distance_steps(start):
    """An empty 16x16 board opens in as many steps as its farthest cell is away (at most 15;
    the hardware spends one more clock finding nothing left, so at most 16 clocks)."""
    g = MinesweeperGame(swaps=SMALL_SWAPS, mine_counts={Difficulty.INTERMEDIATE: 0})
    g.cursor = start
    assert g.centre(seed=12345) == "won"
    farthest = max(max(abs(r - start[0]), abs(c - start[1])) for r, c in g.cells())
    assert g.last_flood_steps == farthest <= GRID - 1


@given(seeds, st.integers(0, 8), st.integers(0, 8), st.data())
@settings(max_examples=60)
def test_flags_never_open_and_counter_may_go_negative(seed, r, c, data):
    g = game_with_first_click(Difficulty.BEGINNER, seed, r, c)
    if g.status != Status.PLAYING:
        return
    covered = [(r, c) for r, c in g.cells() if not g.revealed[r][c]]
    to_flag = data.draw(st.lists(st.sampled_from(covered), unique=True, max_size=len(covered)))
    for cell in to_flag:
        g.cursor = cell
        g.centre(flag_mode=True)
    assert g.counter == g.mines - len(to_flag)
    for cell in to_flag:                       # a reveal on a flag does nothing
        g.cursor = cell
        assert g.centre() == "nothing"
        assert not g.revealed[cell[0]][cell[1]] and g.status == Status.PLAYING
    for cell in [(r, c) for r, c in g.cells() if g.revealed[r][c] and g.counts[r][c]]:
        g.cursor = cell                        # chords and floods never open a flag either
        g.centre()
        assert all(not g.revealed[a][b] for a, b in to_flag)
        if g.finished:
            break


def test_counter_goes_negative():
    g = MinesweeperGame(swaps=SMALL_SWAPS, difficulty=Difficulty.BEGINNER)
    for k in range(12):
        g.cursor = (k // 9, k % 9)
        g.centre(flag_mode=True)
    assert g.counter == 10 - 12


def find_chord(g, correct):
    """A revealed number with covered neighbours, flagged correctly or with one wrong flag."""
    for r, c in g.cells():
        if not (g.revealed[r][c] and g.counts[r][c]):
            continue
        near = [(r + dr, c + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                if (dr or dc) and 0 <= r + dr < g.rows and 0 <= c + dc < g.cols
                and not g.revealed[r + dr][c + dc]]
        mines = [n for n in near if g.mine[n[0]][n[1]]]
        safe = [n for n in near if not g.mine[n[0]][n[1]]]
        if safe and (correct or mines):
            return (r, c), (mines if correct else mines[:-1] + [safe[0]])
    return None


def flag_and_chord(seed, correct):
    """A game with a chord set up around some revealed number; returns (game, number, outcome)
    or None when the board offers no such number."""
    g = game_with_first_click(Difficulty.INTERMEDIATE, seed, 8, 8)
    found = find_chord(g, correct)
    if not found or g.status != Status.PLAYING:
        return None
    (r, c), flags = found
    for cell in flags:
        g.cursor = cell
        g.centre(flag_mode=True)
    g.cursor = (r, c)
    return g, (r, c), g.centre()


def test_chord_setups_are_found_on_most_boards():
    """So that the two chord properties below do not pass by finding nothing to test."""
    for correct in (True, False):
        found = sum(flag_and_chord(seed, correct) is not None for seed in range(30))
        assert found >= 20


@given(seeds)
@settings(max_examples=40)
def test_a_correct_chord_opens_every_other_neighbour(seed):
    played = flag_and_chord(seed, correct=True)
    if played:
        g, (r, c), outcome = played
        assert outcome in ("chord", "won")
        assert all(g.revealed[n[0]][n[1]] or g.flagged[n[0]][n[1]]
                   for n in [(r + dr, c + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
                   if 0 <= n[0] < g.rows and 0 <= n[1] < g.cols)


@given(seeds)
@settings(max_examples=40)
def test_a_chord_with_a_wrong_flag_explodes(seed):
    played = flag_and_chord(seed, correct=False)
    if played:
        g, _, outcome = played
        assert outcome == "lost"
        assert g.exploded is not None and g.mine[g.exploded[0]][g.exploded[1]]
        assert any(g.flagged[a][b] and not g.mine[a][b] for a, b in g.cells())  # the wrong flag stays


@given(seeds, st.lists(st.sampled_from(["up", "down", "left", "right", "centre", "flag"]), max_size=30))
@settings(max_examples=60)
def test_a_finished_game_ignores_moves_until_a_new_game(seed, moves):
    g = game_with_first_click(Difficulty.BEGINNER, seed, 4, 4)
    mine = next(cell for cell in g.cells() if g.mine[cell[0]][cell[1]])
    if g.status == Status.PLAYING:
        g.cursor = mine
        assert g.centre() == "lost" and g.exploded == mine
    board = (g.mine, g.revealed, g.flagged, g.counter, g.timer, g.status)
    snapshot = [list(map(list, x)) if isinstance(x, list) else x for x in board]
    for move in moves:
        if move in ("centre", "flag"):
            continue          # centre starts the new game: checked below
        g.move(Direction[move.upper()])
        g.tick()
        assert [list(map(list, x)) if isinstance(x, list) else x
                for x in (g.mine, g.revealed, g.flagged, g.counter, g.timer, g.status)] == snapshot
    assert g.centre(flag_mode="flag" in moves, difficulty=Difficulty.INTERMEDIATE) == "new game"
    assert g.status == Status.READY and g.rows == 16 and g.counter == 40 and g.timer == 0


@given(seeds, st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15), st.booleans()), max_size=60))
@settings(max_examples=60)
def test_the_status_moves_only_as_status_moves_says(seed, actions):
    g = MinesweeperGame(swaps=SMALL_SWAPS, difficulty=Difficulty.BEGINNER)
    for r, c, flag in actions:
        g.cursor = (r % g.rows, c % g.cols)
        before = g.status
        g.centre(flag_mode=flag, seed=seed)
        assert g.status == before or (before, g.status) in STATUS_MOVES


def test_winning_flags_every_mine():
    g = game_with_first_click(Difficulty.BEGINNER, 99, 0, 0)
    for cell in list(g.cells()):
        if g.status != Status.PLAYING:
            break
        if not g.mine[cell[0]][cell[1]] and not g.revealed[cell[0]][cell[1]]:
            g.cursor = cell
            g.centre()
    assert g.status == Status.WON and g.counter == 0
    assert all(g.flagged[r][c] == g.mine[r][c] for r, c in g.cells())


def test_timer_counts_from_the_first_reveal_and_holds_at_999():
    g = MinesweeperGame(swaps=SMALL_SWAPS)
    g.tick()
    assert g.timer == 0                      # not started
    g.centre(seed=5)
    for _ in range(TIMER_MAX + 20):
        g.tick()
    assert g.timer == TIMER_MAX


def test_cursor_wraps_around_the_field():
    g = MinesweeperGame(swaps=SMALL_SWAPS, difficulty=Difficulty.BEGINNER)
    g.move(Direction.UP)
    g.move(Direction.LEFT)
    assert g.cursor == (8, 8)


def test_lcg_has_full_period_in_its_top_byte():
    x, seen = 1, set()
    for _ in range(1 << 12):
        x = lcg_next(x)
        seen.add(x >> 24)
    assert len(seen) == 256


@given(st.lists(st.integers(1, 7), min_size=1, max_size=8), st.integers(8, 20))
def test_debouncer_ignores_short_glitches(glitches, debounce):
    d = Debouncer(debounce)
    for length in glitches:                  # each glitch shorter than the debounce time
        for _ in range(min(length, debounce - 1)):
            assert d.step(1) == 0
        for _ in range(2):
            d.step(0)
    assert d.level == 0
    for _ in range(debounce):
        d.step(1)
    assert d.level == 1


def test_repeat_rate():
    model = ButtonActions(debounce_cycles=2, repeat_delay=10, repeat_period=4)
    right = 1 << BUTTON_BIT["right"]
    pulses = [k for k in range(40) if model.step(right) & right]
    assert pulses[0] < 5
    gaps = [b - a for a, b in zip(pulses, pulses[1:])]
    assert gaps[0] == 10 and set(gaps[1:]) == {4}


@pytest.mark.parametrize("bad", [-1, 256])
def test_bad_mine_count_is_rejected(bad):
    with pytest.raises(ValueError, match="mines must be between"):
        place_mines(1, 16, 16, bad)


@given(difficulties, st.lists(seeds, min_size=1, max_size=8, unique=True))
@settings(max_examples=20, deadline=None)
def test_batch_placement_is_the_model_placement(difficulty, seed_list):
    """The placement report's vectorised placement is the model's, seed for seed."""
    from starsweeper.model.minesweeper import place_mines_batch
    rows, cols, mines = DIFFICULTIES[difficulty]
    batch = place_mines_batch(seed_list, rows, cols, mines, SMALL_SWAPS)
    for k, seed in enumerate(seed_list):
        mine, _ = place_mines(seed, rows, cols, mines, SMALL_SWAPS)
        assert np.array_equal(batch[k], np.array(mine)[:rows, :cols].reshape(-1))
