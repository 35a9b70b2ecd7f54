"""The win scan: is any safe cell still covered?"""

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import CELLS
from .interfaces import ProbeSignature, TaskSignature

__all__ = ["WinScan"]


class WinScan(wiring.Component):
    """Won when no safe cell is covered (model:
    :meth:`starsweeper.model.minesweeper.MinesweeperGame.all_safe_revealed`), one cell a clock
    through the probe, stopping at the first covered safe cell: ``cells + 2`` clocks at most,
    where a 256-input AND over the board would cost ~400 LUTs. Cells outside the field count as
    revealed (the board keeps them so).

    Parameters
    ----------
    cells : int
        The cells scanned, 0 to ``cells - 1`` (the game's 256; fewer for a quick proof).

    Attributes
    ----------
    control : In(TaskSignature)
        ``control.start``: scan, from the next clock; ``control.done``: the scan's last clock.
    won : Out(1)
        With ``control.done``: no safe cell is covered.
    probe : Out(ProbeSignature)
        The board's probe (all 0 while idle).
    """

    control: In(TaskSignature())
    won: Out(1)
    probe: Out(ProbeSignature())

    def __init__(self, cells=CELLS):
        if not isinstance(cells, int) or not 1 <= cells <= CELLS:
            raise ValueError(f"Cells must be an integer from 1 to {CELLS}, not {cells!r}")
        self.cells = cells
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        probe = self.probe
        step = Signal(range(self.cells + 2))      # clock k probes cell k, takes cell k - 2
        with m.FSM():
            with m.State("IDLE"):
                with m.If(self.control.start):
                    m.d.sync += step.eq(0)
                    m.next = "SCAN"
            with m.State("SCAN"):
                m.d.comb += probe.address.eq(step[:8])        # cell k's address is k
                m.d.sync += step.eq(step + 1)
                with m.If((step >= 2) & ~probe.revealed & ~probe.mine):
                    m.d.comb += self.control.done.eq(1)
                    m.next = "IDLE"
                with m.Elif(step == self.cells + 1):
                    m.d.comb += [self.control.done.eq(1), self.won.eq(1)]
                    m.next = "IDLE"
        return m
