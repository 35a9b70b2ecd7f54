"""``--fill-gaps`` (starsweeper/model/gaps.py): the dotted trails of a max stack made continuous
by drawing each frame's stars along their arcs about the pole; checked on synthetic nights
whose every star's track is known, and through the pipeline and the CLI."""

import math
import re

import cv2
import numpy as np
from hypothesis import assume, given, settings, strategies as st
import pytest

from starsweeper.model.gaps import fill_gap, night_with_gaps_filled
from starsweeper.model.night import luminance, sky_rotation
from starsweeper.stack.synth import SkyScene, render_frame, write_sequence

#: The least share of a star's light left anywhere along its arc between two frames.
FILLED = 0.4
#: How far from the sky the foreground must be left exactly as it is, pixels; and the share of
#: the foreground nearer than that which may change (where the sky is as dark as the ground).
SKYLINE = 8
NEAR_SKYLINE = 0.05


def sparse_night(seed, degrees, width=640, height=400, frames=12, exposure=0.0):
    """Stars sparse enough that each one's arc can be followed alone; ``exposure``: the share of
    the interval the shutter is open (0: points)."""
    scene = SkyScene(width, height, seed=seed, degrees_per_frame=degrees, stars_per_megapixel=500, exposure=exposure)
    return scene, [render_frame(scene, k) for k in range(frames)]


def arc_levels(scene, stack, frames, degrees):
    """For each gap of each bright star whose arc lies in the sky (away from the foreground
    and the frame's edges) with no other star near it: the least light along the arc, as a
    share of the light at its ends. The stack is read at the arc's pixels, less the sky."""
    w, h = scene.width, scene.height
    near_ground = cv2.dilate(scene.ground.astype(np.uint8), np.ones((17, 17), np.uint8)).astype(bool)
    light = luminance(stack).astype(float) - luminance(np.clip(scene.background * 255 + 0.5, 0, 255).astype(np.uint8))
    steps = np.linspace(0, 1, 200)
    px, py = scene.pole
    shares = []
    for k in range(frames - 1):
        angles = scene.angle[:, None] + np.radians(degrees) * (k + steps[None, :])
        xs, ys = px + scene.radius[:, None] * np.cos(angles), py + scene.radius[:, None] * np.sin(angles)
        for i in np.nonzero(scene.brightness >= 0.3)[0]:
            ix, iy = np.floor(xs[i]).astype(int), np.floor(ys[i]).astype(int)
            if not ((ix >= 4) & (ix < w - 4) & (iy >= 4) & (iy < h - 4)).all() or near_ground[iy, ix].any():
                continue
            others = np.hypot(xs[:, ::20] - xs[i, ::20], ys[:, ::20] - ys[i, ::20]).min(axis=1)
            others[i] = np.inf
            if others.min() < 10:
                continue
            along = light[iy, ix]
            shares.append(along.min() / min(along[:20].max(), along[-20:].max()))
    return np.array(shares)


@pytest.mark.parametrize("seed, degrees, exposure", [(2, 1.0, 0.0), (4, 2.0, 0.0), (6, 1.5, 0.0), (7, 0.7, 0.0),
                                                     (3, 2.0, 0.5), (5, 3.0, 0.7)])
def test_every_gap_along_a_star_arc_is_filled_and_the_foreground_stays(seed, degrees, exposure):
    """Point stars (all gap) and stars that are already trails, the shutter open half the
    interval or more."""
    scene, frames = sparse_night(seed, degrees, exposure=exposure)
    filled = [frame for frame, _ in night_with_gaps_filled(frames)]
    raw_stack, stack = np.max(frames, axis=0), np.max(filled, axis=0)
    before, after = arc_levels(scene, raw_stack, len(frames), degrees), arc_levels(scene, stack, len(frames), degrees)
    assert len(after) >= 10 and before.min() < 0.2           # there were gaps to fill
    assert after.min() >= FILLED, sorted(after)[:5]
    for frame, original in zip(filled, frames):
        assert (frame >= original).all()                     # nothing gets darker
    assert np.array_equal(filled[-1], frames[-1])            # the last frame has no gap after it
    # The foreground: exactly as it was away from the skyline, nearly everywhere near it.
    depth = cv2.distanceTransform(scene.ground.astype(np.uint8), cv2.DIST_L2, 3)
    changed = (stack != raw_stack).any(axis=2) & scene.ground
    assert not (changed & (depth > SKYLINE)).any()
    assert changed.sum() <= NEAR_SKYLINE * (scene.ground & (depth <= SKYLINE)).sum()


@pytest.mark.parametrize("degrees, pole", [(0.1, None), (0.5, (176.0, -30.0)), (1.5, None), (0.3, (500.0, 300.0))])
def test_the_sky_turn_is_measured_on_the_stars(degrees, pole):
    scene = SkyScene(640, 400, seed=3, degrees_per_frame=degrees, pole=pole)
    rotation = sky_rotation(render_frame(scene, 4), render_frame(scene, 5))
    assert math.degrees(rotation.angle) == pytest.approx(degrees, rel=0.1)
    assert math.hypot(rotation.x - scene.pole[0], rotation.y - scene.pole[1]) < 0.05 * math.hypot(640, 400)


def test_a_large_frames_tiles_are_a_tile_apart_and_measure_the_same_turn(monkeypatch):
    """A frame of 21 x 5 whole tiles of 64 pixels (WHOLE_TILES or more): its tiles a tile apart,
    not half (105 correlations at most, where half a tile apart would be 420)."""
    correlated = []
    phase_correlate = cv2.phaseCorrelate
    monkeypatch.setattr(cv2, "phaseCorrelate", lambda *args: correlated.append(1) or phase_correlate(*args))
    scene = SkyScene(1400, 380, seed=3, degrees_per_frame=0.5, pole=(700.0, -300.0))
    rotation = sky_rotation(render_frame(scene, 4), render_frame(scene, 5))
    assert 6 <= len(correlated) <= 105
    assert math.degrees(rotation.angle) == pytest.approx(0.5, rel=0.02)
    assert math.hypot(rotation.x - scene.pole[0], rotation.y - scene.pole[1]) < 0.01 * math.hypot(1400, 380)


def test_a_sky_that_does_not_turn_or_has_no_star_is_left_as_it_is():
    scene, frames = sparse_night(3, 0.0)
    assert sky_rotation(frames[0], frames[1]) is None
    assert all(np.array_equal(f, o) for (f, _), o in zip(night_with_gaps_filled(frames), frames))
    dark = np.full((200, 320, 3), 10, np.uint8)
    filled, stars = fill_gap(dark, dark.copy(), sky_rotation(*sparse_night(3, 1.0, 320, 200, 2)[1]))
    assert stars == 0 and np.array_equal(filled, dark)


@pytest.mark.parametrize("engine, workers, streaks", [("model", 1, False), ("model", 3, False), ("fixed", 1, False),
                                                      ("model", 3, True)])
def test_the_pipeline_fills_the_gaps_the_model_does(engine, workers, streaks, tmp_path):
    """In order, the stars found and the gaps filled in threads of their own (or the caller's,
    with one worker), alone or after the streaks are taken out: the stack of the model's
    frames."""
    from starsweeper.model.night import night_without_streaks
    from starsweeper.stack.pipeline import stack_files
    from starsweeper.stack.settings import StackSettings
    paths = write_sequence(tmp_path / "night", 10, 320, 200, suffix=".png", seed=5, degrees_per_frame=1.0)
    scene = SkyScene(320, 200, seed=5, degrees_per_frame=1.0)
    frames = [render_frame(scene, k) for k in range(10)]
    rotation = sky_rotation(frames[4], frames[5])             # measured on the middle two, as the pipeline does
    if streaks:
        frames = [frame for frame, _ in night_without_streaks(frames)]
    expected = np.max([frame for frame, _ in night_with_gaps_filled(frames, rotation)], axis=0)
    sky = []
    stack = stack_files(paths, StackSettings(engine=engine, workers=workers, fill_gaps=True,
                                             remove_streaks=6.0 if streaks else None),
                        on_sky=lambda rotation, reach: sky.append(rotation))
    assert sky == [rotation]
    assert np.array_equal(stack, expected)
    assert not np.array_equal(stack, np.max(frames, axis=0))   # and it did fill


@pytest.mark.parametrize("workers, during", [(2, 1), (1, 3)])
def test_opencv_keeps_to_one_thread_while_the_night_threads_run(workers, during, tmp_path):
    """The stars and gaps in threads of ours: OpenCV's own threads are one while they run (read
    from the sky's measure, in the stack) and as they were after; with one worker, as they were."""
    from starsweeper.stack.pipeline import stack_files
    from starsweeper.stack.settings import StackSettings
    paths = write_sequence(tmp_path / "night", 4, 160, 100, suffix=".png", seed=5, degrees_per_frame=1.0)
    before, seen = cv2.getNumThreads(), []
    cv2.setNumThreads(3)
    try:
        stack_files(paths, StackSettings(workers=workers, fill_gaps=True),
                    on_sky=lambda rotation, reach: seen.append(cv2.getNumThreads()))
        assert seen == [during] and cv2.getNumThreads() == 3
    finally:
        cv2.setNumThreads(before)


def test_stack_fill_gaps_says_how_the_sky_turns(tmp_path, cli):
    write_sequence(tmp_path / "night", 6, 320, 200, suffix=".png", seed=6, degrees_per_frame=1.0)
    code, out, err = cli(["stack", tmp_path / "night", "-o", tmp_path / "o.png", "--fill-gaps"])
    assert code == 0 and err == "", err
    said = re.search(r"the sky turns ([\d.]+) degrees a frame about \((-?\d+), (-?\d+)\): stars move up to "
                     r"\d+ pixels a frame \(--fill-gaps\)", out)
    assert said and float(said[1]) == pytest.approx(1.0, rel=0.1), out
    assert "stacked 6 frames" in out


def test_fill_gaps_with_one_frame_is_one_line(tmp_path, cli):
    write_sequence(tmp_path / "night", 1, 64, 48, suffix=".png")
    code, _, err = cli(["stack", tmp_path / "night", "-o", tmp_path / "o.png", "--fill-gaps"])
    assert code == 1 and err.count("\n") == 1 and "--fill-gaps fills the gaps between frames: 1 frame is too few" in err
    assert not (tmp_path / "o.png").exists()


def _star(image, x, y, level, sigma=1.0):
    """A Gaussian star of peak ``level`` at (x, y) added to ``image`` (float, grey)."""
    h, w = image.shape
    yy, xx = np.mgrid[0:h, 0:w]
    image += level * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma * sigma))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2 ** 32 - 1), st.floats(0.01, 0.05), st.floats(60, 200), st.sampled_from([np.uint8, np.uint16]))
def test_one_star_turning_about_any_pole_is_drawn_along_its_arc(seed, angle, level, dtype):
    """A star seen in two frames (and a second, fainter one that sets behind a dark hill in
    the second): the first one's arc is filled, the second's is not drawn over the hill, and
    nothing else changes."""
    from starsweeper.model.night import SkyRotation
    rng = np.random.default_rng(seed)
    w, h = 160, 120
    pole = (float(rng.uniform(-200, 360)), float(rng.uniform(-300, -50)))
    rotation = SkyRotation(pole[0], pole[1], angle, 0)
    x0, y0 = float(rng.uniform(30, 130)), float(rng.uniform(20, 60))
    (x1, y1) = (pole[0] + (x0 - pole[0]) * math.cos(angle) - (y0 - pole[1]) * math.sin(angle),
                pole[1] + (x0 - pole[0]) * math.sin(angle) + (y0 - pole[1]) * math.cos(angle))
    assume(8 <= x1 < w - 8 and 8 <= y1 < h - 8 and math.hypot(x1 - x0, y1 - y0) >= 4)
    scale = np.iinfo(dtype).max / 255
    sky = np.full((h, w), 20.0)
    sky[100:, :] = 2.0                                       # a dark hill along the bottom
    a, b = sky.copy(), sky.copy()
    _star(a, x0, y0, level)
    _star(b, x1, y1, level)
    _star(a, 80, 97, 50)                                     # by the hill, set in the next frame
    a, b = ((np.clip(f * scale, 0, np.iinfo(dtype).max) + 0.5).astype(dtype) for f in (a, b))
    filled, stars = fill_gap(a, b, rotation)
    assert stars >= 1 and (filled >= a).all()
    in_place = a.copy()                                      # (read before it is written)
    assert fill_gap(in_place, b, rotation, out=in_place)[0] is in_place and np.array_equal(in_place, filled)
    # along the arc, at least half the star's light (a pixel off at most: the copies are
    # placed on whole pixels)
    for t in np.linspace(0.15, 0.85, 15):
        x = pole[0] + (x0 - pole[0]) * math.cos(angle * t) - (y0 - pole[1]) * math.sin(angle * t)
        y = pole[1] + (x0 - pole[0]) * math.sin(angle * t) + (y0 - pole[1]) * math.cos(angle * t)
        around = filled[int(round(y)) - 1:int(round(y)) + 2, int(round(x)) - 1:int(round(x)) + 2]
        assert around.max() >= (20 + level / 2) * scale
    assert np.array_equal(filled[100:], a[100:])             # the hill is as it was


def test_the_night_options_run_together_with_darks_and_a_video(tmp_path, cli):
    """--reject-bright, --remove-streaks and --fill-gaps in one run, with a master dark and a
    video: each frame of the video is the stack so far of the cleaned frames."""
    import av
    from starsweeper.stack.frames import write_image
    from starsweeper.stack.synth import NightEvents
    write_sequence(tmp_path / "night", 10, 320, 200, suffix=".png", seed=8, degrees_per_frame=1.0,
                   events=NightEvents(headlights=1, aircraft=1, satellites=1))
    (tmp_path / "darks").mkdir()
    for k in range(3):
        write_image(tmp_path / "darks" / f"dark_{k}.png", np.full((200, 320, 3), 2 + k, np.uint8))
    code, out, err = cli(["stack", tmp_path / "night", "-o", tmp_path / "o.png", "--darks", tmp_path / "darks",
                          "--reject-bright", "--remove-streaks", "--fill-gaps", "--video", tmp_path / "o.mp4"])
    assert code == 0, err
    kept = int(re.search(r"stacked (\d+) frames", out)[1])
    assert kept < 10 and "left out" in err                      # the headlights' frame
    with av.open(str(tmp_path / "o.mp4")) as video:
        assert sum(1 for _ in video.decode(video=0)) == kept


def test_synth_draws_each_star_along_its_arc_for_the_exposure():
    """``exposure``: the same light, spread along the arc the star turns through while the
    shutter is open (the frames' noise is the same: it comes from the seed and the frame)."""
    points, trails = (SkyScene(320, 200, seed=4, degrees_per_frame=2.0, stars_per_megapixel=500, exposure=share)
                      for share in (0.0, 0.6))
    sky = luminance(np.clip(points.background * 255 + 0.5, 0, 255).astype(np.uint8)).astype(float)
    light = [luminance(render_frame(scene, 3)).astype(float) - sky for scene in (points, trails)]
    assert sum(light[1].ravel()) == pytest.approx(sum(light[0].ravel()), rel=0.1)
    # spread: the brightest star's peak far lower (the field's brightest stars saturate as points)
    assert light[1].max() < 0.7 * light[0].max()
    with pytest.raises(ValueError, match="the exposure is a share of the interval"):
        SkyScene(320, 200, exposure=1.5)


def test_a_sky_that_does_not_turn_is_stacked_without_looking_for_stars(tmp_path, monkeypatch):
    """No turn measured (a tracking mount, a starless sky): the frames are stacked as they are,
    and no frame's stars are looked for."""
    import starsweeper.model.night as night
    import starsweeper.stack.gaps as compiled_gaps
    from starsweeper.stack.pipeline import stack_files
    from starsweeper.stack.settings import StackSettings

    looked = []

    class Looked(compiled_gaps.SkyView):
        def __init__(self, *args):
            looked.append(1)
            super().__init__(*args)

    monkeypatch.setattr(compiled_gaps, "SkyView", Looked)
    monkeypatch.setattr(night, "sky_rotation", lambda a, b: None)
    folder = tmp_path / "night"
    folder.mkdir()
    frames = [np.full((48, 64, 3), 10 + k, np.uint8) for k in range(6)]
    for k, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"{k:02d}.png"), frame)
    paths = sorted(folder.iterdir())
    for workers in (1, 3):
        stack = stack_files(paths, StackSettings(workers=workers, fill_gaps=True))
        assert np.array_equal(stack, np.max(frames, axis=0))
        assert looked == [], workers
