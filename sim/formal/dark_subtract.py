"""Formal properties of :class:`DarkSubtract`, by induction.

For any accumulator, pixel and dark, under any idles and stalls (:class:`StreamHarness`), each
output is its own input's accumulator, unchanged, and per channel the saturating difference,
written here in signed arithmetic one bit wider than a channel: ``pixel - dark`` where that is
not negative, else 0. It never wraps: a dark above the pixel gives 0, never a large value.
The stage holds one pixel, and its output register is the whole of its state, so the
stream harness's own assertions are inductive.
"""

from amaranth.hdl import Cat, Mux, Signal, signed

from starsweeper.gateware.dark_subtract import DarkSubtract

from .runner import Proof
from .streams import StreamHarness

__all__ = ["dark_subtract_expected", "dark_subtract_harness", "PROOFS"]


def dark_subtract_expected(m, payload, core):
    width = core.format.channel_width
    pixels = []
    for c in ("r", "g", "b"):
        difference = Signal(signed(width + 1), name=f"spec_difference_{c}")
        m.d.comb += difference.eq(payload.pixel[c] - payload.dark[c])
        pixels.append(Mux(difference < 0, 0, difference)[:width])
    return Cat(payload.acc.as_value(), *pixels)


def dark_subtract_harness(channel_width=8, core=DarkSubtract):
    dut = core(channel_width)
    return StreamHarness(dut, capacity=dut.LATENCY, expected=dark_subtract_expected)


PROOFS = [
    Proof(f"dark_subtract_{width}_{mode}", lambda width=width: dark_subtract_harness(width),
          mode, depth)
    for width in (8, 16)
    for mode, depth in [("prove", 3), ("cover", 6)]
]
