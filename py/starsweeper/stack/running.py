"""The running stack as the time-lapse video and the preview window see it: 8-bit RGB at a size
of their own.

The pipeline hands each of them a :class:`RunningStack` after a frame, and each asks it for
:meth:`RunningStack.scaled` at its size (the video's width, the window's), which is
:func:`scaled_rgb` of the stack. With the model engine the stack is a float buffer until it is
rounded: it is scaled first and rounded at the small size, so a 12 MP stack costs one area
average (OpenCV, on every core) and not a 12 MP rounding as well; the result is within a level
of scaling the rounded still. At attenuation 1 the buffer is the frames' integers, scaled as
it is (not copied). The other engines' stacks are integers, scaled as they are.
"""

import numpy as np

from ..model.star_trail import FloatStacker, round_to_dtype
from .frames import to_8bit

__all__ = ["RunningStack", "scaled_rgb", "scaled_yuv420", "BT709_LIMITED"]

#: BT.709's Y', Cb, Cr of R'G'B' on a scale to 1, in limited range (Y' 16 to 235, Cb and Cr 16
#: to 240, 128 their zero): one row each, [red, green, blue, offset].
BT709_LIMITED = np.array([
    [219 * 0.2126, 219 * 0.7152, 219 * 0.0722, 16],
    [224 * -0.2126 / 1.8556, 224 * -0.7152 / 1.8556, 224 * 0.5, 128],
    [224 * 0.5, 224 * -0.7152 / 1.5748, 224 * -0.0722 / 1.5748, 128],
])


def scaled_rgb(stack, size, top=255):
    """``stack``, an ``(h, w)``, ``(h, w, 1)`` or ``(h, w, 3)`` array, as 8-bit RGB of ``size``
    (width, height), ``(height, width, 3)``.

    Integers of 8 or 16 bits are taken to 8 bits (``x * 255 / 65535`` rounded to nearest) and
    then scaled; floats (on a scale to ``top``: 255, or 65535 for 16-bit frames) are scaled and
    then rounded half up. Scaling is area averaging (OpenCV's ``INTER_AREA``), but for a size
    that is the stack's less at most one row and one column, which are cut off (the video's
    sizes are even). Grey becomes three equal channels."""
    stack = _scaled(stack, size)
    if stack.dtype.kind == "f":
        stack = round_to_dtype(stack * (255 / top) if top != 255 else stack, np.uint8)
    if stack.ndim == 2:
        stack = np.repeat(stack[:, :, None], 3, axis=2)
    return np.ascontiguousarray(stack)


def scaled_yuv420(stack, size, top=255):
    """``stack`` as :func:`scaled_rgb` takes it, as the planes of 8-bit YUV 4:2:0 of ``size``
    (width, height; both even): BT.709's matrix in limited range (:data:`BT709_LIMITED`), one
    ``(height * 3 // 2, width)`` array of the Y' plane's rows and then those of Cb and Cr
    (``yuv420p``'s layout).

    Scaled as :func:`scaled_rgb` scales, then each pixel's Y'CbCr is rounded to nearest once
    (from floats: never rounded as RGB first), and Cb and Cr are the 2x2 blocks' means (their
    sites the blocks' centres) of the rounded values, rounded: within a level of converting
    :func:`scaled_rgb`'s image exactly. Done by OpenCV (about 1.5 ms for 1280x720 here, where
    FFmpeg's converter took 5 ms)."""
    import cv2
    stack = _scaled(stack, size)
    if stack.dtype.kind != "f":
        top = 255
    width, height = size
    planes = np.empty((height * 3 // 2, width), np.uint8)
    chroma = planes[height:].reshape(2, height // 2, width // 2)
    if stack.ndim == 2:                 # grey: Cb and Cr are zero
        cv2.convertScaleAbs(stack, planes[:height], alpha=BT709_LIMITED[0, :3].sum() / top,
                            beta=BT709_LIMITED[0, 3])
        chroma[:] = BT709_LIMITED[1, 3]
        return planes
    matrix = BT709_LIMITED.copy()
    matrix[:, :3] /= top
    if stack.dtype == np.uint8:
        # (OpenCV transforms 8-bit pixels in fixed point: up to 0.61 of a level off, where the
        # floats are rounded once, half a level at most)
        stack = stack.astype(np.float32)
    # (the stack is floats now: its Y'CbCr rounded to 8 bits once, here)
    yuv = cv2.convertScaleAbs(cv2.transform(stack, matrix.astype(stack.dtype)))
    cv2.extractChannel(yuv, 0, planes[:height])
    half = cv2.resize(yuv, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    cv2.extractChannel(half, 1, chroma[0])
    cv2.extractChannel(half, 2, chroma[1])
    return planes


def _scaled(stack, size):
    """``stack`` (as :func:`scaled_rgb` takes it) at ``size``: one channel as 2-D, integers
    taken to 8 bits, floats kept; by area averaging, or cut when it is at most a row and a
    column larger (a view of it when it is cut or the same size)."""
    import cv2
    stack = np.asarray(stack)
    if stack.ndim == 3 and stack.shape[2] == 1:
        stack = stack[:, :, 0]
    if stack.dtype.kind != "f":
        stack = to_8bit(stack)
    width, height = size
    if (stack.shape[1], stack.shape[0]) == (width, height):
        return stack
    if 0 <= stack.shape[1] - width <= 1 and 0 <= stack.shape[0] - height <= 1:
        return stack[:height, :width]
    return cv2.resize(stack, (width, height), interpolation=cv2.INTER_AREA)


class RunningStack:
    """The stack after a frame, made only as far as it is asked for, and only until the next
    frame is stacked (the stacker's buffer changes in place).

    ``result()`` makes the still (the frames' type, rounded); ``stacker`` is asked for its float
    buffer when it has one (:class:`~starsweeper.model.star_trail.FloatStacker` in lighten mode:
    an average's buffer is a sum); ``top``: the frames' largest value (255 or 65535)."""

    def __init__(self, result, stacker, top):
        self._result, self.top = result, top
        # (at attenuation 1 the model's buffer is the frames' own integers: the still itself)
        self._buffer = stacker.buffer if isinstance(stacker, FloatStacker) and stacker.mode == "lighten" else None
        self._image = None

    def image(self):
        """The still: the stack rounded to the frames' type (made once)."""
        if self._image is None:
            self._image = self._result()
        return self._image

    def scaled(self, size):
        """:func:`scaled_rgb` of the stack at ``size`` (width, height)."""
        return scaled_rgb(self._source(), size, self.top)

    def scaled_yuv420(self, size):
        """:func:`scaled_yuv420` of the stack at ``size``."""
        return scaled_yuv420(self._source(), size, self.top)

    def _source(self):
        """What is scaled: the stacker's buffer when it has one (floats, or at attenuation 1
        the frames' integers: not copied, since a showing's copy of a 12 MP stack took some
        50 ms of fresh memory here), else :meth:`image` (integers, whose scale both functions
        know without ``top``)."""
        return self._buffer if self._buffer is not None else self.image()
