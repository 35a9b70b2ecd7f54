"""A formal harness for a valid/ready stream core: free source and sink, in-order scoreboard.

The harness drives the core's input stream from free inputs, under the stream rules a source
must keep (an offered transfer stays offered, with the same payload, until it is taken), and
takes its output under a sink that is free to stall at any clock. Every input transfer pushes
the output it must give, computed by ``expected`` (an expression written in the harness from
the specification, not from the core), into a shadow queue; every output transfer must equal
the head of the queue. The assertions:

* whenever the output is valid it is the expected result of the oldest input not yet
  answered, so every transfer is, in order;
* no output without an input before it, and at most ``capacity`` pixels in the core;
* while the sink waits, ``o.valid`` stays high and the payload does not change;
* while the sink is ready, the core is ready (one pixel per clock, no bubbles of its own);
* after reset the core is empty.

Covers: a full pipeline drained at one pixel per clock, and an output held through a stall.

:class:`PipelineHarness` is the datapath's proof for a core whose payload arithmetic is too wide
for the stall proof (a multiplier): the sink is always ready, so the core is a fixed delay of
its latency, and every output must be the expected result of the input that many clocks
before. Every state is then fixed by the last ``latency`` clocks of input, so the proof is by
induction: it holds for every trace of any length.
"""

from types import SimpleNamespace

from amaranth.hdl import Assert, Assume, Cover, Module, Mux, ResetSignal, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

__all__ = ["StreamHarness", "PipelineHarness"]


def _free_inputs(core, extra, sink):
    """The harness's ports: the source's valid and payload, the sink's ready when ``sink``,
    and each of ``extra`` (name -> shape)."""
    members = {"i_valid": In(1), "i_payload": In(core.i.payload.shape())}
    if sink:
        members["o_ready"] = In(1)
    members.update({name: In(shape) for name, shape in extra.items()})
    return members


def _drive(m, harness, core, o_ready):
    """The core's inputs from the harness's free inputs, its sink's ready from ``o_ready``."""
    m.d.comb += [getattr(core, name).eq(getattr(harness, name)) for name in harness.extra]
    m.d.comb += [core.i.valid.eq(harness.i_valid), core.i.payload.eq(harness.i_payload),
                 core.o.ready.eq(o_ready)]


class StreamHarness(wiring.Component):
    """Parameters: ``core`` (a stream component with ``i`` and ``o``), ``capacity`` (the
    most pixels it may hold), ``expected(m, payload, core)`` (returns the expected output
    payload as a value of the output's width), ``extra`` (the core's other inputs: name ->
    shape, driven from free inputs of the same names), ``fixed`` (the core's other inputs: name
    -> the constant value they are tied to)."""

    def __init__(self, core, capacity, expected, extra=(), fixed=()):
        self.core = core
        self.capacity = capacity
        self.expected = expected
        self.extra = dict(extra)
        self.fixed = dict(fixed)
        super().__init__(_free_inputs(core, self.extra, sink=True))

    def elaborate(self, platform):
        m = Module()
        core = m.submodules.core = self.core
        _drive(m, self, core, self.o_ready)
        for name, value in self.fixed.items():
            m.d.comb += getattr(core, name).eq(value)
        i_transfer = core.i.valid & core.i.ready
        o_transfer = core.o.valid & core.o.ready

        started = Signal()
        was_reset = Signal()
        m.d.sync += [started.eq(1), was_reset.eq(ResetSignal())]
        steady = started & ~was_reset

        # The source keeps an offered transfer until it is taken.
        offered = Signal()
        offered_payload = Signal.like(self.i_payload)
        m.d.sync += [offered.eq(self.i_valid & ~core.i.ready),
                     offered_payload.eq(self.i_payload)]
        with m.If(steady & offered):
            m.d.comb += Assume(self.i_valid & (self.i_payload.as_value()
                                               == offered_payload.as_value()))

        # The shadow queue of expected outputs.
        width = core.o.payload.shape().size
        queue = [Signal(width, name=f"expected_{n}") for n in range(self.capacity + 1)]
        count = Signal(range(self.capacity + 2))
        new = Signal(width)
        m.d.comb += new.eq(self.expected(m, core.i.payload, core))
        shifted = queue[1:] + [Signal(width, name="expected_none")]
        for n in range(self.capacity + 1):
            with m.If(o_transfer):
                m.d.sync += queue[n].eq(Mux(i_transfer & (count == n + 1), new, shifted[n]))
            with m.Elif(i_transfer & (count == n)):
                m.d.sync += queue[n].eq(new)
        m.d.sync += count.eq(count + i_transfer - o_transfer)

        with m.If(core.o.valid):
            m.d.comb += Assert(count != 0)
            m.d.comb += Assert(core.o.payload.as_value() == queue[0])
        if self.capacity == 1:
            # A one-stage core holds a pixel exactly when it shows it: with this, the
            # assertions are inductive.
            m.d.comb += Assert(count == core.o.valid)
        m.d.comb += Assert(count <= self.capacity)
        with m.If(core.o.ready):
            m.d.comb += Assert(core.i.ready)
        with m.If(was_reset):
            m.d.comb += Assert(~core.o.valid)

        # The sink's side: an output waiting for ready is held.
        waiting = Signal()
        waiting_payload = Signal(width)
        m.d.sync += [waiting.eq(core.o.valid & ~core.o.ready),
                     waiting_payload.eq(core.o.payload.as_value())]
        with m.If(steady & waiting):
            m.d.comb += Assert(core.o.valid & (core.o.payload.as_value() == waiting_payload))

        # Covers: the queue full and drained back to back, and an output held through a stall.
        drained = Signal(range(self.capacity + 1))
        with m.If(o_transfer & (count == self.capacity)):
            m.d.sync += drained.eq(1)
        with m.Elif(o_transfer & (drained != 0) & (drained != self.capacity)):
            m.d.sync += drained.eq(drained + 1)
        with m.Elif(~o_transfer):
            m.d.sync += drained.eq(0)
        m.d.comb += [Cover(drained == self.capacity), Cover(steady & waiting & o_transfer)]
        return m


class PipelineHarness(wiring.Component):
    """Parameters: ``core``, ``latency`` (its ``LATENCY``), ``expected`` and ``extra`` as
    :class:`StreamHarness`'s. The sink is always ready."""

    def __init__(self, core, latency, expected, extra=()):
        self.core = core
        self.latency = latency
        self.expected = expected
        self.extra = dict(extra)
        super().__init__(_free_inputs(core, self.extra, sink=False))

    def elaborate(self, platform):
        m = Module()
        core = m.submodules.core = self.core
        _drive(m, self, core, 1)
        width = core.o.payload.shape().size
        # The specification reads the input a clock late, from registers of its own: the core's
        # first stage registers the same input, so Yosys merges the two and the solver sees one
        # multiplier's operands on both sides, instead of having to prove two products equal.
        registered = Signal.like(core.i.payload, name="registered_payload")
        registered_extra = {name: Signal(shape, name=f"registered_{name}")
                            for name, shape in self.extra.items()}
        valid = Signal(name="valid_1")
        m.d.sync += [valid.eq(self.i_valid), registered.eq(core.i.payload)]
        m.d.sync += [registered_extra[name].eq(getattr(self, name)) for name in self.extra]
        value = Signal(width, name="expected_1")
        # ``expected`` reads the core's other inputs and its format as attributes of its third
        # argument: here the registered inputs stand in for the core's.
        inputs = SimpleNamespace(**registered_extra, format=core.format)
        m.d.comb += value.eq(self.expected(m, registered, inputs))
        for n in range(1, self.latency):
            delayed_valid = Signal(name=f"valid_{n + 1}")
            delayed_value = Signal(width, name=f"expected_{n + 1}")
            m.d.sync += [delayed_valid.eq(valid), delayed_value.eq(value)]
            valid, value = delayed_valid, delayed_value
        m.d.comb += [
            Assert(core.i.ready),
            Assert(core.o.valid == valid),
        ]
        with m.If(core.o.valid):
            m.d.comb += Assert(core.o.payload.as_value() == value)
        m.d.comb += Cover(core.o.valid)
        return m

