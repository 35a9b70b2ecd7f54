"""The chord: a revealed number whose flags are all placed opens its other neighbours."""

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.minesweeper import NEIGHBOURS
from .field import field_size
from .interfaces import CellAddress, ProbeSignature, TaskSignature

__all__ = ["Chord"]


class Chord(wiring.Component):
    """A chord on the cursor's revealed cell, as
    :meth:`starsweeper.model.minesweeper.MinesweeperGame.chord_targets` decides it: when its
    count is not 0 and equals its flagged neighbours, every covered, unflagged neighbour opens;
    a mine among them loses the game, the first in :data:`NEIGHBOURS` order being the one that
    exploded.

    Two passes over the eight neighbours through the probe, ten clocks each (a neighbour
    probed a clock, its bits two clocks later): the first counts the flags, the second, if they
    match, reveals. Neighbours outside the field are skipped.

    Attributes
    ----------
    control : In(TaskSignature)
        ``control.start``: chord, from the next clock; ``control.done``: the chord's last clock.
    beginner : In(1)
        The field is the beginner's (held while chording).
    cursor : In(CellAddress)
        The revealed cell (held while chording).
    count : In(4)
        Its neighbouring mines (held while chording).
    opened : Out(1)
        With ``control.done``: the neighbours were opened and none was a mine (the flood follows).
    lost : Out(1)
        With ``control.done``: a mine was opened.
    exploded : Out(CellAddress)
        With ``control.done`` and ``lost``: the first mine opened.
    probe : Out(ProbeSignature)
        The board's probe (all 0 while idle).
    """

    def __init__(self):
        super().__init__({
            "control": In(TaskSignature()),
            "beginner": In(1),
            "cursor": In(CellAddress),
            "count": In(4),
            "opened": Out(1),
            "lost": Out(1),
            "exploded": Out(CellAddress),
            "probe": Out(ProbeSignature()),
        })

    def elaborate(self, platform):
        m = Module()
        probe = self.probe
        rows, cols = field_size(self.beginner)
        cursor = self.cursor

        step = Signal(4)              # clock k probes neighbour k (k < 8), takes neighbour k - 2
        flags = Signal(4)
        lost = Signal()
        exploded = Signal(CellAddress)
        nb_row = Signal(5)
        nb_col = Signal(5)
        with m.Switch(step):
            for k, (dr, dc) in enumerate(NEIGHBOURS):
                with m.Case(k):
                    m.d.comb += [nb_row.eq(cursor.row + dr), nb_col.eq(cursor.col + dc)]
        neighbour = Signal(CellAddress)
        m.d.comb += [neighbour.row.eq(nb_row[:4]), neighbour.col.eq(nb_col[:4])]
        # The neighbour probed, and the one whose bits are in probe.*, is in the field (-1 is 31).
        in_field = (nb_row < rows) & (nb_col < cols) & (step < len(NEIGHBOURS))
        valid_p, valid_d = Signal(), Signal()
        m.d.sync += [valid_p.eq(0), valid_d.eq(valid_p)]
        last = step == len(NEIGHBOURS) + 1

        with m.FSM():
            with m.State("IDLE"):
                with m.If(self.control.start):
                    m.d.sync += [step.eq(0), flags.eq(0)]
                    m.next = "SUM"

            with m.State("SUM"):
                m.d.comb += probe.address.eq(neighbour)
                m.d.sync += [step.eq(step + 1), valid_p.eq(in_field)]
                total = flags + (valid_d & probe.flagged)
                m.d.sync += flags.eq(total)
                with m.If(last):
                    with m.If((self.count != 0) & (total == self.count)):
                        m.d.sync += [step.eq(0), lost.eq(0)]
                        m.next = "OPEN"
                    with m.Else():
                        m.d.comb += self.control.done.eq(1)
                        m.next = "IDLE"

            with m.State("OPEN"):
                m.d.comb += probe.address.eq(neighbour)
                m.d.sync += [step.eq(step + 1), valid_p.eq(in_field)]
                hit = valid_d & ~probe.revealed & ~probe.flagged
                with m.If(hit & probe.mine):
                    m.d.sync += lost.eq(1)
                    with m.If(~lost):
                        m.d.sync += exploded.eq(probe.cell)
                with m.Elif(hit):
                    m.d.comb += probe.reveal.eq(1)
                with m.If(last):
                    m.d.comb += [
                        self.control.done.eq(1),
                        self.lost.eq(lost | (hit & probe.mine)),
                        self.opened.eq(~(lost | (hit & probe.mine))),
                        self.exploded.eq(Mux(lost, exploded, probe.cell)),
                    ]
                    m.next = "IDLE"
        return m
