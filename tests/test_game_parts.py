"""The game core's parts, each on its own in Amaranth's simulator against its model twin: the
placement's generator (Lcg, :func:`lcg_next`), the neighbour counter (NeighbourCounter,
:func:`neighbour_counts`) and the parallel flood (FloodEngine, ``MinesweeperGame.flood_step``).
The random games of tests/test_minesweeper_rtl.py check them together, clock for clock."""

from amaranth.sim import Simulator
from hypothesis import given, settings, strategies as st

from starsweeper.gateware.flood import FloodEngine
from starsweeper.gateware.lcg import Lcg
from starsweeper.gateware.neighbour_counter import NeighbourCounter
from starsweeper.model.minesweeper import (
    DIFFICULTIES, GRID, LCG_MASK, Difficulty, MinesweeperGame, Status, lcg_next, neighbour_counts,
    place_mines,
)


def simulate(dut, bench):
    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()


def bits(grid):
    """A 16 x 16 grid of bools as the 256-bit vector: cell (r, c) at bit 16 r + c."""
    return sum(1 << (r * GRID + c) for r in range(GRID) for c in range(GRID) if grid[r][c])


# -- the generator ---------------------------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, LCG_MASK), steps=st.integers(1, 4), pause=st.integers(0, 3))
def test_the_generator_steps_as_lcg_next(seed, steps, pause):
    dut = Lcg()

    async def bench(ctx):
        ctx.set(dut.load, 1)
        ctx.set(dut.load_value, seed)
        await ctx.tick()
        ctx.set(dut.load, 0)
        assert ctx.get(dut.value) == seed and ctx.get(dut.ready)
        expected = seed
        for _ in range(steps):
            ctx.set(dut.request, 1)
            await ctx.tick()
            ctx.set(dut.request, 0)
            for _ in range(2):                           # under way: value still the last one
                assert not ctx.get(dut.ready) and ctx.get(dut.value) == expected
                await ctx.tick()
            expected = lcg_next(expected)
            assert ctx.get(dut.ready) and ctx.get(dut.value) == expected
            for _ in range(pause):                       # and it stays there
                await ctx.tick()
                assert ctx.get(dut.ready) and ctx.get(dut.value) == expected

    simulate(dut, bench)


# -- the neighbour counter -------------------------------------------------------------------------

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


# -- the flood -------------------------------------------------------------------------------------

def board_state(seed, difficulty, revealed_bits, flagged_bits):
    """A game mid-play: the mines of ``seed``, some safe cells revealed, some covered ones flagged."""
    game = MinesweeperGame(difficulty=difficulty)
    rows, cols, mines = DIFFICULTIES[difficulty]
    game.mine, _ = place_mines(seed, rows, cols, mines)
    game.counts = neighbour_counts(game.mine, rows, cols)
    game.status = Status.PLAYING
    cells = list(game.cells())
    for k, (r, c) in enumerate(cells):
        if (revealed_bits >> k) & 1 and not game.mine[r][c]:
            game.revealed[r][c] = True
        elif (flagged_bits >> k) & 1:
            game.flagged[r][c] = True
    return game


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
        ctx.set(dut.revealed, bits(revealed))
        ctx.set(dut.flagged, bits(game.flagged))
        ctx.set(dut.zero, bits(zero))
        assert ctx.get(dut.opening) == bits(opened)
        await ctx.tick()
        assert ctx.get(dut.opened_rows) == sum(1 << r for r in range(GRID) if any(opened[r]))

    simulate(dut, bench)
