# amaranth: UnusedElaboratable=no
# (test_bad_timing makes components whose constructors fail: they cannot be used)
"""The Minesweeper display on its own (gateware/display.py) against the renderer
(model/display.py ``render``), in Amaranth's simulator.

The display reads a model game's cells from a memory behind a read port of the game core's
latency, and its counter and timer characters from the model's text; a VGA timing with the
full width, the top 280 lines and one-pixel blanking makes a frame quick (the picture is laid
out for 640x480, so a smaller timing shows its top: half the field, the smiley, the counter
and the timer). Every visible pixel of the first frame, in order, must equal the renderer's.
"""

import random

import numpy as np
import pytest
from amaranth.hdl import Elaboratable, Module, Signal
from amaranth.lib.memory import Memory

from starsweeper.gateware.display import MinesweeperDisplay
from starsweeper.gateware.interfaces import CellView
from starsweeper.model.display import counter_text, render, timer_text
from starsweeper.model.glyphs import GLYPH_INDEX
from starsweeper.model.minesweeper import GRID, Difficulty, Direction, MinesweeperGame, Status
from starsweeper.model.vga import VgaTiming, rgb332
from test_display_parts import run

#: 640 x 280 visible, one pixel of each porch and sync: 181,569 clocks a frame.
BAND = VgaTiming(640, 1, 1, 1, 280, 1, 1, 1)


def cell_view(game, r, c):
    """The cell as the game core's read port gives it (MinesweeperGame's read port)."""
    inside = r < game.rows and c < game.cols
    view = {
        "count": game.counts[r][c] if inside else 0,
        "mine": int(inside and game.mine[r][c] and game.status != Status.READY),
        "revealed": int(inside and game.revealed[r][c]),
        "flagged": int(inside and (game.flagged[r][c]
                                   or (game.status == Status.WON and game.mine[r][c]))),
        "exploded": int(game.status == Status.LOST and game.exploded == (r, c)),
    }
    return view


class DisplayOnModel(Elaboratable):
    """The display, with a model game's cells behind a read port of latency 2 (the address
    registered, then the cell, in enabled clocks) and its characters as constants."""

    def __init__(self, game, debug, held, timing):
        self.display = MinesweeperDisplay(timing)
        self.game, self.debug, self.held = game, debug, held

    def elaborate(self, platform):
        m = Module()
        display = m.submodules.display = self.display
        game = self.game
        m.submodules.cells = cells = Memory(shape=CellView(), depth=GRID * GRID, init=[
            cell_view(game, r, c) for r in range(GRID) for c in range(GRID)])
        read = cells.read_port()
        address = Signal(8)
        with m.If(display.read.enable):
            m.d.sync += address.eq(display.read.address)
        m.d.comb += [read.addr.eq(address), read.en.eq(display.read.enable),
                     display.read.cell.eq(read.data)]
        m.d.comb += [
            display.enable.eq(1),
            display.debug.eq(self.debug),
            display.game.status.eq(game.status),
            display.game.difficulty.eq(game.difficulty),
            display.game.cursor_row.eq(game.cursor[0]),
            display.game.cursor_col.eq(game.cursor[1]),
            display.game.held.eq(self.held),
        ]
        for k, char in enumerate(counter_text(game.counter)):
            m.d.comb += display.digits.counter[k].eq(GLYPH_INDEX[char])
        for k, char in enumerate(timer_text(game.timer)):
            m.d.comb += display.digits.timer[k].eq(GLYPH_INDEX[char])
        return m


def first_frame(game, debug=False, held=False, timing=BAND):
    """The visible pixels of the display's first frame, as RGB332 rows."""
    top = DisplayOnModel(game, debug, held, timing)
    vga = top.display.vga
    pixels = []

    async def bench(ctx):
        # The outputs as each clock edge samples them (one call a clock: the bench's own time
        # was a third of the test's).
        async for _, _, active, red, green, blue in ctx.tick().sample(vga.active, vga.red, vga.green, vga.blue):
            if active:
                pixels.append(rgb332(red, green, blue))
                if len(pixels) == timing.h_visible * timing.v_visible:
                    break

    run(top, bench)
    return np.array(pixels, dtype=np.uint8).reshape(timing.v_visible, timing.h_visible)


def played(seed):
    """A game some moves in: a reveal, flags, the cursor moved."""
    rng = random.Random(seed)
    game = MinesweeperGame(difficulty=Difficulty.INTERMEDIATE)
    for _ in range(rng.randrange(16)):
        game.move(rng.choice(list(Direction)))
    game.centre(seed=rng.randrange(1 << 32))
    for _ in range(3):
        covered = [(r, c) for r, c in game.cells() if not game.revealed[r][c]]
        game.cursor = rng.choice(covered)
        game.centre(flag_mode=True)
    return game


def test_a_game_in_progress(seed):
    game = played(seed)
    assert (first_frame(game) == render(game)[:BAND.v_visible]).all()


def test_a_lost_game_with_the_mines_shown(seed):
    game = played(seed)
    mines = [(r, c) for r, c in game.cells() if game.mine[r][c] and not game.flagged[r][c]]
    game.cursor = mines[0]
    game.centre()
    assert game.status == Status.LOST
    assert (first_frame(game, debug=True) == render(game, debug=True)[:BAND.v_visible]).all()


def test_bad_timing():
    with pytest.raises(TypeError, match="Timing must be a VgaTiming, not 'vga'"):
        MinesweeperDisplay("vga")
    with pytest.raises(ValueError, match="The visible area must fit 640x480, not 800x600"):
        MinesweeperDisplay(VgaTiming(800, 40, 128, 88, 600, 1, 4, 23))
