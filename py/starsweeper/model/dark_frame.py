"""Reference model of dark-frame calibration: the master dark, its hot pixels, and the subtraction.

A dark frame is taken with the lens capped, at the lights' exposure and temperature: it holds the
sensor's thermal signal and its hot pixels, which a star-trail stack would otherwise draw as
straight lines. Per pixel and channel:

* the **master dark** is the median of the darks, rounded half up to the frames' integer type
  (an even count's median is the mean of its two middle values);
* a **hot pixel** of the master dark is one above ``median + sigma * s`` of its channel, where
  ``s = max(1.4826 * MAD, 1)``: the median absolute deviation scaled to a normal distribution's
  sigma, so that a few hot pixels do not move the threshold, and at least one unit, so that a
  flat dark (MAD 0) does not call its every brighter pixel hot. At each hot pixel, the master
  dark *and every frame* take the median of the pixel's eight neighbours (those inside the
  frame; in the image itself, as it was), rounded half up: so the hot pixel leaves the stack,
  where subtracting it would leave a black hole wherever it saturates and a trail passes, and
  keeping it would draw it. Both replacements happen before the subtraction, so the hardware's
  stage still only subtracts;
* **calibration** is ``max(frame - dark, 0)``: a saturating subtraction, exact in integers, so
  the float model, the fixed-point model and the hardware stage
  (:class:`starsweeper.gateware.dark_subtract.DarkSubtract`) agree bit for bit.
"""

import numpy as np

from .star_trail import round_to_dtype

__all__ = ["MAD_TO_SIGMA", "master_dark", "hot_pixel_mask", "replace_pixels", "replace_hot_pixels",
           "subtract_dark"]

#: The median absolute deviation of a normal distribution is 1 / 1.4826 of its sigma.
MAD_TO_SIGMA = 1.4826


def master_dark(darks):
    """The per-pixel median of a sequence of equal-shape integer arrays, in their type."""
    darks = [np.asarray(d) for d in darks]
    if not darks:
        raise ValueError("no dark frames")
    stack = np.stack(darks)
    return round_to_dtype(np.median(stack, axis=0), darks[0].dtype)


def hot_pixel_mask(dark, sigma):
    """The hot pixels of a ``(height, width, channels)`` master dark, per channel."""
    dark = np.asarray(dark, dtype=np.float64)
    median = np.median(dark, axis=(0, 1), keepdims=True)
    mad = np.median(np.abs(dark - median), axis=(0, 1), keepdims=True)
    return dark > median + sigma * np.maximum(MAD_TO_SIGMA * mad, 1.0)


def _neighbour_median(dark, r, c, ch):
    h, w = dark.shape[:2]
    values = [dark[rr, cc, ch] for rr in range(r - 1, r + 2) for cc in range(c - 1, c + 2)
              if (rr, cc) != (r, c) and 0 <= rr < h and 0 <= cc < w]
    return np.median(values) if values else dark[r, c, ch]


def replace_pixels(image, mask):
    """``image`` with each pixel of ``mask`` replaced by the median of its neighbours in the
    image as it was (a replaced value never feeds another's)."""
    image = np.asarray(image)
    out = image.copy()
    for r, c, ch in zip(*np.nonzero(mask)):
        out[r, c, ch] = round_to_dtype(_neighbour_median(image, r, c, ch), image.dtype)
    return out


def replace_hot_pixels(dark, sigma):
    """``dark`` with its hot pixels (:func:`hot_pixel_mask`) replaced (:func:`replace_pixels`)."""
    return replace_pixels(dark, hot_pixel_mask(dark, sigma))


def subtract_dark(frame, dark):
    """``max(frame - dark, 0)`` per pixel and channel, in the frame's type."""
    frame = np.asarray(frame)
    dark = np.asarray(dark)
    if frame.shape != dark.shape:
        raise ValueError(f"dark shape {dark.shape} differs from the frame's {frame.shape}")
    return np.where(frame > dark, frame - dark, 0).astype(frame.dtype)
