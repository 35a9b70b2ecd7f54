"""``starsweeper play``: the window on the Verilator model, under an X server of its own (Xvfb).

Keys and clicks are posted as pygame events; after each, the frame the model drew and the
picture the window shows (scaled back down) are compared with the reference renderer's frame
of the game model that played the same moves. Then the command's one-line failures.
"""

import os
from pathlib import Path

import numpy as np
import pytest

from starsweeper.cli import main
from starsweeper.model.minesweeper import SWITCH_BEGINNER
from starsweeper.model.display import PANEL_X, SMILEY, field_origin, render, to_rgb888
from starsweeper.model.minesweeper import Difficulty, MinesweeperGame, Status
from starsweeper.moves import play
from starsweeper import play as play_module
from starsweeper.moves import hold_clocks
from starsweeper.play import PlayWindow, frame_rate, play_parameters

from test_verilator_model import GREETING, ONE_FRAME, stand_in_harness

RATE = 10
SCALE = 2
SEED = 56          # "@8,8 c" opens a large region of this board


@pytest.fixture(scope="module")
def play_model():
    parameters = play_parameters(RATE)
    return play_module.play_model(RATE), parameters


class Player:
    """The window, the game model beside it, and the checks after each event."""

    def __init__(self, executable, parameters):
        self.window = PlayWindow(executable, parameters, RATE, seed=SEED, scale=SCALE)
        self.pg = self.window.pygame
        self.model = MinesweeperGame()
        self.switches = 0
        self.reveal_clock = None
        self.frames = 0

    def key(self, key, unicode="", up=True):
        self.pg.event.post(self.pg.event.Event(self.pg.KEYDOWN, key=key, unicode=unicode, mod=0, scancode=0))
        if up:
            self.pg.event.post(self.pg.event.Event(self.pg.KEYUP, key=key, unicode=unicode, mod=0, scancode=0))

    def click(self, x, y, button=1):
        self.pg.event.post(self.pg.event.Event(self.pg.MOUSEBUTTONDOWN, pos=(x * SCALE, y * SCALE), button=button))

    def click_cell(self, row, col, button=1):
        left, top = field_origin(self.model.difficulty)
        self.click(left + col * 30 + 15, top + row * 30 + 15, button)

    def moves(self, text):
        """Play ``text`` on the model too."""
        was_playing = self.model.status == Status.PLAYING
        play(text, game=self.model, seed=SEED, switches=self.switches)
        if not was_playing and self.model.status == Status.PLAYING:
            self.reveal_clock = self.last_clocks

    def step(self):
        """Handle the events posted, then one frame; returns whether the window stays open."""
        keep = all([self.window.handle(event) for event in self.pg.event.get()])
        self.last_clocks = self.window.status.clocks if self.window.status else 0
        self.status, self.frame = self.window.step()
        self.frames += 1
        return keep

    def check(self, held=False, debug=False):
        """The model's frame and the window's picture are the renderer's frame of the model."""
        if self.model.status == Status.PLAYING and self.reveal_clock is not None:
            most = (self.status.clocks - self.reveal_clock) // play_parameters(RATE)["clocks_per_second"] + 1
            assert 0 <= self.status.timer <= most
            self.model.timer = self.status.timer
        expected = render(self.model, debug=debug, held=held)
        wrong = self.frame != expected
        assert not wrong.any(), f"{int(wrong.sum())} pixels differ from the renderer's (frame {self.frames})"
        shown = self.pg.surfarray.array3d(self.window.screen).swapaxes(0, 1)[:480 * SCALE]
        blocks = shown.reshape(480, SCALE, 640, SCALE, 3)
        assert (blocks == blocks[:, :1, :, :1]).all(), "the window's pixels are not whole blocks"
        assert np.array_equal(blocks[:, 0, :, 0], to_rgb888(expected)), "the window shows another picture"


@pytest.fixture
def player(display, play_model):
    p = Player(*play_model)
    yield p
    p.window.close()


def test_keys_and_clicks_play_the_game_shown_as_the_renderer_draws_it(player):
    pg = player.pg
    player.step()
    player.check()                                           # a new game

    player.key(pg.K_RIGHT)                                   # a press shorter than a frame
    player.step()
    player.moves("r")
    player.check(held=True)                                  # held during that frame: the "o" face
    player.step()
    player.check()

    player.key(pg.K_DOWN)                                    # two presses within one frame
    player.key(pg.K_DOWN)
    player.step()
    player.moves("2d")
    player.check(held=True)
    player.step()

    player.key(pg.K_q, "q")                                  # a key that means nothing
    player.step()
    player.check()

    player.click_cell(8, 8)                                  # go there and reveal
    player.step()
    player.moves("@8,8 c")
    assert player.model.status == Status.PLAYING
    player.check()

    covered = [(r, c) for r, c in player.model.cells()
               if not player.model.revealed[r][c] and player.model.mine[r][c]]
    player.click_cell(*covered[0], button=3)                 # right click: flag
    player.step()
    player.moves(f"@{covered[0][0]},{covered[0][1]} f")
    player.check()

    player.key(pg.K_f, "f")                                  # flag mode on; space flags
    player.key(pg.K_UP)
    player.step()
    player.key(pg.K_SPACE)
    player.step()
    player.moves("u f")
    player.step()
    player.check()
    player.key(pg.K_f, "f")                                  # flag mode off

    player.key(pg.K_d, "d")                                  # debug shows the mines
    player.step()
    player.check(debug=True)
    player.key(pg.K_d, "d")
    player.step()
    player.check()

    player.click(PANEL_X + 20, 400)                          # the panel, not the smiley: nothing
    player.step()
    player.check()


def test_a_held_arrow_repeats_and_a_lost_game_restarts_from_the_smiley(player):
    pg = player.pg
    player.step()
    player.key(pg.K_RIGHT, up=False)                         # held for eight frames
    for _ in range(8):
        player.step()
    moved = player.status.cursor_col
    player.key(pg.K_RIGHT)                                   # let go (down and up again)
    player.step()
    player.step()
    # Pressed once, then the repeat after 0.4 s (4 frames) and every 0.1 s: one more move for
    # the release's own press.
    assert 3 <= moved <= 6, f"held for 8 frames the cursor moved {moved} times"
    player.moves(f"{moved + 1}r")
    player.check()

    player.click_cell(8, 8)
    player.step()
    player.moves("@8,8 c")
    mine = next((r, c) for r, c in player.model.cells() if player.model.mine[r][c])
    player.click_cell(*mine)
    player.step()
    player.moves(f"@{mine[0]},{mine[1]} c")
    assert player.model.status == Status.LOST
    player.check()

    player.key(pg.K_b, "b")                                  # the next game is beginner
    player.step()
    player.switches |= 1 << SWITCH_BEGINNER
    player.click(*SMILEY[:2])                                # a new game
    player.step()
    player.moves("c")
    assert player.model.difficulty == Difficulty.BEGINNER and player.model.status == Status.READY
    player.check()


def test_escape_and_closing_the_window_end_the_loop(player):
    pg = player.pg
    player.step()
    assert player.window.handle(pg.event.Event(pg.KEYDOWN, key=pg.K_ESCAPE, unicode="\x1b", mod=0, scancode=0)) is False
    assert player.window.handle(pg.event.Event(pg.QUIT)) is False
    assert player.window.handle(pg.event.Event(pg.KEYDOWN, key=pg.K_x, unicode="x", mod=0, scancode=0)) is True


# -- the command ---------------------------------------------------------------------------------

def one_error_line(capsys, *fragments):
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith("starsweeper play: error: "), err
    assert all(fragment in lines[-1] for fragment in fragments), err
    assert "Traceback" not in err
    return lines[-1]


def test_the_command_plays_some_frames_and_quits(display, play_model):
    assert main(["play", "--rate", str(RATE), "--frames", "3", "--seed", "7"]) == 0


def test_no_display_is_one_line(monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["play", "--rate", str(RATE)]) == 1
    one_error_line(capsys, "no display", "xvfb-run")


@pytest.mark.parametrize("driver", ["x11", None])
def test_a_display_that_cannot_be_opened_is_one_line(driver, monkeypatch, capsys, play_model):
    """A display named that no X server answers: with SDL told to use X11, it fails; left to
    choose, SDL falls back to drawing off screen, which must not pass for a window."""
    number = next(n for n in range(4242, 4300) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    monkeypatch.setenv("DISPLAY", f":{number}")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if driver:
        monkeypatch.setenv("SDL_VIDEODRIVER", driver)
    else:
        monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    assert main(["play", "--rate", str(RATE)]) == 1
    one_error_line(capsys, "cannot open a window")


def test_a_model_that_dies_is_one_line(display, monkeypatch, capsys, tmp_path):
    harness = stand_in_harness(tmp_path, GREETING + ONE_FRAME +
                               'sys.stdin.buffer.read(5); print("Assertion failed", file=sys.stderr); sys.exit(3)\n')
    monkeypatch.setattr(play_module, "play_model", lambda rate, log=None: harness)
    assert main(["play", "--rate", str(RATE)]) == 1
    one_error_line(capsys, "exited with status 3", "Assertion failed")


def test_missing_verilator_is_one_line(display, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["play", "--rate", str(RATE)]) == 1
    one_error_line(capsys, "Verilator is not installed")


def test_the_frame_rate_is_measured_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("STARSWEEPER_CACHE", str(tmp_path))
    built = []
    monkeypatch.setattr(play_module, "play_model",
                        lambda rate, log=None: built.append(play_parameters(rate)) or tmp_path / "model")
    monkeypatch.setattr(play_module, "measure_rate", lambda executable: 14.6)
    assert frame_rate() == 13 and built == [play_parameters(play_module.NOMINAL_RATE)]
    assert frame_rate() == 13 and len(built) == 1
    assert (tmp_path / play_module.RATE_FILE).read_text().startswith("13\n")


@pytest.mark.parametrize("rate", [1, 7, 10, 60])
def test_play_parameters_make_one_press_one_move_at_any_rate(rate):
    p = play_parameters(rate)
    frame = play_module.FRAME_CLOCKS
    assert p["clocks_per_second"] == rate * frame                    # the timer counts real seconds
    assert hold_clocks(p) < frame                                    # a press held a frame registers
    assert p["repeat_delay"] >= 2 * frame                            # and does not repeat
    assert p["repeat_delay"] % frame == 0 and p["repeat_period"] % frame == 0
    assert abs(p["repeat_delay"] / p["clocks_per_second"] - 0.4) <= 0.5 / rate + 1e-9 or p["repeat_delay"] == 2 * frame


def test_a_held_key_is_let_go_when_the_window_loses_the_focus(player):
    pg = player.pg
    player.step()
    player.key(pg.K_RIGHT, up=False)
    player.step()
    player.pg.event.post(pg.event.Event(pg.WINDOWFOCUSLOST))
    for _ in range(8):                                       # past the repeat delay
        player.step()
    player.moves("r")
    player.check()


def test_a_display_that_goes_away_is_one_line_and_stops_the_model(play_model):
    """The X server killed under the window: one line, status 1, the model's process gone (Xlib
    would end the process in its own words and leave the model running)."""
    import subprocess
    import sys
    import time
    from conftest import xvfb_server
    executable, _ = play_model
    with xvfb_server() as (name, server):
        env = dict(os.environ, DISPLAY=name, SDL_VIDEODRIVER="x11", SDL_AUDIODRIVER="dummy")
        env.pop("WAYLAND_DISPLAY", None)
        child = subprocess.Popen([sys.executable, "-m", "starsweeper.cli", "play", "--rate", str(RATE), "--seed", "7"],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while True:                                               # the model started by this play
            found = subprocess.run(["pgrep", "-P", str(child.pid), "-f", str(executable)], capture_output=True, text=True)
            if found.returncode == 0:
                model = int(found.stdout.split()[0])
                break
            assert child.poll() is None and time.monotonic() < deadline, child.communicate()
            time.sleep(0.05)
        time.sleep(1)                                             # frames shown
        server.kill()
        _, err = child.communicate(timeout=60)
    assert child.returncode == 1, err
    assert err.splitlines()[-1] == f"starsweeper play: error: the display went away (DISPLAY={name!r})"
    for _ in range(100):                                          # (reaped by init once play is gone)
        if not Path(f"/proc/{model}").exists():
            break
        time.sleep(0.05)
    assert not Path(f"/proc/{model}").exists()
