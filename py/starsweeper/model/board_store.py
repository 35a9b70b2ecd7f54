"""Reference model of the game core's board store (:mod:`starsweeper.gateware.board_store`):
what every cell holds, and what each of the store's commands does to it.

Cells are numbered ``16 * row + column``. The store keeps, per cell, whether it is revealed, is
flagged, has no neighbouring mine in the field ("zero"), and holds a mine; and per row, the
neighbour counts of its sixteen cells. A new game clears the flags and the zero bits and
reveals the cells outside the new field, so that they never open.
"""

from .minesweeper import CELLS, DIFFICULTIES, GRID, Difficulty

__all__ = ["BoardModel"]



class BoardModel:
    def __init__(self):
        self.revealed = [False] * CELLS
        self.flagged = [False] * CELLS
        self.zero = [False] * CELLS
        self.mine = [False] * CELLS
        self.counts = [[0] * GRID for _ in range(GRID)]

    def new_game(self, difficulty):
        rows, cols, _ = DIFFICULTIES[Difficulty(difficulty)]
        self.revealed = [not (k // GRID < rows and k % GRID < cols) for k in range(CELLS)]
        self.flagged = [False] * CELLS
        self.zero = [False] * CELLS

    def flood_step(self, opening):
        """Reveal the cells of ``opening`` (cell numbers)."""
        for k in opening:
            self.revealed[k] = True

    def reveal(self, cell):
        self.revealed[cell] = True

    def set_flag(self, cell, value):
        self.flagged[cell] = bool(value)

    def set_mine(self, cell, value):
        self.mine[cell] = bool(value)

    def write_layout_row(self, row, bits):
        for c in range(GRID):
            self.mine[row * GRID + c] = bool((bits >> c) & 1)

    def write_zero_row(self, row, bits):
        for c in range(GRID):
            self.zero[row * GRID + c] = bool((bits >> c) & 1)

    def write_count_row(self, row, counts):
        self.counts[row] = list(counts)

    def vector(self, name):
        """``revealed``, ``flagged``, ``zero`` or ``mine`` as a 256-bit number."""
        return sum(1 << k for k, bit in enumerate(getattr(self, name)) if bit)
