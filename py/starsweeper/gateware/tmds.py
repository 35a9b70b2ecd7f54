"""TMDS encoder: one DVI channel's transition-minimised, DC-balanced 8b/10b code."""

from amaranth.hdl import Cat, Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.tmds import CONTROL_TOKENS, DISPARITY_BOUND

__all__ = ["TmdsEncoder"]


def _ones(bits):
    """The number of ones in ``bits``, as a sum of single bits."""
    return sum(bits[i] for i in range(len(bits)))


class TmdsEncoder(wiring.Component):
    """One channel of a DVI 1.0 transmitter, one symbol a clock: the rules of
    :class:`starsweeper.model.tmds.TmdsEncoder`, clock for clock.

    Its clock is the pixel clock. The running disparity is a 5-bit signed register, enough for
    :data:`~starsweeper.model.tmds.DISPARITY_BOUND` (8); it is cleared by every control token.

    Attributes
    ----------
    data : In(8)
        The byte to send while ``active`` is high.
    control : In(2)
        ``C1 C0``, sent as a control token while ``active`` is low.
    active : In(1)
        Data enable.
    symbol : Out(10)
        The symbol for the previous clock's inputs (a register), bit 0 to be sent first.
    """

    data: In(8)
    control: In(2)
    active: In(1)
    symbol: Out(10, init=CONTROL_TOKENS[0])

    def elaborate(self, platform):
        m = Module()
        data = self.data
        disparity = Signal(signed(5))
        assert DISPARITY_BOUND < 1 << 4, "the disparity register is too narrow"

        # Transition minimising: a chain of XNORs when the byte has many ones, else XORs. (The
        # chain is built as expressions, not as bits of one signal that read each other: a
        # simulator would re-evaluate such a signal once for each bit.)
        data_ones = Signal(range(9))
        use_xnor = Signal()
        m.d.comb += [data_ones.eq(_ones(data)),
                     use_xnor.eq((data_ones > 4) | ((data_ones == 4) & ~data[0]))]
        chain = [data[0]]
        for i in range(1, 8):
            chain.append(chain[-1] ^ data[i] ^ use_xnor)
        q_m = Signal(8)
        m.d.comb += q_m.eq(Cat(*chain))
        q_m8 = ~use_xnor

        # DC balance: invert the eight bits when that brings the disparity back toward zero.
        balance = Signal(signed(5))                   # ones minus zeros of q_m[0:8]
        m.d.comb += balance.eq(2 * _ones(q_m) - 8)
        with m.If(~self.active):
            m.d.sync += disparity.eq(0)
            with m.Switch(self.control):
                for value, token in enumerate(CONTROL_TOKENS):
                    with m.Case(value):
                        m.d.sync += self.symbol.eq(token)
        with m.Elif((disparity == 0) | (balance == 0)):
            m.d.sync += [
                self.symbol.eq(Cat(Mux(use_xnor, ~q_m, q_m), q_m8, use_xnor)),
                disparity.eq(disparity + Mux(use_xnor, -balance, balance)),
            ]
        with m.Elif(((disparity > 0) & (balance > 0)) | ((disparity < 0) & (balance < 0))):
            m.d.sync += [
                self.symbol.eq(Cat(~q_m, q_m8, 1)),
                disparity.eq(disparity + 2 * q_m8 - balance),
            ]
        with m.Else():
            m.d.sync += [
                self.symbol.eq(Cat(q_m, q_m8, 0)),
                disparity.eq(disparity - 2 * use_xnor + balance),
            ]
        return m
