"""The probe bus (ProbeBus): the running part's request to the board, the board's answer to every part."""

from amaranth.sim import Simulator
from hypothesis import given, settings, strategies as st

from starsweeper.gateware.probe_bus import ProbeBus


@settings(max_examples=20, deadline=None)
@given(requests=st.lists(st.integers(0, (1 << 8) - 1), min_size=3, max_size=3), running=st.integers(0, 2),
       answer=st.integers(0, (1 << 8) - 1))
def test_the_probe_bus_gives_the_running_parts_request_and_everyone_the_answer(requests, running, answer):
    dut = ProbeBus(3)

    async def bench(ctx):
        for k, part in enumerate(dut.parts):
            ctx.set(part.address.as_value(), requests[k] if k == running else 0)
            ctx.set(part.mine_write, k == running)
        ctx.set(dut.board.cell.as_value(), answer)
        assert ctx.get(dut.board.address.as_value()) == requests[running]
        assert ctx.get(dut.board.mine_write) == 1
        assert [ctx.get(part.cell.as_value()) for part in dut.parts] == [answer] * 3

    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()
