"""The count sweep's neighbour counter (NeighbourCounter) against :func:`neighbour_counts`."""

from hypothesis import given, settings, strategies as st

from game_parts import simulate
from starsweeper.gateware.neighbour_counter import NeighbourCounter
from starsweeper.model.minesweeper import GRID, neighbour_counts


@settings(max_examples=20, deadline=None)
@given(rows=st.lists(st.integers(0, (1 << GRID) - 1), min_size=GRID, max_size=GRID))
def test_the_counter_gives_each_rows_neighbour_counts(rows):
    dut = NeighbourCounter()
    mine = [[bool((rows[r] >> c) & 1) for c in range(GRID)] for r in range(GRID)]
    expected = neighbour_counts(mine, GRID, GRID)

    got = []

    async def bench(ctx):
        feed = [0, *rows, 0]
        ctx.set(dut.shift, 1)
        for k, value in enumerate(feed):
            ctx.set(dut.row, value)
            await ctx.tick()
            if k >= 2:                    # the middle row is feed[k - 1], field row k - 2
                got.append(([ctx.get(dut.counts[c]) for c in range(GRID)], ctx.get(dut.zero)))
        ctx.set(dut.shift, 0)
        await ctx.tick()                  # without shift the window holds
        assert [ctx.get(dut.counts[c]) for c in range(GRID)] == got[-1][0]

    simulate(dut, bench)
    assert [counts for counts, _ in got] == expected
    assert [zero for _, zero in got] == [sum(1 << c for c in range(GRID) if expected[r][c] == 0)
                                         for r in range(GRID)]
