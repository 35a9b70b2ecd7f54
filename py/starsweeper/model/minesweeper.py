"""Reference model of the Minesweeper game core, step for step as the hardware plays it.

Board. The cells live in a 16x16 grid; the active field is its top-left ``rows`` x ``cols``
(beginner 9x9 with 10 mines, intermediate 16x16 with 40). Cells outside it never hold a mine,
never open and are nobody's neighbour.

Placement (the original EE354 method, at the first reveal):

1. Put the mines in the first active cells, row-major from the top-left.
2. Step a 32-bit linear congruential generator ``x <- (A*x + B) mod 2**32`` once per draw.
   Its top 16 bits give two cells: row 1 from bits 31..28, column 1 from 27..24, row 2 from
   23..20, column 2 from 19..16. If all four are inside the field, swap the two cells' contents
   (a swap of a cell with itself changes nothing); otherwise draw again. Rejection, not modulo,
   so every cell is equally likely; high bits, because the low bits of a power-of-two LCG have
   short periods. Stop after ``swaps`` swaps (default 1000).
3. First click is safe (the Windows rule): if the clicked cell holds a mine, move that mine to
   the first cell without a mine, row-major from the top-left.

The seed is the value of a free-running 32-bit counter at the first reveal, so every game
differs; a test can force it.

Actions (centre button):

* On a covered cell: with flag mode off, reveal it unless it is flagged (a mine loses); with
  flag mode on, toggle its flag.
* On a revealed number whose neighbouring flags equal its number (chording): reveal every
  covered, unflagged neighbour. If one of them is a mine the game is lost; the first such mine
  in the order NW, N, NE, W, E, SW, S, SE is the one that exploded.
* After a reveal or a chord that did not lose, the flood runs: in one step, every covered,
  unflagged, non-mine cell next to a revealed cell with no neighbouring mines opens, all at
  once; steps repeat until nothing changes. :meth:`MinesweeperGame.flood_step` is one step,
  the hardware's one clock.
* Won when every non-mine cell is revealed: every mine becomes flagged and the counter shows 0.
* When won or lost, centre starts a new game at the difficulty the switch gives then; every
  other action changes nothing (the cursor still moves).

Counter = mines - flags, may go negative. Timer = whole seconds since the first reveal, held at
999 and frozen when the game ends.
"""

from dataclasses import dataclass, field
from enum import IntEnum

# Status and Difficulty are Amaranth enums (Python IntEnums with a shape), so that the gateware's
# ports take the model's own types; the model uses them as plain enums.
from amaranth.lib import enum as shaped

__all__ = [
    "GRID", "CELLS", "LCG_A", "LCG_B", "LCG_MASK", "SWAPS", "TIMER_MAX", "Difficulty", "DIFFICULTIES",
    "Status", "STATUS_MOVES", "Direction", "NEIGHBOURS", "SWITCH_DEBUG", "SWITCH_FLAG", "SWITCH_TIMER",
    "SWITCH_BEGINNER", "difficulty_of", "lcg_next", "draw_cells", "place_mines",
    "neighbours", "neighbour_counts", "MinesweeperGame",
]

GRID = 16
#: Cells of the grid; cell (r, c) is number 16 r + c, the bit of every 256-bit board vector.
CELLS = GRID * GRID
LCG_A = 1664525          # Numerical Recipes' full-period multiplier and increment
LCG_B = 1013904223
LCG_MASK = (1 << 32) - 1
SWAPS = 1000
TIMER_MAX = 999

#: Neighbour offsets (row, column) in the order used to pick the exploded mine of a chord.
NEIGHBOURS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


class Difficulty(shaped.IntEnum, shape=1):
    INTERMEDIATE = 0     # switch SW7 down
    BEGINNER = 1         # switch SW7 up: the switch's bit is the difficulty


#: The switches, by bit: SW0 shows the mines (debug, the display's), SW1 makes centre toggle
#: flags, SW6 makes the seven-segment display show the timer (else the mine counter), SW7 makes
#: the next game beginner.
SWITCH_DEBUG = 0
SWITCH_FLAG = 1
SWITCH_TIMER = 6
SWITCH_BEGINNER = 7


def difficulty_of(switches):
    """The difficulty a new game takes from the switches (SW7's bit; the gateware takes the
    bit itself, which is the same number)."""
    return Difficulty((switches >> SWITCH_BEGINNER) & 1)


#: rows, columns, mines
DIFFICULTIES = {Difficulty.INTERMEDIATE: (16, 16, 40), Difficulty.BEGINNER: (9, 9, 10)}


class Status(shaped.IntEnum, shape=2):
    READY = 0            # a new game: no mines yet, waiting for the first reveal
    PLAYING = 1
    WON = 2
    LOST = 3


#: The moves of the status: the first reveal starts the game, a reveal or a chord ends it, and
#: the centre button on an ended game starts a new one.
STATUS_MOVES = frozenset({(Status.READY, Status.PLAYING), (Status.PLAYING, Status.WON),
                          (Status.PLAYING, Status.LOST), (Status.WON, Status.READY),
                          (Status.LOST, Status.READY)})


class Direction(IntEnum):
    UP = 0
    DOWN = 1
    LEFT = 2
    RIGHT = 3


def lcg_next(x):
    return (LCG_A * x + LCG_B) & LCG_MASK


def draw_cells(x):
    """The two cells ((row, col), (row, col)) a generator state names, from its top 16 bits."""
    return ((x >> 28) & 15, (x >> 24) & 15), ((x >> 20) & 15, (x >> 16) & 15)


def place_mines(seed, rows, cols, mines, swaps=SWAPS, safe=None):
    """Mine placement as the hardware does it.

    Returns ``(mine, draws)``: a GRID x GRID list of lists of bools, and how many generator
    steps (draws, accepted or not) the swaps took.
    """
    if not (0 <= mines < rows * cols):
        raise ValueError(f"mines must be between 0 and {rows * cols - 1}, not {mines}")
    mine = [[False] * GRID for _ in range(GRID)]
    for i in range(mines):
        mine[i // cols][i % cols] = True
    x, done, draws = seed & LCG_MASK, 0, 0
    while done < swaps:
        x = lcg_next(x)
        draws += 1
        (r1, c1), (r2, c2) = draw_cells(x)
        if r1 < rows and c1 < cols and r2 < rows and c2 < cols:
            mine[r1][c1], mine[r2][c2] = mine[r2][c2], mine[r1][c1]
            done += 1
    if safe is not None and mine[safe[0]][safe[1]]:
        mine[safe[0]][safe[1]] = False
        free = next((r, c) for r in range(rows) for c in range(cols)
                    if not mine[r][c] and (r, c) != tuple(safe))
        mine[free[0]][free[1]] = True
    return mine, draws


def neighbours(r, c, rows, cols):
    for dr, dc in NEIGHBOURS:
        nr, nc = r + dr, c + dc
        if 0 <= nr < rows and 0 <= nc < cols:
            yield nr, nc


def neighbour_counts(mine, rows, cols):
    """Mines next to each cell (0 to 8); 0 outside the field."""
    counts = [[0] * GRID for _ in range(GRID)]
    for r in range(rows):
        for c in range(cols):
            counts[r][c] = sum(mine[nr][nc] for nr, nc in neighbours(r, c, rows, cols))
    return counts


def _grid(value=False):
    return [[value] * GRID for _ in range(GRID)]


@dataclass
class MinesweeperGame:
    """The whole game. ``swaps`` is the placement's swap count; ``mine_counts`` may change the
    number of mines per difficulty (tests). ``last_flood_steps`` and ``last_flood_layers``: the
    steps of the last reveal's or chord's flood that opened cells, and the cells each opened
    (the hardware opens one such layer a clock)."""

    swaps: int = SWAPS
    difficulty: Difficulty = Difficulty.INTERMEDIATE
    mine_counts: dict = None
    status: Status = Status.READY
    mine: list = field(default_factory=_grid)
    revealed: list = field(default_factory=_grid)
    flagged: list = field(default_factory=_grid)
    counts: list = field(default_factory=lambda: _grid(0))
    cursor: tuple = (0, 0)
    exploded: tuple = None
    timer: int = 0
    seed: int = None
    last_flood_steps: int = 0
    last_flood_layers: list = field(default_factory=list)
    last_placement_draws: int = 0

    def __post_init__(self):
        counts = {d: DIFFICULTIES[d][2] for d in Difficulty}
        counts.update({Difficulty(int(d)): n for d, n in (self.mine_counts or {}).items()})
        self.mine_counts = counts
        self.new_game(self.difficulty)

    # -- derived -----------------------------------------------------------------------------

    @property
    def rows(self):
        return DIFFICULTIES[self.difficulty][0]

    @property
    def cols(self):
        return DIFFICULTIES[self.difficulty][1]

    @property
    def mines(self):
        return self.mine_counts[self.difficulty]

    @property
    def flags(self):
        return sum(map(sum, self.flagged))

    @property
    def counter(self):
        return self.mines - self.flags

    @property
    def leds(self):
        """The board's LEDs: while ready or playing LD7-4 show the cursor's row and LD3-0 its
        column; won: all on; lost: 01010101."""
        if self.status == Status.WON:
            return 0xFF
        if self.status == Status.LOST:
            return 0x55
        return (self.cursor[0] << 4) | self.cursor[1]

    @property
    def finished(self):
        return self.status in (Status.WON, Status.LOST)

    def cells(self):
        return ((r, c) for r in range(self.rows) for c in range(self.cols))

    # -- actions -----------------------------------------------------------------------------

    def new_game(self, difficulty):
        self.difficulty = Difficulty(difficulty)
        self.status = Status.READY
        self.mine, self.revealed, self.flagged = _grid(), _grid(), _grid()
        self.counts = _grid(0)
        self.cursor = (0, 0)
        self.exploded = None
        self.timer = 0
        self.seed = None
        self.last_flood_steps = 0
        self.last_flood_layers = []

    def move(self, direction):
        """Move the cursor one cell, wrapping around the field's edges."""
        r, c = self.cursor
        if direction == Direction.UP:
            r = (r - 1) % self.rows
        elif direction == Direction.DOWN:
            r = (r + 1) % self.rows
        elif direction == Direction.LEFT:
            c = (c - 1) % self.cols
        elif direction == Direction.RIGHT:
            c = (c + 1) % self.cols
        else:
            raise ValueError(f"unknown direction {direction!r}")
        self.cursor = (r, c)

    def centre(self, flag_mode=False, seed=0, difficulty=None):
        """The centre button. ``seed`` is used if this is the first reveal; ``difficulty`` (the
        switch) if this starts a new game. Returns what happened, as a word."""
        if self.finished:
            self.new_game(self.difficulty if difficulty is None else difficulty)
            return "new game"
        r, c = self.cursor
        if not self.revealed[r][c]:
            if flag_mode:
                self.flagged[r][c] = not self.flagged[r][c]
                return "flag"
            if self.flagged[r][c]:
                return "nothing"
            if self.status == Status.READY:
                self._place(seed, (r, c))
            return self._open([(r, c)], "reveal")
        targets = self.chord_targets(r, c)
        if targets is not None:
            return self._open(targets, "chord")
        return "nothing"

    def chord_targets(self, r, c):
        """The cells a chord on the revealed cell (r, c) opens, in :data:`NEIGHBOURS` order: its
        covered, unflagged neighbours when its count is not 0 and equals its flagged
        neighbours; None when it does not chord."""
        around = list(neighbours(r, c, self.rows, self.cols))
        if not self.counts[r][c] or self.counts[r][c] != sum(self.flagged[nr][nc] for nr, nc in around):
            return None
        return [(nr, nc) for nr, nc in around if not self.revealed[nr][nc] and not self.flagged[nr][nc]]

    def all_safe_revealed(self):
        """No safe cell of the field is covered (the game is won)."""
        return all(self.revealed[r][c] or self.mine[r][c] for r, c in self.cells())

    def tick(self):
        """One second passes."""
        if self.status == Status.PLAYING and self.timer < TIMER_MAX:
            self.timer += 1

    # -- internals ---------------------------------------------------------------------------

    def _place(self, seed, safe):
        self.seed = seed & LCG_MASK
        self.mine, self.last_placement_draws = place_mines(
            self.seed, self.rows, self.cols, self.mines, self.swaps, safe)
        self.counts = neighbour_counts(self.mine, self.rows, self.cols)
        self.status = Status.PLAYING
        self.timer = 0

    def _open(self, targets, kind):
        self.last_flood_steps = 0
        self.last_flood_layers = []         # (a new list: a reader can tell that a flood ran)
        for r, c in targets:
            if self.mine[r][c]:
                if self.status != Status.LOST:
                    self.exploded = (r, c)
                self.status = Status.LOST
            else:
                self.revealed[r][c] = True
        if self.status == Status.LOST:
            return "lost"
        while layer := self.flood_step():
            self.last_flood_steps += 1
            self.last_flood_layers.append(layer)
        if self.all_safe_revealed():
            self.status = Status.WON
            for r, c in self.cells():
                if self.mine[r][c]:
                    self.flagged[r][c] = True
            return "won"
        return kind

    def flood_step(self):
        """One parallel flood step: the cells it opened, (row, column) in order (none: the
        flood is over)."""
        opening = [(r, c) for r, c in self.cells()
                   if not self.revealed[r][c] and not self.flagged[r][c] and not self.mine[r][c]
                   and any(self.revealed[nr][nc] and self.counts[nr][nc] == 0
                           for nr, nc in neighbours(r, c, self.rows, self.cols))]
        for r, c in opening:
            self.revealed[r][c] = True
        return opening


def place_mines_batch(seeds, rows, cols, mines, swaps=SWAPS):
    """:func:`place_mines` (without the first-click move) for many seeds at once, in numpy.

    Returns a boolean array ``(len(seeds), rows * cols)``, cells row-major in the field.
    """
    import numpy as np

    seeds = np.asarray(seeds, dtype=np.uint64) & np.uint64(LCG_MASK)
    n = len(seeds)
    boards = np.zeros((n, rows * cols), dtype=bool)
    boards[:, :mines] = True
    x = seeds.copy()
    done = np.zeros(n, dtype=np.int64)
    everyone = np.arange(n)
    a, b, mask = np.uint64(LCG_A), np.uint64(LCG_B), np.uint64(LCG_MASK)
    while True:
        working = done < swaps
        if not working.any():
            return boards
        x = np.where(working, (a * x + b) & mask, x)
        r1 = (x >> np.uint64(28)) & np.uint64(15)
        c1 = (x >> np.uint64(24)) & np.uint64(15)
        r2 = (x >> np.uint64(20)) & np.uint64(15)
        c2 = (x >> np.uint64(16)) & np.uint64(15)
        ok = working & (r1 < rows) & (c1 < cols) & (r2 < rows) & (c2 < cols)
        who = everyone[ok]
        i = (r1[ok] * np.uint64(cols) + c1[ok]).astype(np.int64)
        j = (r2[ok] * np.uint64(cols) + c2[ok]).astype(np.int64)
        bi, bj = boards[who, i], boards[who, j]
        boards[who, i], boards[who, j] = bj, bi
        done[ok] += 1
