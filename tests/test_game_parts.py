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
        ctx.set(dut.board.revealed, bits(revealed))
        ctx.set(dut.board.flagged, bits(game.flagged))
        ctx.set(dut.board.zero, bits(zero))
        assert ctx.get(dut.board.opening) == bits(opened)
        await ctx.tick()
        assert ctx.get(dut.opened_rows) == sum(1 << r for r in range(GRID) if any(opened[r]))

    simulate(dut, bench)


# -- the board store -------------------------------------------------------------------------------

from starsweeper.gateware.board_store import BoardStore          # noqa: E402
from starsweeper.model.board_store import BoardModel             # noqa: E402

CELL = st.integers(0, GRID * GRID - 1)
COMMANDS = st.lists(st.one_of(
    st.tuples(st.just("new_game"), st.sampled_from(list(Difficulty))),
    st.tuples(st.just("reveal"), CELL),
    st.tuples(st.just("flag"), CELL, st.booleans()),
    st.tuples(st.just("mine"), CELL, st.booleans()),
    st.tuples(st.just("layout"), st.integers(0, GRID - 1), st.integers(0, (1 << GRID) - 1)),
    st.tuples(st.just("zero"), st.integers(0, GRID - 1), st.integers(0, (1 << GRID) - 1)),
    st.tuples(st.just("counts"), st.integers(0, GRID - 1), st.lists(st.integers(0, 8), min_size=GRID, max_size=GRID)),
    st.tuples(st.just("flood"), st.integers(0, (1 << 256) - 1)),
), min_size=1, max_size=12)


@settings(max_examples=12, deadline=None)
@given(commands=COMMANDS, probes=st.lists(CELL, min_size=2, max_size=2))
def test_the_board_store_does_what_its_model_does(commands, probes):
    """Each command through the store's ports and on its model twin; after each, the probe's
    registered bits of the cell the command used and of a few others, the vectors, and the
    counts of the probed rows agree."""
    dut = BoardStore()
    model = BoardModel()

    async def probe(ctx, cell):
        """Probe ``cell``: two clocks later it is probe_d, with its bits in rd_*."""
        ctx.set(dut.probe_next, cell)
        await ctx.tick()
        await ctx.tick()
        assert ctx.get(dut.probe_d) == cell
        assert (ctx.get(dut.rd_revealed), ctx.get(dut.rd_flagged), ctx.get(dut.rd_mine)) == \
            (model.revealed[cell], model.flagged[cell], model.mine[cell]), f"cell {cell}"

    async def pulse(ctx, **ports):
        for name, value in ports.items():
            ctx.set(getattr(dut, name), value)
        await ctx.tick()
        for name in ports:
            ctx.set(getattr(dut, name), 0)

    async def bench(ctx):
        for command in commands:
            kind, *args = command
            if kind == "new_game":
                await pulse(ctx, new_game=1, new_beginner=int(args[0]))
                model.new_game(args[0])
            elif kind in ("reveal", "flag", "mine"):
                cell = args[0]
                await probe(ctx, cell)
                ctx.set(dut.probe_next, cell ^ 0x11)   # the probe moves on, as in the game core:
                await ctx.tick()                       # the write goes to probe_d, not the probe
                assert ctx.get(dut.probe_d) == cell and ctx.get(dut.probe) == cell ^ 0x11
                if kind == "reveal":
                    await pulse(ctx, reveal=1)
                    model.reveal(cell)
                elif kind == "flag":
                    await pulse(ctx, flag_write=1, flag_value=int(args[1]))
                    model.set_flag(cell, args[1])
                else:
                    await pulse(ctx, mine_write=1, mine_value=int(args[1]))
                    model.set_mine(cell, args[1])
                await probe(ctx, cell)
            elif kind == "layout":
                await pulse(ctx, layout_write=1, layout_row=args[0], layout_data=args[1])
                model.write_layout_row(*args)
            elif kind == "zero":
                await pulse(ctx, zero_write=1, zero_row=args[0], zero_data=args[1])
                model.write_zero_row(*args)
            elif kind == "counts":
                ctx.set(dut.count_data, args[1])
                await pulse(ctx, count_write=1, count_row=args[0])
                model.write_count_row(*args)
            else:
                ctx.set(dut.flood.opening, args[0])
                await pulse(ctx, flood_step=1)
                model.flood_step(k for k in range(GRID * GRID) if (args[0] >> k) & 1)
            for name in ("revealed", "flagged", "zero"):
                assert ctx.get(getattr(dut.flood, name)) == model.vector(name), name
            for cell in probes:
                await probe(ctx, cell)
                row = cell // GRID
                ctx.set(dut.cursor_row, row)
                await ctx.tick()         # the count ports register: the probe's row, the cursor's
                assert [ctx.get(dut.count_cell[c]) for c in range(GRID)] == model.counts[row]
                assert [ctx.get(dut.cursor_counts[c]) for c in range(GRID)] == model.counts[row]

    simulate(dut, bench)
