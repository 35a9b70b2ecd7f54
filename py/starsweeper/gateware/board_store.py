"""The game's board: revealed cells, flags, zero bits, the mine and count memories, the probe."""

from amaranth.hdl import C, Cat, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import CELLS, DIFFICULTIES, GRID, Difficulty
from .field import field_mask
from .interfaces import CellAddress, FloodSignature, ProbeSignature, RowWriteSignature
from .neighbour_counter import RowCounts

__all__ = ["BoardStore"]


class BoardStore(wiring.Component):
    """Every cell's state, and the probe through which one cell a clock is read and written.

    Revealed cells, flags and zero bits (no neighbouring mine, in the field) are 256-bit
    registers, since the flood needs every cell at once. The mines are a 16 x 16-bit LUT memory
    (a row a word): single cells go through the probe (its row read register makes a cell write
    a read-modify-write of the row); whole rows are written by the first layout and read by the
    count phase. One asynchronous read port at the probe's row serves the cell read port
    directly and the controller through a register, which sees the write of its own clock by a
    registered forward (a transparent port would have Yosys register the address and leave the
    LUT RAM's read in the data's path). The counts are a 16 x 64-bit memory.

    Paths are short: the cell a state reads is ``probe``, set the clock before; the cell's bits
    are read into registers (``probe.revealed``, ``probe.mine`` etc., of the cell
    ``probe.cell``); the clock after decides on them and writes, if at all, that same cell. (On
    the ECP5 the longest left is the 256:1 read of the revealed bits: docs/ulx3s.md.)

    Attributes
    ----------
    probe : In(ProbeSignature)
        The probe (:class:`~starsweeper.gateware.interfaces.ProbeSignature`): ``probe.address``
        is probed in the next clock, its bits (the mine up to date with a write in the clock it
        was read) and row of mines are in ``probe.*`` the clock after, and the single-cell
        writes go to ``probe.cell``.
    probing : Out(CellAddress)
        The cell probed now.
    probing_revealed, probing_flagged, probing_mine : Out(1)
        Its bits, combinational (for the cell read port).
    new_game, new_beginner : In(1)
        A new game: no flags, no zero bits, the cells outside the new field (beginner's when
        ``new_beginner``) revealed, so that they never open.
    flood_step : In(1)
        Reveal the cells of ``flood.opening``.
    layout : In(RowWriteSignature(16))
        Write a whole row of mines (the first layout).
    zero : In(RowWriteSignature(16))
        Write a whole row of zero bits (the count sweep).
    counts : In(RowWriteSignature(RowCounts))
        Write a row of neighbour counts.
    read_enable : In(1)
        The cell read port's enable: ``count_cell`` follows the probe's row only then.
    count_cell : Out(RowCounts)
        The counts of the probed row, a clock later.
    cursor_row : In(4)
        The cursor's row.
    cursor_counts : Out(RowCounts)
        Its counts, a clock later.
    flood : Out(FloodSignature)
        The board for the flood, and the cells it opens.
    """

    def __init__(self):
        super().__init__({
            "probe": In(ProbeSignature()),
            "probing": Out(CellAddress),
            "probing_revealed": Out(1),
            "probing_flagged": Out(1),
            "probing_mine": Out(1),
            "new_game": In(1),
            "new_beginner": In(1),
            "flood_step": In(1),
            "layout": In(RowWriteSignature(GRID)),
            "zero": In(RowWriteSignature(GRID)),
            "counts": In(RowWriteSignature(RowCounts)),
            "read_enable": In(1, init=1),
            "count_cell": Out(RowCounts),
            "cursor_row": In(4),
            "cursor_counts": Out(RowCounts),
            "flood": Out(FloodSignature()),
        })

    def elaborate(self, platform):
        m = Module()
        revealed, flagged, zero = self.flood.revealed, self.flood.flagged, self.flood.zero
        port = self.probe
        probe, probe_d = self.probing, port.cell

        # -- the probe ------------------------------------------------------------------------
        m.d.comb += [self.probing_revealed.eq(revealed.bit_select(probe.index(), 1)),
                     self.probing_flagged.eq(flagged.bit_select(probe.index(), 1))]
        m.d.sync += [probe.eq(port.address), probe_d.eq(probe),
                     port.revealed.eq(self.probing_revealed), port.flagged.eq(self.probing_flagged)]

        # -- mines --------------------------------------------------------------------------
        m.submodules.mines = mines = Memory(shape=GRID, depth=GRID, init=[])
        mine_write = mines.write_port()
        mine_read = mines.read_port(domain="comb")
        mine_read_row = Signal(GRID)         # the row at probe_d's row, as read
        mine_forward = Signal()
        mine_forward_row = Signal(GRID)
        m.d.comb += [mine_read.addr.eq(probe.row),
                     self.probing_mine.eq(mine_read.data.bit_select(probe.col, 1))]
        m.d.sync += [mine_read_row.eq(mine_read.data),
                     mine_forward.eq(mine_write.en & (mine_write.addr == mine_read.addr)),
                     mine_forward_row.eq(mine_write.data)]
        mine_row = port.mine_row
        m.d.comb += mine_row.eq(Mux(mine_forward, mine_forward_row, mine_read_row))
        with m.If(self.layout.write):
            m.d.comb += [mine_write.addr.eq(self.layout.row), mine_write.data.eq(self.layout.data),
                         mine_write.en.eq(1)]
        with m.If(port.mine_write):
            m.d.comb += [
                mine_write.addr.eq(probe_d.row),
                mine_write.data.eq(Cat(*[Mux(probe_d.col == c, port.mine_value, mine_row[c])
                                         for c in range(GRID)])),
                mine_write.en.eq(1),
            ]
        # The probed cell's mine, ``mine_row``'s bit at ``probe_d``, is a register of its own:
        # the bit is chosen a clock early, from the row read now (or, when this clock writes
        # that row, from what it writes). The parts decide on it and write in the same clock, so
        # no column multiplexer sits between the row register and the write (on the ECP5 that
        # path, row to multiplexer to the parts to the write, was the system's slowest).
        column = probe.col
        written_bit = Mux(port.mine_write,
                          Mux(probe_d.col == column, port.mine_value, mine_row.bit_select(column, 1)),
                          self.layout.data.bit_select(column, 1))
        m.d.sync += port.mine.eq(Mux(mine_write.en & (mine_write.addr == mine_read.addr), written_bit,
                                     mine_read.data.bit_select(column, 1)))

        # -- counts -------------------------------------------------------------------------
        m.submodules.counts = counts = Memory(shape=RowCounts, depth=GRID, init=[])
        count_write = counts.write_port()
        count_cell = counts.read_port()
        count_cursor = counts.read_port()
        m.d.comb += [
            count_write.addr.eq(self.counts.row), count_write.data.eq(self.counts.data),
            count_write.en.eq(self.counts.write),
            count_cell.addr.eq(probe.row), count_cell.en.eq(self.read_enable),
            self.count_cell.eq(count_cell.data),
            count_cursor.addr.eq(self.cursor_row), self.cursor_counts.eq(count_cursor.data),
        ]

        # -- the cell vectors: whole-vector writes, then single cells --------------------------
        with m.If(self.new_game):
            outside = {d: C(~field_mask(*DIFFICULTIES[d][:2]) % (1 << CELLS), CELLS) for d in Difficulty}
            m.d.sync += [
                flagged.eq(0), zero.eq(0),
                revealed.eq(Mux(self.new_beginner, outside[Difficulty.BEGINNER],
                                outside[Difficulty.INTERMEDIATE])),
            ]
        with m.If(self.flood_step):
            m.d.sync += revealed.eq(revealed | self.flood.opening)
        with m.If(self.zero.write):
            m.d.sync += zero.word_select(self.zero.row, GRID).eq(self.zero.data)
        with m.If(port.reveal):
            m.d.sync += revealed.bit_select(probe_d.index(), 1).eq(1)
        with m.If(port.flag_write):
            m.d.sync += flagged.bit_select(probe_d.index(), 1).eq(port.flag_value)
        return m
