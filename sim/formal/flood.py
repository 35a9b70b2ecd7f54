"""Formal properties of the parallel flood (:class:`FloodEngine`), on every board of a small grid.

The harness loads, in its first clock, any mines, any flags and any set of revealed cells (no
cell both revealed and flagged), works out which cells have no neighbouring mine (its own loop
over the eight neighbours, not the engine's shifted vectors), and then lets the flood run: each
clock, the engine's ``opening`` is added to the revealed cells. Beside it runs the model's rule
(:meth:`MinesweeperGame.flood_step`), cell by cell: a covered, unflagged cell that is no mine
opens when a revealed neighbour has no neighbouring mine. Asserted, in every clock:

* the engine's revealed set equals the rule's (so the set it settles on is the rule's
  breadth-first closure of the start: proven by induction, for any number of steps);
* it never opens a mine or a flagged cell;
* ``opened_rows``, a clock later, is the rows in which the step opened a cell;
* once nothing opens, every unflagged neighbour of a revealed cell with no neighbouring mine is
  revealed (the closure);
* bounded: the flood has settled after ``grid * grid`` steps (the longest chain of openings).

Covers: a flood that still opens after ``grid`` steps, and one that opens every safe cell.
"""

from amaranth.hdl import Assert, Assume, Cat, Cover, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from starsweeper.gateware.flood import FloodEngine
from starsweeper.model.minesweeper import NEIGHBOURS

from .runner import Proof

__all__ = ["FloodHarness", "PROOFS"]


class FloodHarness(wiring.Component):
    def __init__(self, grid, check_settling=False, core=FloodEngine):
        self.grid = grid
        self.check_settling = check_settling
        self.make_core = core
        cells = grid * grid
        super().__init__({"mines": In(cells), "flags": In(cells), "start": In(cells)})

    def elaborate(self, platform):
        m = Module()
        grid = self.grid
        cells = grid * grid
        engine = m.submodules.engine = self.make_core(grid)

        started = Signal()
        mines = Signal(cells)
        flags = Signal(cells)
        revealed = Signal(cells)
        rule_revealed = Signal(cells)
        with m.If(~started):
            m.d.sync += [started.eq(1), mines.eq(self.mines), flags.eq(self.flags),
                         revealed.eq(self.start), rule_revealed.eq(self.start)]
            m.d.comb += Assume((self.start & self.flags) == 0)

        def at(r, c):
            return r * grid + c

        def neighbours(r, c):
            for dr, dc in NEIGHBOURS:
                if 0 <= r + dr < grid and 0 <= c + dc < grid:
                    yield r + dr, c + dc

        zero = Signal(cells)
        for r in range(grid):
            for c in range(grid):
                m.d.comb += zero[at(r, c)].eq(~Cat(*(mines[at(nr, nc)]
                                                     for nr, nc in neighbours(r, c))).any())

        m.d.comb += [engine.board.revealed.eq(revealed), engine.board.flagged.eq(flags),
                     engine.board.zero.eq(zero)]
        rule_opening = Signal(cells)
        for r in range(grid):
            for c in range(grid):
                cell = at(r, c)
                spreads = Cat(*(rule_revealed[at(nr, nc)] & zero[at(nr, nc)]
                                for nr, nc in neighbours(r, c))).any()
                m.d.comb += rule_opening[cell].eq(~rule_revealed[cell] & ~flags[cell]
                                                  & ~mines[cell] & spreads)
        with m.If(started):
            m.d.sync += [revealed.eq(revealed | engine.board.opening),
                         rule_revealed.eq(rule_revealed | rule_opening)]

        settled = engine.board.opening == 0
        left_covered = [revealed[at(r, c)] & zero[at(r, c)] & ~flags[at(nr, nc)]
                        & ~revealed[at(nr, nc)]
                        for r in range(grid) for c in range(grid) for nr, nc in neighbours(r, c)]
        closed = Signal()
        m.d.comb += closed.eq(~Cat(*left_covered).any())
        # ``opened_rows``, a clock later: the rows in which the step opened a cell.
        opened_before = Signal(cells)
        stepped = Signal()
        m.d.sync += [opened_before.eq(engine.board.opening), stepped.eq(started)]
        rows_opened = Cat(*[opened_before[r * grid:(r + 1) * grid].any() for r in range(grid)])
        with m.If(stepped):
            m.d.comb += Assert(engine.opened_rows == rows_opened)
        with m.If(started):
            m.d.comb += [
                Assert(revealed == rule_revealed),
                Assert((engine.board.opening & (mines | flags)) == 0),
            ]
            with m.If(settled):
                m.d.comb += Assert(closed)

        steps = Signal(range(cells + 2))
        with m.If(started & (steps != cells + 1)):
            m.d.sync += steps.eq(steps + 1)
        if self.check_settling:
            with m.If(started & (steps == cells)):
                m.d.comb += Assert(settled)
        m.d.comb += [
            Cover(started & (steps == grid) & ~settled),
            Cover(started & settled & (revealed == ~mines) & (mines != 0) & (flags == 0)
                  & (steps > 2)),
        ]
        return m


PROOFS = [
    *[Proof(f"flood_{grid}x{grid}_prove", lambda grid=grid: FloodHarness(grid), "prove", 2)
      for grid in (4, 5)],
    *[Proof(f"flood_{grid}x{grid}_settles", lambda grid=grid: FloodHarness(grid, True), "bmc",
            grid * grid + 2) for grid in (4, 5)],
    Proof("flood_5x5_cover", lambda: FloodHarness(5), "cover", 12),
    Proof("flood_16x16_prove", lambda: FloodHarness(16), "prove", 2),
]
