"""cocotb drivers and monitors for Amaranth ``lib.stream`` valid/ready interfaces.

An Amaranth stream port ``x`` appears in the emitted Verilog as ``x__valid``, ``x__ready`` and
``x__payload``. Payload bits are packed and unpacked from the Amaranth ``lib.data`` layout itself
(:func:`pack`, :func:`unpack`), so the testbenches never hard-code field offsets.

Transfers happen on a rising edge where valid and ready are both high. Signals are sampled right
after ``RisingEdge`` (before the edge's register updates land) and driven for the next cycle.
"""

import itertools
from collections import deque

from amaranth.lib import data
from cocotb.triggers import RisingEdge

__all__ = [
    "pack", "unpack", "no_pause", "fixed_pause", "random_pause", "PAUSE_KINDS", "make_pause",
    "StreamSource", "StreamSink", "Scoreboard", "drain",
]


def pack(layout, value):
    """Pack a (nested) dict of ints into an int according to an Amaranth ``lib.data`` layout."""
    if isinstance(layout, data.Layout):
        word = 0
        for name, field in layout:
            word |= pack(field.shape, value[name]) << field.offset
        return word
    width = layout.width if hasattr(layout, "width") else int(layout)
    if not 0 <= value < (1 << width):
        raise ValueError(f"value {value} does not fit in {width} bits")
    return value


def unpack(layout, word):
    """Unpack an int into a (nested) dict of ints according to an Amaranth ``lib.data`` layout."""
    if isinstance(layout, data.Layout):
        return {name: unpack(field.shape, (word >> field.offset) & ((1 << field.width) - 1))
                for name, field in layout}
    return word


# Pause generators yield True for a cycle in which the source stays idle or the sink not ready.

def no_pause():
    return itertools.repeat(False)


def fixed_pause(pattern=(False, False, True, False, True, True, False, False, False, True)):
    return itertools.cycle(pattern)


def random_pause(rng, probability=0.35):
    while True:
        yield rng.random() < probability


PAUSE_KINDS = ("none", "fixed", "random")


def make_pause(kind, rng):
    if kind == "none":
        return no_pause()
    if kind == "fixed":
        return fixed_pause()
    if kind == "random":
        return random_pause(rng)
    raise ValueError(f"unknown pause kind {kind!r}; expected one of {PAUSE_KINDS}")


class StreamSource:
    """Drives ``<prefix>__valid`` and ``<prefix>__payload``; holds valid until each transfer."""

    def __init__(self, dut, prefix, clock, layout, pause=None):
        self.valid = getattr(dut, f"{prefix}__valid")
        self.ready = getattr(dut, f"{prefix}__ready")
        self.payload = getattr(dut, f"{prefix}__payload")
        self.clock = clock
        self.layout = layout
        self.pause = pause or no_pause()
        self.queue = deque()
        self.sent = 0
        self.holding = False
        self.cycle = 0  # rising edges seen since run() started
        self.first_transfer_cycle = None
        self.valid.value = 0
        self.payload.value = 0

    def send(self, item):
        self.queue.append(item)

    def idle(self):
        return not self.queue and not int(self.valid.value)

    def clear(self):
        """Forget queued items and drop valid (for a reset)."""
        self.queue.clear()
        self.holding = False
        self.valid.value = 0

    async def run(self):
        while True:
            await RisingEdge(self.clock)
            self.cycle += 1
            if self.holding and int(self.ready.value):
                self.queue.popleft()
                self.sent += 1
                if self.first_transfer_cycle is None:
                    self.first_transfer_cycle = self.cycle
                self.holding = False
            if not self.holding:
                paused = next(self.pause)
                if self.queue and not paused:
                    self.payload.value = pack(self.layout, self.queue[0])
                    self.valid.value = 1
                    self.holding = True
                else:
                    self.valid.value = 0


class StreamSink:
    """Drives ``<prefix>__ready`` from a pause generator and records every transfer.

    Each received item goes to ``callback`` (the scoreboard), then to ``received``.
    """

    def __init__(self, dut, prefix, clock, layout, pause=None, callback=None):
        self.valid = getattr(dut, f"{prefix}__valid")
        self.ready = getattr(dut, f"{prefix}__ready")
        self.payload = getattr(dut, f"{prefix}__payload")
        self.clock = clock
        self.layout = layout
        self.pause = pause or no_pause()
        self.callback = callback
        self.received = 0
        self.last_transfer_cycle = None
        self.cycle = 0  # rising edges seen since run() started
        self.ready.value = 0

    async def run(self):
        while True:
            await RisingEdge(self.clock)
            self.cycle += 1
            if int(self.ready.value) and self.valid.value.is_resolvable and int(self.valid.value):
                item = unpack(self.layout, self.payload.value.to_unsigned())
                self.received += 1
                self.last_transfer_cycle = self.cycle
                if self.callback is not None:
                    self.callback(item)
            self.ready.value = 0 if next(self.pause) else 1


class Scoreboard:
    """In-order scoreboard: expected items are queued by the model, compared on arrival."""

    def __init__(self, log):
        self.log = log
        self.expected = deque()
        self.matched = 0

    def expect(self, item):
        self.expected.append(item)

    def compare(self, got):
        assert self.expected, f"unexpected output {got} (nothing was expected)"
        want = self.expected.popleft()
        assert got == want, f"output {self.matched}: got {got}, model says {want}"
        self.matched += 1

    def clear(self):
        self.expected.clear()


async def drain(clock, source, scoreboard, timeout=100_000):
    """Wait until ``source`` has sent everything and ``scoreboard`` expects nothing more."""
    for _ in range(timeout):
        if source.idle() and not scoreboard.expected:
            return
        await RisingEdge(clock)
    raise AssertionError(f"timed out with {len(scoreboard.expected)} outputs missing")
