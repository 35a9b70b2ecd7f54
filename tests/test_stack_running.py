"""The running stack as the video and the preview see it (py/starsweeper/stack/running.py): 8-bit
RGB at their size, written out here as block means of the stack."""

from hypothesis import given, strategies as st
import numpy as np

from starsweeper.model.star_trail import FixedStacker, FloatStacker
from starsweeper.stack.running import RunningStack, scaled_rgb


def eight_bits(stack, top):
    """The stack on the 8-bit scale as exact floats, grey as three channels."""
    eight = stack.astype(np.float64) * 255 / top
    return np.repeat(eight[..., None], 3, axis=2) if eight.ndim == 2 else eight


def half(image):
    """Each pixel the mean of a 2x2 block."""
    h, w = image.shape[:2]
    return image.reshape(h // 2, 2, w // 2, 2, 3).mean(axis=(1, 3))


@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([np.uint8, np.uint16]), st.booleans())
def test_integers_are_taken_to_8_bits_then_averaged_by_blocks(seed, dtype, grey):
    rng = np.random.default_rng(seed)
    top = np.iinfo(dtype).max
    stack = rng.integers(0, top + 1, (24, 32) if grey else (24, 32, 3), dtype=dtype)
    eight = np.floor(eight_bits(stack, top) + 0.5)
    assert np.array_equal(scaled_rgb(stack, (32, 24)), eight.astype(np.uint8))
    # (OpenCV rounds the mean to within a level)
    assert np.abs(scaled_rgb(stack, (16, 12)).astype(int) - half(eight)).max() <= 1


@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([(np.float32, 255), (np.float64, 65535)]), st.booleans())
def test_floats_are_averaged_by_blocks_then_rounded_half_up(seed, kind, grey):
    work, top = kind
    rng = np.random.default_rng(seed)
    stack = (rng.random((24, 32) if grey else (24, 32, 3)) * top).astype(work)
    exact = eight_bits(stack, top)
    # Rounded half up (a level off only where the float's own rounding crosses a half).
    off = np.abs(scaled_rgb(stack, (32, 24), top).astype(int) - np.floor(exact + 0.5))
    assert off.max() <= 1 and off.mean() < 0.01
    # Rounded once, after the mean: nearer the block mean than rounding each pixel first.
    assert np.abs(scaled_rgb(stack, (16, 12), top).astype(float) - half(exact)).max() <= 0.5 + 1e-3


def test_one_row_and_column_less_is_a_cut_not_a_scaling():
    stack = np.arange(5 * 7 * 3, dtype=np.uint8).reshape(5, 7, 3)
    assert np.array_equal(scaled_rgb(stack, (6, 4)), stack[:4, :6])
    assert np.array_equal(scaled_rgb(stack.astype(np.float32), (6, 4)), stack[:4, :6])


@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([0.9, 1.0]))
def test_the_running_stack_is_the_stackers_stack(seed, attenuation):
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 256, (4, 12, 16, 3), dtype=np.uint8)
    stacker = FloatStacker(attenuation, work=np.float32)
    fixed = FixedStacker(attenuation, 8)
    for frame in frames:
        stacker.add(frame)
        fixed.add(frame)
    still = stacker.result(np.uint8)
    running = RunningStack(lambda: stacker.result(np.uint8), stacker, 255)
    assert np.array_equal(running.image(), still)
    for size in [(16, 12), (8, 6), (5, 3)]:
        assert np.abs(running.scaled(size).astype(int) - scaled_rgb(still, size)).max() <= 1
    assert np.array_equal(running.scaled((16, 12)), still)      # (no scaling: the same rounding)
    # An integer stacker's stack is its still, scaled as it is.
    running = RunningStack(fixed.result, fixed, 255)
    assert np.array_equal(running.scaled((8, 6)), scaled_rgb(fixed.result(), (8, 6)))
