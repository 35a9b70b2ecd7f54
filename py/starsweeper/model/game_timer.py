"""The game's timer a clock at a time: the specification of
:class:`starsweeper.gateware.game_timer.GameTimer`.

The game (:class:`starsweeper.model.minesweeper.MinesweeperGame`) counts whole seconds with
:meth:`~starsweeper.model.minesweeper.MinesweeperGame.tick`; this is how the hardware makes
them from its clock: a prescaler counts ``clocks_per_second`` clocks of play to a second, and
the seconds hold at :data:`~starsweeper.model.minesweeper.TIMER_MAX`.
"""

from .minesweeper import TIMER_MAX

__all__ = ["GameTimer"]


class GameTimer:
    """``seconds`` and the clocks of the second under way (``fraction``), both 0 at first."""

    def __init__(self, clocks_per_second):
        if not isinstance(clocks_per_second, int) or clocks_per_second < 2:
            raise ValueError(f"Clocks per second must be an integer of at least 2, not {clocks_per_second!r}")
        self.clocks_per_second = clocks_per_second
        self.seconds = 0
        self.fraction = 0

    def clock(self, run, clear):
        """One clock: ``clear`` sets both counts to 0 (before anything else); else, while
        ``run``, one more clock of the second, the last of which adds a second (up to
        ``TIMER_MAX``). Returns the seconds after the clock."""
        if clear:
            self.seconds = self.fraction = 0
        elif run:
            if self.fraction == self.clocks_per_second - 1:
                self.fraction = 0
                self.seconds = min(self.seconds + 1, TIMER_MAX)
            else:
                self.fraction += 1
        return self.seconds
