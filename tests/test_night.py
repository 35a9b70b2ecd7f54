"""A real night's frames: the rules that clean a stack of them (starsweeper/model/night.py)
against nights with known answers, by property and on synthetic nights (`starsweeper synth`
with headlights, twilight, lit clouds, aircraft, satellites and meteors)."""

import re

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from starsweeper.model.night import LEAST_SPREAD, TILES, find_bright, sky_levels
from starsweeper.stack.synth import NightEvents, SkyScene, plan_night, render_frame, write_sequence

NIGHT = NightEvents(headlights=3, twilight=4, clouds=1, aircraft=2, satellites=2, meteors=1)


@st.composite
def nights(draw):
    """A night's tile levels (a steady sky, a little noise per tile and frame, a slow drift),
    and the frames lit by events of a few frames each, well above the noise, on some tiles."""
    n = draw(st.integers(20, 120))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    base = rng.uniform(0.01, 0.1, TILES * TILES)
    drift = np.linspace(0, draw(st.floats(0, 0.01)), n)[:, None]
    levels = base + drift + rng.normal(0, LEAST_SPREAD / 4, (n, TILES * TILES))
    lit = set()
    for _ in range(draw(st.integers(0, max(1, n // 15)))):
        start, length = int(rng.integers(n)), int(rng.integers(1, 4))
        tiles = rng.choice(TILES * TILES, int(rng.integers(1, TILES * TILES + 1)), replace=False)
        for k in range(start, min(n, start + length)):
            levels[k, tiles] += rng.uniform(0.02, 0.3)
            lit.add(k)
    return levels, lit


@settings(max_examples=200, deadline=None)
@given(nights())
def test_the_lit_frames_are_found_and_no_other(night):
    levels, lit = night
    assert {b.index for b in find_bright(levels, sigma=5)} == lit


@settings(max_examples=50, deadline=None)
@given(nights(), st.data())
def test_kept_frames_stay(night, data):
    levels, lit = night
    keep = set(data.draw(st.lists(st.integers(0, len(levels) - 1), max_size=4)))
    assert {b.index for b in find_bright(levels, sigma=5, keep=keep)} == lit - keep


def test_the_levels_are_tile_medians_stars_do_not_move():
    frame = np.full((64, 64, 3), 40, np.uint8)
    frame[::9, ::7] = 255                                   # stars: a few percent of the pixels
    assert np.allclose(sky_levels(frame, step=1), 40 / 255)
    frame[48:, :16] = 200                                   # light on the lower left tile
    levels = sky_levels(frame, step=1)
    assert levels[12] == pytest.approx(200 / 255) and np.allclose(np.delete(levels, 12), 40 / 255)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_every_lit_frame_of_a_synthetic_night_is_found_and_no_other(seed):
    frames, width, height = 48, 160, 96
    plan = plan_night(frames, width, height, seed, NIGHT)
    scene = SkyScene(width, height, seed=seed)
    levels = [sky_levels(render_frame(scene, k, plan=plan)) for k in range(frames)]
    assert {b.index for b in find_bright(levels)} == set(plan.bright_frames())


def test_stack_reject_bright_names_each_frame_it_leaves_out(tmp_path, cli):
    folder = tmp_path / "night"
    write_sequence(folder, 36, 160, 96, seed=7, events=NIGHT)
    plan = plan_night(36, 160, 96, 7, NIGHT)
    keep = plan.bright_frames()[0] + 1                          # a lit frame the photographer wants
    code, stdout, err = cli(["stack", folder, "-o", tmp_path / "o.png", "--reject-bright", "--keep", keep])
    assert code == 0, err
    left_out = [int(m) for m in re.findall(r"left out frame_(\d+)\.jpg", err)]
    assert left_out == [k + 1 for k in plan.bright_frames() if k + 1 != keep]
    assert err.count("\n") == len(left_out)
    assert f"stacked {36 - len(left_out)} frames" in stdout


@pytest.mark.parametrize("argv, message", [
    (["--keep", "2"], "--keep names frames --reject-bright must not leave out: give --reject-bright"),
    (["--reject-bright", "0"], "--reject-bright must be a positive number of robust deviations, not 0.0"),
    (["--reject-bright", "--keep", "99"], "--keep 99 is beyond the 4 frames found"),
])
def test_reject_bright_and_keep_refuse_wrong_values_in_one_line(argv, message, tmp_path, cli):
    from test_stack_cli import make_frames
    folder = make_frames(tmp_path / "in", count=4)
    code, _, err = cli(["stack", folder, "-o", tmp_path / "o.png", *argv])
    assert code == 1 and err.count("\n") == 1 and message in err
    assert not (tmp_path / "o.png").exists()
