"""The Minesweeper game core: the controller that joins its parts (buttons, board store,
placement, count sweep, flood, chord, win scan) and plays moves, flags, reveals, the counter and
the timer."""

from types import SimpleNamespace

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..model.buttons import BUTTON_BIT, BUTTONS
from ..model.minesweeper import (
    CELLS, DIFFICULTIES, SWAPS, SWITCH_BEGINNER, SWITCH_FLAG, Difficulty, Status,
)
from ..model.timing import DEFAULT_CLOCK_HZ, system_parameters
from .board_store import BoardStore
from .buttons import ButtonActions
from .chord import Chord
from .count_sweep import CountSweep
from .field import field_size
from .flood import FloodEngine
from .game_timer import GameTimer
from .interfaces import CellAddress, CellReadPort, GameViewSignature, ScoreSignature
from .placement import Placement
from .probe_bus import ProbeBus
from .win_scan import WinScan

__all__ = ["MinesweeperGame"]

#: The defaults: the 100 MHz clock's counts (:mod:`starsweeper.model.timing`).
_BOARD = system_parameters(DEFAULT_CLOCK_HZ)


class MinesweeperGame(wiring.Component):
    """Minesweeper, the rules of :mod:`starsweeper.model.minesweeper` clock for clock.

    Parameters
    ----------
    swaps : int
        LCG swaps of the placement (1000).
    clocks_per_second : int
        Timer tick period (the clock frequency on a board; small in simulation).
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
    view : Out(GameViewSignature)
        For the display: :class:`Status` (ready, playing, won, lost), :class:`Difficulty` of the
        current game, the cursor, and whether a button is held down (the smiley's "o" mouth).
    score : Out(ScoreSignature)
        The counter (mines minus flags) and the timer (seconds since the first reveal, 0 to
        999).
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
    zero_bits : Out(256)
        Readback of the zero bits the count sweep wrote (a cell of the field with no
        neighbouring mine), the flood's rule; bit ``16 * row + col``.
    seed : Out(32)
        The seed of the current game's placement.
    flood_steps : Out(9)
        Parallel flood steps that opened cells in the last reveal or chord.
    exploded_row, exploded_col : Out(4)
        The mine that exploded (meaningful when lost).
    """

    def __init__(self, *, swaps=SWAPS, clocks_per_second=_BOARD["clocks_per_second"],
                 debounce_cycles=_BOARD["debounce_cycles"], repeat_delay=_BOARD["repeat_delay"],
                 repeat_period=_BOARD["repeat_period"], mine_counts=None):
        if not isinstance(swaps, int) or swaps < 1:
            raise ValueError(f"Swaps must be a positive integer, not {swaps!r}")
        self.swaps = swaps
        self.timer = GameTimer(clocks_per_second)
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
            "view": Out(GameViewSignature()),
            "score": Out(ScoreSignature()),
            "busy": Out(1),
            "leds": Out(8),
            "read": In(CellReadPort()),
            "revealed_bits": Out(CELLS),
            "flagged_bits": Out(CELLS),
            "zero_bits": Out(CELLS),
            "seed": Out(32),
            "flood_steps": Out(9),
            "exploded_row": Out(4),
            "exploded_col": Out(4),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.button_actions = front = self.buttons_front
        m.d.comb += [front.buttons.eq(self.buttons), self.view.held.eq(front.held)]
        parts = self._parts(m)
        game = self._registers(m, parts)
        idle = self._pending_action(m, game, front)
        # (a part of its own: the controller's text is then the same in every build whatever
        # its second, so that the timer's tests, built with a short one, reach the controller too)
        m.submodules.timer = timer = self.timer
        m.d.comb += timer.run.eq(game.status == Status.PLAYING)
        self._controller(m, game, parts, idle)
        self._read_port(m, game, parts.board)
        self._leds(m, game)
        return m

    def _parts(self, m):
        """The parts, joined: the board store holds every cell; the placement, the count sweep,
        the chord and the win scan each run in their own state of the controller and share the
        board's probe with it (ProbeBus: each drives its probe only while it runs)."""
        parts = SimpleNamespace(
            board=BoardStore(), flood=FloodEngine(),
            placement=Placement(swaps=self.swaps, mines=self.mines), count_sweep=CountSweep(),
            chord=Chord(), win_scan=WinScan(), probe_bus=ProbeBus(5))
        for name, part in vars(parts).items():
            m.submodules[name] = part
        parts.own = parts.probe_bus.parts[0]             # the controller's own probe
        wiring.connect(m, parts.probe_bus.board, parts.board.probe)
        for k, part in enumerate((parts.placement, parts.count_sweep, parts.chord, parts.win_scan), start=1):
            wiring.connect(m, part.probe, parts.probe_bus.parts[k])
        wiring.connect(m, parts.placement.layout, parts.board.layout)
        wiring.connect(m, parts.count_sweep.counts, parts.board.counts)
        wiring.connect(m, parts.count_sweep.zero, parts.board.zero)
        wiring.connect(m, parts.board.flood, parts.flood.board)
        return parts

    def _registers(self, m, parts):
        """The game's own state, and what the parts and the readback ports take of it."""
        game = SimpleNamespace(
            difficulty=Signal(Difficulty),
            status=Signal(Status, init=Status.READY),
            cursor=Signal(CellAddress),
            counter=Signal(signed(9)),
            exploded=Signal(CellAddress),
            flood_steps=Signal(9),
            free_running=Signal(32),
            seed=Signal(32),
            flood_first=Signal(),
        )
        game.beginner = game.difficulty == Difficulty.BEGINNER
        game.rows, game.cols = field_size(game.beginner)
        board, cursor = parts.board, game.cursor
        m.d.sync += game.free_running.eq(game.free_running + 1)
        m.d.comb += board.cursor_row.eq(cursor.row)
        for part in (parts.placement, parts.count_sweep, parts.chord):
            m.d.comb += [part.beginner.eq(game.beginner), part.cursor.eq(cursor)]
        m.d.comb += parts.chord.count.eq(board.cursor_counts.as_value().word_select(cursor.col, 4))
        m.d.comb += [
            self.view.status.eq(game.status), self.view.difficulty.eq(game.difficulty),
            self.view.cursor_row.eq(cursor.row), self.view.cursor_col.eq(cursor.col),
            self.score.counter.eq(game.counter), self.score.timer.eq(self.timer.seconds),
            self.revealed_bits.eq(board.flood.revealed), self.flagged_bits.eq(board.flood.flagged),
            self.zero_bits.eq(board.flood.zero), self.seed.eq(game.seed),
            self.flood_steps.eq(game.flood_steps),
            self.exploded_col.eq(game.exploded.col), self.exploded_row.eq(game.exploded.row),
        ]
        return game

    def _pending_action(self, m, game, front):
        """One press waits while the core is busy; returns the controller's ``idle``, which
        takes it."""
        pending = game.pending = Signal(len(BUTTONS))
        idle = Signal()
        take = idle & pending.any()
        with m.If(front.press.any() & (~pending.any() | take)):
            m.d.sync += pending.eq(front.press)
        with m.Elif(take):
            m.d.sync += pending.eq(0)
        m.d.comb += self.busy.eq(~idle | pending.any())
        return idle

    def _controller(self, m, game, parts, idle):
        """The moves, and the centre button's actions through the parts. The controller's own
        probe has the cursor's cell unless a state says otherwise (0 while a part runs);
        ``own.*`` is the cursor's cell in the states that decide on it."""
        board, own, pending = parts.board, parts.own, game.pending
        status, cursor, counter = game.status, game.cursor, game.counter
        rows, cols = game.rows, game.cols
        probe_cursor = Signal(init=1)
        m.d.comb += own.address.eq(Mux(probe_cursor, cursor, 0))

        with m.FSM(init="NEW"):
            with m.State("NEW"):
                new_beginner = self.switches[SWITCH_BEGINNER]
                # No flags, no zero bits; the cells outside the new field revealed: they never open.
                m.d.comb += [board.new_game.eq(1), board.new_beginner.eq(new_beginner)]
                m.d.sync += [
                    game.difficulty.eq(new_beginner),
                    status.eq(Status.READY),
                    cursor.eq(0),
                    counter.eq(Mux(new_beginner, self.mines[Difficulty.BEGINNER],
                                   self.mines[Difficulty.INTERMEDIATE])),
                    game.flood_steps.eq(0),
                ]
                m.d.comb += self.timer.clear.eq(1)
                m.next = "IDLE"

            with m.State("IDLE"):
                m.d.comb += idle.eq(1)
                with m.If(~pending.any()):
                    # Nothing to do: the cell read port has the probe (one 256:1 multiplexer
                    # per board vector serves the game and the display).
                    m.d.comb += own.address.eq(Mux(self.read.enable, self.read.address, board.probing))
                with m.If(pending[BUTTON_BIT["centre"]]):
                    m.next = "READ_CURSOR"      # the probe has the cursor from this clock on
                with m.Elif(pending[BUTTON_BIT["up"]]):
                    m.d.sync += cursor.row.eq(Mux(cursor.row == 0, rows - 1, cursor.row - 1))
                with m.Elif(pending[BUTTON_BIT["down"]]):
                    m.d.sync += cursor.row.eq(Mux(cursor.row == rows - 1, 0, cursor.row + 1))
                with m.Elif(pending[BUTTON_BIT["left"]]):
                    m.d.sync += cursor.col.eq(Mux(cursor.col == 0, cols - 1, cursor.col - 1))
                with m.Elif(pending[BUTTON_BIT["right"]]):
                    m.d.sync += cursor.col.eq(Mux(cursor.col == cols - 1, 0, cursor.col + 1))

            with m.State("READ_CURSOR"):
                m.next = "CENTRE"

            with m.State("CENTRE"):
                self._centre(m, game, parts)

            with m.State("PLACE"):
                m.d.comb += probe_cursor.eq(0)
                with m.If(parts.placement.control.done):
                    m.d.comb += parts.count_sweep.control.start.eq(1)
                    m.next = "COUNT"

            with m.State("COUNT"):
                m.d.comb += probe_cursor.eq(0)
                with m.If(parts.count_sweep.control.done):
                    m.next = "REVEAL"        # the sweep's last two clocks probed the cursor's cell

            with m.State("REVEAL"):
                # own.*: the cursor's cell.
                m.d.sync += [game.flood_steps.eq(0), game.flood_first.eq(1)]
                with m.If(own.mine):
                    m.d.sync += [status.eq(Status.LOST), game.exploded.eq(cursor)]
                    m.next = "IDLE"
                with m.Else():
                    m.d.comb += own.reveal.eq(1)
                    m.next = "FLOOD"

            with m.State("CHORD"):
                chord = parts.chord
                m.d.comb += probe_cursor.eq(0)
                with m.If(chord.control.done):
                    m.next = "IDLE"
                    with m.If(chord.lost):
                        m.d.sync += [status.eq(Status.LOST), game.exploded.eq(chord.exploded),
                                     game.flood_steps.eq(0)]
                    with m.Elif(chord.opened):
                        m.d.sync += [game.flood_first.eq(1), game.flood_steps.eq(0)]
                        m.next = "FLOOD"

            with m.State("FLOOD"):
                # One step a clock; opened_rows tells a clock later whether the step opened
                # anything (a step after an empty one is empty too: nothing changed).
                m.d.comb += board.flood_step.eq(1)
                m.d.sync += game.flood_first.eq(0)
                with m.If(~game.flood_first):
                    with m.If(parts.flood.opened_rows.any()):
                        m.d.sync += game.flood_steps.eq(game.flood_steps + 1)
                    with m.Else():
                        m.d.comb += parts.win_scan.control.start.eq(1)
                        m.next = "WIN_CHECK"

            with m.State("WIN_CHECK"):
                m.d.comb += probe_cursor.eq(0)
                with m.If(parts.win_scan.control.done):
                    m.next = "IDLE"
                    with m.If(parts.win_scan.won):
                        m.d.sync += [status.eq(Status.WON), counter.eq(0)]

    def _centre(self, m, game, parts):
        """The centre button, on the cursor's cell (``own.*``): a new game after the end; a
        flag in flag mode; the first reveal places the mines; a reveal; a chord."""
        own, status, counter = parts.own, game.status, game.counter
        m.next = "IDLE"
        with m.If((status == Status.WON) | (status == Status.LOST)):
            m.next = "NEW"
        with m.Elif(~own.revealed):
            with m.If(self.switches[SWITCH_FLAG]):
                m.d.comb += [own.flag_write.eq(1), own.flag_value.eq(~own.flagged)]
                m.d.sync += counter.eq(Mux(own.flagged, counter + 1, counter - 1))
            with m.Elif(own.flagged):
                pass
            with m.Elif(status == Status.READY):
                first_seed = Mux(self.seed_force, self.seed_value, game.free_running)
                m.d.sync += [game.seed.eq(first_seed), status.eq(Status.PLAYING)]
                m.d.comb += [parts.placement.control.start.eq(1), parts.placement.seed.eq(first_seed),
                             self.timer.clear.eq(1)]
                m.next = "PLACE"
            with m.Else():
                m.next = "REVEAL"
        with m.Else():
            m.d.comb += parts.chord.control.start.eq(1)
            m.next = "CHORD"

    def _read_port(self, m, game, board):
        """The cell read port (latency 2), through the probe while idle: an enabled clock puts
        the address into the probe register; the next enabled clock registers the cell's bits
        from it."""
        m.d.comb += board.read_enable.eq(self.read.enable)
        read_col = Signal(4)
        cell_mine = board.probing_mine
        cell = self.read.cell
        probing = board.probing
        status = game.status
        # A won game shows a flag on every mine (as Windows does): readers see flagged | mine,
        # the flags themselves are not written (a whole-vector write there costs ~600 LUTs).
        won_flags = status == Status.WON
        with m.If(self.read.enable):
            m.d.sync += [
                read_col.eq(probing.col),
                # No mines before the first reveal (the memory keeps the last game's until then).
                cell.mine.eq(cell_mine & (status != Status.READY)),
                cell.revealed.eq(board.probing_revealed),
                cell.flagged.eq(board.probing_flagged | (won_flags & cell_mine)),
                cell.exploded.eq((status == Status.LOST) & (probing == game.exploded)),
            ]
        m.d.comb += cell.count.eq(board.count_cell.as_value().word_select(read_col, 4))

    def _leds(self, m, game):
        """Ready or playing: LD7-4 the cursor's row, LD3-0 its column; won: all on; lost:
        01010101."""
        with m.Switch(game.status):
            with m.Case(Status.WON):
                m.d.comb += self.leds.eq(0xFF)
            with m.Case(Status.LOST):
                m.d.comb += self.leds.eq(0x55)
            with m.Default():
                m.d.comb += self.leds.eq(game.cursor)
