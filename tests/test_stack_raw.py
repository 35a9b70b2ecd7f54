"""`starsweeper stack` on camera RAW files: DNGs made here with pidng
(:func:`starsweeper.stack.synth.write_dng`: a Bayer mosaic that rawpy reads back bit for bit),
stars at known places."""

import numpy as np
import pytest

from starsweeper.cli import main
from starsweeper.model.star_trail import stack_float
from starsweeper.stack.frames import capture_time, probe, read_frame
from starsweeper.stack.synth import write_dng

HEIGHT, WIDTH, BITS = 48, 64, 12


def star(k):
    """Frame ``k``'s star: a 2x2 Bayer block (one full colour pixel) moving right."""
    return 10 + 2 * (k % 3), 8 + 4 * k


def sky(folder, count, times=None):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(count)
    for k in range(count):
        bayer = rng.integers(100, 160, (HEIGHT, WIDTH), dtype=np.uint16)
        r, c = star(k)
        bayer[r:r + 2, c:c + 2] = 3800
        write_dng(folder / f"night_{k + 1:02d}.dng", bayer, BITS, times[k] if times else None)
    return sorted(folder.glob("*.dng"))


def rawpy_decode(path, linear=True):
    """LibRaw's pixels as dcraw gives them: no auto-brightening, the sensor's own maximum."""
    import rawpy
    with rawpy.imread(str(path)) as raw:
        return raw.postprocess(use_camera_wb=True, output_bps=16, no_auto_bright=True,
                               adjust_maximum_thr=0.0, gamma=(1, 1) if linear else (2.222, 4.5))


@pytest.mark.parametrize("mode", ["linear", "camera"])
def test_equal_raw_values_decode_equal_whatever_each_frames_brightest_pixel(tmp_path, mode):
    """One brightness scale for every frame: a frame whose brightest pixel is near the sensor's
    maximum (which LibRaw by default takes as that frame's white point) and one whose brightest
    is half of it give the same output for the same raw values."""
    sky_level = 1500
    decoded = []
    for name, peak in (("bright_star", 4000), ("faint_star", 2000)):
        bayer = np.full((HEIGHT, WIDTH), sky_level, np.uint16)
        bayer[10:12, 10:12] = peak
        decoded.append(read_frame(probe(write_dng(tmp_path / f"{name}.dng", bayer, BITS), mode)))
    bright, faint = decoded
    assert np.array_equal(bright[20:, 20:], faint[20:, 20:])
    # the scale is the sensor's: the 12-bit maximum would be 65535 in linear mode
    if mode == "linear":
        assert abs(int(np.median(bright[..., 1])) - sky_level * 65535 // 4095) <= 2 * 16


def test_pidng_writes_a_mosaic_rawpy_reads_back_bit_for_bit(tmp_path):
    import rawpy
    bayer = np.random.default_rng(1).integers(0, 1 << BITS, (HEIGHT, WIDTH), dtype=np.uint16)
    with rawpy.imread(str(write_dng(tmp_path / "a.dng", bayer))) as raw:
        assert np.array_equal(raw.raw_image_visible, bayer)


@pytest.mark.parametrize("mode", ["linear", "camera"])
def test_raw_frames_stack_as_the_model_on_libraws_pixels(tmp_path, cli, mode):
    paths = sky(tmp_path / "in", 5)
    out = tmp_path / "trails.tif"
    assert cli(["stack", tmp_path / "in", "-o", out, "--raw-mode", mode, "--attenuation", "0.9", "-q"])[0] == 0
    got = read_frame(probe(out))
    frames = [rawpy_decode(p, mode == "linear") for p in paths]
    assert got.dtype == np.uint16 and got.shape == (HEIGHT, WIDTH, 3)
    assert np.abs(got.astype(int) - stack_float(frames, 0.9, np.uint16).astype(int)).max() <= 1
    # every star is where it was put, over the sky
    background = np.median(got)
    for k in range(5):
        r, c = star(k)
        assert got[r:r + 2, c:c + 2].min() > 3 * background, f"star {k}"


def test_linear_and_camera_rendering_differ(tmp_path):
    path = sky(tmp_path, 1)[0]
    linear = read_frame(probe(path, "linear"))
    camera = read_frame(probe(path, "camera"))
    assert np.median(camera) > 2 * np.median(linear)      # the curve lifts the dark sky


def test_raw_capture_time_orders_frames(tmp_path, cli):
    times = ["2026:08:12 22:00:30", "2026:08:12 22:00:10", "2026:08:12 22:00:20", "2026:08:12 22:00:00"]
    paths = sky(tmp_path / "in", 4, times)
    assert [capture_time(p) for p in paths] == times
    out = tmp_path / "o.tif"
    code, _, err = cli(["stack", tmp_path / "in", "-o", out, "--order", "exif", "--attenuation", "0.5", "-q"])
    assert code == 0 and err == ""
    in_time_order = [paths[k] for k in (3, 1, 2, 0)]
    expected = stack_float([rawpy_decode(p) for p in in_time_order], 0.5, np.uint16)
    assert np.abs(read_frame(probe(out)).astype(int) - expected.astype(int)).max() <= 1


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.write_bytes(p.read_bytes()[:len(p.read_bytes()) // 2]), "damaged or truncated RAW file"),
    (lambda p: p.write_bytes(b"II*\x00" + b"\x00" * 64), "not a RAW file LibRaw can read"),
])
def test_a_damaged_raw_file_is_one_line(tmp_path, capfd, damage, message):
    paths = sky(tmp_path / "in", 3)
    damage(paths[1])
    out = tmp_path / "o.tif"
    code = main(["stack", str(tmp_path / "in"), "-o", str(out), "-q"])
    err = capfd.readouterr().err        # file descriptor 2: LibRaw's own C output too
    assert code == 1
    assert err.splitlines() == [line for line in err.splitlines() if line.startswith("starsweeper stack: error:")]
    assert len(err.splitlines()) == 1 and "night_02.dng" in err and message in err
    assert not out.exists()
