"""TMDS serialiser: three channels' 10-bit symbols and the clock lane, two bits a fast clock."""

from amaranth.hdl import Module, Signal
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from ..model.dvi import CLOCK_LANE_SYMBOL
from .dvi import SYMBOLS

__all__ = ["TmdsSerializer", "LANES", "BIT_CLOCKS"]

#: Fast clocks per pixel clock: ten bits a symbol, two a fast clock (DDR).
BIT_CLOCKS = 5

#: Two bits for each of the four lanes (channels 0, 1, 2, then the clock lane), the first to be
#: sent in bit 0.
LANES = data.ArrayLayout(2, 4)


class TmdsSerializer(wiring.Component):
    """Shifts each pixel's symbols out, two bits a ``shift`` clock, to DDR output registers in
    the board top (ODDRX1F on the ECP5: bit 0 while the clock is high, bit 1 while it is low).

    Domains: ``sync`` is the pixel clock; ``shift`` runs five times as fast, from the same PLL,
    with its edges on ``sync``'s (so the symbols, registered in ``sync``, are stable at every
    ``shift`` edge but the ones they change at, like any path between two registers of one
    clock). A free-running count of five ``shift`` clocks reloads the shift registers; the clock
    lane sends :data:`~starsweeper.model.dvi.CLOCK_LANE_SYMBOL` every symbol, so a receiver finds
    the symbol boundaries from it whatever that count's phase.

    Attributes
    ----------
    symbols : In(SYMBOLS)
        The three channels' symbols (``sync``).
    lanes : Out(LANES)
        The next two bits of each lane (``shift``, from registers).
    """

    symbols: In(SYMBOLS)
    lanes: Out(LANES)

    def elaborate(self, platform):
        m = Module()
        count = Signal(range(BIT_CLOCKS))
        captured = Signal(SYMBOLS)
        shifters = [Signal(10, name=f"shift{lane}") for lane in range(4)]
        words = [captured[0], captured[1], captured[2], CLOCK_LANE_SYMBOL]
        m.d.shift += captured.eq(self.symbols)
        with m.If(count == BIT_CLOCKS - 1):
            m.d.shift += count.eq(0)
            m.d.shift += [shifter.eq(word) for shifter, word in zip(shifters, words)]
        with m.Else():
            m.d.shift += count.eq(count + 1)
            m.d.shift += [shifter.eq(shifter >> 2) for shifter in shifters]
        m.d.comb += [self.lanes[lane].eq(shifter[:2]) for lane, shifter in enumerate(shifters)]
        return m
