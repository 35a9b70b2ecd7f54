"""Reading and writing photo frames: PNG, JPEG and TIFF, 8 and 16 bits per channel.

Frames are numpy arrays of shape ``(height, width, channels)`` with ``channels`` 1 (grey) or 3
(RGB), dtype ``uint8`` or ``uint16``. Headers are read by Pillow. JPEG is decoded by OpenCV (the
same libjpeg-turbo pixels as Pillow, and faster across threads), 16-bit PNG and TIFF by OpenCV
too (Pillow reads 48-bit RGB as 8-bit), 8-bit PNG and TIFF by Pillow. Truncated PNG and JPEG
files are recognised before decoding, from their chunk structure and end marker. Every problem is a :class:`FrameError` whose
message is one line naming the file.
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

__all__ = [
    "FrameError", "FrameInfo", "IMAGE_SUFFIXES", "list_frames", "probe", "read_frame",
    "write_image", "check_consistent", "check_output_path",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

# Pillow's own limit would stop panoramas; frames here are trusted local files.
Image.MAX_IMAGE_PIXELS = None


class FrameError(Exception):
    """A problem with an input or output image, as one line naming the file."""


@dataclass(frozen=True)
class FrameInfo:
    path: Path
    width: int
    height: int
    channels: int
    depth: int
    format: str  # "PNG", "JPEG" or "TIFF"

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
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def list_frames(directory, pattern=None, reverse=False):
    """The frame files in ``directory``, ordered by file name (digit runs compare as numbers).

    Without ``pattern`` every PNG, JPEG and TIFF file is taken (any case of suffix).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FrameError(f"{directory}: not a folder")
    if pattern is None:
        paths = [p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES]
    else:
        paths = list(directory.glob(pattern))
    paths = sorted((p for p in paths if p.is_file()), key=lambda p: _natural_key(p.name))
    if not paths:
        what = f"matching {pattern!r}" if pattern else "with a .png, .jpg, .jpeg, .tif or .tiff name"
        raise FrameError(f"{directory}: no image files {what}")
    return paths[::-1] if reverse else paths


def _png_bit_depth(path):
    with open(path, "rb") as f:
        header = f.read(26)
    return header[24]


def probe(path):
    """Size, channels and bit depth of an image file, from its header alone."""
    path = Path(path)
    try:
        # Pillow warns about damaged metadata (a cut-off TIFF, odd EXIF); the decoder names
        # real damage later, so the warnings are not printed.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                fmt, mode, (width, height) = im.format, im.mode, im.size
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
    return FrameInfo(path, width, height, channels, depth, fmt)


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


def _check_jpeg_complete(path):
    """A whole JPEG ends with its EOI marker (FF D9), give or take trailing padding."""
    with open(path, "rb") as f:
        f.seek(max(0, os.path.getsize(path) - 4096))
        tail = f.read().rstrip(b"\x00\r\n ")
    if not tail.endswith(b"\xff\xd9"):
        raise FrameError(f"{path}: truncated JPEG (no end-of-image marker)")


def read_frame(info):
    """Decode the frame ``info`` describes; the result has ``info.shape`` and ``info.dtype``."""
    path = info.path
    if info.depth == 8 and info.format != "JPEG":
        try:
            with Image.open(path) as im:
                im.load()
                array = np.asarray(im)
        except (OSError, SyntaxError, struct.error, ValueError) as e:
            raise FrameError(f"{path}: damaged or truncated image ({_reason(e)})") from None
    else:
        # JPEG (faster in OpenCV, same libjpeg-turbo pixels as Pillow) and 16-bit PNG and TIFF.
        import cv2
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
        if info.format == "PNG":
            _check_png_complete(path)
        elif info.format == "JPEG":
            _check_jpeg_complete(path)
        array = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        if array is None:
            raise FrameError(f"{path}: damaged or truncated image (decoder failed)")
        if array.ndim == 3:
            array = array[:, :, 2::-1]  # OpenCV's BGR to RGB, dropping any alpha
    if array.ndim == 2:
        array = array[:, :, None]
    if array.shape != info.shape or array.dtype != info.dtype:
        raise FrameError(f"{path}: decoded as {array.shape} {array.dtype}, "
                         f"but its header says {info.shape} {np.dtype(info.dtype)}")
    return array


def check_consistent(infos):
    """Raise naming the first frame whose size or colour mode differs from the first frame's."""
    first = infos[0]
    for info in infos[1:]:
        if (info.width, info.height) != (first.width, first.height):
            raise FrameError(f"{info.path}: {info.width}x{info.height} pixels, but the first frame "
                             f"{first.path.name} is {first.width}x{first.height}")
        if (info.channels, info.depth) != (first.channels, first.depth):
            raise FrameError(f"{info.path}: {info.mode}, but the first frame "
                             f"{first.path.name} is {first.mode}")


def check_output_path(path):
    """Raise naming the problem if ``path`` cannot take an image: an unknown suffix, a missing
    folder, or a folder in its place."""
    path = Path(path)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise FrameError(f"{path}: unknown output format (use .png, .tif or .jpg)")
    if not path.parent.is_dir():
        raise FrameError(f"{path}: folder {path.parent} does not exist")
    if path.is_dir():
        raise FrameError(f"{path}: is a folder")


def write_image(path, array, jpeg_quality=95):
    """Write ``array`` atomically: to a temporary file beside ``path``, then rename.

    PNG and TIFF keep the array's depth (8 or 16 bits); JPEG is 8-bit, so 16-bit data is
    scaled down to it.
    """
    path = Path(path)
    check_output_path(path)
    suffix = path.suffix.lower()
    array = np.ascontiguousarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if suffix in (".jpg", ".jpeg") and array.dtype == np.uint16:
        array = ((array.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    data = _encode(array, suffix, jpeg_quality)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _encode(array, suffix, jpeg_quality):
    if array.dtype == np.uint16:
        import cv2
        bgr = array[:, :, ::-1] if array.ndim == 3 else array
        ext = ".png" if suffix == ".png" else ".tif"
        ok, buffer = cv2.imencode(ext, np.ascontiguousarray(bgr))
        if not ok:
            raise FrameError(f"could not encode a 16-bit {ext} image")
        return buffer.tobytes()
    import io
    image = Image.fromarray(array)
    out = io.BytesIO()
    if suffix in (".jpg", ".jpeg"):
        image.save(out, format="JPEG", quality=jpeg_quality)
    elif suffix == ".png":
        image.save(out, format="PNG", compress_level=1)  # fast; 1.3x the size of level 6
    else:
        image.save(out, format="TIFF", compression="tiff_deflate")
    return out.getvalue()
