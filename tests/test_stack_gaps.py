"""The stack's compiled gap filling (starsweeper/stack/gaps.py) against its specification, the
model's (starsweeper/model/gaps.py): the same stars, the same matches and the same pixels, on
random skies (stars at the frame's edges, flat saturated tops, a dark hill and a lit wall,
the pole in or outside the frame) and on a synthetic night; and its loops compiled once for
each type of frame, whatever its layout."""

import math

import cv2
import numpy as np
from hypothesis import given, settings, strategies as st

from starsweeper.model import gaps as model
from starsweeper.model import night
from starsweeper.stack import gaps as compiled
from starsweeper.stack.synth import SkyScene, render_frame


def random_sky(rng, height, width, dtype, channels, stars):
    """A frame of ``stars`` Gaussian stars (some clipped flat at full scale), a third of them
    within 3 pixels of an edge, over a sky of 20 levels with a dark hill along the bottom and
    a lit wall on it, with noise."""
    sky = np.full((height, width), 20.0)
    sky[int(height * 0.8):, :] = 3.0
    sky[int(height * 0.7):, int(width * 0.6):int(width * 0.8)] = 45.0
    yy, xx = np.mgrid[0:height, 0:width]
    for _ in range(stars):
        x, y = rng.uniform(-2, width + 2), rng.uniform(-2, height + 2)
        if rng.random() < 1 / 3:                # (by an edge)
            x, y = (rng.choice([rng.uniform(-2, 3), rng.uniform(width - 3, width + 2)]), y) if rng.random() < 0.5 \
                else (x, rng.choice([rng.uniform(-2, 3), rng.uniform(height - 3, height + 2)]))
        sky += rng.uniform(15, 400) * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * rng.uniform(0.5, 1.5) ** 2))
    sky += rng.normal(0, 1.5, sky.shape)
    scale = np.iinfo(dtype).max / 255
    grey = (np.clip(sky * scale, 0, np.iinfo(dtype).max) + 0.5).astype(dtype)
    if channels == 1:
        return grey
    tint = np.stack([grey, (grey * 0.9).astype(dtype), (grey * 0.8).astype(dtype)], axis=-1)
    return np.ascontiguousarray(tint)


def turned(frame, rotation):
    """``frame`` turned by ``rotation`` about its pole (bilinear), as the next frame shows the sky."""
    matrix = cv2.getRotationMatrix2D((rotation.x, rotation.y), -math.degrees(rotation.angle), 1.0)
    h, w = frame.shape[:2]
    out = cv2.warpAffine(frame, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(frame.shape)


def assert_same_stars(a, b):
    assert np.array_equal(a.y, b.y) and np.array_equal(a.x, b.x) and np.array_equal(a.light, b.light)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([np.uint8, np.uint16]), st.sampled_from([1, 3]),
       st.floats(-0.08, 0.08).filter(lambda a: abs(a) > 1e-3), st.booleans(), st.booleans())
def test_the_compiled_gap_is_the_models(seed, dtype, channels, angle, pole_inside, in_place):
    rng = np.random.default_rng(seed)
    h, w = int(rng.integers(24, 90)), int(rng.integers(24, 90))
    pole = (rng.uniform(0, w), rng.uniform(0, h)) if pole_inside else (rng.uniform(-3 * w, 4 * w), -rng.uniform(h, 5 * h))
    rotation = night.SkyRotation(float(pole[0]), float(pole[1]), float(angle), 0)
    frame = random_sky(rng, h, w, dtype, channels, int(rng.integers(0, 40)))
    following = turned(frame, rotation)
    views = night.SkyView(frame), night.SkyView(following)
    fast_views = compiled.SkyView(frame), compiled.SkyView(following)
    assert_same_stars(fast_views[0].stars, views[0].stars)
    assert_same_stars(fast_views[1].stars, views[1].stars)
    radius = night.search_radius(rotation, w, h)
    for got, want in zip(compiled.match_stars(views[0].stars, fast_views[1], rotation, radius),
                         night.match_stars(views[0].stars, views[1], rotation, radius)):
        assert np.array_equal(got, want)
    expected, drawn = model.fill_gap(frame, following, rotation, views)
    target = frame.copy() if in_place else None
    filled, fast_drawn = compiled.fill_gap(target if in_place else frame, following, rotation, out=target)
    assert fast_drawn == drawn
    assert np.array_equal(filled, expected)
    if in_place and drawn:
        assert filled is target


def test_a_synthetic_nights_gaps_are_the_models():
    """Every gap of a night of 640x400 with a foreground, at 1.5 degrees a frame (some 300
    stars a frame matched), filled alike; and at least one star drawn in each."""
    scene = SkyScene(640, 400, seed=8, degrees_per_frame=1.5)
    frames = [render_frame(scene, k) for k in range(4)]
    rotation = night.sky_rotation(frames[1], frames[2])
    for a, b in zip(frames, frames[1:]):
        expected, drawn = model.fill_gap(a, b, rotation)
        filled, fast_drawn = compiled.fill_gap(a, b, rotation)
        assert drawn > 100 and fast_drawn == drawn
        assert np.array_equal(filled, expected)


def test_a_frame_that_may_not_be_written_or_is_not_contiguous_needs_no_new_loop():
    """Once a gap of a type of frame is filled, no other gap of that type makes Numba compile
    another version of a loop (seconds, in the middle of a stack): a read-only frame, one cut
    out of a larger array, a grey one with and without its channel axis, in place or not."""
    loops = (compiled._peaks_among, compiled._match, compiled._own_sky, compiled._land)
    rng = np.random.default_rng(3)
    rotation = night.SkyRotation(30.0, -200.0, 0.03, 0)
    for dtype, channels in ((np.uint8, 3), (np.uint16, 1)):
        frame = random_sky(rng, 60, 80, dtype, channels, 30)
        following = turned(frame, rotation)
        expected, drawn = model.fill_gap(frame, following, rotation)
        assert drawn > 0
        assert np.array_equal(compiled.fill_gap(frame, following, rotation)[0], expected)
        versions = [len(loop.signatures) for loop in loops]
        read_only = frame.copy()
        read_only.flags.writeable = False
        wider = np.zeros((60, 90) + frame.shape[2:], dtype)
        wider[:, 5:85] = frame
        cut_out = wider[:, 5:85]
        for each in [read_only, cut_out] + ([frame[:, :, None]] if channels == 1 else []):
            filled = compiled.fill_gap(each, following.reshape(each.shape), rotation)[0]
            assert np.array_equal(filled.reshape(expected.shape), expected)
        assert np.array_equal(compiled.fill_gap(cut_out, following, rotation, out=cut_out)[0], expected)
        assert np.array_equal(wider[:, 5:85], expected)                  # (written where it lies)
        assert [len(loop.signatures) for loop in loops] == versions, (dtype, channels)


def test_with_no_folder_for_numbas_cache_the_loops_are_compiled_all_the_same():
    """Where neither the package's folder nor the user's cache folder may be written, Numba
    finds no place for its cache and refuses to cache: the loops are compiled for the process
    instead, and the gaps filled as the model fills them. (Numba is told to look for its
    cache only as it does for IPython's cells, which finds none outside IPython.)"""
    import os
    import subprocess
    import sys
    script = """
import numpy as np
from starsweeper.model import gaps as model, night
from starsweeper.stack import gaps as compiled
assert type(compiled._land._cache).__name__ == "NullCache"          # (not cached)
frame = np.zeros((40, 50, 3), np.uint8)
frame[20:23, 20:23] = 200
following = np.roll(frame, 2, axis=1)
rotation = night.SkyRotation(21.0, -400.0, 0.005, 0)
expected, drawn = model.fill_gap(frame, following, rotation)
filled, fast_drawn = compiled.fill_gap(frame, following, rotation)
assert drawn > 0 and fast_drawn == drawn and np.array_equal(filled, expected)
print("filled")
"""
    env = dict(os.environ, NUMBA_CACHE_LOCATOR_CLASSES="IPythonCacheLocator")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["filled"]


def test_stars_in_any_order_land_as_stars_row_by_row():
    """The landing loop reads each patch a few rows ahead of the landings when the stars come
    row by row (as they are found); given them in another order it reads every patch first.
    Here a bright star's copies land on a fainter star's patch just below them, and a third
    star far down the frame comes between them: read late, the fainter star's patch would
    carry the bright one's light along its own arc."""
    frame = np.full((70, 80), 20.0)
    yy, xx = np.mgrid[0:70, 0:80]
    for y, x, level in ((30, 40, 200), (33, 36, 60), (60, 20, 100)):
        frame += level * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / 2)
    frame = np.repeat((frame + 0.5).astype(np.uint8)[:, :, None], 3, axis=2)
    view = compiled.SkyView(frame)
    background = model.sky_background(view.luma)
    sy, sx = np.array([30, 33, 60]), np.array([40, 36, 20])
    angle, steps = np.full(3, 0.05), np.full(3, 10)
    low, high = np.zeros(3, np.int64), np.full(3, 255, np.int64)

    def landed(order):
        out = frame.copy()
        compiled._land(out, out, view.light, background, *(a[order] for a in (sy, sx, angle, steps, low, high)),
                       40.0, -150.0)
        return out

    in_rows = landed(np.array([0, 1, 2]))
    assert not np.array_equal(in_rows, frame)
    for order in ([0, 2, 1], [2, 1, 0], [1, 0, 2]):
        assert np.array_equal(landed(np.array(order)), in_rows), order
