"""The signatures and layouts that join the components: the VGA port; between the game and the
display its cell read port, its view and score, and the status characters; inside the game core
a cell's address, the board as the flood sees it, the board's probe and its row writes, and the
start and end of a part's task."""

from amaranth.hdl import signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import GRID, TIMER_MAX, Difficulty, Status

__all__ = ["CHARACTERS", "VgaSignature", "CellAddress", "CellView", "CellReadPort", "FloodSignature",
           "ProbeSignature", "RowWriteSignature", "TaskSignature", "GameViewSignature", "ScoreSignature",
           "StatusCharsSignature"]


#: Three glyph indices (:data:`starsweeper.model.glyphs.GLYPH_INDEX`), the leftmost first: the
#: counter or the timer as the display draws it.
CHARACTERS = data.ArrayLayout(4, 3)


class VgaSignature(wiring.Signature):
    """A VGA port as the Nexys 3 has it, from the side that drives it: RGB332 and the two sync
    pulses, active low, and the visible-area flag that a digital link needs (DVI's data enable;
    the Nexys 3's pins leave it out). The test pattern, the display and the system each have one.

    Members
    -------
    red, green, blue : Out(3), Out(3), Out(2)
    hsync_n, vsync_n : Out(1)
        Start high (no pulse) after reset.
    active : Out(1)
        The colour is a visible pixel (it is black whenever this is low).
    """

    def __init__(self):
        super().__init__({
            "red": Out(3),
            "green": Out(3),
            "blue": Out(2),
            "hsync_n": Out(1, init=1),
            "vsync_n": Out(1, init=1),
            "active": Out(1),
        })


class CellAddress(data.Struct):
    """A cell of the 16 x 16 grid: its column in bits 0 to 3 and its row in bits 4 to 7, so
    that the 8 bits as a number, ``16 row + col``, are the cell's bit in a board vector
    (:meth:`index`)."""

    col: 4
    row: 4

    def index(self):
        """The cell's bit in a board vector, ``16 row + col``."""
        return self.as_value()


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
    address : Out(CellAddress)
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
            "address": Out(CellAddress),
            "enable": Out(1, init=1),
            "cell": In(CellView()),
        })


class FloodSignature(wiring.Signature):
    """The board as the flood sees it, from the board's side: the three vectors out, the cells
    one step opens back. Cell (r, c) is bit ``grid r + c`` (``grid`` is 16, the game's; the
    formal proofs use smaller ones).

    Members
    -------
    revealed, flagged, zero : Out(grid * grid)
    opening : In(grid * grid)
    """

    def __init__(self, grid=GRID):
        cells = grid * grid
        super().__init__({
            "revealed": Out(cells),
            "flagged": Out(cells),
            "zero": Out(cells),
            "opening": In(cells),
        })


class ProbeSignature(wiring.Signature):
    """The board's probe, from the side of a part that reads and writes single cells through it
    (the controller, the placement, the count sweep, the chord, the win scan).

    The cell named by ``address`` in clock ``t`` is probed in ``t + 1`` and its bits are in
    ``revealed``, ``flagged``, ``mine`` in ``t + 2``, when ``cell`` names it; writes in that
    clock go to ``cell``. A part drives its outputs only while it runs and holds them at 0
    otherwise, so that the probes of several parts join by OR (:class:`ProbeBus`).

    Members
    -------
    address : Out(CellAddress)
        The cell to probe next.
    cell : In(CellAddress)
        The cell whose bits are in ``revealed``, ``flagged``, ``mine``.
    revealed, flagged, mine : In(1)
    mine_row : In(16)
        The mines of ``cell``'s row (column ``c`` at bit ``c``).
    reveal : Out(1)
        Reveal ``cell``.
    flag_write, flag_value : Out(1)
        Set ``cell``'s flag to ``flag_value``.
    mine_write, mine_value : Out(1)
        Set ``cell``'s mine to ``mine_value``.
    """

    def __init__(self):
        super().__init__({
            "address": Out(CellAddress),
            "cell": In(CellAddress),
            "revealed": In(1),
            "flagged": In(1),
            "mine": In(1),
            "mine_row": In(GRID),
            "reveal": Out(1),
            "flag_write": Out(1),
            "flag_value": Out(1),
            "mine_write": Out(1),
            "mine_value": Out(1),
        })


class RowWriteSignature(wiring.Signature):
    """A write of one row of the board (the first layout of mines, a row of zero bits, a row of
    neighbour counts), from the writer's side.

    Members
    -------
    write : Out(1)
        Write ``data`` into row ``row`` this clock.
    row : Out(4)
    data : Out(shape)
    """

    def __init__(self, shape):
        self.shape = shape
        super().__init__({
            "write": Out(1),
            "row": Out(4),
            "data": Out(shape),
        })

    def __repr__(self):
        return f"RowWriteSignature({self.shape!r})"


class TaskSignature(wiring.Signature):
    """A part's task (the placement, the count sweep, the chord, the win scan), from the side of
    the controller that starts it: each part takes it as ``control: In(TaskSignature())``, so
    the controller starts and waits for every part the same way.

    Members
    -------
    start : Out(1)
        Start the task (the part takes its other inputs this clock, and holds them while it
        runs as its documentation says).
    done : In(1)
        The task's last clock (its results are valid in it).
    """

    def __init__(self):
        super().__init__({
            "start": Out(1),
            "done": In(1),
        })


class GameViewSignature(wiring.Signature):
    """What the display draws of the game besides its cells, from the game's side.

    Members
    -------
    status : Out(Status)
    difficulty : Out(Difficulty)
    cursor_row, cursor_col : Out(4)
    held : Out(1)
        A button is held down (the smiley's "o" mouth).
    """

    def __init__(self):
        super().__init__({
            "status": Out(Status, init=Status.READY),
            "difficulty": Out(Difficulty),
            "cursor_row": Out(4),
            "cursor_col": Out(4),
            "held": Out(1),
        })


class ScoreSignature(wiring.Signature):
    """The mine counter and the timer, from the game's side.

    Members
    -------
    counter : Out(signed(9))
        Mines minus flags.
    timer : Out(range(TIMER_MAX + 1))
        Seconds since the first reveal.
    """

    def __init__(self):
        super().__init__({
            "counter": Out(signed(9)),
            "timer": Out(range(TIMER_MAX + 1)),
        })


class StatusCharsSignature(wiring.Signature):
    """The counter and the timer as glyph characters, from the side of their reader (the
    display), which tells the converter when to sample them.

    Members
    -------
    start : Out(1)
        Sample the counter and the timer now (the characters change once converted).
    counter, timer : In(CHARACTERS)
    """

    def __init__(self):
        super().__init__({
            "start": Out(1),
            "counter": In(CHARACTERS),
            "timer": In(CHARACTERS),
        })
