"""The running stack as the video and the preview see it (py/starsweeper/stack/running.py): 8-bit
RGB at their size, written out here as block means of the stack."""

import cv2
from hypothesis import example, given, strategies as st
import numpy as np

from starsweeper.model.star_trail import FixedStacker, FloatStacker
from starsweeper.stack.running import RunningStack, scaled_rgb, scaled_yuv420


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


def test_a_lighten_stack_at_attenuation_1_is_scaled_from_the_stackers_buffer_not_a_copy():
    """The model's buffer at attenuation 1 is the frames' integers: scaled as it is, the still
    not made (no 12 MP copy at every showing)."""
    frames = np.random.default_rng(3).integers(0, 256, (3, 12, 16, 3), dtype=np.uint8)
    stacker = FloatStacker(1.0, work=np.float32)
    for frame in frames:
        stacker.add(frame)

    def no_still():
        raise AssertionError("the still was made")
    running = RunningStack(no_still, stacker, 255)
    for size in [(16, 12), (8, 6), (5, 3)]:
        assert np.array_equal(running.scaled(size), scaled_rgb(np.max(frames, axis=0), size))


def bt709(rgb):
    """Y', Cb, Cr (last axis) of R'G'B' on a scale to 1, limited range, written out from BT.709's
    luma weights (Kr 0.2126, Kb 0.0722)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return np.stack([16 + 219 * y, 128 + 224 * (b - y) / 1.8556, 128 + 224 * (r - y) / 1.5748], axis=-1)


def split_planes(planes, size):
    width, height = size
    assert planes.shape == (height * 3 // 2, width) and planes.dtype == np.uint8
    chroma = planes[height:].reshape(2, height // 2, width // 2)
    return planes[:height].astype(float), chroma[0].astype(float), chroma[1].astype(float)


@given(st.integers(0, 2 ** 32 - 1), st.sampled_from([(np.uint8, 255), (np.uint16, 65535), (np.float32, 255),
                                                     (np.float64, 65535)]),
       st.booleans(), st.sampled_from([(32, 24), (16, 12), (30, 22)]))
@example(36218180, (np.uint8, 255), False, (32, 24))     # (OpenCV's 8-bit transform, 0.61 of a level off)
def test_the_videos_planes_are_bt709_of_the_scaled_stack(seed, kind, grey, size):
    """Y' within a level of BT.709 of the exactly scaled stack, Cb and Cr within a level of
    their 2x2 blocks' means, and a level and a half where OpenCV scales integers: its area means
    of 8-bit values are rounded to 8 bits (up to half a level each of R, G and B, 0.44 of Cb or
    Cr), each pixel's Cb and Cr are rounded (half a level) and so is their 2x2 mean (half)."""
    dtype, top = kind
    rng = np.random.default_rng(seed)
    shape = (24, 32) if grey else (24, 32, 3)
    stack = (rng.random(shape) * top).astype(dtype) if dtype in (np.float32, np.float64) else \
        rng.integers(0, top + 1, shape, dtype=dtype)
    y, cb, cr = split_planes(scaled_yuv420(stack, size, top), size)
    exact = eight_bits(stack, top) / 255
    if np.issubdtype(dtype, np.integer):
        exact = np.floor(exact * 255 + 0.5) / 255       # (integers are taken to 8 bits first)
    if size == (16, 12):
        exact = half(exact)
    elif size == (30, 22):                              # (area averaging in doubles)
        exact = cv2.resize(exact, size, interpolation=cv2.INTER_AREA)
    want = bt709(exact)
    chroma = 1.5 if np.issubdtype(dtype, np.integer) and size != (32, 24) else 1 + 1e-6
    assert np.abs(y - want[..., 0]).max() <= 1
    assert np.abs(cb - half(want)[..., 1]).max() <= chroma and np.abs(cr - half(want)[..., 2]).max() <= chroma
    if grey:
        assert (cb == 128).all() and (cr == 128).all()


def test_pure_colours_take_bt709s_levels():
    """The corners of the RGB cube, whole 2x2 blocks of each: BT.709's limited-range levels
    (Rec. ITU-R BT.709-6, table 3.6 with 8-bit quantisation: Y' 16 to 235, Cb and Cr 16 to 240)."""
    corners = np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255]], np.uint8)
    stack = np.repeat(np.repeat(corners[None], 2, axis=0), 2, axis=1).reshape(2, 10, 3)
    y, cb, cr = split_planes(scaled_yuv420(stack, (10, 2)), (10, 2))
    assert list(y[0, ::2]) == [16, 235, 63, 173, 32]
    assert list(cb[0]) == [128, 128, 102, 42, 240] and list(cr[0]) == [128, 128, 240, 26, 118]
