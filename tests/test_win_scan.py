"""The win scan (WinScan) on a board store of its own against ``all_safe_revealed``."""

from hypothesis import given, settings, strategies as st

from game_parts import OnBoard, board_state, run_until_done, set_board, simulate
from starsweeper.gateware.win_scan import WinScan
from starsweeper.model.minesweeper import GRID, LCG_MASK, Difficulty


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, LCG_MASK), difficulty=st.sampled_from(list(Difficulty)),
       covered=st.lists(st.integers(0, 1000), max_size=2))
def test_the_win_scan_finds_a_covered_safe_cell(seed, difficulty, covered):
    """Every safe cell revealed but ``covered`` ones (none: won); flags change nothing."""
    game = board_state(seed, difficulty, (1 << 256) - 1, 0)
    safe = [(r, c) for r, c in game.cells() if not game.mine[r][c]]
    for k in covered:
        r, c = safe[k % len(safe)]
        game.revealed[r][c] = False
        game.flagged[r][c] = bool(k & 1)
    part = WinScan()
    dut = OnBoard(part)

    async def bench(ctx):
        await set_board(ctx, dut, game)
        out = await run_until_done(ctx, part, GRID * GRID + 4)
        assert out["won"] == game.all_safe_revealed()

    simulate(dut, bench)
