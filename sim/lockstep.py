"""A bench for a core with no handshake that takes inputs and shows outputs every clock (a TMDS
channel, the DVI encoder): the model runs in lock step with it.

:class:`LockstepTB` drives one step of inputs each clock (on the falling edge) and queues the
model's answer for that step; a monitor reads the outputs after every rising edge and compares
them in order with the queue (:class:`streams.Scoreboard`). A reset is a step too: the bench
holds ``rst`` for that clock, the model starts again, and the outputs it shows after a reset
are expected.
"""

import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from streams import Scoreboard

__all__ = ["RESET", "LockstepTB"]

#: A step that resets the core for one clock instead of driving inputs.
RESET = None


class LockstepTB:
    """Clock, reset, driver, monitor and scoreboard of a core checked clock for clock.

    ``make_model()`` makes the model, with ``step(model, inputs)``: its answer for one
    clock's inputs, and ``shown(model)``: what it shows after a reset. ``drive(dut, inputs)``
    sets the core's inputs; ``read(dut)`` reads its outputs in the model's form."""

    def __init__(self, dut, seed, make_model, step, shown, drive, read):
        self.dut = dut
        self.rng = random.Random(seed)
        dut._log.info("seed %d (replay with STARSWEEPER_SEED=%d)", seed, seed)
        self.make_model, self._step, self._shown = make_model, step, shown
        self._drive, self._read = drive, read
        self.scoreboard = Scoreboard(dut._log)
        self.model = make_model()
        self.clocks = 0

    async def start(self):
        """The clock and the monitor, then two clocks of reset."""
        self.dut.rst.value = 0
        cocotb.start_soon(Clock(self.dut.clk, 10, unit="ns").start())
        cocotb.start_soon(self._monitor())
        await self.send([RESET, RESET])

    async def _monitor(self):
        while True:
            await RisingEdge(self.dut.clk)
            await ReadOnly()
            if self.scoreboard.expected:
                self.scoreboard.compare(self._read(self.dut))

    async def send(self, steps):
        """One step a clock, each answer expected after the clock's rising edge."""
        for inputs in steps:
            await FallingEdge(self.dut.clk)
            if inputs is RESET:
                self.dut.rst.value = 1
                self.model = self.make_model()
                self.scoreboard.expect(self._shown(self.model))
            else:
                self.dut.rst.value = 0
                self._drive(self.dut, inputs)
                self.scoreboard.expect(self._step(self.model, inputs))
            self.clocks += 1

    async def finish(self):
        """Wait for the last answer's comparison; every clock driven was compared."""
        await FallingEdge(self.dut.clk)
        self.dut.rst.value = 0
        await RisingEdge(self.dut.clk)
        await FallingEdge(self.dut.clk)
        assert not self.scoreboard.expected, f"{len(self.scoreboard.expected)} outputs never compared"
        assert self.scoreboard.matched == self.clocks
