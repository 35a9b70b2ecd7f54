# amaranth: UnusedElaboratable=no
# (test_bad_timing makes a component whose constructor fails: it cannot be used)
"""The VGA timing generator (gateware/vga_timing.py) against the timing model (model/vga.py),
in Amaranth's simulator: every clock of whole frames of small timings, with the pixel clock
enable high, and random. The VESA frame itself is proven (sim/formal/vga_timing.py) and drawn
by the test pattern's bench (tests/test_vga_rtl.py)."""

import random

import pytest

from starsweeper.gateware.vga_timing import VgaTimingGenerator
from starsweeper.model.vga import VgaTiming
from test_display_parts import run

SMALL = [VgaTiming(8, 2, 3, 1, 6, 1, 2, 1), VgaTiming(5, 1, 1, 1, 3, 1, 1, 1)]


def expected(timing, pixels):
    """The outputs for the first ``pixels`` pixels of the model's frames, in order."""
    out = []
    for k in range(pixels):
        x, y = k % timing.h_total, (k // timing.h_total) % timing.v_total
        out.append((x, y, int(timing.visible(x, y)), timing.hsync_n(x), timing.vsync_n(y),
                    int(x == 0 and y == 0)))
    return out


def simulate(timing, pixels, enable_pattern):
    dut = VgaTimingGenerator(timing)
    seen = []

    async def bench(ctx):
        previous = None
        while len(seen) < pixels:
            now = tuple(ctx.get(s) for s in (dut.x, dut.y, dut.visible, dut.hsync_n,
                                             dut.vsync_n, dut.frame_start))
            if previous is not None and not previous[1]:
                assert now == previous[0], "the outputs moved without the enable"
            else:
                seen.append(now)
            enable = next(enable_pattern)
            ctx.set(dut.enable, enable)
            previous = (now, enable)
            await ctx.tick()

    run(dut, bench)
    return seen


def always():
    while True:
        yield 1


def randomly(seed):
    rng = random.Random(seed)
    while True:
        yield rng.randrange(2)


@pytest.mark.parametrize("timing", SMALL, ids=["8x6", "5x3"])
def test_small_frames_clock_by_clock(timing):
    pixels = 3 * timing.h_total * timing.v_total + 5
    assert simulate(timing, pixels, always()) == expected(timing, pixels)


@pytest.mark.parametrize("timing", SMALL, ids=["8x6", "5x3"])
def test_the_enable_holds_everything(timing, seed):
    pixels = 2 * timing.h_total * timing.v_total
    assert simulate(timing, pixels, randomly(seed)) == expected(timing, pixels)


def test_bad_timing():
    with pytest.raises(TypeError, match=r"Timing must be a VgaTiming, not \(640, 480\)"):
        VgaTimingGenerator((640, 480))
