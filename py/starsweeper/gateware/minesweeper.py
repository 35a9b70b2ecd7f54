"""The Minesweeper game core: the controller that joins its parts (buttons, board store, generator,
neighbour counter, flood) and plays placement, flags, reveals, chords, the counter and the timer."""

from amaranth.hdl import C, Cat, Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.buttons import BUTTON_BIT, BUTTONS
from ..model.minesweeper import (
    CELLS, DIFFICULTIES, GRID, NEIGHBOURS, SWAPS, SWITCH_BEGINNER, SWITCH_FLAG, TIMER_MAX, Difficulty,
    Status,
)
from .board_store import BoardStore, field_mask
from .buttons import ButtonActions
from .flood import FloodEngine
from .interfaces import CellReadPort
from .lcg import Lcg
from .neighbour_counter import NeighbourCounter

__all__ = ["MinesweeperGame"]



def _first_cells_mask(rows, cols, count):
    return sum(1 << ((i // cols) * GRID + i % cols) for i in range(count))


class MinesweeperGame(wiring.Component):
    """Minesweeper, the rules of :mod:`starsweeper.model.minesweeper` clock for clock.

    Parameters
    ----------
    swaps : int
        LCG swaps of the placement (1000).
    clocks_per_second : int
        Timer tick period (100,000,000 on the board; small in simulation).
    debounce_cycles, repeat_delay, repeat_period : int
        Button front end, see :class:`ButtonActions`.
    mine_counts : dict
        Mines per :class:`Difficulty` (default 40 intermediate, 10 beginner); tests may change it
        (0 gives the empty board of the flood's worst case).

    Attributes
    ----------
    buttons : In(5)
        Synchronised buttons: centre, up, down, left, right.
    switches : In(8)
        SW1 flag mode, SW7 beginner for the next game (SW0, debug, is the display's).
    seed_force, seed_value : In(1), In(32)
        When ``seed_force`` is high the first reveal seeds the generator with ``seed_value``
        instead of the free-running counter (tests; tie low on the board).
    status : Out(2)
        :class:`Status`: ready, playing, won, lost.
    difficulty : Out(1)
        :class:`Difficulty` of the current game.
    cursor_row, cursor_col : Out(4)
    counter : Out(signed(9))
        Mines minus flags.
    timer : Out(10)
        Seconds since the first reveal, 0 to 999.
    held : Out(1)
        A button is held down (the smiley's "o" mouth).
    busy : Out(1)
        An action is waiting or being carried out.
    leds : Out(8)
        As :attr:`starsweeper.model.minesweeper.MinesweeperGame.leds`: ready or playing, LD7-4
        the cursor row and LD3-0 its column; won: all on; lost: 01010101.
    read : In(CellReadPort)
        The cell read port (:class:`~starsweeper.gateware.interfaces.CellReadPort`): the cell
        at (``read.row``, ``read.col``) in ``read.cell`` two enabled clocks later, while the core
        is idle (``busy`` low): an action borrows the port's multiplexers for its
        microseconds, and the port then returns the cells the action probes.
    revealed_bits, flagged_bits : Out(256)
        Readback of the revealed cells and the flags, bit ``16 * row + col`` (cells outside a
        beginner field read as revealed; a won game's flags as placed, without the flags the
        read port adds on its mines). The mines are read through the read port.
    seed : Out(32)
        The seed of the current game's placement.
    flood_steps : Out(9)
        Parallel flood steps that opened cells in the last reveal or chord.
    exploded_row, exploded_col : Out(4)
        The mine that exploded (meaningful when lost).
    """

    def __init__(self, *, swaps=SWAPS, clocks_per_second=100_000_000, debounce_cycles=1_000_000,
                 repeat_delay=40_000_000, repeat_period=10_000_000, mine_counts=None):
        if not isinstance(swaps, int) or swaps < 1:
            raise ValueError(f"Swaps must be a positive integer, not {swaps!r}")
        if not isinstance(clocks_per_second, int) or clocks_per_second < 2:
            raise ValueError(f"Clocks per second must be an integer of at least 2, not {clocks_per_second!r}")
        self.swaps = swaps
        self.clocks_per_second = clocks_per_second
        self.mines = {d: DIFFICULTIES[d][2] for d in Difficulty}
        if mine_counts is not None:
            self.mines.update({Difficulty(int(d)): n for d, n in mine_counts.items()})
        for d, n in self.mines.items():
            rows, cols, _ = DIFFICULTIES[d]
            if not 0 <= n < rows * cols:
                raise ValueError(f"{d.name.lower()} mines must be between 0 and {rows * cols - 1}, not {n!r}")
        self.buttons_front = ButtonActions(debounce_cycles, repeat_delay, repeat_period)
        super().__init__({
            "buttons": In(len(BUTTONS)),
            "switches": In(8),
            "seed_force": In(1),
            "seed_value": In(32),
            "status": Out(Status),
            "difficulty": Out(Difficulty),
            "cursor_row": Out(4),
            "cursor_col": Out(4),
            "counter": Out(signed(9)),
            "timer": Out(range(TIMER_MAX + 1)),
            "held": Out(1),
            "busy": Out(1),
            "leds": Out(8),
            "read": In(CellReadPort()),
            "revealed_bits": Out(CELLS),
            "flagged_bits": Out(CELLS),
            "seed": Out(32),
            "flood_steps": Out(9),
            "exploded_row": Out(4),
            "exploded_col": Out(4),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.buttons = front = self.buttons_front
        m.d.comb += [front.buttons.eq(self.buttons), self.held.eq(front.held)]

        # -- the board: every cell's state and the probe (BoardStore) -----------------------------
        m.submodules.board = board = BoardStore()
        revealed, flagged = board.flood.revealed, board.flood.flagged
        probe, probe_d, probe_next = board.probe, board.probe_d, board.probe_next
        rd_revealed, rd_flagged, rd_mine = board.rd_revealed, board.rd_flagged, board.rd_mine
        mine_row = board.mine_row
        mine_we, mine_wd = board.mine_write, board.mine_value
        revealed_we = board.reveal
        flagged_we, flagged_wd = board.flag_write, board.flag_value

        difficulty = Signal(Difficulty)
        status = Signal(Status, init=Status.READY)
        beginner = difficulty == Difficulty.BEGINNER
        rows = Mux(beginner, DIFFICULTIES[Difficulty.BEGINNER][0], DIFFICULTIES[Difficulty.INTERMEDIATE][0])
        cols = Mux(beginner, DIFFICULTIES[Difficulty.BEGINNER][1], DIFFICULTIES[Difficulty.INTERMEDIATE][1])
        active = Mux(beginner, C(field_mask(*DIFFICULTIES[Difficulty.BEGINNER][:2]), CELLS),
                     C(field_mask(*DIFFICULTIES[Difficulty.INTERMEDIATE][:2]), CELLS))
        first_cells = Mux(
            beginner,
            C(_first_cells_mask(*DIFFICULTIES[Difficulty.BEGINNER][:2], self.mines[Difficulty.BEGINNER]), CELLS),
            C(_first_cells_mask(*DIFFICULTIES[Difficulty.INTERMEDIATE][:2], self.mines[Difficulty.INTERMEDIATE]), CELLS))

        cursor_row = Signal(4)
        cursor_col = Signal(4)
        cursor = Cat(cursor_col, cursor_row)
        counter = Signal(signed(9))
        timer = Signal(range(TIMER_MAX + 1))
        prescaler = Signal(range(self.clocks_per_second))
        exploded = Signal(8)
        flood_steps = Signal(9)

        free_running = Signal(32)
        seed = Signal(32)
        swaps_done = Signal(range(self.swaps + 1))
        scan_row = Signal(4)
        scan_col = Signal(4)
        count_step = Signal(range(GRID + 4))   # count phase: row probed; the row counted is four less
        load_row = Signal(4)
        chord_step = Signal(4)
        chord_flags = Signal(4)
        chord_lost = Signal()

        m.d.sync += free_running.eq(free_running + 1)
        # A won game shows a flag on every mine (as Windows does): readers see flagged | mine,
        # the flags themselves are not written (a whole-vector write there costs ~600 LUTs).
        won_flags = status == Status.WON
        m.d.comb += [
            self.status.eq(status), self.difficulty.eq(difficulty),
            self.cursor_row.eq(cursor_row), self.cursor_col.eq(cursor_col),
            self.counter.eq(counter), self.timer.eq(timer),
            self.revealed_bits.eq(revealed), self.flagged_bits.eq(flagged),
            self.seed.eq(seed), self.flood_steps.eq(flood_steps),
            self.exploded_col.eq(exploded[:4]), self.exploded_row.eq(exploded[4:]),
        ]

        # -- pending action: one press waits while the core is busy -----------------------------
        pending = Signal(len(BUTTONS))
        idle = Signal()
        take = idle & pending.any()
        with m.If(front.press.any() & (~pending.any() | take)):
            m.d.sync += pending.eq(front.press)
        with m.Elif(take):
            m.d.sync += pending.eq(0)
        m.d.comb += self.busy.eq(~idle | pending.any())

        # -- timer -----------------------------------------------------------------------------
        with m.If(status == Status.PLAYING):
            with m.If(prescaler == self.clocks_per_second - 1):
                m.d.sync += prescaler.eq(0)
                with m.If(timer != TIMER_MAX):
                    m.d.sync += timer.eq(timer + 1)
            with m.Else():
                m.d.sync += prescaler.eq(prescaler + 1)

        # -- the probe: one cell a clock, read into registers -----------------------------------
        # A single index for every single-cell read and write keeps the board vectors at one
        # 256:1 read multiplexer and one write decoder each. States choose the next clock's
        # probe (``probe_next``): the cursor unless a state says otherwise.
        m.d.comb += probe_next.eq(cursor)
        read = Cat(self.read.col, self.read.row)

        m.d.comb += board.cursor_row.eq(cursor_row)
        cursor_count = board.cursor_counts.as_value().word_select(cursor_col, 4)

        nb_row = Signal(5)
        nb_col = Signal(5)
        with m.Switch(chord_step):
            for k, (dr, dc) in enumerate(NEIGHBOURS):
                with m.Case(k):
                    m.d.comb += [nb_row.eq(cursor_row + dr), nb_col.eq(cursor_col + dc)]
        nb = Cat(nb_col[:4], nb_row[:4])
        # probe and probe_d are a neighbour in the field (0 outside the chord states' first 8
        # clocks, so the pipeline's first two clocks add nothing)
        nb_valid_p, nb_valid_d = Signal(), Signal()
        nb_probed = (nb_row < rows) & (nb_col < cols) & (chord_step < len(NEIGHBOURS))  # -1 is 31
        m.d.sync += [nb_valid_p.eq(0), nb_valid_d.eq(nb_valid_p)]

        # -- placement draws: the generator steps in three clocks (Lcg) -------------------------
        m.submodules.lcg = generator = Lcg()
        lcg = generator.value
        lcg_request = Signal()
        m.d.comb += generator.request.eq(lcg_request)
        draw_r1, draw_c1, draw_r2, draw_c2 = lcg[28:32], lcg[24:28], lcg[20:24], lcg[16:20]
        draw_ok = (draw_r1 < rows) & (draw_c1 < cols) & (draw_r2 < rows) & (draw_c2 < cols)
        cell_a = Cat(draw_c1, draw_r1)
        cell_b = Cat(draw_c2, draw_r2)
        swap_phase = Signal(3)           # see PLACE
        swap_a = Signal()                # the mines of cells a and b
        swap_b = Signal()
        scan = Cat(scan_col, scan_row)

        # -- neighbour counts of one row (the COUNT phase) ---------------------------------------
        # A window of three rows slides down the field (NeighbourCounter), fed by the read
        # register (zeros in the clocks it holds no row: the first ones flush the last game's
        # rows, the last is the row below the field).
        m.submodules.neighbour_counter = neighbour_counter = NeighbourCounter()
        count_row = (count_step - 4)[:4]
        row_arrives = Signal()                 # the read register holds a row (a register itself)

        # -- flood: every cell at once (FloodEngine) ---------------------------------------------
        m.submodules.flood = flood = FloodEngine()
        wiring.connect(m, board.flood, flood.board)
        opened_rows = flood.opened_rows
        flood_first = Signal()
        win_scan = Signal(range(CELLS + 2))

        with m.FSM(init="NEW"):
            with m.State("NEW"):
                new_beginner = self.switches[SWITCH_BEGINNER]
                # No flags, no zero bits; the cells outside the new field revealed: they never open.
                m.d.comb += [board.new_game.eq(1), board.new_beginner.eq(new_beginner)]
                m.d.sync += [
                    difficulty.eq(new_beginner),
                    status.eq(Status.READY),
                    cursor_row.eq(0), cursor_col.eq(0),
                    counter.eq(Mux(new_beginner, self.mines[Difficulty.BEGINNER],
                                   self.mines[Difficulty.INTERMEDIATE])),
                    timer.eq(0), flood_steps.eq(0),
                ]
                m.next = "IDLE"

            with m.State("IDLE"):
                m.d.comb += idle.eq(1)
                with m.If(~pending.any()):
                    # Nothing to do: the cell read port has the probe (one 256:1 multiplexer
                    # per board vector serves the game and the display).
                    m.d.comb += probe_next.eq(Mux(self.read.enable, read, probe))
                with m.If(pending[BUTTON_BIT["centre"]]):
                    m.next = "READ_CURSOR"      # the probe has the cursor from this clock on
                with m.Elif(pending[BUTTON_BIT["up"]]):
                    m.d.sync += cursor_row.eq(Mux(cursor_row == 0, rows - 1, cursor_row - 1))
                with m.Elif(pending[BUTTON_BIT["down"]]):
                    m.d.sync += cursor_row.eq(Mux(cursor_row == rows - 1, 0, cursor_row + 1))
                with m.Elif(pending[BUTTON_BIT["left"]]):
                    m.d.sync += cursor_col.eq(Mux(cursor_col == 0, cols - 1, cursor_col - 1))
                with m.Elif(pending[BUTTON_BIT["right"]]):
                    m.d.sync += cursor_col.eq(Mux(cursor_col == cols - 1, 0, cursor_col + 1))

            with m.State("READ_CURSOR"):
                m.next = "CENTRE"

            with m.State("CENTRE"):
                # rd_*: the cursor's cell.
                m.next = "IDLE"
                with m.If((status == Status.WON) | (status == Status.LOST)):
                    m.next = "NEW"
                with m.Elif(~rd_revealed):
                    with m.If(self.switches[SWITCH_FLAG]):
                        m.d.comb += [flagged_we.eq(1), flagged_wd.eq(~rd_flagged)]
                        m.d.sync += counter.eq(Mux(rd_flagged, counter + 1, counter - 1))
                    with m.Elif(rd_flagged):
                        pass
                    with m.Elif(status == Status.READY):
                        first_seed = Mux(self.seed_force, self.seed_value, free_running)
                        m.d.sync += [
                            seed.eq(first_seed),
                            swaps_done.eq(0), swap_phase.eq(0), load_row.eq(0),
                            status.eq(Status.PLAYING),
                            timer.eq(0), prescaler.eq(0),
                        ]
                        # LOAD's first clock starts the first step from the seed.
                        m.d.comb += [generator.load.eq(1), generator.load_value.eq(first_seed)]
                        m.next = "LOAD"
                    with m.Else():
                        m.next = "REVEAL"
                with m.Else():
                    m.d.sync += [chord_step.eq(0), chord_flags.eq(0)]
                    m.next = "CHORD_SUM"

            with m.State("LOAD"):
                # The first layout, a row a clock: the mines in the first cells, row-major.
                m.d.comb += [
                    board.layout_row.eq(load_row),
                    board.layout_data.eq(first_cells.word_select(load_row, GRID)),
                    board.layout_write.eq(1),
                    lcg_request.eq(load_row == 0),
                ]
                m.d.sync += load_row.eq(load_row + 1)
                with m.If(load_row == GRID - 1):
                    m.next = "PLACE"

            with m.State("PLACE"):
                # A swap: 0 draws (a rejected draw waits for the next), 1 probes cell b, 2 takes
                # a's mine and probes a again, 3 takes b's and writes a's there, 4 writes b's
                # into a (the row read of 3 sees 3's write when a shares b's row).
                with m.Switch(swap_phase):
                    with m.Case(0):
                        m.d.comb += probe_next.eq(cell_a)
                        with m.If(generator.ready):
                            with m.If(draw_ok):
                                m.d.sync += swap_phase.eq(1)
                            with m.Else():
                                m.d.comb += lcg_request.eq(1)
                    with m.Case(1):
                        m.d.comb += probe_next.eq(cell_b)
                        m.d.sync += swap_phase.eq(2)
                    with m.Case(2):
                        # The next draw starts; it lands after this swap's last clock.
                        m.d.comb += [probe_next.eq(cell_a), lcg_request.eq(1)]
                        m.d.sync += [swap_a.eq(rd_mine), swap_phase.eq(3)]
                    with m.Case(3):
                        m.d.comb += [mine_we.eq(1), mine_wd.eq(swap_a)]
                        m.d.sync += [swap_b.eq(rd_mine), swap_phase.eq(4)]
                    with m.Default():
                        m.d.comb += [mine_we.eq(1), mine_wd.eq(swap_b)]
                        m.d.sync += [swaps_done.eq(swaps_done + 1), swap_phase.eq(0)]
                        with m.If(swaps_done == self.swaps - 1):
                            m.next = "SAFE"

            with m.State("SAFE"):
                # rd_*: the cursor's cell (the last clocks of PLACE probed it).
                m.d.sync += [scan_row.eq(0), scan_col.eq(0), count_step.eq(0), row_arrives.eq(0)]
                with m.If(rd_mine):
                    m.d.comb += [mine_we.eq(1), mine_wd.eq(0)]
                    m.next = "SCAN"
                with m.Else():
                    m.next = "COUNT"

            with m.State("SCAN"):
                # rd_*: the cell scanned two clocks before (in the first two clocks, the
                # cursor's, which the test excludes).
                m.d.comb += probe_next.eq(scan)
                with m.If(scan_col == cols - 1):
                    m.d.sync += [scan_col.eq(0), scan_row.eq(scan_row + 1)]
                with m.Else():
                    m.d.sync += scan_col.eq(scan_col + 1)
                with m.If(~rd_mine & (probe_d != cursor)):
                    m.d.comb += [mine_we.eq(1), mine_wd.eq(1)]
                    m.next = "COUNT"

            with m.State("COUNT"):
                # Clock k probes row k (k < 16); row k - 2 arrives, row k - 3 is the window's
                # lowest and row k - 4 is counted.
                with m.If(count_step < GRID):
                    m.d.comb += probe_next.eq(Cat(C(0, 4), count_step[:4]))
                m.d.comb += [neighbour_counter.shift.eq(1),
                             neighbour_counter.row.eq(Mux(row_arrives, mine_row, 0))]
                m.d.sync += [
                    count_step.eq(count_step + 1),
                    row_arrives.eq((count_step >= 1) & (count_step <= GRID)),
                ]
                with m.If(count_step >= 4):
                    m.d.comb += [
                        board.count_row.eq(count_row),
                        board.count_data.eq(neighbour_counter.counts),
                        board.count_write.eq(1),
                        board.zero_row.eq(count_row),
                        board.zero_data.eq(neighbour_counter.zero & active.word_select(count_row, GRID)),
                        board.zero_write.eq(1),
                    ]
                with m.If(count_step == GRID + 3):
                    m.next = "REVEAL"        # the last two clocks probed the cursor's cell

            with m.State("REVEAL"):
                # rd_*: the cursor's cell.
                m.d.sync += [flood_steps.eq(0), flood_first.eq(1)]
                with m.If(rd_mine):
                    m.d.sync += [status.eq(Status.LOST), exploded.eq(cursor)]
                    m.next = "IDLE"
                with m.Else():
                    m.d.comb += revealed_we.eq(1)
                    m.next = "FLOOD"

            with m.State("CHORD_SUM"):
                # Clock k probes neighbour k (k < 8) and adds the flag of neighbour k - 2.
                m.d.comb += probe_next.eq(nb)
                m.d.sync += [chord_step.eq(chord_step + 1), nb_valid_p.eq(nb_probed)]
                flags = chord_flags + (nb_valid_d & rd_flagged)
                m.d.sync += chord_flags.eq(flags)
                with m.If(chord_step == len(NEIGHBOURS) + 1):
                    with m.If((cursor_count != 0) & (flags == cursor_count)):
                        m.d.sync += [chord_step.eq(0), chord_lost.eq(0), flood_steps.eq(0)]
                        m.next = "CHORD_OPEN"
                    with m.Else():
                        m.next = "IDLE"

            with m.State("CHORD_OPEN"):
                # Clock k probes neighbour k (k < 8) and opens neighbour k - 2.
                m.d.comb += probe_next.eq(nb)
                m.d.sync += [chord_step.eq(chord_step + 1), nb_valid_p.eq(nb_probed)]
                hit = nb_valid_d & ~rd_revealed & ~rd_flagged
                with m.If(hit & rd_mine):
                    m.d.sync += chord_lost.eq(1)
                    with m.If(~chord_lost):
                        m.d.sync += exploded.eq(probe_d)
                with m.Elif(hit):
                    m.d.comb += revealed_we.eq(1)
                with m.If(chord_step == len(NEIGHBOURS) + 1):
                    with m.If(chord_lost | (hit & rd_mine)):
                        m.d.sync += status.eq(Status.LOST)
                        m.next = "IDLE"
                    with m.Else():
                        m.d.sync += flood_first.eq(1)
                        m.next = "FLOOD"

            with m.State("FLOOD"):
                # One step a clock; opened_rows tells a clock later whether the step opened
                # anything (a step after an empty one is empty too: nothing changed).
                m.d.comb += board.flood_step.eq(1)
                m.d.sync += flood_first.eq(0)
                with m.If(~flood_first):
                    with m.If(opened_rows.any()):
                        m.d.sync += flood_steps.eq(flood_steps + 1)
                    with m.Else():
                        m.d.sync += win_scan.eq(0)
                        m.next = "WIN_CHECK"

            with m.State("WIN_CHECK"):
                # Won when no safe cell is covered: one cell a clock through the probe, stopping
                # at the first covered safe cell (a 256-input AND costs ~400 LUTs).
                m.d.comb += probe_next.eq(win_scan[:8])
                m.d.sync += win_scan.eq(win_scan + 1)
                with m.If((win_scan >= 2) & ~rd_revealed & ~rd_mine):
                    m.next = "IDLE"
                with m.Elif(win_scan == CELLS + 1):
                    m.d.sync += [status.eq(Status.WON), counter.eq(0)]
                    m.next = "IDLE"

        # -- cell read port (latency 2): through the probe while idle ----------------------------
        # An enabled clock puts the address into the probe register; the next enabled clock
        # registers the cell's bits from it.
        m.d.comb += board.read_enable.eq(self.read.enable)
        read_col = Signal(4)
        cell_mine = board.probe_mine
        cell = self.read.cell
        with m.If(self.read.enable):
            m.d.sync += [
                read_col.eq(probe[:4]),
                # No mines before the first reveal (the memory keeps the last game's until then).
                cell.mine.eq(cell_mine & (status != Status.READY)),
                cell.revealed.eq(board.probe_revealed),
                cell.flagged.eq(board.probe_flagged | (won_flags & cell_mine)),
                cell.exploded.eq((status == Status.LOST) & (probe == exploded)),
            ]
        m.d.comb += cell.count.eq(board.count_cell.as_value().word_select(read_col, 4))

        # -- LEDs ---------------------------------------------------------------------------------
        with m.Switch(status):
            with m.Case(Status.WON):
                m.d.comb += self.leds.eq(0xFF)
            with m.Case(Status.LOST):
                m.d.comb += self.leds.eq(0x55)
            with m.Default():
                m.d.comb += self.leds.eq(Cat(cursor_col, cursor_row))
        return m
