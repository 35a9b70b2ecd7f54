"""The time-lapse of the growing trail: the running stack as an H.264 video, through PyAV.

PyAV's wheel brings FFmpeg and libx264, so no ffmpeg program is needed. Each frame is the
running stack scaled to the video's size and converted to YUV 4:2:0
(:meth:`~starsweeper.stack.running.RunningStack.scaled_yuv420`), made as it is handed over,
before the next frame changes the stack; the frames are encoded in a thread of their own
behind a queue of two, so encoding overlaps the stacking and memory holds at most three video
frames. libx264's preset is ``ultrafast`` unless told (:data:`PRESETS`): the video then costs
least, for a file about twice the size "veryfast" makes.

Colour: the frames are converted with the BT.709 matrix to limited-range (16-235) YUV 4:2:0
(from the stack's floats, by OpenCV: FFmpeg's converter took three times as long), and the
stream and the container say so (BT.709 matrix, primaries and transfer, limited range), so that
players that take HD video as BT.709 show the colours of the still. ``crf`` 0 is lossless in
YUV 4:2:0: the colour planes keep a quarter of the pixels, so the video is not the RGB still
bit for bit even then. The video is written to a hidden file beside its name
(:meth:`VideoWriter.finish`) and renamed by :meth:`VideoWriter.commit` once the still is
written too; :meth:`VideoWriter.abort` removes it, so an interrupted run leaves no half video.
"""

from pathlib import Path
import os
import queue
import tempfile
import threading

from .frames import FrameError, check_writable_folder

__all__ = ["PRESETS", "VIDEO_SUFFIXES", "VideoSettings", "VideoWriter", "video_size"]

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv")
#: libx264's constant rate factor: 0 is lossless (in YUV 4:2:0), 51 the worst; 18 looks lossless.
CRF_RANGE = (0, 51)
#: Frames a second: from one every 100 seconds to a thousand a second (the stream's rate is the
#: rational number with a denominator of at most 1001 nearest to it).
FPS_RANGE = (0.01, 1000.0)
#: libx264's presets, fastest first: a slower one makes a smaller file at the same quality (crf).
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
#: The default: "ultrafast" encodes a 1280x960 frame in a few milliseconds here, where "veryfast"
#: took three times as long for a file half the size (docs/star-trails.md has the measures).
PRESET = "ultrafast"


class VideoSettings:
    """What the video is to be: checked as it is made, so that bad settings are found before
    any stacking."""

    def __init__(self, path, fps=24.0, crf=18, every=1, width=None, preset=PRESET):
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
        if preset not in PRESETS:
            raise FrameError(f"--video-preset must be one of {', '.join(PRESETS)}, not {preset!r}")
        self.path, self.fps, self.crf, self.every, self.width = path, fps, crf, every, width
        self.preset = preset


def video_size(width, height, scale_width=None):
    """The video's size for frames of ``width`` x ``height``: scaled to ``scale_width`` (never
    up), the aspect kept, both even (yuv420p halves the colour planes)."""
    if scale_width is not None and scale_width < width:
        height = max(2, round(height * scale_width / width))
        width = scale_width
    return max(2, width - width % 2), max(2, height - height % 2)


class VideoWriter:
    """Encodes stack images as the video ``settings`` describe, for frames of ``width`` x
    ``height``."""

    def __init__(self, settings, width, height):
        self.settings = settings
        self.size = video_size(width, height, settings.width)
        path = settings.path
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent)
        os.close(fd)
        self.frames = 0
        self.error = None
        self.container = None               # opened by the encoder's thread
        self.queue = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._encode_all, name="video encoder", daemon=True)
        self.thread.start()

    def add(self, k, stack):
        """Queue the running stack after frame ``k`` (a
        :class:`~starsweeper.stack.running.RunningStack`), scaled to the video's size here, while
        it is the stack (waits while two are queued)."""
        if self.error is not None:
            raise self.error
        self.queue.put(stack.scaled_yuv420(self.size))
        self.frames += 1

    def _open(self):
        """The container and its stream. In the encoder's thread: PyAV takes a tenth of a second
        to import, which the first frames' decoding hides."""
        import av
        from fractions import Fraction
        from av.video.reformatter import ColorPrimaries, ColorRange, ColorTrc, Colorspace
        settings = self.settings
        self.container = av.open(self.tmp, "w")
        stream = self.container.add_stream("libx264", rate=Fraction(settings.fps).limit_denominator(1001))
        stream.width, stream.height = self.size
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(settings.crf), "preset": settings.preset}
        codec = stream.codec_context
        codec.colorspace, codec.color_range = Colorspace.ITU709, ColorRange.MPEG
        codec.color_primaries, codec.color_trc = ColorPrimaries.BT709, ColorTrc.BT709
        return stream

    def _encode_all(self):
        try:
            stream = self._open()
            import av
            from av.video.reformatter import ColorRange, Colorspace
            while True:
                planes = self.queue.get()
                if planes is None:
                    break
                frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
                frame.colorspace, frame.color_range = Colorspace.ITU709, ColorRange.MPEG
                for packet in stream.encode(frame):
                    self.container.mux(packet)
            for packet in stream.encode():
                self.container.mux(packet)
        except BaseException as e:          # reported by add() or close()
            self.error = FrameError(f"--video {self.settings.path}: encoding failed ({e})")
            while self.queue.get() is not None:   # let add() and close() go on
                pass

    def finish(self):
        """Encode what is queued and close the file, still under its hidden name."""
        self.queue.put(None)
        self.thread.join()
        if self.container is not None:
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
            if self.container is not None:
                self.container.close()
        except BaseException:
            pass
        self._remove()

    def _remove(self):
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass
