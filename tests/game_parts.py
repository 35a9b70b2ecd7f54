"""What the tests of the game core's parts share: the simulator, boards as vectors, a model
game mid-play, and a part on a board store of its own (:class:`OnBoard`: the part beside a
second probe through which the test reads and writes cells, and the board's row ports the part
does not use), with its helpers. Each part's test is a module of its own (test_<part>.py); the
random games of tests/test_minesweeper_rtl.py check them together, clock for clock."""

from amaranth.hdl import Module, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In
from amaranth.sim import Simulator

from starsweeper.gateware.board_store import BoardStore
from starsweeper.gateware.interfaces import ProbeSignature
from starsweeper.gateware.probe_bus import ProbeBus
from starsweeper.model.minesweeper import DIFFICULTIES, GRID, MinesweeperGame, Status, neighbour_counts, place_mines

__all__ = ["simulate", "bits", "board_state", "OnBoard", "read_cells", "set_board", "run_until_done"]


def simulate(dut, bench):
    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()


def bits(grid):
    """A 16 x 16 grid of bools as the 256-bit vector: cell (r, c) at bit 16 r + c."""
    return sum(1 << (r * GRID + c) for r in range(GRID) for c in range(GRID) if grid[r][c])


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
        ctx.set(dut.tester.address.as_value(), k % (GRID * GRID))
        await ctx.tick()                   # the address set a clock before is probe.cell now
        if k >= 1:
            assert ctx.get(dut.tester.cell.as_value()) == k - 1
            value |= ctx.get(getattr(dut.tester, name)) << (k - 1)
    ctx.set(dut.tester.address.as_value(), 0)
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
            ctx.set(dut.tester.address.as_value(), r * GRID + c)
            await ctx.tick()
            ctx.set(dut.tester.address.as_value(), 0)
            await ctx.tick()
            ctx.set(dut.tester.flag_write, 1)
            ctx.set(dut.tester.flag_value, 1)
            await ctx.tick()
            ctx.set(dut.tester.flag_write, 0)


async def run_until_done(ctx, part, limit):
    """Pulse ``part.control.start``; the clocks until ``part.control.done`` (sampled in that clock: outputs are
    read there), within ``limit``. Returns the done clock's outputs."""
    ctx.set(part.control.start, 1)
    await ctx.tick()
    ctx.set(part.control.start, 0)
    for _ in range(limit):
        if ctx.get(part.control.done):
            outputs = {name: ctx.get(Value.cast(getattr(part, name)))
                       for name in ("won", "lost", "opened", "exploded") if name in part.signature.members}
            await ctx.tick()
            return outputs
        await ctx.tick()
    raise AssertionError(f"{type(part).__name__} not done in {limit} clocks")
