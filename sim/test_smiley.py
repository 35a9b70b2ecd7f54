"""cocotb testbench of the smiley on its own (``Smiley``, emitted by tests/test_smiley_rtl.py).

Every pixel around the face, for each of the four faces, is driven with the pixel enable high
and low in turn at random (a board's pixel clock enable), and each enabled output, ``LATENCY``
enabled clocks after its pixel, is checked in order against the model
(:func:`starsweeper.model.smiley.smiley_pixels`). Environment: ``STARSWEEPER_SEED`` (printed;
set it to replay a run).
"""

import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge, ReadOnly, RisingEdge

from starsweeper.gateware.smiley import Smiley, SmileyState
from starsweeper.model.smiley import CENTRE, RADIUS, STATES, smiley_pixels

from seeds import seed_from_env
from streams import Scoreboard


class SmileyTB:
    """Clock, reset, a pixel driver with a random enable, an output monitor and an in-order
    scoreboard fed by the model."""

    def __init__(self, dut, seed):
        self.dut = dut
        self.rng = random.Random(seed)
        dut._log.info("seed %d (replay with STARSWEEPER_SEED=%d)", seed, seed)
        self.scoreboard = Scoreboard(dut._log)
        dut.enable.value = 0
        dut.rst.value = 0

    async def start(self):
        cocotb.start_soon(Clock(self.dut.clk, 10, unit="ns").start())
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, 2)
        self.dut.rst.value = 0

    async def face(self, state, name):
        """Every pixel of the square around the face, the model's answer for each expected."""
        cx, cy = CENTRE
        span = range(-RADIUS - 3, RADIUS + 4)
        pixels = [(cx + dx, cy + dy) for dy in span for dx in span]
        want = smiley_pixels([x - cx for x, _ in pixels], [y - cy for _, y in pixels], name)
        for value in want:
            self.scoreboard.expect(int(value))
        self.dut.state.value = state.value
        edges = 0                          # enabled clocks so far
        while self.scoreboard.expected:
            await FallingEdge(self.dut.clk)
            enable = self.rng.random() < 0.7
            if enable:
                x, y = pixels[min(edges, len(pixels) - 1)]
                self.dut.x.value, self.dut.y.value = x, y
            self.dut.enable.value = int(enable)
            await RisingEdge(self.dut.clk)
            if enable:
                edges += 1
                if edges >= Smiley.LATENCY:          # the output of pixel edges - LATENCY
                    await ReadOnly()
                    face, feature = int(self.dut.face.value), int(self.dut.feature.value)
                    self.scoreboard.compare(0 if not face else 2 if feature else 1)
        await FallingEdge(self.dut.clk)
        self.dut.enable.value = 0


@cocotb.test()
async def every_pixel_of_every_face(dut):
    tb = SmileyTB(dut, seed_from_env())
    await tb.start()
    for state, name in zip(SmileyState, STATES):
        await tb.face(state, name)
    assert not tb.scoreboard.expected and tb.scoreboard.matched > 0
