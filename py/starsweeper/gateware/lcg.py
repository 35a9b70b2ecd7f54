"""The placement's random generator."""

from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import LCG_A, LCG_B

__all__ = ["Lcg"]


class Lcg(wiring.Component):
    """``x <- (A x + B) mod 2**32`` (model: :func:`starsweeper.model.minesweeper.lcg_next`), a
    step in three registered stages so that no path is long at 100 MHz.

    ``x * A`` is cut into 17-bit pieces: three products registered (DSP slices with their
    output register), then two short sums registered, then the last sum into ``value``. The
    products follow ``value`` every clock. A request in clock ``t`` puts the next state in
    ``value`` from clock ``t + 3`` on; ``ready`` is low in clocks ``t + 1`` and ``t + 2``.

    Attributes
    ----------
    load : In(1)
        Take ``load_value`` as ``value`` this clock (over a step landing in the same clock).
    load_value : In(32)
        The seed.
    request : In(1)
        Start a step from the current ``value``.
    value : Out(32)
        The generator's state.
    ready : Out(1)
        No step is under way: ``value`` is the last step's result.
    """

    #: Clocks after the request's clock that the step is under way.
    WAIT = 2

    load: In(1)
    load_value: In(32)
    request: In(1)
    value: Out(32)
    ready: Out(1)

    def elaborate(self, platform):
        m = Module()
        x = self.value
        wait = Signal(2)                 # clocks until the step under way lands in value
        a_lo, a_hi = LCG_A & 0x1FFFF, LCG_A >> 17
        product_ll, product_hl, product_lh = Signal(34), Signal(15), Signal(15)
        sum_low, sum_cross = Signal(32), Signal(15)
        m.d.sync += [
            product_ll.eq(x[:17] * a_lo),
            product_hl.eq((x[17:] * a_lo)[:15]),
            product_lh.eq((x[:17] * a_hi)[:15]),
            sum_low.eq((product_ll + LCG_B)[:32]),
            sum_cross.eq((product_hl + product_lh)[:15]),
        ]
        with m.If(self.request):
            m.d.sync += wait.eq(self.WAIT)
        with m.Elif(wait != 0):
            m.d.sync += wait.eq(wait - 1)
        with m.If(wait == 1):
            m.d.sync += x.eq(Cat(sum_low[:17], (sum_low[17:] + sum_cross)[:15]))
        with m.If(self.load):
            m.d.sync += x.eq(self.load_value)
        m.d.comb += self.ready.eq(wait == 0)
        return m
