"""The game core's parts, each on its own in Amaranth's simulator against its model twin: the
placement's generator (Lcg, :func:`lcg_next`), the neighbour counter (NeighbourCounter,
:func:`neighbour_counts`), the parallel flood (FloodEngine, ``MinesweeperGame.flood_step``), the
board store (BoardStore, ``BoardModel``), and the parts that work through the board's probe,
each on a board store of its own: the placement (:func:`place_mines`), the count sweep, the
chord (``MinesweeperGame.chord_targets``), the win scan (``all_safe_revealed``) and the probe
bus. The random games of tests/test_minesweeper_rtl.py check them together, clock for clock."""

from amaranth.sim import Simulator
from hypothesis import event, given, settings, strategies as st

from starsweeper.gateware.flood import FloodEngine
from starsweeper.gateware.lcg import Lcg
from starsweeper.gateware.neighbour_counter import NeighbourCounter
from starsweeper.model.minesweeper import (
    DIFFICULTIES, GRID, LCG_MASK, Difficulty, MinesweeperGame, Status, lcg_next, neighbour_counts,
    neighbours,
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
        """Probe ``cell``: two clocks later it is probe.cell, with its bits in probe.*."""
        ctx.set(dut.probe.address, cell)
        await ctx.tick()
        await ctx.tick()
        assert ctx.get(dut.probe.cell) == cell
        assert (ctx.get(dut.probe.revealed), ctx.get(dut.probe.flagged), ctx.get(dut.probe.mine)) == \
            (model.revealed[cell], model.flagged[cell], model.mine[cell]), f"cell {cell}"

    async def pulse(ctx, **ports):
        """Hold the ports (``group__member`` for a member of an interface) for a clock."""
        def port(name):
            group, _, member = name.partition("__")
            return getattr(getattr(dut, group), member) if member else getattr(dut, group)
        for name, value in ports.items():
            ctx.set(port(name), value)
        await ctx.tick()
        for name in ports:
            ctx.set(port(name), 0)

    async def bench(ctx):
        for command in commands:
            kind, *args = command
            if kind == "new_game":
                await pulse(ctx, new_game=1, new_beginner=int(args[0]))
                model.new_game(args[0])
            elif kind in ("reveal", "flag", "mine"):
                cell = args[0]
                await probe(ctx, cell)
                ctx.set(dut.probe.address, cell ^ 0x11)  # the probe moves on, as in the game core:
                await ctx.tick()                         # the write goes to probe.cell, not the probe
                assert ctx.get(dut.probe.cell) == cell and ctx.get(dut.probing) == cell ^ 0x11
                if kind == "reveal":
                    await pulse(ctx, probe__reveal=1)
                    model.reveal(cell)
                elif kind == "flag":
                    await pulse(ctx, probe__flag_write=1, probe__flag_value=int(args[1]))
                    model.set_flag(cell, args[1])
                else:
                    await pulse(ctx, probe__mine_write=1, probe__mine_value=int(args[1]))
                    model.set_mine(cell, args[1])
                await probe(ctx, cell)
            elif kind == "layout":
                await pulse(ctx, layout__write=1, layout__row=args[0], layout__data=args[1])
                model.write_layout_row(*args)
            elif kind == "zero":
                await pulse(ctx, zero__write=1, zero__row=args[0], zero__data=args[1])
                model.write_zero_row(*args)
            elif kind == "counts":
                ctx.set(dut.counts.data, args[1])
                await pulse(ctx, counts__write=1, counts__row=args[0])
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


# -- the parts that work through the probe ---------------------------------------------------------
# Each runs on a board store of its own, beside a second probe through which the test reads
# and writes cells (ProbeBus), and the board's row ports the part does not use.

from amaranth.hdl import Module                                  # noqa: E402
from amaranth.lib import wiring                                  # noqa: E402
from amaranth.lib.wiring import In                               # noqa: E402

from starsweeper.gateware.chord import Chord                     # noqa: E402
from starsweeper.gateware.count_sweep import CountSweep          # noqa: E402
from starsweeper.gateware.interfaces import ProbeSignature       # noqa: E402
from starsweeper.gateware.placement import Placement             # noqa: E402
from starsweeper.gateware.probe_bus import ProbeBus              # noqa: E402
from starsweeper.gateware.win_scan import WinScan                # noqa: E402


class OnBoard(wiring.Component):
    """``part`` on a :class:`BoardStore` (``board``), sharing its probe with ``tester``."""

    tester: In(ProbeSignature())

    def __init__(self, part):
        self.part = part
        self.board = BoardStore()
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        m.submodules.part, m.submodules.board = self.part, self.board
        m.submodules.bus = bus = ProbeBus(2)
        wiring.connect(m, bus.board, self.board.probe)
        wiring.connect(m, self.part.probe, bus.parts[0])
        wiring.connect(m, wiring.flipped(self.tester), bus.parts[1])
        for name in ("layout", "counts", "zero"):
            if name in self.part.signature.members:
                wiring.connect(m, getattr(self.part, name), getattr(self.board, name))
        return m


async def read_cells(ctx, dut, name):
    """Every cell's ``name`` bit (revealed, flagged, mine) through the tester's probe, a cell a
    clock, as a 256-bit number."""
    value = 0
    for k in range(GRID * GRID + 1):
        ctx.set(dut.tester.address, k % (GRID * GRID))
        await ctx.tick()                   # the address set a clock before is probe.cell now
        if k >= 1:
            assert ctx.get(dut.tester.cell) == k - 1
            value |= ctx.get(getattr(dut.tester, name)) << (k - 1)
    ctx.set(dut.tester.address, 0)
    return value


async def set_board(ctx, dut, game):
    """The board of a model ``game``: a new game of its difficulty, its mines by the layout rows,
    its revealed cells by a flood step, its flags by the tester's probe."""
    board = dut.board
    ctx.set(board.new_game, 1)
    ctx.set(board.new_beginner, int(game.difficulty))
    await ctx.tick()
    ctx.set(board.new_game, 0)
    for r in range(GRID):
        ctx.set(board.layout.row, r)
        ctx.set(board.layout.data, sum(1 << c for c in range(GRID) if game.mine[r][c]))
        ctx.set(board.layout.write, 1)
        await ctx.tick()
    ctx.set(board.layout.write, 0)
    ctx.set(board.flood.opening, bits(game.revealed))
    ctx.set(board.flood_step, 1)
    await ctx.tick()
    ctx.set(board.flood_step, 0)
    for r, c in game.cells():
        if game.flagged[r][c]:
            ctx.set(dut.tester.address, r * GRID + c)
            await ctx.tick()
            ctx.set(dut.tester.address, 0)
            await ctx.tick()
            ctx.set(dut.tester.flag_write, 1)
            ctx.set(dut.tester.flag_value, 1)
            await ctx.tick()
            ctx.set(dut.tester.flag_write, 0)


async def run_until_done(ctx, part, limit):
    """Pulse ``part.start``; the clocks until ``part.done`` (sampled in that clock: outputs are
    read there), within ``limit``. Returns the done clock's outputs."""
    ctx.set(part.start, 1)
    await ctx.tick()
    ctx.set(part.start, 0)
    for _ in range(limit):
        if ctx.get(part.done):
            outputs = {name: ctx.get(getattr(part, name)) for name in ("won", "lost", "opened", "exploded")
                       if name in part.signature.members}
            await ctx.tick()
            return outputs
        await ctx.tick()
    raise AssertionError(f"{type(part).__name__} not done in {limit} clocks")


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
        ctx.set(part.cursor, cursor[0] * GRID + cursor[1])
        for s in (last_seed, seed):
            ctx.set(part.seed, s)
            await run_until_done(ctx, part, 16 + 60 * swaps + 2 * GRID * GRID)
        assert await read_cells(ctx, dut, "mine") == bits(expected)

    simulate(dut, bench)


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
        ctx.set(part.start, 1)
        await ctx.tick()
        ctx.set(part.start, 0)
        for clock in range(GRID + 4):
            assert ctx.get(part.done) == (clock == GRID + 3)
            if clock == GRID + 3:                          # its last two clocks probed the cursor
                assert ctx.get(board.probe.cell) == cursor
            await ctx.tick()

    board = dut.board

    async def bench(ctx):
        ctx.set(part.beginner, int(difficulty))
        ctx.set(part.cursor, cursor)
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
        ctx.set(part.cursor, r * GRID + c)
        ctx.set(part.count, game.counts[r][c])
        out = await run_until_done(ctx, part, 30)
        event(f"chord: {'none' if targets is None else 'lost' if lost else 'opened'}")
        assert (out["opened"], out["lost"]) == (targets is not None and not lost, bool(lost))
        if lost:
            assert out["exploded"] == lost[0][0] * GRID + lost[0][1]
        assert ctx.get(dut.board.flood.revealed) == bits(expected_revealed) | outside
        assert ctx.get(dut.board.flood.flagged) == bits(game.flagged)

    simulate(dut, bench)


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


@settings(max_examples=20, deadline=None)
@given(requests=st.lists(st.integers(0, (1 << 8) - 1), min_size=3, max_size=3), running=st.integers(0, 2),
       answer=st.integers(0, (1 << 8) - 1))
def test_the_probe_bus_gives_the_running_parts_request_and_everyone_the_answer(requests, running, answer):
    dut = ProbeBus(3)

    async def bench(ctx):
        for k, part in enumerate(dut.parts):
            ctx.set(part.address, requests[k] if k == running else 0)
            ctx.set(part.mine_write, k == running)
        ctx.set(dut.board.cell, answer)
        assert ctx.get(dut.board.address) == requests[running]
        assert ctx.get(dut.board.mine_write) == 1
        assert [ctx.get(part.cell) for part in dut.parts] == [answer] * 3

    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()
