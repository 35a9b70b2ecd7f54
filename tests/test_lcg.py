"""The placement's generator (Lcg) against :func:`lcg_next`, in Amaranth's simulator."""

from hypothesis import given, settings, strategies as st

from game_parts import simulate
from starsweeper.gateware.lcg import Lcg
from starsweeper.model.minesweeper import LCG_MASK, lcg_next


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
