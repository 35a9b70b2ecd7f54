"""Formal properties of :class:`StarTrailStacker`, bounded from reset.

For any accumulator, pixel and attenuation of every transfer, and any pattern of source idles
and sink stalls, each output equals the specification (:class:`FixedFormat`'s numbers, written
here as an expression of its own rather than the core's two side-by-side maxima)::

    faded = (acc * a + 2**(A-1)) >> A
    acc'  = max(faded, pixel << F)
    pixel'= (acc' + 2**(F-1)) >> F

for any attenuation up to 1.0 (``1 << A``), and the stream rules of :class:`StreamHarness` hold.
Two proofs share the work, because a solver cannot tell two 26 x 27-bit products equal through
a pipeline that may stall:

* the datapath (:class:`PipelineHarness`), by induction: with the sink always ready, every
  output is the expression above of the input three clocks before, for every attenuation up to
  1.0 and every accumulator and pixel;
* the stalls (:class:`StreamHarness`), bounded: every trace of ``depth`` clocks from reset,
  any idles and stalls, the attenuation tied to 1.0 (the multiplier becomes a shift), each output
  ``max(acc, pixel << F)`` of its own input, in order, held while it waits.
"""

from amaranth.hdl import Assume, Cat, Mux, Signal

from starsweeper.gateware.star_trail import StarTrailStacker

from .runner import Proof
from .streams import PipelineHarness, StreamHarness

__all__ = ["stacker_expected", "datapath_harness", "stall_harness", "PROOFS"]


def stacker_expected(m, payload, core):
    fmt = core.format
    A, F = fmt.atten_frac_bits, fmt.frac_bits
    # The attenuation is at most 1.0 (UQ1.A): the only values the stack ever gives it.
    m.d.comb += Assume(core.attenuation <= (1 << A))
    results = {}
    for c in ("r", "g", "b"):
        # acc < 2**(W+F) and a <= 2**A, so the product and its rounding half fit W+F+A+1 bits.
        product = Signal(fmt.acc_width + fmt.atten_width, name=f"spec_product_{c}")
        faded = Signal(fmt.acc_width + 1, name=f"spec_faded_{c}")
        acc = Signal(fmt.acc_width, name=f"spec_acc_{c}")
        pixel = Signal(fmt.channel_width, name=f"spec_pixel_{c}")
        m.d.comb += product.eq(payload.acc[c] * core.attenuation + (1 << (A - 1)))
        m.d.comb += faded.eq(product >> A)
        widened = payload.pixel[c] << F
        m.d.comb += acc.eq(Mux(widened >= faded, widened, faded))
        m.d.comb += pixel.eq((acc + (1 << (F - 1))) >> F)
        results[c] = (acc, pixel)
    accs = Cat(*(results[c][0] for c in ("r", "g", "b")))
    pixels = Cat(*(results[c][1] for c in ("r", "g", "b")))
    return Cat(accs, pixels)


def datapath_harness(channel_width=8, core=StarTrailStacker):
    dut = core(channel_width)
    return PipelineHarness(dut, latency=dut.LATENCY, expected=stacker_expected,
                           extra={"attenuation": dut.attenuation.shape()})


def stall_harness(channel_width=8, core=StarTrailStacker):
    dut = core(channel_width)
    return StreamHarness(dut, capacity=dut.LATENCY, expected=stacker_expected,
                         fixed={"attenuation": 1 << dut.format.atten_frac_bits})


PROOFS = [
    Proof(f"star_trail_{width}_{name}", lambda width=width, make=make: make(width), mode, depth)
    for width in (8, 16)
    for name, make, mode, depth in [("datapath", datapath_harness, "prove", 5),
                                    ("stalls", stall_harness, "bmc", 8),
                                    ("stalls_cover", stall_harness, "cover", 8)]
]
