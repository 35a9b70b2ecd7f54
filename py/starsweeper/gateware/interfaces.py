"""The signatures that join the components: the VGA port, the game's cell read port, and the
board as the flood sees it."""

from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import CELLS

__all__ = ["VgaSignature", "CellView", "CellReadPort", "FloodSignature"]



class VgaSignature(wiring.Signature):
    """A VGA port as the Nexys 3 has it, from the side that drives it: RGB332 and the two sync
    pulses, active low. The test pattern, the display and the system each have one.

    Members
    -------
    red, green, blue : Out(3), Out(3), Out(2)
    hsync_n, vsync_n : Out(1)
        Start high (no pulse) after reset.
    """

    def __init__(self):
        super().__init__({
            "red": Out(3),
            "green": Out(3),
            "blue": Out(2),
            "hsync_n": Out(1, init=1),
            "vsync_n": Out(1, init=1),
        })


class CellView(data.StructLayout):
    """What the display needs of one cell."""

    def __init__(self):
        super().__init__({
            "count": 4,        # neighbouring mines, 0 to 8
            "mine": 1,
            "revealed": 1,
            "flagged": 1,
            "exploded": 1,     # the mine that lost the game
        })


class CellReadPort(wiring.Signature):
    """The game's cells, read one a clock, from the reader's side (the display).

    Members
    -------
    row, col : Out(4)
        The cell to read.
    enable : Out(1)
        The address is taken, and ``cell`` changes, only in clocks where it is high (a reader
        that advances on a pixel clock enable drives it with that enable). High after reset.
    cell : In(CellView)
        The cell at the address two enabled clocks before (the address is registered, then
        the cell).
    """

    #: Enabled clocks from an address to its cell.
    LATENCY = 2

    def __init__(self):
        super().__init__({
            "row": Out(4),
            "col": Out(4),
            "enable": Out(1, init=1),
            "cell": In(CellView()),
        })


class FloodSignature(wiring.Signature):
    """The board as the flood sees it, from the board's side: the three vectors out, the cells
    one step opens back. Cell (r, c) is bit ``16 r + c``.

    Members
    -------
    revealed, flagged, zero : Out(256)
    opening : In(256)
    """

    def __init__(self):
        super().__init__({
            "revealed": Out(CELLS),
            "flagged": Out(CELLS),
            "zero": Out(CELLS),
            "opening": In(CELLS),
        })
