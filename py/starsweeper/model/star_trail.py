"""Reference models of star-trail stacking.

The stacking rule, per pixel and per colour channel, for frames ``x_1 .. x_n`` in order::

    buf_1 = x_1
    buf_k = max(buf_(k-1) * a, x_k)          0 <= a <= 1

``a = 1.0`` is plain lighten (maximum) stacking; ``a = 0.99`` gives the fading "falling stars"
trails. The other mode, **average**, is the mean of the frames, ``buf_n = (x_1 + ... + x_n) / n``
(no fade, no weights): the low-noise sky and foreground that photographers blend under their
trails. Two models live here:

* :class:`FloatStacker` -- the original script's arithmetic: accumulate in float64, round to the
  output depth once at the end. This is the specification of *what* a stack is.
* :class:`FixedStacker` -- a bit-exact model of the hardware core
  (:class:`starsweeper.gateware.star_trail.StarTrailStacker`), in integers. This is the
  specification of *what the RTL computes*, and the RTL is compared against it bit for bit.

Fixed-point format (:class:`FixedFormat`), for a channel width of ``W`` bits:

* The accumulator is unsigned ``UQ(W).(F)`` with ``F = GUARD_BITS = 10`` fraction bits: a pixel
  value ``x`` enters as ``x << F``. The guard bits keep the fade exponential; with no fraction
  bits, truncation turns it linear (at a = 0.999 a value of 200 would reach 100 after 100 frames
  instead of 181).
* The attenuation is unsigned ``UQ1.(A)`` with ``A = W + F`` fraction bits,
  ``a_fx = round_half_up(a * 2**A)``; ``1.0`` is represented exactly as ``2**A``.
* One step: ``acc' = max((acc * a_fx + 2**(A-1)) >> A, x << F)`` -- the product is rounded half
  up to ``F`` fraction bits.
* Output pixel: ``(acc + 2**(F-1)) >> F``, rounded half up; it never exceeds ``2**W - 1``.

Error bound. Each step adds at most ``2**-(F+1)`` LSB of rounding and ``(2**W-1) * 2**-(A+1)``
LSB from quantising ``a``; ``max`` is 1-Lipschitz and the old error is scaled by ``a``, so the
accumulator error stays below ``2**-F / (1 - a)`` LSB. For ``a <= 0.999`` that is below
``0.977`` LSB, and two values less than 1 apart round to outputs at most 1 LSB apart. For
``a = 1`` the fixed-point path is exact.

Fade-in. ``--fade-in N`` weighs the first ``N`` frames up linearly, ``w_k = min(1, k / N)``
(``k`` counted from 1 in stacking order; ``N = 0`` is no fade-in, every ``w_k = 1``)::

    buf_1 = w_1 x_1
    buf_k = max(buf_(k-1) * a, w_k x_k)

so that a trail starts faint and grows to full brightness over ``N`` frames, beside the fade-out
that ``a < 1`` gives its other end. The hardware core has no per-frame weight: fade-in is a mode
of the float model only.

Chunked stacking. For an earlier chunk with stack ``P1`` and a later chunk of ``n2`` frames with
stack ``P2``, the stack of both is ``max(a**n2 * P1, P2)`` (:func:`combine_float`), for every mode
here, provided each chunk weighs its frames by their place in the whole sequence. Proof: for
``a >= 0``, multiplying by ``a`` commutes with ``max`` (``a max(u, v) = max(a u, a v)``), so the
recurrence unrolls to ``buf_n = max over k of a**(n-k) w_k x_k``. Splitting the ``k`` at the
chunk boundary ``s`` (``n = s + n2``)::

    buf_n = max( a**n2 * max_(k<=s) a**(s-k) w_k x_k ,  max_(k>s) a**(n-k) w_k x_k )
          = max( a**n2 * P1 , P2 )

where ``P1`` is the first chunk's stack and ``P2`` the second's, started afresh (its first
frame's term is ``w_(s+1) x_(s+1)``, the ``k = s + 1`` term). The weights enter only through
each frame's own term, which is why each chunk must use the global ``w_k``. Dark-frame
subtraction (:mod:`starsweeper.model.dark_frame`) changes each ``x_k`` before it enters, frame
by frame, so it does not touch the argument. The identity is exact in real (and in rational)
arithmetic, which :func:`stack_exact` computes and the tests check with hypothesis; the float
model may therefore stack chunks in parallel. The fixed-point model rounds at every step and is
always run in order.
"""

from dataclasses import dataclass
import math

import numpy as np

from ..errors import InputError

__all__ = [
    "MODES", "GUARD_BITS", "FixedFormat", "FloatStacker", "FixedStacker", "combine_float",
    "attenuation_from_half_life", "check_attenuation", "check_fade_in", "fade_in_weight",
    "stack_float", "stack_fixed", "stack_exact", "combine_exact",
]

#: Fraction bits kept in the accumulator below the pixel's LSB.
GUARD_BITS = 10


def check_attenuation(attenuation):
    """Return ``attenuation`` as a float, or raise :class:`ValueError` if it is not in [0, 1]."""
    try:
        value = float(attenuation)
    except (TypeError, ValueError):
        raise InputError(f"attenuation must be a number in [0, 1], not {attenuation!r}") from None
    if not (0.0 <= value <= 1.0):  # also rejects NaN
        raise InputError(f"attenuation must be in [0, 1], not {attenuation!r}")
    return value


def attenuation_from_half_life(frames):
    """The attenuation ``a`` under which a trail halves in ``frames`` frames: ``a**frames = 0.5``."""
    try:
        value = float(frames)
    except (TypeError, ValueError):
        raise InputError(f"half-life must be a positive number of frames, not {frames!r}") from None
    if not (value > 0.0) or math.isinf(value):
        raise InputError(f"half-life must be a positive number of frames, not {frames!r}")
    return 0.5 ** (1.0 / value)


def check_fade_in(frames):
    """Return the fade-in length as an int, or raise :class:`InputError` unless it is 0 or more."""
    if isinstance(frames, bool) or not isinstance(frames, int) or frames < 0:
        raise InputError(f"fade-in must be a whole number of frames, 0 or more, not {frames!r}")
    return frames


def fade_in_weight(k, fade_in):
    """The weight ``min(1, k / N)`` of frame ``k`` (from 1) under a fade-in of ``N`` frames."""
    if fade_in == 0 or k >= fade_in:
        return 1.0
    return k / fade_in


@dataclass(frozen=True)
class FixedFormat:
    """Widths of the hardware's fixed-point numbers for a channel width of ``channel_width`` bits."""

    channel_width: int

    def __post_init__(self):
        if self.channel_width not in (8, 16):
            raise ValueError(f"Channel width must be 8 or 16, not {self.channel_width!r}")

    @property
    def frac_bits(self):
        """Guard fraction bits of the accumulator (``F``)."""
        return GUARD_BITS

    @property
    def acc_width(self):
        """Width of one accumulator channel: ``W + F``."""
        return self.channel_width + self.frac_bits

    @property
    def atten_frac_bits(self):
        """Fraction bits of the attenuation (``A = W + F``)."""
        return self.channel_width + self.frac_bits

    @property
    def atten_width(self):
        """Width of the attenuation input: one integer bit so that 1.0 is exact."""
        return self.atten_frac_bits + 1

    @property
    def pixel_max(self):
        return (1 << self.channel_width) - 1

    @property
    def dtype(self):
        return np.uint8 if self.channel_width == 8 else np.uint16

    def quantize_attenuation(self, attenuation):
        """The attenuation (in [0, 1]) as the core's integer input ``a_fx = round_half_up(a * 2**A)``."""
        return math.floor(float(attenuation) * (1 << self.atten_frac_bits) + 0.5)

    def step(self, acc, pixel, atten_fx):
        """One stacking step on integer arrays (or ints): the core's arithmetic, bit for bit."""
        A, F = self.atten_frac_bits, self.frac_bits
        acc = np.asarray(acc, dtype=np.int64)
        pixel = np.asarray(pixel, dtype=np.int64)
        faded = (acc * atten_fx + (1 << (A - 1))) >> A
        return np.maximum(faded, pixel << F)

    def to_pixel(self, acc):
        """Round an accumulator to the output depth, half up."""
        F = self.frac_bits
        return ((np.asarray(acc, dtype=np.int64) + (1 << (F - 1))) >> F).astype(self.dtype)


#: The stacking modes: the rule above (lighten, with its fade), and the mean of the frames.
MODES = ("lighten", "average")


#: Rows of a frame :meth:`FloatStacker.add` takes at a time.
BAND_ROWS = 64


class FloatStacker:
    """The original script's arithmetic: a float buffer, rounded once at the end. This is what
    ``starsweeper stack --engine model`` runs, a stacker for each chunk of frames.

    ``mode`` "average" keeps the frames' sum instead (exact in the work type: float32 holds
    the sum of 65,000 8-bit frames exactly), and its result is the mean rounded half up.

    ``add(frame)`` takes integer frames (any shape) in order; ``result(dtype)`` rounds half up
    and clips to the range of ``dtype``. ``fade_in`` frames are weighed up linearly;
    ``first_index`` is the place of the first frame added in the whole sequence (from 1: a
    chunk that starts later weighs its frames by their global place). ``work`` is the buffer's
    float type: float64, the specification's, or float32, whose error after 1000 frames at
    ``a = 0.999`` stays below 0.02 LSB for 8-bit frames (the pipeline's choice for them). While
    the rule is exact in the frames' own integers (``a = 1`` and no weight), the buffer is the
    frames' type and each step a maximum: the same numbers, without a conversion.

    The attenuation (in [0, 1]) and the fade-in (0 or more) are as
    :class:`~starsweeper.stack.settings.StackSettings` checks them.
    """

    def __init__(self, attenuation, fade_in=0, first_index=1, work=np.float64, mode="lighten"):
        self.attenuation = float(attenuation)
        self.fade_in = fade_in
        self.first_index = first_index
        self.work = work
        self.mode = mode
        self.buffer = None
        self.count = 0
        self._scratch = None                # a band of a frame in floats (add)

    def add(self, frame):
        frame = np.asarray(frame)
        if self.buffer is not None and frame.shape != self.buffer.shape:
            raise ValueError(f"frame shape {frame.shape} differs from {self.buffer.shape}")
        if self.mode == "average":
            self.count += 1
            if self.buffer is None:
                self.buffer = frame.astype(self.work)
            else:
                np.add(self.buffer, frame, out=self.buffer, casting="unsafe")
            return
        weight = fade_in_weight(self.first_index + self.count, self.fade_in)
        self.count += 1
        buffer = self.buffer
        if self.attenuation == 1.0 and weight == 1.0 and (buffer is None or buffer.dtype == frame.dtype):
            if buffer is None:
                self.buffer = frame.copy() if self.fade_in == 0 else frame.astype(self.work)
            else:
                np.maximum(buffer, frame, out=buffer)
            return
        if buffer is None:
            self.buffer = frame.astype(self.work)
            if weight != 1.0:
                np.multiply(self.buffer, self.work(weight), out=self.buffer)
            return
        if buffer.dtype != self.work:
            buffer = self.buffer = buffer.astype(self.work)
        # In bands of rows: each band of the frame, in floats, is a scratch array that stays in
        # the cache, where the whole frame in floats would be a fresh array (144 MB for 12 MP)
        # each time: half the time. The same operations on every element.
        rows, frame = (buffer.reshape(1, -1), frame.reshape(1, -1)) if buffer.ndim < 2 else (buffer, frame)
        if self._scratch is None or self._scratch.shape[1:] != rows.shape[1:]:
            self._scratch = np.empty((BAND_ROWS,) + rows.shape[1:], self.work)
        for top in range(0, len(rows), BAND_ROWS):
            band = rows[top:top + BAND_ROWS]
            term = self._scratch[:len(band)]
            np.copyto(term, frame[top:top + BAND_ROWS], casting="unsafe")
            if weight != 1.0:
                np.multiply(term, self.work(weight), out=term)
            if self.attenuation != 1.0:
                np.multiply(band, self.work(self.attenuation), out=band)
            np.maximum(band, term, out=band)

    def result(self, dtype):
        if self.buffer is None:
            raise ValueError("no frames were stacked")
        if self.mode == "average":           # the mean, rounded half up, in integers (exact)
            mean = np.empty(self.buffer.shape, dtype)
            for rows in range(0, len(self.buffer), 64):     # in bands: a few rows of int64 at a time
                total = self.buffer[rows:rows + 64].astype(np.int64)
                mean[rows:rows + 64] = (2 * total + self.count) // (2 * self.count)
            return mean
        if self.buffer.dtype == dtype:
            return self.buffer.copy()
        return round_to_dtype(self.buffer, dtype)

    def join(self, later):
        """Take in the stacker of the chunk of frames that follows this one's (both of the
        same settings): lighten by :func:`combine_float`, average by adding the sums."""
        if later.buffer is None:
            return
        if self.buffer is None:
            self.buffer, self.count = later.buffer, later.count
            return
        if self.mode == "average":
            np.add(self.buffer, later.buffer, out=self.buffer)
        elif self.attenuation == 1.0 and self.buffer.dtype == later.buffer.dtype:
            np.maximum(self.buffer, later.buffer, out=self.buffer)
        else:
            self.buffer = combine_float(self.buffer, later.buffer, later.count, self.attenuation)
        self.count += later.count


def round_to_dtype(buffer, dtype):
    """Round half up and clip to the range of the integer ``dtype``.

    Clipped first, then raised by a half in place: the cast's truncation is then the floor
    (one temporary instead of three; the video rounds the stack after every frame)."""
    info = np.iinfo(dtype)
    rounded = np.clip(buffer, info.min, info.max)
    if not np.issubdtype(rounded.dtype, np.floating):
        return rounded.astype(dtype)        # (whole numbers already)
    rounded += 0.5
    if info.min < 0:
        np.floor(rounded, out=rounded)      # (truncation goes toward zero: floor for negatives)
    return rounded.astype(dtype)


def combine_float(earlier, later, later_count, attenuation):
    """Stack of two consecutive chunks: ``max(a**n2 * earlier, later)`` (either may be None)."""
    if earlier is None:
        return later
    if later is None:
        return earlier
    return np.maximum(earlier * (attenuation ** later_count), later)


class FixedStacker:
    """Bit-exact model of the hardware core, stacking whole frames in order.

    The accumulator starts at zero, so the first step gives ``x_1 << F`` exactly (``buf_1 = x_1``).
    """

    def __init__(self, attenuation, channel_width):
        self.format = FixedFormat(channel_width)
        self.atten_fx = self.format.quantize_attenuation(attenuation)
        self.acc = None
        self.count = 0

    def add(self, frame):
        frame = np.asarray(frame)
        if self.acc is None:
            self.acc = np.zeros(frame.shape, dtype=np.int64)
        elif frame.shape != self.acc.shape:
            raise ValueError(f"frame shape {frame.shape} differs from {self.acc.shape}")
        if frame.size and int(frame.max()) > self.format.pixel_max:
            raise ValueError(f"pixel value above {self.format.pixel_max}")
        self.acc = self.format.step(self.acc, frame, self.atten_fx)
        self.count += 1

    def result(self):
        if self.acc is None:
            raise ValueError("no frames were stacked")
        return self.format.to_pixel(self.acc)


def stack_exact(frames, attenuation, fade_in=0, first_index=1):
    """The stack in exact rational arithmetic (:class:`fractions.Fraction`), for proofs by test:
    ``frames`` are sequences of numbers, ``attenuation`` a number or Fraction. Returns a list of
    Fractions, or None for no frames."""
    from fractions import Fraction
    a = Fraction(attenuation)
    buf = None
    for i, frame in enumerate(frames):
        k = first_index + i
        w = Fraction(1) if fade_in == 0 or k >= fade_in else Fraction(k, fade_in)
        term = [w * Fraction(x) for x in frame]
        buf = term if buf is None else [max(a * b, t) for b, t in zip(buf, term)]
    return buf


def combine_exact(earlier, later, later_count, attenuation):
    """:func:`combine_float` in exact arithmetic."""
    from fractions import Fraction
    if earlier is None:
        return later
    if later is None:
        return earlier
    scale = Fraction(attenuation) ** later_count
    return [max(scale * p, q) for p, q in zip(earlier, later)]


def stack_float(frames, attenuation, dtype, fade_in=0, mode="lighten"):
    """Stack an iterable of frames with :class:`FloatStacker`."""
    stacker = FloatStacker(attenuation, fade_in, mode=mode)
    for frame in frames:
        stacker.add(frame)
    return stacker.result(dtype)


def stack_fixed(frames, attenuation, channel_width):
    """Stack an iterable of frames with :class:`FixedStacker`."""
    stacker = FixedStacker(attenuation, channel_width)
    for frame in frames:
        stacker.add(frame)
    return stacker.result()
