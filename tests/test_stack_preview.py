"""``starsweeper stack --preview``: the window under an X server of its own (Xvfb) shows the
partial stacks, scaled (read back from the window and compared with the stack of the first k
frames); closing it stops the stack with nothing written; without a display, one line."""

import itertools

from hypothesis import given, strategies as st
import numpy as np
import pytest

from starsweeper.model.star_trail import FloatStacker
from starsweeper.stack.frames import read_frame, probe
from starsweeper.stack.pipeline import stack_files
from starsweeper.stack.preview import INTERVAL, SCREEN_SHARE, TIME_SHARE, StackPreview, preview_size
from starsweeper.stack.running import RunningStack, scaled_rgb
from starsweeper.stack.settings import StackSettings
from starsweeper.stack.synth import write_sequence
from starsweeper.window import WindowClosed


@given(st.integers(1, 20000), st.integers(1, 20000), st.integers(320, 8000), st.integers(240, 5000))
def test_the_window_keeps_the_aspect_and_fits_the_screen(width, height, screen_width, screen_height):
    w, h = preview_size(width, height, screen_width, screen_height)
    assert 1 <= w <= width and 1 <= h <= height
    assert w <= max(1, SCREEN_SHARE * screen_width) and h <= max(1, SCREEN_SHARE * screen_height)
    if w > 1 and h > 1:
        assert abs(w / h - width / height) <= width / height * (1 / w + 1 / h) + 1e-9
    if width <= SCREEN_SHARE * screen_width and height <= SCREEN_SHARE * screen_height:
        assert (w, h) == (width, height)           # never scaled up, nor down when it fits


class RecordingPreview(StackPreview):
    """The preview, its clock ticking a second a call and every showing taking no time (every
    frame is due), recording what the window shows (read back from its surface)."""

    def __init__(self, *arguments, close_after=None):
        ticks = itertools.count()
        super().__init__(*arguments, clock=lambda: float(next(ticks)), timer=lambda: 0.0)
        self.seen, self.close_after = [], close_after

    def show(self, k, stack):
        super().show(k, stack)
        self.seen.append((k, self.pygame.surfarray.array3d(self.screen).swapaxes(0, 1).copy()))
        if k == self.close_after:
            self.pygame.event.post(self.pygame.event.Event(self.pygame.QUIT))


@pytest.mark.parametrize("engine", ["model", "fixed"])
def test_the_window_shows_each_partial_stack(engine, display, tmp_path):
    paths = write_sequence(tmp_path / "sky", 4, 1500, 1000, suffix=".png", seed=3)   # wider than 0.9 of the screen
    frames = [read_frame(probe(path)) for path in paths]
    preview = RecordingPreview(1500, 1000, len(paths))
    try:
        assert preview.size == preview_size(1500, 1000, 1400, 1100) != (1500, 1000)   # the Xvfb screen's
        stack = stack_files(paths, StackSettings(engine=engine, attenuation=0.9, workers=2), preview=preview)
    finally:
        preview.close()
    assert [k for k, _ in preview.seen] == list(range(1, 5))
    model = FloatStacker(0.9)
    for k, shown in preview.seen:
        model.add(frames[k - 1])
        expected = scaled_rgb(model.result(np.uint8), preview.size)
        assert np.abs(shown.astype(int) - expected).max() <= 1, k     # (scaled, then rounded)
    assert np.abs(preview.seen[-1][1].astype(int) - scaled_rgb(stack, preview.size)).max() <= 1


def test_showings_keep_to_their_share_of_the_time(display):
    """A showing that took 0.2 s is followed by none for 0.2 / TIME_SHARE seconds; a quick one,
    or the first (whose time is not the measure), by none for INTERVAL; the last frame is
    always shown."""
    now, timer = [100.0], iter([0.0, 0.2, 1.0, 1.2, 2.0, 2.001])
    preview = StackPreview(64, 48, 50, clock=lambda: now[0], timer=lambda: next(timer))
    stack = RunningStack(lambda: np.zeros((48, 64, 3), np.uint8), None, 255)

    def waits(k, shown, expected):
        for wait, due in expected:
            now[0] = shown + wait
            assert preview.due(k) == due and preview.due(50), (k, wait)

    try:
        assert preview.due(1)
        preview.show(1, stack)                  # the first: took 0.2 s
        waits(2, 100.0, [(INTERVAL - 0.01, False), (INTERVAL, True)])
        preview.show(2, stack)                  # took 0.2 s
        shown = now[0]
        waits(3, shown, [(INTERVAL, False), (0.2 / TIME_SHARE - 0.01, False), (0.2 / TIME_SHARE, True)])
        preview.show(3, stack)                  # took a millisecond
        waits(4, now[0], [(INTERVAL - 0.01, False), (INTERVAL, True)])
    finally:
        preview.close()


def test_closing_the_window_stops_the_stack(display, tmp_path):
    paths = write_sequence(tmp_path / "sky", 8, 160, 96, suffix=".png", seed=4)
    preview = RecordingPreview(160, 96, len(paths), close_after=3)
    try:
        with pytest.raises(WindowClosed):
            stack_files(paths, StackSettings(workers=2), preview=preview)
    finally:
        preview.close()
    assert [k for k, _ in preview.seen] == [1, 2, 3]


def test_the_command_shows_the_stack_and_writes_it(display, tmp_path, cli):
    write_sequence(tmp_path / "sky", 5, 160, 96, suffix=".png", seed=5)
    code, out, err = cli(["stack", tmp_path / "sky", "-o", tmp_path / "o.png", "--preview"])
    assert code == 0 and "stacked 5 frames" in out, err
    assert (tmp_path / "o.png").exists()


def test_no_display_is_one_line_before_any_work(monkeypatch, tmp_path, cli):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code, out, err = cli(["stack", tmp_path / "missing", "-o", tmp_path / "o.png", "--preview"])
    # before the folder is even looked at
    assert code == 1 and err.count("\n") == 1 and "no display to open a window on" in err and "xvfb-run" in err
    assert not (tmp_path / "o.png").exists()


def test_a_display_that_does_not_answer_is_one_line(monkeypatch, tmp_path, cli):
    from test_stack_cli import make_frames
    folder = make_frames(tmp_path / "in", count=3)
    monkeypatch.setenv("DISPLAY", ":93")               # no X server there
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code, _, err = cli(["stack", folder, "-o", tmp_path / "o.png", "--preview"])
    assert code == 1 and err.count("\n") == 1 and "cannot open a window" in err, err
    assert not (tmp_path / "o.png").exists()


def test_a_display_that_goes_away_under_the_preview_is_one_line_and_leaves_nothing(tmp_path):
    """The X server killed while the stack runs: one line, status 1, no hidden video part and
    no output (Xlib would say it in its own words and leave the part file)."""
    import os
    import subprocess
    import sys
    import time
    from conftest import xvfb_server
    write_sequence(tmp_path / "sky", 80, 640, 400, suffix=".png", seed=2)
    out = tmp_path / "out"
    out.mkdir()
    with xvfb_server() as (name, server):
        env = dict(os.environ, DISPLAY=name, SDL_VIDEODRIVER="x11", SDL_AUDIODRIVER="dummy")
        env.pop("WAYLAND_DISPLAY", None)
        child = subprocess.Popen([sys.executable, "-m", "starsweeper.cli", "stack", str(tmp_path / "sky"),
                                  "-o", str(out / "o.png"), "--preview", "--video", str(out / "o.mp4"), "-q",
                                  "--workers", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        deadline = time.monotonic() + 60
        while not any(p.name.endswith(".part.mp4") for p in out.iterdir()) and time.monotonic() < deadline:
            assert child.poll() is None, child.communicate()
            time.sleep(0.05)
        time.sleep(0.5)                                           # the window up and drawing
        server.kill()
        _, err = child.communicate(timeout=60)
    assert child.returncode == 1, err
    assert err == f"starsweeper stack: error: the display went away (DISPLAY={name!r})\n"
    assert list(out.iterdir()) == []
