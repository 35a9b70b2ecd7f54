"""The count sweep (CountSweep) on a board store of its own: the neighbour counts and zero bits of :func:`neighbour_counts`."""

from hypothesis import given, settings, strategies as st

from game_parts import OnBoard, bits, set_board, simulate
from starsweeper.gateware.count_sweep import CountSweep
from starsweeper.model.minesweeper import (
    DIFFICULTIES, GRID, LCG_MASK, Difficulty, MinesweeperGame, neighbour_counts, place_mines,
)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, LCG_MASK), difficulty=st.sampled_from(list(Difficulty)),
       cursor=st.integers(0, GRID * GRID - 1))
def test_the_count_sweep_writes_neighbour_counts_and_zero_bits(seed, difficulty, cursor):
    rows, cols, mines = DIFFICULTIES[difficulty]
    game = MinesweeperGame(difficulty=difficulty)
    game.mine, _ = place_mines(seed, rows, cols, mines, swaps=50)
    expected = neighbour_counts(game.mine, rows, cols)
    zero = [[r < rows and c < cols and expected[r][c] == 0 for c in range(GRID)] for r in range(GRID)]
    last_game = MinesweeperGame(difficulty=difficulty)
    last_game.mine = [[r < rows and c < cols and not game.mine[r][c] for c in range(GRID)]
                      for r in range(GRID)]
    part = CountSweep()
    dut = OnBoard(part)

    async def sweep(ctx):
        ctx.set(part.control.start, 1)
        await ctx.tick()
        ctx.set(part.control.start, 0)
        for clock in range(GRID + 4):
            assert ctx.get(part.control.done) == (clock == GRID + 3)
            if clock == GRID + 3:                          # its last two clocks probed the cursor
                assert ctx.get(board.probe.cell.as_value()) == cursor
            await ctx.tick()

    board = dut.board

    async def bench(ctx):
        ctx.set(part.beginner, int(difficulty))
        ctx.set(part.cursor.as_value(), cursor)
        await set_board(ctx, dut, last_game)               # the last game's counts, overwritten
        await sweep(ctx)
        await set_board(ctx, dut, game)
        await sweep(ctx)
        assert ctx.get(board.flood.zero) == bits(zero)
        for r in range(rows):                  # (outside the field, no reader looks at a count)
            ctx.set(board.cursor_row, r)
            await ctx.tick()
            assert [ctx.get(board.cursor_counts[c]) for c in range(cols)] == expected[r][:cols], f"row {r}"

    simulate(dut, bench)
