"""cocotb testbench of ``StarTrailStacker`` (hdl/star_trail_stacker_{8,16}.v).

Every output is checked, in order, against the bit-exact model
:class:`starsweeper.model.star_trail.FixedFormat`. Environment: ``CHANNEL_WIDTH`` (8 or 16) and
``STARSWEEPER_SEED`` (printed; set it to replay a run).
"""

import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge

from starsweeper.gateware.star_trail import StackerInput, StackerOutput, StarTrailStacker
from starsweeper.model.star_trail import FixedFormat, FixedStacker

from seeds import seed_from_env
from streams import PAUSE_KINDS, Scoreboard, drain, StreamSink, StreamSource, make_pause, no_pause

CHANNELS = ("r", "g", "b")
ATTENUATIONS = (0.0, 0.5, 0.9, 0.99, 0.995, 0.999, 1.0)


class StackerTB:
    """Clock, reset, source driver, sink monitor and scoreboard around the stacker."""

    def __init__(self, dut, seed, source_pause="none", sink_pause="none"):
        self.dut = dut
        self.width = int(os.environ["CHANNEL_WIDTH"])
        self.format = FixedFormat(self.width)
        self.rng = random.Random(seed)
        dut._log.info("seed %d (replay with STARSWEEPER_SEED=%d), width %d, source %s, sink %s",
                      seed, seed, self.width, source_pause, sink_pause)
        self.scoreboard = Scoreboard(dut._log)
        self.outputs = []
        self.discard = False  # drop outputs (during a reset with pixels in flight)
        self.source = StreamSource(dut, "i", dut.clk, StackerInput(self.format),
                                   make_pause(source_pause, self.rng))
        self.sink = StreamSink(dut, "o", dut.clk, StackerOutput(self.format),
                               make_pause(sink_pause, self.rng), callback=self._received)
        dut.attenuation.value = 0
        dut.rst.value = 0

    def _received(self, item):
        if self.discard:
            return
        self.outputs.append(item)
        self.scoreboard.compare(item)

    async def start(self):
        cocotb.start_soon(Clock(self.dut.clk, 10, unit="ns").start())
        await self.reset()
        cocotb.start_soon(self.source.run())
        cocotb.start_soon(self.sink.run())

    async def reset(self, cycles=2):
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, cycles)
        self.dut.rst.value = 0
        await RisingEdge(self.dut.clk)

    def set_attenuation(self, attenuation):
        self.atten_fx = self.format.quantize_attenuation(attenuation)
        self.dut.attenuation.value = self.atten_fx

    def send(self, acc, pixel):
        """Queue one (acc, pixel) pair; the model's answer goes to the scoreboard."""
        new_acc = self.format.step(acc, pixel, self.atten_fx)
        out_pixel = self.format.to_pixel(new_acc)
        self.scoreboard.expect({
            "acc": dict(zip(CHANNELS, map(int, new_acc))),
            "pixel": dict(zip(CHANNELS, map(int, out_pixel))),
        })
        self.source.send({"acc": dict(zip(CHANNELS, map(int, acc))),
                          "pixel": dict(zip(CHANNELS, map(int, pixel)))})

    def random_acc(self):
        top = self.format.pixel_max << self.format.frac_bits
        return [self.rng.choice((0, top, self.rng.randint(0, top))) for _ in CHANNELS]

    def random_pixel(self):
        top = self.format.pixel_max
        return [self.rng.choice((0, top, self.rng.randint(0, top))) for _ in CHANNELS]

    async def drain(self, timeout=100_000):
        await drain(self.dut.clk, self.source, self.scoreboard, timeout)


@cocotb.test()
@cocotb.parametrize(source_pause=PAUSE_KINDS, sink_pause=PAUSE_KINDS)
async def random_pairs_under_backpressure(dut, source_pause, sink_pause):
    """Random (acc, pixel) pairs and attenuations, under every source-idle x sink-pause pattern."""
    tb = StackerTB(dut, seed_from_env(), source_pause, sink_pause)
    await tb.start()
    count = 0
    for attenuation in ATTENUATIONS + (tb.rng.random(),):
        await tb.drain()  # the attenuation is sampled per pixel: change it between bursts only
        tb.set_attenuation(attenuation)
        for _ in range(60):
            tb.send(tb.random_acc(), tb.random_pixel())
            count += 1
    await tb.drain()
    assert tb.scoreboard.matched == count
    assert tb.sink.received == count


@cocotb.test()
@cocotb.parametrize(source_pause=("none", "random"), sink_pause=("none", "random"))
async def frames_stack_like_the_model(dut, source_pause, sink_pause):
    """Stack a short sequence of small frames, feeding each output accumulator back in."""
    tb = StackerTB(dut, seed_from_env(), source_pause, sink_pause)
    await tb.start()
    pixels, frames, attenuation = 24, 12, tb.rng.choice((0.9, 0.99, 0.999, 1.0))
    tb.set_attenuation(attenuation)
    model = FixedStacker(attenuation, tb.width)
    acc = [[0, 0, 0] for _ in range(pixels)]
    for _ in range(frames):
        frame = [tb.random_pixel() for _ in range(pixels)]
        model.add(frame)
        start = len(tb.outputs)
        for p in range(pixels):
            tb.send(acc[p], frame[p])
        await tb.drain()
        acc = [[out["acc"][c] for c in CHANNELS] for out in tb.outputs[start:]]
    final = [[tb.outputs[-pixels + p]["pixel"][c] for c in CHANNELS] for p in range(pixels)]
    assert final == model.result().tolist()


@cocotb.test()
async def one_pixel_per_clock(dut):
    """With the output always ready, N pixels take N + latency clocks, with no bubble."""
    tb = StackerTB(dut, seed_from_env())
    await tb.start()
    tb.set_attenuation(0.99)
    n = 500
    for _ in range(n):
        tb.send(tb.random_acc(), tb.random_pixel())
    await tb.drain()
    # Both monitors count the same rising edges; count the first input transfer's edge and the
    # last output transfer's edge and every edge between them.
    clocks = tb.sink.last_transfer_cycle - tb.source.first_transfer_cycle + 1
    dut._log.info("%d pixels in %d clocks", n, clocks)
    assert clocks == n + StarTrailStacker.LATENCY, f"{n} pixels took {clocks} clocks"


@cocotb.test()
async def reset_mid_stream(dut):
    """A reset with pixels in flight leaves the core idle and clean; the next stream is exact."""
    tb = StackerTB(dut, seed_from_env(), "random", "random")
    await tb.start()
    tb.set_attenuation(0.995)
    for _ in range(200):
        tb.send(tb.random_acc(), tb.random_pixel())
    await ClockCycles(dut.clk, 57 + tb.rng.randrange(40))
    assert tb.scoreboard.expected, "the stream should still be in flight"
    tb.source.clear()
    tb.scoreboard.clear()
    tb.discard = True
    tb.sink.pause = no_pause()
    await tb.reset(cycles=1 + tb.rng.randrange(3))
    for _ in range(2 * StarTrailStacker.LATENCY):
        assert not int(dut.o__valid.value), "output valid after reset"
        await RisingEdge(dut.clk)
    tb.discard = False
    tb.outputs.clear()
    for _ in range(100):
        tb.send(tb.random_acc(), tb.random_pixel())
    await tb.drain()
    assert len(tb.outputs) == 100
