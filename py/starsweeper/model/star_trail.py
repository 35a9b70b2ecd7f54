"""Reference models of star-trail stacking.

The stacking rule, per pixel and per colour channel, for frames ``x_1 .. x_n`` in order::

    buf_1 = x_1
    buf_k = max(buf_(k-1) * a, x_k)          0 <= a <= 1

``a = 1.0`` is plain lighten (maximum) stacking; ``a = 0.99`` gives the fading "falling stars"
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

Chunked stacking. For an earlier chunk with stack ``P1`` and a later chunk of ``n2`` frames with
stack ``P2``, the stack of both is ``max(a**n2 * P1, P2)`` (:func:`combine_float`). This holds
exactly in real arithmetic, so the float model may stack chunks in parallel; the fixed-point
model rounds at every step and is therefore always run in order.
"""

from dataclasses import dataclass
import math

import numpy as np

from ..errors import InputError

__all__ = [
    "GUARD_BITS", "FixedFormat", "FloatStacker", "FixedStacker", "combine_float",
    "attenuation_from_half_life", "check_attenuation", "stack_float", "stack_fixed",
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
        """The attenuation as the core's integer input ``a_fx = round_half_up(a * 2**A)``."""
        a = check_attenuation(attenuation)
        return math.floor(a * (1 << self.atten_frac_bits) + 0.5)

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


class FloatStacker:
    """The original script's arithmetic: a float64 buffer, rounded once at the end.

    ``add(frame)`` takes integer frames (any shape) in order; ``result(dtype)`` rounds half up
    and clips to the range of ``dtype``.
    """

    def __init__(self, attenuation):
        self.attenuation = check_attenuation(attenuation)
        self.buffer = None
        self.count = 0

    def add(self, frame):
        frame = np.asarray(frame)
        if self.buffer is None:
            self.buffer = frame.astype(np.float64)
        else:
            if frame.shape != self.buffer.shape:
                raise ValueError(f"frame shape {frame.shape} differs from {self.buffer.shape}")
            np.multiply(self.buffer, self.attenuation, out=self.buffer)
            np.maximum(self.buffer, frame, out=self.buffer)
        self.count += 1

    def result(self, dtype):
        if self.buffer is None:
            raise ValueError("no frames were stacked")
        return round_to_dtype(self.buffer, dtype)


def round_to_dtype(buffer, dtype):
    """Round half up and clip to the range of the integer ``dtype``."""
    info = np.iinfo(dtype)
    return np.clip(np.floor(buffer + 0.5), info.min, info.max).astype(dtype)


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


def stack_float(frames, attenuation, dtype):
    """Stack an iterable of frames with :class:`FloatStacker`."""
    stacker = FloatStacker(attenuation)
    for frame in frames:
        stacker.add(frame)
    return stacker.result(dtype)


def stack_fixed(frames, attenuation, channel_width):
    """Stack an iterable of frames with :class:`FixedStacker`."""
    stacker = FixedStacker(attenuation, channel_width)
    for frame in frames:
        stacker.add(frame)
    return stacker.result()
