"""The board's one probe, shared by the game core's parts."""

from amaranth.hdl import Module, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .interfaces import ProbeSignature

__all__ = ["ProbeBus"]


class ProbeBus(wiring.Component):
    """Several parts on one probe: their outputs joined by OR, the board's answers to every part.

    Each part drives its probe outputs only while it runs and 0 otherwise (the controller runs
    one part at a time), so an OR of the parts' outputs is the running part's: one LUT a bit for
    up to six parts, where a multiplexer would need the controller's state as a select.

    Parameters
    ----------
    count : int
        How many parts share the probe.

    Attributes
    ----------
    parts : In(ProbeSignature).array(count)
        The parts' probes.
    board : Out(ProbeSignature)
        The board's probe.
    """

    def __init__(self, count):
        if not isinstance(count, int) or count < 1:
            raise TypeError(f"Part count must be a positive integer, not {count!r}")
        self.count = count
        super().__init__({
            "parts": In(ProbeSignature()).array(count),
            "board": Out(ProbeSignature()),
        })

    def elaborate(self, platform):
        m = Module()
        for path, member, value in self.board.signature.flatten(self.board):
            name = path[0]
            if member.flow == wiring.Out:           # the parts' request: OR of theirs
                joined = 0
                for part in self.parts:
                    joined = joined | Value.cast(getattr(part, name))
                m.d.comb += value.eq(joined)
            else:                                   # the board's answer: to every part
                for part in self.parts:
                    m.d.comb += getattr(part, name).eq(value)
        return m
