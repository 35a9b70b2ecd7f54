"""The display's small parts against their models in Amaranth's simulator (async testbenches):
the smiley (every pixel around the face, four states), the BCD converter and status digits."""

from amaranth.sim import Simulator

from starsweeper.gateware.smiley import Smiley, SmileyState
from starsweeper.gateware.status_digits import BinaryToBcd, StatusDigits
from starsweeper.model.display import counter_text
from starsweeper.model.glyphs import GLYPH_INDEX
from starsweeper.model.smiley import CENTRE, RADIUS, STATES, smiley_pixels


def run(dut, bench):
    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()


def test_smiley_every_pixel_of_every_face():
    dut = Smiley()
    cx, cy = CENTRE
    span = range(-RADIUS - 3, RADIUS + 4)
    pixels = [(cx + dx, cy + dy) for dy in span for dx in span]
    got = {}

    async def bench(ctx):
        ctx.set(dut.enable, 1)
        for state in SmileyState:
            ctx.set(dut.state, state)
            outputs = []
            for k in range(len(pixels) + Smiley.LATENCY):
                if k < len(pixels):
                    ctx.set(dut.x, pixels[k][0])
                    ctx.set(dut.y, pixels[k][1])
                await ctx.tick()
                if k >= Smiley.LATENCY - 1:
                    outputs.append((ctx.get(dut.face), ctx.get(dut.feature)))
            got[state] = outputs[:len(pixels)]

    run(dut, bench)
    for state, name in zip(SmileyState, STATES):
        want = smiley_pixels([x - cx for x, _ in pixels], [y - cy for _, y in pixels], name)
        have = [0 if not face else 2 if feature else 1 for face, feature in got[state]]
        wrong = [pixels[k] for k in range(len(pixels)) if have[k] != want[k]]
        assert not wrong, f"{name}: {len(wrong)} pixels differ, first at {wrong[0]}"
        assert (want == 2).sum() > 100 and (want == 1).sum() > 1000


def test_smiley_holds_still_without_enable():
    dut = Smiley()

    async def bench(ctx):
        ctx.set(dut.enable, 1)
        ctx.set(dut.x, CENTRE[0])
        ctx.set(dut.y, CENTRE[1])
        for _ in range(Smiley.LATENCY):
            await ctx.tick()
        assert ctx.get(dut.face) == 1
        ctx.set(dut.enable, 0)
        ctx.set(dut.x, 0)
        for _ in range(2 * Smiley.LATENCY):
            await ctx.tick()
        assert ctx.get(dut.face) == 1

    run(dut, bench)


def test_binary_to_bcd_every_value():
    dut = BinaryToBcd(999)

    async def bench(ctx):
        for value in range(1000):
            ctx.set(dut.value, value)
            ctx.set(dut.start, 1)
            await ctx.tick()
            ctx.set(dut.start, 0)
            clocks = 0
            while ctx.get(dut.busy):
                await ctx.tick()
                clocks += 1
            assert clocks == 10
            assert "".join(str(ctx.get(dut.digits[k])) for k in range(3)) == f"{value:03d}"

    run(dut, bench)


def test_status_digits_as_the_renderer_writes_them():
    dut = StatusDigits()
    index = {v: k for k, v in GLYPH_INDEX.items()}
    cases = [(c, t) for c, t in zip(range(-256, 256), range(0, 1000, 2))] + [(40, 999), (-99, 0), (-100, 7)]

    async def bench(ctx):
        for counter, timer in cases:
            ctx.set(dut.score.counter, counter)
            ctx.set(dut.score.timer, timer)
            ctx.set(dut.chars.start, 1)
            await ctx.tick()
            ctx.set(dut.chars.start, 0)
            await ctx.tick().repeat(12)
            assert "".join(index[ctx.get(dut.chars.counter[k])] for k in range(3)) == counter_text(counter)
            assert "".join(index[ctx.get(dut.chars.timer[k])] for k in range(3)) == f"{timer:03d}"

    run(dut, bench)
