"""The parallel flood (FloodEngine) against ``MinesweeperGame.flood_step``, one step on boards mid-play."""

from hypothesis import given, settings, strategies as st

from game_parts import bits, board_state, simulate
from starsweeper.gateware.flood import FloodEngine
from starsweeper.model.minesweeper import DIFFICULTIES, GRID, LCG_MASK, Difficulty


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, LCG_MASK), difficulty=st.sampled_from(list(Difficulty)),
       revealed_bits=st.integers(0, (1 << 256) - 1), flagged_bits=st.integers(0, (1 << 256) - 1),
       sparse=st.integers(0, 3))
def test_one_flood_step_opens_what_the_model_opens(seed, difficulty, revealed_bits, flagged_bits, sparse):
    for _ in range(sparse):               # fewer revealed cells and flags, more to open
        revealed_bits &= revealed_bits >> 7
        flagged_bits &= flagged_bits >> 5
    game = board_state(seed, difficulty, revealed_bits, flagged_bits)
    rows, cols, _ = DIFFICULTIES[difficulty]
    outside = [[not (r < rows and c < cols) for c in range(GRID)] for r in range(GRID)]
    revealed = [[game.revealed[r][c] or outside[r][c] for c in range(GRID)] for r in range(GRID)]
    zero = [[not outside[r][c] and game.counts[r][c] == 0 for c in range(GRID)] for r in range(GRID)]
    before = [row[:] for row in game.revealed]
    game.flood_step()
    opened = [[game.revealed[r][c] and not before[r][c] for c in range(GRID)] for r in range(GRID)]
    dut = FloodEngine()

    async def bench(ctx):
        ctx.set(dut.board.revealed, bits(revealed))
        ctx.set(dut.board.flagged, bits(game.flagged))
        ctx.set(dut.board.zero, bits(zero))
        assert ctx.get(dut.board.opening) == bits(opened)
        await ctx.tick()
        assert ctx.get(dut.opened_rows) == sum(1 << r for r in range(GRID) if any(opened[r]))

    simulate(dut, bench)
