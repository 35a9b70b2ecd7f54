"""Reading and writing photo frames: PNG, JPEG and TIFF, 8 and 16 bits per channel, and camera
RAW files (read only).

Frames are numpy arrays of shape ``(height, width, channels)`` with ``channels`` 1 (grey) or 3
(RGB), dtype ``uint8`` or ``uint16``. Headers are read by Pillow. JPEG is decoded by OpenCV (the
same libjpeg-turbo pixels as Pillow, and faster across threads), 16-bit PNG and TIFF by OpenCV
too (Pillow reads 48-bit RGB as 8-bit), 8-bit PNG and TIFF by Pillow. JPEG is decoded by
simplejpeg (libjpeg-turbo, the same pixels as Pillow and OpenCV) in strict mode: whatever the
decoder calls corrupt or cut short is refused, while bytes after the end-of-image marker (which
phones write) are not data and do not matter. Truncated PNG files are recognised before
decoding, from their chunk structure. EXIF orientation is applied, so a portrait frame stacks
upright. RAW files (:data:`RAW_SUFFIXES`) are read by rawpy (LibRaw): demosaiced to 16-bit RGB
with the white balance as shot, either linear (``raw_mode="linear"``, gamma 1, the sensor's
light) or rendered as the camera would (``"camera"``, LibRaw's default BT.709 curve); never
auto-brightened, so every frame gets the same scale; LibRaw turns them upright itself. Every
problem is a :class:`FrameError` whose message is one line naming the file.
"""

from dataclasses import dataclass
import os
from pathlib import Path
import re
import struct
import tempfile
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from ..errors import UserError

__all__ = [
    "FrameError", "FrameInfo", "IMAGE_SUFFIXES", "RAW_SUFFIXES", "RAW_MODES", "ORIENTATIONS",
    "list_frames", "check_pattern", "select_frames", "order_by_time", "capture_time",
    "probe", "damaged", "read_frame", "frame_bytes", "size_text", "write_image", "check_consistent",
    "check_output_path", "check_writable_folder", "to_8bit",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
#: Camera RAW files, read through LibRaw.
RAW_SUFFIXES = (".dng", ".nef", ".cr2", ".cr3", ".arw", ".raf", ".orf", ".rw2")
#: How a RAW file becomes RGB: linear light, or the camera's rendering curve.
RAW_MODES = ("linear", "camera")

# Pillow's own limit would stop panoramas; frames here are trusted local files.
Image.MAX_IMAGE_PIXELS = None


class FrameError(UserError):
    """A problem with an input or output image, as one line naming the file."""


#: EXIF orientation -> how to turn the stored pixels upright (numpy, on (height, width, c)).
ORIENTATIONS = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],                        # mirrored left to right
    3: lambda a: a[::-1, ::-1],                     # upside down
    4: lambda a: a[::-1],                           # mirrored top to bottom
    5: lambda a: a.transpose(1, 0, 2),              # transposed
    6: lambda a: a.transpose(1, 0, 2)[:, ::-1],     # needs a quarter turn clockwise
    7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),  # transverse
    8: lambda a: a.transpose(1, 0, 2)[::-1],        # needs a quarter turn anticlockwise
}


@dataclass(frozen=True)
class FrameInfo:
    """A frame's header: ``width`` and ``height`` as it is shown (after ``orientation``)."""

    path: Path
    width: int
    height: int
    channels: int
    depth: int
    format: str  # "PNG", "JPEG", "TIFF" or "RAW"
    orientation: int = 1   # EXIF orientation, 1 to 8 (RAW: 1, LibRaw turns it)
    raw_mode: str = "linear"  # RAW only: see RAW_MODES
    damage: str | None = None  # a frame whose header cannot be read: why (see damaged())

    @property
    def mode(self):
        return f"{'grey' if self.channels == 1 else 'RGB'} {self.depth}-bit"

    @property
    def dtype(self):
        return np.uint8 if self.depth == 8 else np.uint16

    @property
    def shape(self):
        return (self.height, self.width, self.channels)


def _natural_key(name):
    """Runs of the ASCII digits 0-9 compare as numbers (other digits, like '²', are text)."""
    return [(0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part.lower())
            for part in re.split(r"([0-9]+)", name) if part]


def check_pattern(pattern):
    """Raise unless ``pattern`` names files inside the input folder."""
    if not pattern:
        raise FrameError("--glob: the pattern is empty (for example --glob '*.jpg')")
    if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
        raise FrameError(f"--glob {pattern!r}: the pattern must name files inside the input folder "
                         f"(no absolute path, no '..')")


def list_frames(directory, pattern=None, reverse=False):
    """The frame files in ``directory``, ordered by file name (digit runs compare as numbers).

    Without ``pattern`` every PNG, JPEG, TIFF and RAW file is taken (any case of suffix).
    """
    directory = Path(directory)
    if pattern is not None:
        check_pattern(pattern)
    if not directory.is_dir():
        raise FrameError(f"{directory}: not a folder")
    if pattern is None:
        paths = [p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES + RAW_SUFFIXES]
    else:
        paths = list(directory.glob(pattern))
    paths = sorted((p for p in paths if p.is_file()), key=lambda p: _natural_key(p.name))
    if not paths:
        what = f"matching {pattern!r}" if pattern else "with an image (.png .jpg .tif) or RAW (.dng .nef .cr2 ...) name"
        raise FrameError(f"{directory}: no image files {what}")
    return paths[::-1] if reverse else paths


def select_frames(paths, first=1, last=None, step=1):
    """Frames ``first`` to ``last`` (counted from 1, both included; ``last`` None is the last
    frame) of the ordered ``paths``, every ``step``-th (the numbers as
    :class:`~starsweeper.stack.settings.StackSettings` checks them: here only against the
    frames found)."""
    count = len(paths)
    last = count if last is None else last
    if first > count:
        raise FrameError(f"--first {first} is beyond the {count} frames found")
    if last > count:
        raise FrameError(f"--last {last} is beyond the {count} frames found")
    return paths[first - 1:last:step]


def capture_time(path):
    """When the frame was taken, from EXIF DateTimeOriginal (with SubSecTimeOriginal), as a
    sortable string; None when the file does not say. RAW files: LibRaw's timestamp."""
    path = Path(path)
    if path.suffix.lower() in RAW_SUFFIXES:
        try:
            import rawpy
            raw = rawpy.RawPy()
            raw.open_file(str(path))
            stamp = raw.other.timestamp
        except Exception:
            return None
        return None if stamp.timestamp() <= 0 else stamp.strftime("%Y:%m:%d %H:%M:%S")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                exif = im.getexif().get_ifd(0x8769)
    except Exception:
        return None
    when = exif.get(0x9003)          # DateTimeOriginal, "YYYY:MM:DD HH:MM:SS"
    if not isinstance(when, str) or not re.fullmatch(r"\d{4}:\d\d:\d\d \d\d:\d\d:\d\d", when.strip()):
        return None
    fraction = str(exif.get(0x9291, "")).strip()     # SubSecTimeOriginal, digits of a second
    return when.strip() + ("." + fraction if fraction.isdigit() else "")


def order_by_time(paths, warn):
    """``paths`` (in name order) sorted by capture time, equal times by name; when a file has
    none, the name order is kept and ``warn`` gets one line saying which file."""
    times = [capture_time(p) for p in paths]
    missing = [p for p, t in zip(paths, times) if t is None]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        warn(f"--order exif: {missing[0].name}{more} has no capture time (EXIF DateTimeOriginal); "
             f"ordering by name")
        return list(paths)
    return [p for _, _, p in sorted((t, i, p) for i, (p, t) in enumerate(zip(paths, times)))]


def _png_bit_depth(path):
    with open(path, "rb") as f:
        header = f.read(26)
    return header[24]


def probe(path, raw_mode="linear"):
    """Size, channels and bit depth of an image file, from its header alone."""
    path = Path(path)
    if path.suffix.lower() in RAW_SUFFIXES:
        return _probe_raw(path, raw_mode)
    try:
        # Pillow warns about damaged metadata (a cut-off TIFF, odd EXIF); the decoder names
        # real damage later, so the warnings are not printed.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                fmt, mode, (width, height) = im.format, im.mode, im.size
                orientation = _orientation(im)
                if fmt == "PNG":
                    depth = _png_bit_depth(path)
                elif fmt == "TIFF":
                    bits = im.tag_v2.get(258, (8,))
                    depth = bits[0] if isinstance(bits, tuple) else int(bits)
                else:
                    depth = 8
    except FileNotFoundError:
        raise FrameError(f"{path}: no such file") from None
    except UnidentifiedImageError:
        raise FrameError(f"{path}: not a PNG, JPEG or TIFF image (or a damaged one)") from None
    except (OSError, SyntaxError, struct.error) as e:
        raise FrameError(f"{path}: damaged image header ({_reason(e)})") from None
    if fmt not in ("PNG", "JPEG", "TIFF"):
        raise FrameError(f"{path}: {fmt} images are not supported (PNG, JPEG or TIFF)")
    if mode in ("L", "I;16", "I;16B", "I;16L", "I"):
        channels = 1
    elif mode == "RGB":
        channels = 3
    else:
        raise FrameError(f"{path}: colour mode {mode} is not supported (grey or RGB)")
    if depth not in (8, 16):
        raise FrameError(f"{path}: {depth}-bit channels are not supported (8 or 16)")
    if orientation >= 5:
        width, height = height, width
    return FrameInfo(path, width, height, channels, depth, fmt, orientation)


def _probe_raw(path, raw_mode):
    import rawpy
    if not path.exists():
        raise FrameError(f"{path}: no such file")
    raw = rawpy.RawPy()
    try:
        raw.open_file(str(path))
        sizes = raw.sizes
    except rawpy.LibRawError as e:
        raise FrameError(f"{path}: not a RAW file LibRaw can read ({_libraw_reason(e)})") from None
    finally:
        raw.close()
    width, height = sizes.width, sizes.height
    if sizes.flip in (5, 6):
        width, height = height, width
    if width < 1 or height < 1:
        raise FrameError(f"{path}: not a RAW file LibRaw can read (no image in it)")
    return FrameInfo(path, width, height, 3, 16, "RAW", 1, raw_mode)


def _libraw_reason(error):
    text = _reason(error)
    return {"b'Input/output error'": "cut short or unreadable"}.get(text, text.strip("b'\""))


def _orientation(image):
    """The EXIF orientation tag (1 when there is none or it is not 1 to 8)."""
    try:
        value = image.getexif().get(0x0112, 1)
    except Exception:       # damaged EXIF is no reason to refuse the pixels
        return 1
    return value if value in ORIENTATIONS else 1


def _reason(error):
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _check_png_complete(path):
    """Walk the PNG chunks up to IEND, so a truncated file is named before decoding it."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        offset = 8
        while True:
            f.seek(offset)
            head = f.read(8)
            if len(head) < 8:
                raise FrameError(f"{path}: truncated PNG (it ends before its IEND chunk)")
            length, kind = struct.unpack(">I4s", head)
            offset += 12 + length
            if offset > size:
                raise FrameError(f"{path}: truncated PNG (its {kind.decode('latin-1')} chunk is cut short)")
            if kind == b"IEND":
                return


def damaged(like, path, why="its header cannot be read"):
    """A stand-in header for the frame ``path``, which cannot be read: ``like``'s size and
    mode; :func:`read_frame` refuses it with ``why``."""
    from dataclasses import replace
    return replace(like, path=Path(path), damage=why)


def read_frame(info, allocate=None):
    """Decode the frame ``info`` describes, upright; the result has ``info.shape`` and
    ``info.dtype``. ``allocate(shape, dtype)``, if given, gives the memory a JPEG is decoded
    into (a :class:`~starsweeper.stack.buffers.BufferPool`'s ``take``)."""
    path = info.path
    if info.damage is not None:
        raise FrameError(f"{path}: {info.damage}")
    try:
        array = _decode(info, allocate)
    except FileNotFoundError:
        raise FrameError(f"{path}: the file is gone (deleted or moved while stacking)") from None
    except MemoryError:
        raise FrameError(f"{path}: not enough memory to decode a {info.width}x{info.height} "
                         f"{info.mode} frame ({size_text(frame_bytes(info))})") from None
    except OSError as e:
        raise FrameError(f"{path}: cannot read it ({e.strerror or _reason(e)})") from None
    if array.ndim == 2:
        array = array[:, :, None]
    array = ORIENTATIONS[info.orientation](array)
    if array.shape != info.shape or array.dtype != info.dtype:
        raise FrameError(f"{path}: decoded as {array.shape} {array.dtype}, "
                         f"but its header says {info.shape} {np.dtype(info.dtype)}")
    return array


def _decode(info, allocate=None):
    """The stored pixels (before orientation)."""
    path = info.path
    if info.format == "RAW":
        return _decode_raw(info)
    if info.format == "JPEG":
        import simplejpeg
        data = path.read_bytes()
        try:
            buffer = None if allocate is None else allocate(frame_bytes(info), np.uint8)
            return simplejpeg.decode_jpeg(data, colorspace="GRAY" if info.channels == 1 else "RGB", buffer=buffer)
        except ValueError as e:
            raise FrameError(f"{path}: damaged or truncated JPEG ({_reason(e)})") from None
    if info.depth == 8:
        try:
            with Image.open(path) as im:
                im.load()
                return np.asarray(im)
        except (SyntaxError, struct.error, ValueError) as e:
            raise FrameError(f"{path}: damaged or truncated image ({_reason(e)})") from None
        except OSError as e:
            if e.errno is not None:          # the file system's error, not the decoder's
                raise
            raise FrameError(f"{path}: damaged or truncated image ({_reason(e)})") from None
    # 16-bit PNG and TIFF: OpenCV keeps all 16 bits.
    import cv2
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    if info.format == "PNG":
        _check_png_complete(path)
    elif not path.exists():
        raise FileNotFoundError(path)
    array = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if array is None:
        raise FrameError(f"{path}: damaged or truncated image (decoder failed)")
    if array.ndim == 3:
        array = array[:, :, 2::-1]  # OpenCV's BGR to RGB, dropping any alpha
    return array


def _decode_raw(info):
    import rawpy
    path = info.path
    if not path.exists():
        raise FileNotFoundError(path)
    gamma = (1, 1) if info.raw_mode == "linear" else (2.222, 4.5)
    try:
        with rawpy.imread(str(path)) as raw:
            # One brightness scale for every frame: no auto-brightening, and no per-frame
            # maximum (LibRaw by default lowers the white point to a frame's brightest pixel
            # when that lies within 75% of the sensor's maximum, so a frame with a bright star
            # would decode its whole sky a few percent brighter than its neighbours).
            return raw.postprocess(use_camera_wb=True, output_bps=16, no_auto_bright=True,
                                   adjust_maximum_thr=0.0, gamma=gamma)
    except rawpy.LibRawError as e:
        raise FrameError(f"{path}: damaged or truncated RAW file ({_libraw_reason(e)})") from None


def frame_bytes(info):
    """Bytes of one decoded frame."""
    return info.width * info.height * info.channels * (info.depth // 8)


def size_text(size):
    return f"{size / 2**30:.1f} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"


def check_consistent(infos):
    """Raise naming the first frame whose size or colour mode differs from the first frame's."""
    first = infos[0]
    for info in infos[1:]:
        if info.orientation != first.orientation:
            raise FrameError(f"{info.path}: EXIF orientation {info.orientation}, but the first frame "
                             f"{first.path.name} has {first.orientation} (the camera turned between frames)")
        if (info.width, info.height) != (first.width, first.height):
            raise FrameError(f"{info.path}: {info.width}x{info.height} pixels, but the first frame "
                             f"{first.path.name} is {first.width}x{first.height}")
        if (info.channels, info.depth) != (first.channels, first.depth):
            raise FrameError(f"{info.path}: {info.mode}, but the first frame "
                             f"{first.path.name} is {first.mode}")


def check_output_path(path):
    """Raise naming the problem if ``path`` cannot take an image: an unknown suffix, a missing
    or read-only folder, or a folder in its place."""
    path = Path(path)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise FrameError(f"{path}: unknown output format (use .png, .tif or .jpg)")
    if not path.parent.is_dir():
        raise FrameError(f"{path}: folder {path.parent} does not exist")
    if path.is_dir():
        raise FrameError(f"{path}: is a folder")
    check_writable_folder(path.parent)


def check_writable_folder(folder):
    """Raise unless files can be made in ``folder`` (an existing folder, or one that can be made
    in its nearest existing parent): before any work, so that a read-only file system or a file
    in the way is found before the work, not after it."""
    folder = Path(folder)
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        where = "" if existing == folder else f"{existing} "
        raise FrameError(f"{folder}: {where}is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise FrameError(f"{folder}: cannot write in {existing} (read-only file system or no permission)")


def write_image(path, array, jpeg_quality=95, before_commit=None, metadata=None):
    """Write ``array`` atomically: to a temporary file beside ``path``, then rename.
    ``before_commit()``, if given, runs between the two: if it raises, nothing is renamed.

    PNG and TIFF keep the array's depth (8 or 16 bits); JPEG is 8-bit, so 16-bit data is
    scaled down to it. ``metadata`` (a :class:`~starsweeper.stack.metadata.Metadata`): its ICC
    profile and EXIF go into the file, in every format and depth.
    """
    path = Path(path)
    check_output_path(path)
    suffix = path.suffix.lower()
    array = np.ascontiguousarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if suffix in (".jpg", ".jpeg"):
        array = to_8bit(array)
    data = _encode(array, suffix, jpeg_quality, metadata)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        if before_commit is not None:
            before_commit()
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def to_8bit(array):
    """16-bit pixels as 8-bit, rounded to nearest (8-bit ones as they are)."""
    if array.dtype != np.uint16:
        return array
    return ((array.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)


def _encode(array, suffix, jpeg_quality, metadata=None):
    from .metadata import Metadata, png_with_metadata, tiff_bytes
    metadata = metadata or Metadata()
    if suffix not in (".jpg", ".jpeg", ".png"):
        return tiff_bytes(array, metadata)
    if array.dtype == np.uint16:                      # PNG: Pillow writes no 16-bit RGB
        import cv2
        bgr = array[:, :, ::-1] if array.ndim == 3 else array
        ok, buffer = cv2.imencode(".png", np.ascontiguousarray(bgr), [cv2.IMWRITE_PNG_COMPRESSION, 1])
        if not ok:
            raise FrameError("could not encode a 16-bit PNG image")
        return png_with_metadata(buffer.tobytes(), metadata)
    import io
    image = Image.fromarray(array)
    out = io.BytesIO()
    extra = {key: value for key, value in (("icc_profile", metadata.icc), ("exif", metadata.exif)) if value}
    if suffix in (".jpg", ".jpeg"):
        image.save(out, format="JPEG", quality=jpeg_quality, **extra)
    else:
        image.save(out, format="PNG", compress_level=1, **extra)  # fast; 1.3x the size of level 6
    return out.getvalue()
