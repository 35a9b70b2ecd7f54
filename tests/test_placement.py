"""The placement (Placement) on a board store of its own against :func:`place_mines`."""

from hypothesis import given, settings, strategies as st

from game_parts import OnBoard, bits, read_cells, run_until_done, simulate
from starsweeper.gateware.placement import Placement
from starsweeper.model.minesweeper import DIFFICULTIES, GRID, LCG_MASK, Difficulty, place_mines


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, LCG_MASK), difficulty=st.sampled_from(list(Difficulty)),
       swaps=st.integers(1, 12), cursor=st.tuples(st.integers(0, 15), st.integers(0, 15)),
       mines=st.integers(0, 80), last_seed=st.integers(0, LCG_MASK))
def test_the_placement_places_the_mines_of_place_mines(seed, difficulty, swaps, cursor, mines, last_seed):
    """Two placements on one board (the second must not keep the first's mines); the cursor's
    cell is made safe. Few swaps and many mines, so that the cursor's cell often holds one."""
    rows, cols, _ = DIFFICULTIES[difficulty]
    mines = min(mines, rows * cols - 1)
    cursor = (cursor[0] % rows, cursor[1] % cols)
    part = Placement(swaps=swaps, mines={difficulty: mines})
    dut = OnBoard(part)
    expected, _ = place_mines(seed, rows, cols, mines, swaps, safe=cursor)

    async def bench(ctx):
        ctx.set(part.beginner, int(difficulty))
        ctx.set(part.cursor.as_value(), cursor[0] * GRID + cursor[1])
        for s in (last_seed, seed):
            ctx.set(part.seed, s)
            await run_until_done(ctx, part, 16 + 60 * swaps + 2 * GRID * GRID)
        assert await read_cells(ctx, dut, "mine") == bits(expected)

    simulate(dut, bench)
