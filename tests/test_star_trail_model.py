"""Property tests of the star-trail reference models (py/starsweeper/model/star_trail.py)."""

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from starsweeper.model.star_trail import (
    BAND_ROWS, FixedFormat, FixedStacker, FloatStacker, attenuation_from_half_life, combine_float,
    fade_in_weight, round_to_dtype, stack_fixed, stack_float,
)

attenuations = st.one_of(st.sampled_from([0.0, 0.5, 0.9, 0.99, 0.995, 0.999, 1.0]),
                         st.floats(0.0, 1.0))
widths = st.sampled_from([8, 16])


def frames_strategy(max_frames=30):
    @st.composite
    def build(draw):
        width = draw(widths)
        n = draw(st.integers(1, max_frames))
        shape = (draw(st.integers(1, 4)), draw(st.integers(1, 4)), 3)
        seed = draw(st.integers(0, 2**32 - 1))
        rng = np.random.default_rng(seed)
        top = (1 << width) - 1
        frames = rng.integers(0, top + 1, size=(n,) + shape)
        # Sparse bright "stars" over dark frames, and some saturated pixels.
        frames = np.where(rng.random(frames.shape) < 0.1, frames, frames // 40)
        frames[rng.random(frames.shape) < 0.02] = top
        return width, frames
    return build()


def naive_float_stack(frames, a):
    """The stacking rule written out per element, independent of numpy broadcasting."""
    buf = [float(v) for v in frames[0].ravel()]
    for frame in frames[1:]:
        buf = [max(b * a, float(x)) for b, x in zip(buf, frame.ravel())]
    return np.array([math.floor(b + 0.5) for b in buf]).reshape(frames[0].shape)


@given(frames_strategy(), attenuations)
def test_float_model_is_the_rule(case, a):
    width, frames = case
    got = stack_float(frames, a, FixedFormat(width).dtype)
    assert np.array_equal(got, naive_float_stack(frames, a))


@given(st.integers(0, 2**32 - 1), st.integers(1, 3 * BAND_ROWS + 1), st.sampled_from([(), (3,)]),
       attenuations, st.integers(0, 4), st.sampled_from([np.float32, np.float64]))
def test_the_stacker_in_bands_of_rows_is_the_rule_on_whole_frames(seed, rows, channels, a, fade_in, work):
    """Frames of up to three bands and a bit: the same floats as the rule on whole frames."""
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 256, (5, rows, 3) + channels, dtype=np.uint8)
    stacker = FloatStacker(a, fade_in, work=work)
    buf = None
    for k, frame in enumerate(frames, start=1):
        stacker.add(frame)
        term = frame.astype(work) * work(fade_in_weight(k, fade_in))
        buf = term if buf is None else np.maximum(buf * work(a), term)
    assert np.array_equal(stacker.buffer, buf)      # (in the frames' own type when a = 1, no fade)


@given(frames_strategy(), attenuations)
def test_fixed_model_within_one_lsb_of_float(case, a):
    width, frames = case
    if a > 0.999:  # the guarantee is for a <= 0.999 and for a == 1.0 (exact)
        a = 1.0
    fixed = stack_fixed(frames, a, width).astype(np.int64)
    exact = stack_float(frames, a, FixedFormat(width).dtype).astype(np.int64)
    assert np.abs(fixed - exact).max() <= 1


@given(frames_strategy())
def test_attenuation_one_is_plain_maximum_in_both_models(case):
    width, frames = case
    expected = frames.max(axis=0)
    assert np.array_equal(stack_fixed(frames, 1.0, width), expected)
    assert np.array_equal(stack_float(frames, 1.0, FixedFormat(width).dtype), expected)


@given(frames_strategy(), attenuations, st.data())
def test_chunks_combine_like_one_stack(case, a, data):
    width, frames = case
    split = data.draw(st.integers(0, len(frames)))
    first, second = frames[:split], frames[split:]
    p1 = FloatStacker(a)
    for f in first:
        p1.add(f)
    p2 = FloatStacker(a)
    for f in second:
        p2.add(f)
    combined = combine_float(p1.buffer, p2.buffer, len(second), a)
    whole = FloatStacker(a)
    for f in frames:
        whole.add(f)
    assert np.allclose(combined, whole.buffer, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("width", [8, 16])
@pytest.mark.parametrize("a", [0.9, 0.99, 0.995, 0.999, 1.0])
def test_thousand_frames_within_one_lsb(width, a):
    """The issue's requirement: 1000 frames, fixed point within 1 LSB of float64 everywhere."""
    rng = np.random.default_rng(1000 + width)
    top = (1 << width) - 1
    shape = (16, 16, 3)
    fixed, exact = FixedStacker(a, width), FloatStacker(a)
    for k in range(1000):
        frame = rng.integers(0, top + 1, size=shape)
        frame = np.where(rng.random(shape) < 0.01, frame, frame // 50)  # rare bright stars
        if k % 97 == 0:
            frame[rng.random(shape) < 0.2] = top
        fixed.add(frame)
        exact.add(frame)
    diff = np.abs(fixed.result().astype(np.int64) - exact.result(FixedFormat(width).dtype))
    assert diff.max() <= 1


def test_guard_bits_keep_the_fade_exponential():
    """At a = 0.999, 200 fades to 200 * 0.999**100 = 180.9 after 100 frames, not to 100."""
    stacker = FixedStacker(0.999, 8)
    stacker.add(np.array([200]))
    for _ in range(100):
        stacker.add(np.array([0]))
    assert stacker.result()[0] == round(200 * 0.999 ** 100)


@given(st.floats(0.0, 1.0), widths)
def test_quantized_attenuation_is_nearest(a, width):
    fmt = FixedFormat(width)
    q = fmt.quantize_attenuation(a)
    assert 0 <= q <= 1 << fmt.atten_frac_bits
    assert abs(q / (1 << fmt.atten_frac_bits) - a) <= 2.0 ** -(fmt.atten_frac_bits + 1)


@given(st.floats(0.5, 1e6))
def test_half_life_halves(n):
    a = attenuation_from_half_life(n)
    assert a ** n == pytest.approx(0.5, rel=1e-9)


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan"), "x"])
def test_bad_attenuation_is_rejected(bad):
    with pytest.raises(ValueError, match="attenuation"):
        StackSettings(attenuation=bad)


@pytest.mark.parametrize("bad", [0, -3, float("inf"), float("nan")])
def test_bad_half_life_is_rejected(bad):
    with pytest.raises(ValueError, match="half-life"):
        attenuation_from_half_life(bad)


def test_round_half_up_and_clip():
    buf = np.array([-1.0, 0.49, 0.5, 254.5, 300.0])
    assert round_to_dtype(buf, np.uint8).tolist() == [0, 0, 1, 255, 255]


@given(st.lists(st.floats(-70000, 70000, width=32), min_size=1, max_size=40),
       st.sampled_from([np.uint8, np.uint16, np.int8, np.int16]))
def test_rounding_is_floor_of_a_half_more_clipped(values, dtype):
    """Rounding half up and clipping, written out value by value, for every integer type."""
    info = np.iinfo(dtype)
    buf = np.array(values, np.float32)
    expected = [min(max(math.floor(float(v) + 0.5), info.min), info.max) for v in buf]
    assert round_to_dtype(buf, dtype).tolist() == expected


# -- fade-in, and the chunk join in exact arithmetic ------------------------------------------------

from fractions import Fraction                                     # noqa: E402

from starsweeper.errors import InputError                           # noqa: E402
from starsweeper.stack.settings import StackSettings               # noqa: E402

from starsweeper.model.star_trail import (                          # noqa: E402
    check_fade_in, combine_exact, stack_exact,
)

exact_attenuations = st.one_of(st.just(Fraction(1)), st.just(Fraction(0)),
                               st.fractions(min_value=0, max_value=1, max_denominator=1000))


@given(frames=st.lists(st.lists(st.integers(0, 65535), min_size=3, max_size=3), min_size=1, max_size=12),
       a=exact_attenuations, fade_in=st.integers(0, 15), data=st.data())
def test_the_chunk_join_is_exact_for_every_mode(frames, a, fade_in, data):
    """max(a**n2 * P1, P2) is the whole stack, exactly (rational arithmetic), with fade-in (each
    chunk weighing its frames by their global place) and after a dark subtraction (which only
    changes each frame): the proof in the model's docstring, checked."""
    dark = data.draw(st.lists(st.integers(0, 65535), min_size=3, max_size=3))
    frames = [[max(x - d, 0) for x, d in zip(frame, dark)] for frame in frames]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(frames)), max_size=3)))
    bounds = [0, *cuts, len(frames)]
    joined = None
    for start, end in zip(bounds, bounds[1:]):
        chunk = stack_exact(frames[start:end], a, fade_in, first_index=start + 1)
        joined = combine_exact(joined, chunk, end - start, a)
    assert joined == stack_exact(frames, a, fade_in)


@given(frames_strategy(), attenuations, st.integers(0, 12))
def test_float_fade_in_is_the_exact_rule(case, a, fade_in):
    _, frames = case
    stacker = FloatStacker(a, fade_in)
    for frame in frames:
        stacker.add(frame)
    exact = stack_exact([f.ravel().tolist() for f in frames], Fraction(a), fade_in)
    assert np.allclose(stacker.buffer.ravel(), [float(x) for x in exact], rtol=1e-9, atol=1e-9)


def test_fade_in_weights_ramp_linearly():
    assert [fade_in_weight(k, 4) for k in range(1, 7)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert fade_in_weight(1, 0) == 1.0
    frames = [np.full((1, 1, 1), 200, np.uint8)] * 3 + [np.zeros((1, 1, 1), np.uint8)]
    # a = 1: the maximum of 200/3, 400/3, 200 and 0
    assert stack_float(frames, 1.0, np.uint8, fade_in=3).item() == 200
    assert stack_float(frames[:2], 1.0, np.uint8, fade_in=3).item() == 133


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_bad_fade_in_is_rejected(bad):
    with pytest.raises(InputError, match="fade-in"):
        check_fade_in(bad)


# -- the average mode ------------------------------------------------------------------------------

from starsweeper.model.star_trail import FloatStacker as _Stacker   # noqa: E402


@given(frames_strategy(), st.data())
def test_average_is_the_mean_rounded_half_up_and_chunks_join_exactly(case, data):
    width, frames = case
    dtype = FixedFormat(width).dtype
    total = frames.astype(np.int64).sum(axis=0)
    n = len(frames)
    expected = np.array([math.floor(Fraction(int(t), n) + Fraction(1, 2)) for t in total.ravel()])
    assert np.array_equal(stack_float(frames, 1.0, dtype, mode="average").ravel(), expected)
    # In chunks, joined in order, in the pipeline's work types, as the pipeline stacks them.
    cuts = sorted(data.draw(st.lists(st.integers(1, max(1, n - 1)), max_size=3, unique=True)))
    work = np.float32 if width == 8 else np.float64
    stackers = []
    for start, end in zip([0, *cuts], [*cuts, n]):
        stacker = _Stacker(1.0, 0, start + 1, work=work, mode="average")
        for frame in frames[start:end]:
            stacker.add(frame)
        stackers.append(stacker)
    for stacker in stackers[1:]:
        stackers[0].join(stacker)
    assert np.array_equal(stackers[0].result(dtype).ravel(), expected)


@given(st.integers(0, 2 ** 32 - 1), st.integers(1, 300), st.integers(1, 9))
def test_average_of_tall_frames_is_exact_in_every_band_of_rows(seed, height, count):
    """The mean is rounded in bands of rows (bounded memory): every band, the last one short."""
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 256, (count, height, 3, 3), dtype=np.uint8)
    total = frames.astype(np.int64).sum(axis=0)
    expected = np.floor(total / count + 0.5)           # (halves are exact in binary)
    assert np.array_equal(stack_float(frames, 1.0, np.uint8, mode="average"), expected)
