"""What a stack carries of its frames: the first frame's ICC profile and EXIF, in every output.

* The ICC profile says how to show the pixels: the first frame's, as it is (a camera's sRGB or
  Adobe RGB, say); a RAW stack's is written here, because LibRaw gives none: linear-light sRGB
  (:func:`linear_srgb_icc`, the sRGB primaries and white with a transfer curve of gamma 1.0)
  for ``--raw-mode linear``, whose pixels are linear, so that a colour-managed viewer does not
  show them far too dark; sRGB for ``--raw-mode camera``.
* The EXIF is the first frame's (camera, lens, exposure, its capture time), with the
  orientation reset to 1 (the pixels are upright: :mod:`.frames` turned every frame) and the
  software set to starsweeper; of a TIFF frame's first directory only the tags that describe
  the picture, not its storage. A RAW frame's capture time, where it has one.

:func:`frame_metadata` reads them from the first frame; ``frames.write_image`` writes them: with
Pillow for 8-bit PNG and JPEG, as chunks added to OpenCV's 16-bit PNG, and for TIFF through a
TIFF directory of its own (:func:`tiff_bytes`), as Pillow cannot write 16-bit RGB TIFF.
"""

from dataclasses import dataclass
import io
import struct
import warnings
import zlib

__all__ = ["Metadata", "frame_metadata", "linear_srgb_icc", "srgb_icc", "exif_for_output",
           "png_with_metadata", "tiff_bytes", "read_back"]

ORIENTATION, SOFTWARE_TAG, DATETIME, EXIF_IFD, DATETIME_ORIGINAL = 0x0112, 0x0131, 0x0132, 0x8769, 0x9003
#: The tags of a TIFF's first directory that describe the picture (the rest describe how it is
#: stored, and are the output's own): kept from a TIFF frame.
PICTURE_TAGS = {270, 271, 272, 282, 283, 296, 306, 315, 33432, EXIF_IFD, 0x8825}


def _software():
    from .. import __version__
    return f"starsweeper {__version__}"


@dataclass(frozen=True)
class Metadata:
    """An output's ICC profile and EXIF (a TIFF-structured block, as Pillow's ``Exif.tobytes``
    makes it), either None."""

    icc: bytes | None = None
    exif: bytes | None = None


def _s15(value):
    return struct.pack(">i", round(value * 65536))


def _xyz(x, y, z):
    return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)


def _text_description(text):
    ascii_ = text.encode("ascii") + b"\0"
    return b"desc\0\0\0\0" + struct.pack(">I", len(ascii_)) + ascii_ + b"\0" * 12 + b"\0" * 67


def _icc(description, curve):
    """An ICC v2 display profile of the sRGB primaries and white (as the PCS's D50 sees them,
    Bradford-adapted) and the transfer ``curve`` (a curveType tag) for all three channels."""
    tags = [
        (b"desc", _text_description(description)),
        (b"cprt", b"text\0\0\0\0No copyright, use freely\0"),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(0.4360747, 0.2225045, 0.0139322)),
        (b"gXYZ", _xyz(0.3850649, 0.7168786, 0.0971045)),
        (b"bXYZ", _xyz(0.1430804, 0.0606169, 0.7141733)),
        (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
    ]
    table_size = 4 + 12 * len(tags)
    offset, table, data = 128 + table_size, b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = 128 + table_size + len(data)
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntrRGB XYZ "
              + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 24
              + struct.pack(">I", 0) + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def linear_srgb_icc():
    """Linear-light sRGB: the sRGB primaries and white, a transfer curve of gamma 1.0 (a
    curveType of no points is the identity)."""
    return _icc("Linear sRGB (starsweeper)", b"curv\0\0\0\0" + struct.pack(">I", 0))


def srgb_icc():
    """sRGB, as LittleCMS makes it."""
    from PIL import ImageCms
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def exif_for_output(exif=None, capture_time=None):
    """A frame's EXIF (a Pillow ``Exif``, or None for none) made the output's: orientation 1,
    the software starsweeper, a TIFF frame's storage tags left out; ``capture_time`` (EXIF's
    text) as the original time when the EXIF has none. Returns the TIFF-structured bytes."""
    from PIL import Image
    out = Image.Exif()
    if exif is not None:
        for tag, value in exif.items():
            if tag in PICTURE_TAGS and tag not in (EXIF_IFD, 0x8825):
                out[tag] = value
        for ifd in (EXIF_IFD, 0x8825):
            inner = exif.get_ifd(ifd)
            if inner:
                out.get_ifd(ifd).update(inner)
    out[ORIENTATION] = 1
    out[SOFTWARE_TAG] = _software()
    if capture_time and DATETIME_ORIGINAL not in out.get_ifd(EXIF_IFD):
        out.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = capture_time
    return out.tobytes()


def frame_metadata(info):
    """The :class:`Metadata` a stack whose first frame is ``info`` (a
    :class:`~starsweeper.stack.frames.FrameInfo`) carries."""
    from PIL import Image
    if info.format == "RAW":
        from .frames import capture_time
        when = capture_time(info.path)                   # "YYYY:MM:DD HH:MM:SS", or None
        icc = linear_srgb_icc() if info.raw_mode == "linear" else srgb_icc()
        return Metadata(icc, exif_for_output(None, when[:19] if when else None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # odd EXIF is the frame's own business
        try:
            with Image.open(info.path) as image:
                return Metadata(image.info.get("icc_profile") or None, exif_for_output(image.getexif()))
        except (OSError, SyntaxError, ValueError, struct.error):
            return Metadata(None, exif_for_output())


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_metadata(png, metadata):
    """The PNG file ``png`` (as OpenCV encodes it) with ``metadata``'s iCCP and eXIf chunks after
    its header chunk."""
    chunks = b""
    if metadata.icc:
        chunks += _png_chunk(b"iCCP", b"ICC profile\0\0" + zlib.compress(metadata.icc))
    if metadata.exif:
        chunks += _png_chunk(b"eXIf", metadata.exif)
    end_of_header = 8 + 8 + 13 + 4                   # signature, IHDR's length, type, data, CRC
    assert png[12:16] == b"IHDR"
    return png[:end_of_header] + chunks + png[end_of_header:]


def tiff_bytes(array, metadata):
    """A TIFF file of ``array`` (8- or 16-bit, grey or RGB; one strip, deflate), with
    ``metadata``'s ICC profile and EXIF in its directory. Pillow's TIFF directory writes the
    tags; the pixels follow it."""
    import numpy as np
    from PIL import Image, TiffImagePlugin
    array = np.ascontiguousarray(array)
    height, width = array.shape[:2]
    channels = 1 if array.ndim == 2 else array.shape[2]
    bits = array.dtype.itemsize * 8
    pixels = zlib.compress(array.astype(array.dtype.newbyteorder("<")).tobytes(), 1)
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    if metadata.exif:
        exif = Image.Exif()
        exif.load(b"Exif\0\0" + metadata.exif)
        for tag, value in exif.items():
            if tag != EXIF_IFD:
                ifd[tag] = value
        inner = exif.get_ifd(EXIF_IFD)
        if inner:
            ifd[EXIF_IFD] = dict(inner)
    ifd[256], ifd[257] = width, height
    ifd[258] = (bits,) * channels
    ifd[259] = 8                                     # Adobe deflate
    ifd[262] = 2 if channels == 3 else 1             # RGB, or black is zero
    ifd[273] = 0                                     # the strip's offset: Pillow's tobytes places it
    ifd[277] = channels
    ifd[278] = height
    ifd[279] = len(pixels)
    ifd[284] = 1
    if metadata.icc:
        ifd.tagtype[34675] = 7                        # UNDEFINED: the bytes as they are
        ifd[34675] = metadata.icc
    directory = ifd.tobytes(8)
    return b"II*\0" + struct.pack("<I", 8) + directory + pixels


def read_back(data):
    """(ICC profile, Pillow ``Exif``, its EXIF directory) of an image file's bytes (for the
    tests)."""
    from PIL import Image
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return image.info.get("icc_profile"), exif, exif.get_ifd(EXIF_IFD)
