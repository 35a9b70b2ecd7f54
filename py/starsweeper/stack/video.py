"""The time-lapse of the growing trail: the running stack as an H.264 video, through PyAV.

PyAV's wheel brings FFmpeg and libx264, so no ffmpeg program is needed. Frames are encoded in a
thread of their own behind a queue of two, so encoding overlaps the stacking and memory holds
at most three video frames.

Colour: the frames are converted from RGB with the BT.709 matrix to limited-range (16-235)
YUV 4:2:0, and the stream and the container say so (BT.709 matrix, primaries and transfer,
limited range), so that players that take HD video as BT.709 show the colours of the still.
``crf`` 0 is lossless in YUV 4:2:0: the colour planes keep a quarter of the pixels, so the
video is not the RGB still bit for bit even then. The video is written to a hidden file beside its name
(:meth:`VideoWriter.finish`) and renamed by :meth:`VideoWriter.commit` once the still is written
too; :meth:`VideoWriter.abort` removes it, so an interrupted run leaves no half video.
"""

from pathlib import Path
import os
import queue
import tempfile
import threading

import numpy as np

from .frames import FrameError, check_writable_folder, to_8bit

__all__ = ["VIDEO_SUFFIXES", "VideoSettings", "VideoWriter", "video_size", "to_video_rgb"]

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv")
#: libx264's constant rate factor: 0 is lossless (in YUV 4:2:0), 51 the worst; 18 looks lossless.
CRF_RANGE = (0, 51)
#: Frames a second: from one every 100 seconds to a thousand a second (the stream's rate is the
#: rational number with a denominator of at most 1001 nearest to it).
FPS_RANGE = (0.01, 1000.0)
#: libx264's preset: "veryfast" encodes a 1080p frame in a few tens of milliseconds here, where
#: "medium" took over a hundred, at the same quality (crf) for a slightly larger file.
PRESET = "veryfast"


class VideoSettings:
    """What the video is to be: checked as it is made, so that bad settings are found before
    any stacking."""

    def __init__(self, path, fps=24.0, crf=18, every=1, width=None):
        path = Path(path)
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            raise FrameError(f"--video {path}: unknown video format (use .mp4, .mov or .mkv)")
        if not path.parent.is_dir():
            raise FrameError(f"--video {path}: folder {path.parent} does not exist")
        if path.is_dir():
            raise FrameError(f"--video {path}: is a folder")
        check_writable_folder(path.parent)
        if not (isinstance(fps, (int, float)) and FPS_RANGE[0] <= fps <= FPS_RANGE[1]):
            raise FrameError(f"--fps must be a number of frames per second from {FPS_RANGE[0]:g} to "
                             f"{FPS_RANGE[1]:g}, not {fps!r}")
        if isinstance(crf, bool) or not isinstance(crf, int) or not CRF_RANGE[0] <= crf <= CRF_RANGE[1]:
            raise FrameError(f"--crf must be a whole number from {CRF_RANGE[0]} (lossless) to "
                             f"{CRF_RANGE[1]}, not {crf!r}")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise FrameError(f"--video-every must be a whole number of at least 1, not {every!r}")
        if width is not None and (isinstance(width, bool) or not isinstance(width, int) or width < 2):
            raise FrameError(f"--video-scale must be a width of at least 2 pixels, not {width!r}")
        self.path, self.fps, self.crf, self.every, self.width = path, fps, crf, every, width


def video_size(width, height, scale_width=None):
    """The video's size for frames of ``width`` x ``height``: scaled to ``scale_width`` (never
    up), the aspect kept, both even (yuv420p halves the colour planes)."""
    if scale_width is not None and scale_width < width:
        height = max(2, round(height * scale_width / width))
        width = scale_width
    return max(2, width - width % 2), max(2, height - height % 2)


def to_video_rgb(image, size):
    """A stack image (grey or RGB, 8 or 16 bits) as the video's 8-bit RGB frame of ``size``
    (width, height): 16 bits rounded to 8, scaled by area averaging, an odd last row or column
    dropped."""
    import cv2
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    image = to_8bit(image)
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    width, height = size
    if (image.shape[1], image.shape[0]) != (width, height):
        if image.shape[1] - width <= 1 and image.shape[0] - height <= 1:
            image = image[:height, :width]
        else:
            image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image)


class VideoWriter:
    """Encodes stack images as the video ``settings`` describe, for frames of ``width`` x
    ``height``."""

    def __init__(self, settings, width, height):
        import av
        self.settings = settings
        self.size = video_size(width, height, settings.width)
        path = settings.path
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent)
        os.close(fd)
        self.frames = 0
        self.error = None
        try:
            from av.video.reformatter import ColorPrimaries, ColorRange, ColorTrc, Colorspace
            self.container = av.open(self.tmp, "w")
            from fractions import Fraction
            stream = self.container.add_stream("libx264", rate=Fraction(settings.fps).limit_denominator(1001))
            stream.width, stream.height = self.size
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": str(settings.crf), "preset": PRESET}
            codec = stream.codec_context
            codec.colorspace, codec.color_range = Colorspace.ITU709, ColorRange.MPEG
            codec.color_primaries, codec.color_trc = ColorPrimaries.BT709, ColorTrc.BT709
            self.colour = dict(format="yuv420p", dst_colorspace=Colorspace.ITU709,
                               dst_color_range=ColorRange.MPEG, dst_color_primaries=ColorPrimaries.BT709,
                               dst_color_trc=ColorTrc.BT709)
            self.stream = stream
        except BaseException:
            self._remove()
            raise
        self.queue = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._encode_all, name="video encoder", daemon=True)
        self.thread.start()

    def add(self, k, image):
        """Queue the stack image after frame ``k`` (waits while two are queued)."""
        if self.error is not None:
            raise self.error
        self.queue.put(image)
        self.frames += 1

    def _encode_all(self):
        import av
        try:
            while True:
                image = self.queue.get()
                if image is None:
                    break
                frame = av.VideoFrame.from_ndarray(to_video_rgb(image, self.size), format="rgb24")
                frame = frame.reformat(**self.colour)
                for packet in self.stream.encode(frame):
                    self.container.mux(packet)
            for packet in self.stream.encode():
                self.container.mux(packet)
        except BaseException as e:          # reported by add() or close()
            self.error = FrameError(f"--video {self.settings.path}: encoding failed ({e})")
            while self.queue.get() is not None:   # let add() and close() go on
                pass

    def finish(self):
        """Encode what is queued and close the file, still under its hidden name."""
        self.queue.put(None)
        self.thread.join()
        self.container.close()
        if self.error is not None:
            raise self.error

    def commit(self):
        """Give the finished video its name."""
        os.chmod(self.tmp, 0o644)
        os.replace(self.tmp, self.settings.path)

    def abort(self):
        """Stop and leave nothing behind."""
        try:
            while True:
                self.queue.get_nowait()
        except queue.Empty:
            pass
        self.queue.put(None)
        self.thread.join(timeout=10)
        try:
            self.container.close()
        except BaseException:
            pass
        self._remove()

    def _remove(self):
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass
