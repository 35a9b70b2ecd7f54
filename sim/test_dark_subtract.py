"""cocotb testbench of the dark-frame stage (hdl/dark_subtract_{8,16}.v) and of the stage in
front of the stacker (hdl/calibrated_stacker_{8,16}.v).

Every output is checked, in order, against the models: :func:`subtract_dark` of
:mod:`starsweeper.model.dark_frame`, then (for the calibrated stacker) the stacker's bit-exact
:class:`FixedFormat` step. Environment: ``DARK_TOP`` (``dark_subtract`` or
``calibrated_stacker``), ``CHANNEL_WIDTH`` (8 or 16) and ``STARSWEEPER_SEED`` (printed; set it
to replay a run).
"""

import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
import numpy as np

from starsweeper.gateware.dark_subtract import CalibratedStacker, CalibrationInput, DarkSubtract
from starsweeper.gateware.star_trail import StackerInput, StackerOutput
from starsweeper.model.dark_frame import subtract_dark
from starsweeper.model.star_trail import FixedFormat, FixedStacker

from seeds import seed_from_env
from streams import PAUSE_KINDS, Scoreboard, drain, StreamSink, StreamSource, make_pause

CHANNELS = ("r", "g", "b")
ATTENUATIONS = (0.0, 0.9, 0.99, 1.0)


class DarkTB:
    """Clock, reset, source driver, sink monitor and a scoreboard fed by the models."""

    def __init__(self, dut, seed, source_pause="none", sink_pause="none"):
        self.dut = dut
        self.top = os.environ["DARK_TOP"]
        self.width = int(os.environ["CHANNEL_WIDTH"])
        self.format = FixedFormat(self.width)
        self.rng = random.Random(seed)
        self.core = {"dark_subtract": DarkSubtract, "calibrated_stacker": CalibratedStacker}[self.top]
        dut._log.info("seed %d (replay with STARSWEEPER_SEED=%d), %s, width %d, source %s, sink %s",
                      seed, seed, self.top, self.width, source_pause, sink_pause)
        self.scoreboard = Scoreboard(dut._log)
        self.outputs = []
        out_layout = StackerInput(self.format) if self.top == "dark_subtract" else StackerOutput(self.format)
        self.source = StreamSource(dut, "i", dut.clk, CalibrationInput(self.format),
                                   make_pause(source_pause, self.rng))
        self.sink = StreamSink(dut, "o", dut.clk, out_layout, make_pause(sink_pause, self.rng),
                               callback=self._received)
        self.atten_fx = self.format.quantize_attenuation(1.0)
        if self.top == "calibrated_stacker":
            dut.attenuation.value = self.atten_fx
        dut.rst.value = 0

    def _received(self, item):
        self.outputs.append(item)
        self.scoreboard.compare(item)

    async def start(self):
        cocotb.start_soon(Clock(self.dut.clk, 10, unit="ns").start())
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, 2)
        self.dut.rst.value = 0
        await RisingEdge(self.dut.clk)
        cocotb.start_soon(self.source.run())
        cocotb.start_soon(self.sink.run())

    def set_attenuation(self, attenuation):
        self.atten_fx = self.format.quantize_attenuation(attenuation)
        self.dut.attenuation.value = self.atten_fx

    def send(self, acc, pixel, dark):
        """Queue one (acc, pixel, dark) triple; the models' answer goes to the scoreboard."""
        calibrated = subtract_dark(np.array(pixel, dtype=np.int64), np.array(dark, dtype=np.int64))
        if self.top == "dark_subtract":
            expected = {"acc": dict(zip(CHANNELS, acc)), "pixel": dict(zip(CHANNELS, map(int, calibrated)))}
        else:
            new_acc = self.format.step(acc, calibrated, self.atten_fx)
            expected = {"acc": dict(zip(CHANNELS, map(int, new_acc))),
                        "pixel": dict(zip(CHANNELS, map(int, self.format.to_pixel(new_acc))))}
        self.scoreboard.expect(expected)
        self.source.send({"acc": dict(zip(CHANNELS, acc)), "pixel": dict(zip(CHANNELS, pixel)),
                          "dark": dict(zip(CHANNELS, dark))})

    def random_acc(self):
        top = self.format.pixel_max << self.format.frac_bits
        return [self.rng.choice((0, top, self.rng.randint(0, top))) for _ in CHANNELS]

    def random_pixel(self):
        top = self.format.pixel_max
        return [self.rng.choice((0, 1, top, self.rng.randint(0, top))) for _ in CHANNELS]

    def random_dark(self, pixel):
        """Darks below, equal to and above the pixel (the saturation), and at the extremes."""
        top = self.format.pixel_max
        return [self.rng.choice((0, top, p, max(0, p - 1), min(top, p + 1), self.rng.randint(0, top)))
                for p in pixel]

    async def drain(self, timeout=100_000):
        await drain(self.dut.clk, self.source, self.scoreboard, timeout)


@cocotb.test()
@cocotb.parametrize(source_pause=PAUSE_KINDS, sink_pause=PAUSE_KINDS)
async def random_triples_under_backpressure(dut, source_pause, sink_pause):
    """Random (acc, pixel, dark) triples, under every source-idle x sink-pause pattern."""
    tb = DarkTB(dut, seed_from_env(), source_pause, sink_pause)
    await tb.start()
    count = 0
    for attenuation in ATTENUATIONS if tb.top == "calibrated_stacker" else (None,):
        await tb.drain()          # the attenuation is sampled per pixel: change it between bursts
        if attenuation is not None:
            tb.set_attenuation(attenuation)
        for _ in range(80):
            pixel = tb.random_pixel()
            tb.send(tb.random_acc(), pixel, tb.random_dark(pixel))
            count += 1
    await tb.drain()
    assert tb.scoreboard.matched == count
    assert tb.sink.received == count


@cocotb.test()
async def one_pixel_per_clock(dut):
    """With the output always ready, N pixels take N + latency clocks, with no bubble."""
    tb = DarkTB(dut, seed_from_env())
    await tb.start()
    n = 300
    for _ in range(n):
        pixel = tb.random_pixel()
        tb.send(tb.random_acc(), pixel, tb.random_dark(pixel))
    await tb.drain()
    clocks = tb.sink.last_transfer_cycle - tb.source.first_transfer_cycle + 1
    assert clocks == n + tb.core.LATENCY, f"{n} pixels took {clocks} clocks"


@cocotb.test(skip=os.environ.get("DARK_TOP") != "calibrated_stacker")
@cocotb.parametrize(source_pause=("none", "random"), sink_pause=("none", "random"))
async def frames_with_a_dark_stack_like_the_model(dut, source_pause, sink_pause):
    """Small frames less one master dark, each output accumulator fed back in: the stacker's
    model of the frames after :func:`subtract_dark`."""
    tb = DarkTB(dut, seed_from_env(), source_pause, sink_pause)
    await tb.start()
    pixels, frames, attenuation = 24, 10, tb.rng.choice((0.9, 0.99, 1.0))
    tb.set_attenuation(attenuation)
    dark = [tb.random_pixel() for _ in range(pixels)]
    model = FixedStacker(attenuation, tb.width)
    acc = [[0, 0, 0] for _ in range(pixels)]
    for _ in range(frames):
        frame = [tb.random_pixel() for _ in range(pixels)]
        model.add(subtract_dark(np.array(frame), np.array(dark)))
        start = len(tb.outputs)
        for p in range(pixels):
            tb.send(acc[p], frame[p], dark[p])
        await tb.drain()
        acc = [[out["acc"][c] for c in CHANNELS] for out in tb.outputs[start:]]
    final = [[tb.outputs[-pixels + p]["pixel"][c] for c in CHANNELS] for p in range(pixels)]
    assert final == model.result().tolist()
