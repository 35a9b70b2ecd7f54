"""The master dark of a folder of dark frames, in bounded memory.

The per-pixel median (:func:`starsweeper.model.dark_frame.master_dark`) needs every dark's value
of a pixel at once. Holding all the darks would take their number times a frame; instead each
dark is decoded once (in threads) into one file on disk, a dark after another, and the median
is taken a band of rows at a time over all of them: memory is the band (at most
:data:`BAND_BYTES` of input) and the master itself, whatever the number of darks. The spill
file lives in the system's temporary folder (``TMPDIR``) and is removed at the end, on an
error or on Ctrl-C too.

Hot pixels (``hot_sigma``) are then found in the master (:class:`HotPixels`) and replaced in
it and in every frame as :func:`starsweeper.model.dark_frame.replace_pixels` does, vectorised.
"""

from concurrent.futures import ThreadPoolExecutor
import os
import tempfile

import numpy as np

from ..model.dark_frame import hot_pixel_mask
from ..model.star_trail import round_to_dtype
from .frames import FrameError, probe, read_frame, size_text

__all__ = ["BAND_BYTES", "Calibration", "HotPixels", "build_calibration", "build_master_dark"]

#: Input bytes of one band of the median (all darks' rows of the band together).
BAND_BYTES = 64 << 20


def _check_like(info, frame):
    if (info.width, info.height) != (frame.width, frame.height):
        raise FrameError(f"{info.path}: the dark is {info.width}x{info.height}, but the frames are "
                         f"{frame.width}x{frame.height} (darks must be taken with the same camera settings)")
    if (info.channels, info.depth) != (frame.channels, frame.depth):
        raise FrameError(f"{info.path}: the dark is {info.mode}, but the frames are {frame.mode}")


class HotPixels:
    """Where the hot pixels are, and their replacement by their neighbours' median in an image
    (:func:`starsweeper.model.dark_frame.replace_pixels` on this mask, vectorised)."""

    def __init__(self, mask):
        self.rows, self.cols, self.channels = np.nonzero(mask)

    def __len__(self):
        return len(self.rows)

    def replace(self, image):
        """``image`` with the hot pixels replaced (a new array; ``image`` is not changed)."""
        out = image.copy()
        if not len(self):
            return out
        rows, cols, channels = self.rows, self.cols, self.channels
        padded = np.pad(image.astype(np.float64), ((1, 1), (1, 1), (0, 0)), constant_values=np.nan)
        around = np.stack([padded[rows + 1 + dr, cols + 1 + dc, channels]
                           for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)])
        lonely = np.isnan(around).all(axis=0)          # a 1x1 frame: no neighbour, keep the value
        around[:, lonely] = image[rows, cols, channels][lonely]
        out[rows, cols, channels] = round_to_dtype(np.nanmedian(around, axis=0), image.dtype)
        return out


class Calibration:
    """What dark frames give the stack: the master dark, and the hot pixels (None without
    ``--hot-pixels``) already replaced in it, to be replaced in each frame by :meth:`prepare`."""

    def __init__(self, dark, hot=None):
        self.dark, self.hot = dark, hot

    def prepare(self, frame):
        """A frame ready for the subtraction: its hot pixels replaced."""
        return frame if self.hot is None else self.hot.replace(frame)


def build_calibration(paths, frame, hot_sigma=None, workers=1, progress=None):
    """The :class:`Calibration` of the dark files ``paths`` for frames like ``frame``
    (``hot_sigma`` as :class:`~starsweeper.stack.settings.StackSettings` checks it)."""
    dark = build_master_dark(paths, frame, workers, progress)
    if hot_sigma is None:
        return Calibration(dark)
    hot = HotPixels(hot_pixel_mask(dark, hot_sigma))
    return Calibration(hot.replace(dark), hot)


def build_master_dark(paths, frame, workers=1, progress=None, band_bytes=BAND_BYTES):
    """The master dark of the dark files ``paths`` for frames like ``frame`` (a
    :class:`~starsweeper.stack.frames.FrameInfo`); raises :class:`FrameError` naming a dark of
    another size or mode, or a damaged one, before reading any pixels of the others."""
    if not paths:
        raise FrameError("--darks: the folder has no dark frames")
    infos = [probe(p, frame.raw_mode) for p in paths]
    for info in infos:
        _check_like(info, frame)
    shape, dtype = frame.shape, frame.dtype
    fd, spill = tempfile.mkstemp(prefix="starsweeper-darks-", suffix=".raw")
    try:
        # The spill file's blocks, taken now: a memory map onto a file system that fills up
        # later would end the process with SIGBUS, not an error.
        size = len(infos) * int(np.prod(shape)) * np.dtype(dtype).itemsize
        try:
            os.posix_fallocate(fd, 0, size)
        except OSError as e:
            raise FrameError(f"--darks: no room for the darks' spill file of {size_text(size)} in "
                             f"{os.path.dirname(spill)} ({e.strerror}; TMPDIR names another folder)") from None
        finally:
            os.close(fd)
        stack = np.memmap(spill, dtype=dtype, mode="w+", shape=(len(infos), *shape))

        def decode(k):
            stack[k] = read_frame(infos[k])
            if progress is not None:
                progress(1)

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for future in [pool.submit(decode, k) for k in range(len(infos))]:
                future.result()
        row_bytes = len(infos) * shape[1] * shape[2] * np.dtype(dtype).itemsize
        band = max(1, band_bytes // row_bytes)
        master = np.empty(shape, dtype=dtype)
        for top in range(0, shape[0], band):
            master[top:top + band] = round_to_dtype(np.median(stack[:, top:top + band], axis=0), dtype)
    finally:
        os.unlink(spill)
    return master
