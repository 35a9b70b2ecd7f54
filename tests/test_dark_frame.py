"""The dark-frame model (:mod:`starsweeper.model.dark_frame`) and the streamed master dark
(:mod:`starsweeper.stack.darks`) against it."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from starsweeper.model.dark_frame import (
    MAD_TO_SIGMA, hot_pixel_mask, master_dark, replace_hot_pixels, replace_pixels, subtract_dark,
)
from starsweeper.stack.darks import HotPixels, build_calibration, build_master_dark
from starsweeper.stack.frames import FrameError, probe, write_image


def frames(dtype, count, shape):
    return st.lists(hnp.arrays(dtype, shape), min_size=count, max_size=count)


@given(st.sampled_from([np.uint8, np.uint16]).flatmap(
    lambda dtype: st.tuples(hnp.arrays(dtype, (3, 4, 3)), hnp.arrays(dtype, (3, 4, 3)))))
def test_subtraction_saturates_at_zero(pair):
    frame, dark = pair
    got = subtract_dark(frame, dark)
    assert got.dtype == frame.dtype
    assert np.array_equal(got, np.clip(frame.astype(np.int64) - dark, 0, None))


def test_master_dark_is_the_median_rounded_half_up():
    darks = [np.array([[[1]]], np.uint8), np.array([[[2]]], np.uint8)]
    assert master_dark(darks).item() == 2                       # (1 + 2) / 2 = 1.5 -> 2
    darks.append(np.array([[[250]]], np.uint8))
    assert master_dark(darks).item() == 2                       # a hot outlier does not move it


def test_a_hot_pixel_is_replaced_by_its_neighbours_median():
    dark = np.full((5, 5, 1), 10, np.uint16)
    dark[2, 2, 0] = 4000
    dark[0, 0, 0] = 11                                          # within the noise: stays
    dark[1, 1, 0] = 12
    out = replace_hot_pixels(dark, 5.0)
    assert out[2, 2, 0] == 10 and out[0, 0, 0] == 11
    assert hot_pixel_mask(dark, 5.0).sum() == 1


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([np.uint8, np.uint16]).flatmap(
    lambda dtype: hnp.arrays(dtype, st.tuples(st.integers(1, 6), st.integers(1, 6), st.sampled_from([1, 3])))),
    st.floats(0.5, 8))
def test_fast_hot_pixel_replacement_is_the_models(dark, sigma):
    mask = hot_pixel_mask(dark, sigma)
    before = dark.copy()
    assert np.array_equal(HotPixels(mask).replace(dark), replace_pixels(dark, mask))
    assert np.array_equal(dark, before)


@pytest.mark.parametrize("count", [1, 2, 5])
@pytest.mark.parametrize("depth", [8, 16])
def test_the_streamed_master_dark_is_the_models(tmp_path, count, depth):
    """Darks on disk, the median in bands of a few rows (a small band size), as the model."""
    rng = np.random.default_rng(count * depth)
    dtype = np.uint8 if depth == 8 else np.uint16
    darks = [rng.integers(0, np.iinfo(dtype).max, (13, 7, 3), dtype=dtype, endpoint=True) for _ in range(count)]
    for k, dark in enumerate(darks):
        write_image(tmp_path / f"dark_{k}.png", dark)
    frame = probe(tmp_path / "dark_0.png")
    paths = sorted(tmp_path.glob("dark_*.png"))
    got = build_master_dark(paths, frame, band_bytes=3 * 7 * 3 * 2 * count)
    assert np.array_equal(got, master_dark(darks))
    calibration = build_calibration(paths, frame, hot_sigma=3.0, workers=2)
    assert np.array_equal(calibration.dark, replace_hot_pixels(master_dark(darks), 3.0))
    light = darks[0]
    assert np.array_equal(calibration.prepare(light), replace_pixels(light, hot_pixel_mask(master_dark(darks), 3.0)))


def test_a_dark_of_another_size_or_mode_is_named(tmp_path):
    write_image(tmp_path / "light.png", np.zeros((8, 12, 3), np.uint8))
    frame = probe(tmp_path / "light.png")
    write_image(tmp_path / "d1.png", np.zeros((8, 10, 3), np.uint8))
    with pytest.raises(FrameError, match="d1.png: the dark is 10x8, but the frames are 12x8"):
        build_master_dark([tmp_path / "d1.png"], frame)
    write_image(tmp_path / "d2.png", np.zeros((8, 12, 3), np.uint16))
    with pytest.raises(FrameError, match="d2.png: the dark is RGB 16-bit, but the frames are RGB 8-bit"):
        build_master_dark([tmp_path / "d2.png"], frame)


def test_mad_scale_is_a_normal_distributions():
    rng = np.random.default_rng(1)
    values = rng.normal(0, 1, 200_000)
    assert abs(MAD_TO_SIGMA * np.median(np.abs(values - np.median(values))) - 1) < 0.01
