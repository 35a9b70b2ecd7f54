"""The reference renderer of the Minesweeper display (py/starsweeper/model/display.py)."""

import numpy as np
import pytest

from starsweeper.model.display import (
    CELL, COLOURS, COUNTER_Y, DIGIT_COLOURS, DIGITS_X, SMILEY, TIMER_Y, counter_text,
    field_origin, render, smiley_state, to_rgb888,
)
from starsweeper.model.glyphs import GLYPHS, ROM_STRIDE, SIZE, glyph, rom_words
from starsweeper.model.minesweeper import Difficulty, MinesweeperGame, Status


def new_game(difficulty=Difficulty.INTERMEDIATE, click=(8, 8)):
    """A game whose first reveal opened a region (the first such seed from 0 up)."""
    for seed in range(1000):
        g = MinesweeperGame(difficulty=difficulty)
        g.cursor = (click[0] % g.rows, click[1] % g.cols)
        g.centre(seed=seed)
        if g.status == Status.PLAYING and sum(map(sum, g.revealed)) > 10:
            return g
    raise AssertionError("no seed opened a region")


def tile(frame, g, r, c):
    left, top = field_origin(g.difficulty)
    return frame[top + r * CELL:top + (r + 1) * CELL, left + c * CELL:left + (c + 1) * CELL]


def test_frame_is_640x480_rgb332():
    frame = render(MinesweeperGame())
    assert frame.shape == (480, 640) and frame.dtype == np.uint8


def test_every_digit_in_its_colour():
    g = new_game()
    frame = render(g)
    seen = set()
    for r, c in g.cells():
        if g.revealed[r][c] and g.counts[r][c] and g.cursor != (r, c):
            pixels = tile(frame, g, r, c)
            n = g.counts[r][c]
            assert (pixels[glyph(str(n)) == 1] == DIGIT_COLOURS[n]).all()
            seen.add(n)
    assert seen, "the board has revealed numbers"


def test_cursor_frame_on_every_kind_of_cell():
    g = new_game()
    for r, c in [(0, 0), (8, 8), (15, 15)]:
        g.cursor = (r, c)
        t = tile(render(g), g, r, c)
        border = np.ones((CELL, CELL), bool)
        border[2:-2, 2:-2] = False
        assert (t[border] == COLOURS["cursor"]).all()


def test_debug_shows_covered_mines_and_loss_shows_all():
    g = new_game()
    mines = [(r, c) for r, c in g.cells() if g.mine[r][c]]
    plain, debug = render(g), render(g, debug=True)
    r, c = mines[0]
    assert not (tile(plain, g, r, c)[glyph("mine") == 1] == 0).all()
    assert (tile(debug, g, r, c)[glyph("mine") == 1] == 0).all()
    g.cursor = mines[1]
    assert g.centre() == "lost"
    frame = render(g)
    assert (tile(frame, g, *mines[1])[5:25, 5:25][glyph("mine")[5:25, 5:25] == 0] == COLOURS["exploded"]).all()
    for cell in mines[2:]:
        assert (tile(frame, g, *cell)[glyph("mine") == 1] == 0).all()


def test_wrong_flag_is_crossed_out_when_lost():
    g = new_game()
    safe = next((r, c) for r, c in g.cells() if not g.mine[r][c] and not g.revealed[r][c])
    mine = next((r, c) for r, c in g.cells() if g.mine[r][c])
    g.cursor = safe
    g.centre(flag_mode=True)
    before = tile(render(g), g, *safe)
    assert (before[glyph("flag") == 3] == 0xE0).all()
    g.cursor = mine
    g.centre()
    after = tile(render(g), g, *safe)
    assert (after[glyph("crossed_mine") == 3] == 0xE0).all()


@pytest.mark.parametrize("value, text", [(40, "040"), (0, "000"), (-5, "-05"), (-216, "-99"), (1234, "999")])
def test_counter_text(value, text):
    assert counter_text(value) == text


def test_counter_and_timer_digits():
    g = new_game()
    for _ in range(999):
        g.tick()
    g.cursor = (0, 0)
    for k in range(45):                       # more flags than mines: a negative counter
        g.cursor = (k // 16, k % 16)
        if not g.revealed[g.cursor[0]][g.cursor[1]]:
            g.centre(flag_mode=True)
    frame = render(g)
    for text, top in ((counter_text(g.counter), COUNTER_Y), ("999", TIMER_Y)):
        for char, left in zip(text, DIGITS_X):
            block = frame[top:top + SIZE, left:left + SIZE]
            assert ((block == COLOURS["led"]) == (glyph(char) == 1)).all(), (text, char)
    assert g.counter < 0 and counter_text(g.counter).startswith("-")


def test_smiley_has_four_faces():
    g = new_game()
    faces = {}
    cx, cy, r = SMILEY
    for state, game, held in [("normal", g, False), ("o", g, True)]:
        assert smiley_state(game, held) == state
        faces[state] = render(game, held=held)[cy - r:cy + r, cx - r:cx + r]
    lost = new_game()
    lost.cursor = next((a, b) for a, b in lost.cells() if lost.mine[a][b])
    lost.centre()
    faces["dead"] = render(lost)[cy - r:cy + r, cx - r:cx + r]
    won = MinesweeperGame(mine_counts={Difficulty.INTERMEDIATE: 0})
    won.centre(seed=1)
    assert won.status == Status.WON and smiley_state(won, False) == "sunglasses"
    faces["sunglasses"] = render(won)[cy - r:cy + r, cx - r:cx + r]
    keys = list(faces)
    for i, a in enumerate(keys):
        assert (faces[a] == COLOURS["face"]).sum() > 2000
        for b in keys[i + 1:]:
            assert not np.array_equal(faces[a], faces[b]), (a, b)


def test_beginner_field_is_centred():
    g = new_game(Difficulty.BEGINNER, click=(4, 4))
    assert field_origin(Difficulty.BEGINNER) == (105, 105)
    frame = render(g)
    assert (frame[:105, :480] == COLOURS["field"]).all() and (frame[375:, :480] == COLOURS["field"]).all()


def test_rgb888_expansion():
    out = to_rgb888(np.array([[0x00, 0xFF, 0xE0, 0x1C, 0x03, 0x92]], dtype=np.uint8))
    assert out.tolist() == [[[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255],
                             [145, 145, 170]]]


def test_glyph_rom_round_trips():
    words = rom_words()
    assert len(words) == len(GLYPHS) * ROM_STRIDE and ROM_STRIDE >= SIZE
    for k, name in enumerate(GLYPHS):
        art = glyph(name)
        for row in range(ROM_STRIDE):
            word = words[k * ROM_STRIDE + row]
            want = art[row].tolist() if row < SIZE else [0] * SIZE
            assert [(word >> (2 * x)) & 3 for x in range(SIZE)] == want
            assert word >> (2 * SIZE) == 0
