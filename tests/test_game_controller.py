"""The game core's controller (``MinesweeperGame``, with its parts) in Amaranth's simulator against
its twin, the model ``MinesweeperGame``: short random games of presses, compared after each.
Fast and small (few swaps, short debounce); the cocotb games of tests/test_minesweeper_rtl.py are
the long, full-size check."""

from amaranth.sim import Simulator
from hypothesis import event, given, settings, strategies as st

from starsweeper.gateware.minesweeper import MinesweeperGame as GameCore
from starsweeper.model.buttons import BUTTON_BIT
from starsweeper.model.minesweeper import (
    GRID, LCG_MASK, SWITCH_BEGINNER, SWITCH_FLAG, Difficulty, Direction, MinesweeperGame, Status,
)
from starsweeper.moves import hold_clocks

PARAMETERS = dict(swaps=8, clocks_per_second=1 << 30, debounce_cycles=2, repeat_delay=10_000,
                  repeat_period=5_000)
MOVES = {"up": Direction.UP, "down": Direction.DOWN, "left": Direction.LEFT, "right": Direction.RIGHT}
ACTIONS = st.lists(st.sampled_from(["up", "down", "left", "right", "centre", "centre", "centre", "flag"]),
                   min_size=1, max_size=14)


def bits(grid, cells):
    return sum(1 << (r * GRID + c) for r, c in cells if grid[r][c])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, LCG_MASK), beginner=st.booleans(), mines=st.sampled_from([1, 2, 3, None]),
       actions=ACTIONS)
def test_the_controller_plays_as_the_model(seed, beginner, mines, actions):
    """Few mines make wins (and a new game after them) common; the default counts, losses."""
    counts = None if mines is None else {Difficulty.BEGINNER: mines, Difficulty.INTERMEDIATE: mines}
    dut = GameCore(**PARAMETERS, mine_counts=counts)
    model = MinesweeperGame(swaps=PARAMETERS["swaps"], mine_counts=counts,
                            difficulty=Difficulty.BEGINNER if beginner else Difficulty.INTERMEDIATE)
    hold = hold_clocks(PARAMETERS)

    def compare(ctx, where):
        field = list(model.cells())
        assert ctx.get(dut.view.status) == model.status, where
        assert ctx.get(dut.view.difficulty) == model.difficulty, where
        assert (ctx.get(dut.view.cursor_row), ctx.get(dut.view.cursor_col)) == model.cursor, where
        assert ctx.get(dut.score.counter) == model.counter, where
        assert ctx.get(dut.revealed_bits) & bits([[1] * GRID] * GRID, field) == bits(model.revealed, field), where
        if model.status != Status.WON:
            assert ctx.get(dut.flagged_bits) == bits(model.flagged, field), where
        if model.status == Status.LOST:
            assert (ctx.get(dut.exploded_row), ctx.get(dut.exploded_col)) == model.exploded, where
        assert ctx.get(dut.leds) == model.leds, where

    async def settle(ctx):
        await ctx.tick().repeat(2)
        while ctx.get(dut.busy):
            await ctx.tick()

    async def press(ctx, button, switches):
        ctx.set(dut.switches, switches)
        ctx.set(dut.buttons, 1 << BUTTON_BIT[button])
        await ctx.tick().repeat(hold)
        ctx.set(dut.buttons, 0)
        await ctx.tick().repeat(hold)
        await settle(ctx)

    async def bench(ctx):
        switches = (1 << SWITCH_BEGINNER) if beginner else 0
        ctx.set(dut.switches, switches)
        ctx.set(dut.seed_force, 1)
        ctx.set(dut.seed_value, seed)
        ctx.set(dut.read.enable, 1)
        await settle(ctx)
        compare(ctx, "after reset")
        for k, action in enumerate(actions):
            if action in MOVES:
                await press(ctx, action, switches)
                model.move(MOVES[action])
            else:
                flag = action == "flag"
                await press(ctx, "centre", switches | ((1 << SWITCH_FLAG) if flag else 0))
                what = model.centre(flag_mode=flag, seed=seed, difficulty=Difficulty(int(beginner)))
                event(what)
            compare(ctx, f"after action {k} ({action}) of {actions}")

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
