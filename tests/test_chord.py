"""The chord (Chord) on a board store of its own against ``MinesweeperGame.chord_targets``."""

from hypothesis import event, given, settings, strategies as st

from game_parts import OnBoard, bits, board_state, run_until_done, set_board, simulate
from starsweeper.gateware.chord import Chord
from starsweeper.model.minesweeper import DIFFICULTIES, GRID, LCG_MASK, Difficulty, neighbours


FLAGS = st.sampled_from(["random", "right", "wrong"])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, LCG_MASK), difficulty=st.sampled_from(list(Difficulty)),
       revealed_bits=st.integers(0, (1 << 256) - 1), flagged_bits=st.integers(0, (1 << 256) - 1),
       choice=st.integers(0, 1000), flags=FLAGS)
def test_the_chord_opens_what_the_model_opens(seed, difficulty, revealed_bits, flagged_bits, choice, flags):
    """On a board mid-play, at a revealed number; its neighbours' flags random, on its mines
    ("right": it opens), or on as many safe cells ("wrong": it explodes)."""
    game = board_state(seed, difficulty, revealed_bits, flagged_bits)
    numbers = [(r, c) for r, c in game.cells() if game.revealed[r][c] and game.counts[r][c]]
    if not numbers:
        return
    r, c = numbers[choice % len(numbers)]
    around = list(neighbours(r, c, game.rows, game.cols))
    if flags != "random":
        for nr, nc in around:
            game.flagged[nr][nc] = False
        mines = [cell for cell in around if game.mine[cell[0]][cell[1]]]
        covered = [cell for cell in around if not game.mine[cell[0]][cell[1]] and not game.revealed[cell[0]][cell[1]]]
        if flags == "wrong":
            if not covered:
                return
            mines = mines[1:] + covered[:1]            # one mine unflagged, a safe cell flagged
        for nr, nc in mines:
            game.flagged[nr][nc] = True
    targets = game.chord_targets(r, c)
    lost = [cell for cell in targets or [] if game.mine[cell[0]][cell[1]]]
    expected_revealed = [row[:] for row in game.revealed]
    for nr, nc in targets or []:
        if not game.mine[nr][nc]:
            expected_revealed[nr][nc] = True
    rows, cols, _ = DIFFICULTIES[difficulty]
    outside = bits([[not (rr < rows and cc < cols) for cc in range(GRID)] for rr in range(GRID)])
    part = Chord()
    dut = OnBoard(part)

    async def bench(ctx):
        await set_board(ctx, dut, game)
        ctx.set(part.beginner, int(difficulty))
        ctx.set(part.cursor.as_value(), r * GRID + c)
        ctx.set(part.count, game.counts[r][c])
        out = await run_until_done(ctx, part, 30)
        event(f"chord: {'none' if targets is None else 'lost' if lost else 'opened'}")
        assert (out["opened"], out["lost"]) == (targets is not None and not lost, bool(lost))
        if lost:
            assert out["exploded"] == lost[0][0] * GRID + lost[0][1]
        assert ctx.get(dut.board.flood.revealed) == bits(expected_revealed) | outside
        assert ctx.get(dut.board.flood.flagged) == bits(game.flagged)

    simulate(dut, bench)
