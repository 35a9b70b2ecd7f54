"""What a stack carries of its first frame, read back from every output: the ICC profile and
the EXIF (orientation reset, the capture time kept, the software starsweeper), and a RAW
stack's profile, whose linear pixels a colour-managed viewer must not show as sRGB."""

import io

import numpy as np
from PIL import Image, ImageCms
import pytest

from starsweeper import __version__
from starsweeper.stack.frames import write_image
from starsweeper.stack.metadata import EXIF_IFD, linear_srgb_icc, read_back, srgb_icc

WHEN = "2026:08:12 23:41:07"


def camera_exif(orientation=6):
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Nikon", "Z 6", orientation
    exif.get_ifd(EXIF_IFD).update({0x9003: WHEN, 0x829A: 30.0, 0x8827: 3200})
    return exif


def write_frames(folder, suffix, depth, icc, exif, count=3):
    folder.mkdir()
    rng = np.random.default_rng(3)
    top = 255 if depth == 8 else 65535
    for k in range(count):
        frame = rng.integers(0, top // 4, (12, 16, 3)).astype(np.uint8 if depth == 8 else np.uint16)
        path = folder / f"f{k}{suffix}"
        if suffix == ".jpg" or (depth == 8 and suffix == ".png"):
            buffer = io.BytesIO()
            Image.fromarray(frame).save(buffer, "JPEG" if suffix == ".jpg" else "PNG", quality=95,
                                        icc_profile=icc, exif=exif.tobytes())
            path.write_bytes(buffer.getvalue())
        else:
            from starsweeper.stack.metadata import Metadata
            write_image(path, frame, metadata=Metadata(icc, exif.tobytes()))
    return folder


@pytest.mark.parametrize("source, depth", [(".jpg", 8), (".png", 8), (".png", 16), (".tif", 16)])
@pytest.mark.parametrize("output", [".png", ".tif", ".jpg"])
def test_the_first_frames_profile_and_exif_are_kept(source, depth, output, tmp_path, cli):
    icc = srgb_icc()
    frames = write_frames(tmp_path / "frames", source, depth, icc, camera_exif(orientation=1))
    out = tmp_path / f"stack{output}"
    assert cli(["stack", frames, "-o", out, "-q"])[0] == 0
    got_icc, exif, inner = read_back(out.read_bytes())
    assert got_icc == icc
    assert (exif[0x010F], exif[0x0110], exif[0x0112]) == ("Nikon", "Z 6", 1)
    assert exif[0x0131] == f"starsweeper {__version__}"
    assert inner[0x9003] == WHEN and inner[0x8827] == 3200
    if output != ".tif":                                  # (a TIFF's first directory is its own)
        assert 256 not in exif and 273 not in exif        # no storage tag of a TIFF frame's


def test_the_orientation_is_reset_as_the_pixels_are_turned(tmp_path, cli):
    frames = write_frames(tmp_path / "frames", ".jpg", 8, None, camera_exif(orientation=6))
    out = tmp_path / "stack.png"
    assert cli(["stack", frames, "-o", out, "-q"])[0] == 0
    got_icc, exif, inner = read_back(out.read_bytes())
    assert got_icc is None and exif[0x0112] == 1
    with Image.open(out) as image:
        assert image.size == (12, 16)                    # turned upright: 16 wide, 12 tall, became 12 wide


def test_frames_without_metadata_give_only_the_software_and_orientation(tmp_path, cli):
    folder = tmp_path / "frames"
    folder.mkdir()
    for k in range(2):
        Image.fromarray(np.full((8, 8, 3), 9 * k, np.uint8)).save(folder / f"f{k}.png")
    out = tmp_path / "stack.tif"
    assert cli(["stack", folder, "-o", out, "-q"])[0] == 0
    got_icc, exif, inner = read_back(out.read_bytes())
    assert got_icc is None and exif[0x0112] == 1 and exif[0x0131].startswith("starsweeper")


def srgb_of_linear(profile, level):
    """What a colour-managed viewer shows of the grey ``level`` under ``profile``, in sRGB."""
    image = Image.new("RGB", (1, 1), (level, level, level))
    transform = ImageCms.buildTransform(ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                        ImageCms.createProfile("sRGB"), "RGB", "RGB")
    return ImageCms.applyTransform(image, transform).getpixel((0, 0))[0]


def test_the_linear_profile_is_srgb_with_a_linear_curve():
    linear = linear_srgb_icc()
    # linear-light middle grey (0.5) is sRGB 188; full and none stay where they are
    assert abs(srgb_of_linear(linear, 128) - 188) <= 1
    assert srgb_of_linear(linear, 255) == 255 and srgb_of_linear(linear, 0) == 0
    assert srgb_of_linear(srgb_icc(), 128) == 128          # and sRGB to sRGB changes nothing


@pytest.mark.parametrize("mode, profile", [("linear", "linear"), ("camera", "srgb")])
def test_a_raw_stack_carries_the_profile_of_its_pixels(mode, profile, tmp_path, cli):
    from test_stack_raw import sky
    frames = tmp_path / "raw"
    sky(frames, 2)
    out = tmp_path / "stack.tif"
    assert cli(["stack", frames, "-o", out, "--raw-mode", mode, "-q"])[0] == 0
    got_icc, exif, inner = read_back(out.read_bytes())
    assert got_icc == (linear_srgb_icc() if profile == "linear" else srgb_icc())
    assert exif[0x0131].startswith("starsweeper")
