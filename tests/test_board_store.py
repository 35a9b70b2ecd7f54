"""The board store (BoardStore) against its model twin (BoardModel), command by command through its ports."""

from hypothesis import given, settings, strategies as st

from game_parts import simulate
from starsweeper.gateware.board_store import BoardStore
from starsweeper.model.board_store import BoardModel
from starsweeper.model.minesweeper import GRID, Difficulty


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
        ctx.set(dut.probe.address.as_value(), cell)
        await ctx.tick()
        await ctx.tick()
        assert ctx.get(dut.probe.cell.as_value()) == cell
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
                ctx.set(dut.probe.address.as_value(), cell ^ 0x11)  # the probe moves on, as in the game core:
                await ctx.tick()                         # the write goes to probe.cell, not the probe
                assert ctx.get(dut.probe.cell.as_value()) == cell and ctx.get(dut.probing.as_value()) == cell ^ 0x11
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
