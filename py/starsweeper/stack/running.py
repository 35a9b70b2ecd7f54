"""The running stack as the time-lapse video and the preview window see it: 8-bit RGB at a size
of their own.

The pipeline hands each of them a :class:`RunningStack` after a frame, and each asks it for
:meth:`RunningStack.scaled` at its size (the video's width, the window's), which is
:func:`scaled_rgb` of the stack. With the model engine the stack is a float buffer until it is
rounded: it is scaled first and rounded at the small size, so a 12 MP stack costs one area
average (OpenCV, on every core) and not a 12 MP rounding as well; the result is within a level
of scaling the rounded still. The other engines' stacks are integers, scaled as they are.
"""

import numpy as np

from ..model.star_trail import FloatStacker, round_to_dtype
from .frames import to_8bit

__all__ = ["RunningStack", "scaled_rgb"]


def scaled_rgb(stack, size, top=255):
    """``stack``, an ``(h, w)``, ``(h, w, 1)`` or ``(h, w, 3)`` array, as 8-bit RGB of ``size``
    (width, height), ``(height, width, 3)``.

    Integers of 8 or 16 bits are taken to 8 bits (``x * 255 / 65535`` rounded to nearest) and
    then scaled; floats (on a scale to ``top``: 255, or 65535 for 16-bit frames) are scaled and
    then rounded half up. Scaling is area averaging (OpenCV's ``INTER_AREA``), but for a size
    that is the stack's less at most one row and one column, which are cut off (the video's
    sizes are even). Grey becomes three equal channels."""
    import cv2
    stack = np.asarray(stack)
    if stack.ndim == 3 and stack.shape[2] == 1:
        stack = stack[:, :, 0]
    floats = stack.dtype.kind == "f"
    if not floats:
        stack = to_8bit(stack)
    width, height = size
    if (stack.shape[1], stack.shape[0]) != (width, height):
        if 0 <= stack.shape[1] - width <= 1 and 0 <= stack.shape[0] - height <= 1:
            stack = stack[:height, :width]
        else:
            stack = cv2.resize(stack, (width, height), interpolation=cv2.INTER_AREA)
    if floats:
        stack = round_to_dtype(stack * (255 / top) if top != 255 else stack, np.uint8)
    if stack.ndim == 2:
        stack = np.repeat(stack[:, :, None], 3, axis=2)
    return np.ascontiguousarray(stack)


class RunningStack:
    """The stack after a frame, made only as far as it is asked for, and only until the next
    frame is stacked (the stacker's buffer changes in place).

    ``result()`` makes the still (the frames' type, rounded); ``stacker`` is asked for its float
    buffer when it has one (:class:`~starsweeper.model.star_trail.FloatStacker` in lighten mode:
    an average's buffer is a sum); ``top``: the frames' largest value (255 or 65535)."""

    def __init__(self, result, stacker, top):
        self._result, self.top = result, top
        buffer = stacker.buffer if isinstance(stacker, FloatStacker) and stacker.mode == "lighten" else None
        self._buffer = buffer if buffer is not None and buffer.dtype.kind == "f" else None
        self._image = None

    def image(self):
        """The still: the stack rounded to the frames' type (made once)."""
        if self._image is None:
            self._image = self._result()
        return self._image

    def scaled(self, size):
        """:func:`scaled_rgb` of the stack at ``size`` (width, height): from the float buffer when
        there is one, else from :meth:`image`."""
        if self._buffer is not None:
            return scaled_rgb(self._buffer, size, self.top)
        return scaled_rgb(self.image(), size)
