"""Scripts of button presses for the game: parsed, played on the model, driven into the RTL.

Syntax (case-insensitive; tokens separated by spaces):

  u d l r   move the cursor up, down, left, right (wrapping at the field's edges)
  3r        a count before any one-letter token repeats it: three times right
  c         centre: reveal the cell (the first reveal places the mines), chord on a revealed
            number whose flags are all set, or start a new game once the game is over
  f         flag or unflag the cell: the centre button with switch SW1 (flag mode) on
  @R,C      move the cursor to row R, column C (0-based, from the top left), the short way
  h         hold the centre button down: pressed like c, then kept down for the screenshot
            (the "o" face); only as the last move

Example: ``"@8,8 c @3,4 f 2d c"`` reveals the middle cell, flags (3, 4) and reveals (5, 4).
"""

from dataclasses import dataclass
import re

from .errors import InputError
from .model.minesweeper import SWITCH_FLAG, Direction, MinesweeperGame, difficulty_of

__all__ = ["Press", "MoveError", "hold_clocks", "parse", "path", "press_of", "play"]

_DIRECTIONS = {"u": Direction.UP, "d": Direction.DOWN, "l": Direction.LEFT, "r": Direction.RIGHT}
_BUTTON = {Direction.UP: "up", Direction.DOWN: "down", Direction.LEFT: "left", Direction.RIGHT: "right"}
_REPEATED = re.compile(r"^(\d*)([udlrcf])$")
_GOTO = re.compile(r"^@(\d+),(\d+)$")
#: Longest repeat count accepted (a typo guard).
MAX_REPEAT = 1000


class MoveError(InputError):
    """A move script that cannot be parsed or played; the message names the token."""


@dataclass(frozen=True)
class Press:
    """One press of ``button`` (centre, up, down, left, right), with switch SW1 (flag mode) at
    ``flag_mode``; ``hold`` keeps the button down afterwards."""

    button: str
    flag_mode: bool = False
    hold: bool = False

    def switches_for(self, switches):
        """The switches while this press lasts: ``switches``, with SW1 on for a flag press."""
        return switches | (1 << SWITCH_FLAG) if self.flag_mode else switches


def hold_clocks(parameters):
    """Clocks a scripted press holds its button down, and then up, on a system with
    ``parameters``: past the two-flop synchroniser and the debouncer, with a margin."""
    return parameters["debounce_cycles"] + 6


def parse(text):
    """Tokens of ``text`` as (kind, argument) pairs; raises :class:`MoveError` naming a bad token."""
    tokens = text.lower().split()
    parsed = []
    for k, token in enumerate(tokens):
        repeated, goto = _REPEATED.match(token), _GOTO.match(token)
        if token == "h":
            if k != len(tokens) - 1:
                raise MoveError(f"move 'h' (hold) must be the last, not move {k + 1} of {len(tokens)}")
            parsed.append(("hold", None))
        elif repeated:
            count = int(repeated.group(1) or 1)
            if not 1 <= count <= MAX_REPEAT:
                raise MoveError(f"move {token!r}: the count must be 1 to {MAX_REPEAT}")
            parsed += [(repeated.group(2), None)] * count
        elif goto:
            parsed.append(("goto", (int(goto.group(1)), int(goto.group(2)))))
        else:
            raise MoveError(f"unknown move {token!r} (expected u, d, l, r, c, f, h, a count "
                            f"before one of them, or @ROW,COL)")
    return parsed


def path(cursor, target, rows, cols):
    """Directions from ``cursor`` to ``target`` (row, column pairs) on a ``rows`` x ``cols``
    field whose edges wrap, the short way round each axis."""
    (r, c), (row, col) = cursor, target
    down, right = (row - r) % rows, (col - c) % cols
    steps = [Direction.DOWN] * down if down <= rows - down else [Direction.UP] * (rows - down)
    steps += [Direction.RIGHT] * right if right <= cols - right else [Direction.LEFT] * (cols - right)
    return steps


def press_of(direction):
    """The :class:`Press` of a cursor move."""
    return Press(_BUTTON[direction])


def play(text, game=None, seed=0, switches=0):
    """Play ``text`` on the model. Returns (presses, game, held).

    ``game`` (default: a new game of the difficulty switch SW7 selects) is changed in place;
    ``seed`` seeds the first reveal; ``switches`` are SW7..SW0 as bits (SW1 on makes ``c``
    flag too; SW7 selects beginner for new games)."""
    difficulty = difficulty_of(switches)
    game = MinesweeperGame(difficulty=difficulty) if game is None else game
    switch_flag = bool((switches >> SWITCH_FLAG) & 1)
    presses, held = [], False
    for kind, argument in parse(text):
        if kind in _DIRECTIONS:
            presses.append(Press(_BUTTON[_DIRECTIONS[kind]]))
            game.move(_DIRECTIONS[kind])
        elif kind == "goto":
            row, col = argument
            if not (0 <= row < game.rows and 0 <= col < game.cols):
                raise MoveError(f"move '@{row},{col}' is off the {game.rows}x{game.cols} field")
            for direction in path(game.cursor, (row, col), game.rows, game.cols):
                presses.append(press_of(direction))
                game.move(direction)
        else:
            flag_mode = switch_flag or kind == "f"
            presses.append(Press("centre", flag_mode=flag_mode, hold=kind == "hold"))
            game.centre(flag_mode, seed=seed, difficulty=difficulty)
            held = kind == "hold"
    return presses, game, held
