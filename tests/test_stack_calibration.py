"""`starsweeper stack --darks --hot-pixels --fade-in`: dark frames, hot pixels and the fade-in
end to end, every engine against the models (the rtl engine through the hardware's dark-frame
stage)."""

import numpy as np
import pytest

from starsweeper.cli import main
from starsweeper.model.dark_frame import hot_pixel_mask, master_dark, replace_hot_pixels, replace_pixels, subtract_dark
from starsweeper.model.star_trail import stack_fixed, stack_float
from starsweeper.stack.frames import probe, read_frame, write_image

HOT = (3, 4)            # a pixel that is hot in every frame and every dark


def night(tmp_path, depth=8, lights=6, darks=5, size=(20, 12)):
    """Lights with a moving star over a dark-current floor and a saturated hot pixel; darks
    with the same floor and hot pixel."""
    dtype = np.uint8 if depth == 8 else np.uint16
    top = np.iinfo(dtype).max
    rng = np.random.default_rng(depth)
    floor = rng.integers(0, top // 12, (size[1], size[0], 3))
    light_dir, dark_dir = tmp_path / "lights", tmp_path / "darks"
    light_dir.mkdir()
    dark_dir.mkdir()
    lights_written, darks_written = [], []
    for k in range(lights):
        frame = floor + rng.integers(0, top // 20, floor.shape)
        frame[6, 2 + 3 * k] = top * 9 // 10          # the star
        frame[HOT] = top
        frame = frame.clip(0, top).astype(dtype)
        write_image(light_dir / f"light_{k:02d}.png", frame)
        lights_written.append(frame)
    for k in range(darks):
        dark = floor + rng.integers(0, top // 20, floor.shape)
        dark[HOT] = top
        dark = dark.clip(0, top).astype(dtype)
        write_image(dark_dir / f"dark_{k:02d}.png", dark)
        darks_written.append(dark)
    return light_dir, dark_dir, lights_written, darks_written


def image(path):
    return read_frame(probe(path))


@pytest.mark.parametrize("depth", [8, 16])
def test_darks_in_every_engine(tmp_path, cli, depth):
    lights, darks, frames, dark_frames = night(tmp_path, depth)
    master = master_dark(dark_frames)
    calibrated = [subtract_dark(f, master) for f in frames]
    outputs = {}
    for engine in ("model", "fixed", "rtl"):
        outputs[engine] = tmp_path / f"{engine}.png"
        code, _, err = cli(["stack", lights, "-o", outputs[engine], "--darks", darks, "--attenuation", "0.9",
                            "--engine", engine, "-q"])
        assert code == 0, err
    dtype = frames[0].dtype
    assert np.abs(image(outputs["model"]).astype(int) - stack_float(calibrated, 0.9, dtype).astype(int)).max() <= 1
    assert np.array_equal(image(outputs["fixed"]), stack_fixed(calibrated, 0.9, depth))
    assert outputs["rtl"].read_bytes() == outputs["fixed"].read_bytes()
    # the dark matters: without it the floor stays
    plain = stack_float(frames, 0.9, dtype)
    assert (plain.astype(int) - image(outputs["model"]).astype(int)).mean() > np.iinfo(dtype).max / 40


def test_hot_pixels_leave_the_stack(tmp_path, cli):
    lights, darks, frames, dark_frames = night(tmp_path)
    plain, cleaned = tmp_path / "plain.png", tmp_path / "cleaned.png"
    assert cli(["stack", lights, "-o", plain, "--darks", darks, "-q"])[0] == 0
    assert cli(["stack", lights, "-o", cleaned, "--darks", darks, "--hot-pixels", "5", "-q"])[0] == 0
    master = master_dark(dark_frames)
    mask = hot_pixel_mask(master, 5)
    assert mask[HOT].all()
    # subtracted, the saturated hot pixel is a hole; replaced in dark and lights, it is sky
    assert image(plain)[HOT].max() == 0
    expected = stack_float([subtract_dark(replace_pixels(f, mask), replace_hot_pixels(master, 5)) for f in frames],
                           1.0, np.uint8)
    assert np.array_equal(image(cleaned), expected)
    r, c = HOT
    around = image(cleaned)[r - 1:r + 2, c - 1:c + 2].astype(int)
    assert np.abs(image(cleaned)[HOT].astype(int) - np.median(around, axis=(0, 1))).max() <= 12   # sky-like
    assert image(cleaned)[6, 2].min() > 200                     # the stars stay


@pytest.mark.parametrize("workers", ["1", "3"])
def test_fade_in_as_the_model(tmp_path, cli, workers):
    lights, _, frames, _ = night(tmp_path, lights=9, size=(30, 12))
    out = tmp_path / "o.png"
    assert cli(["stack", lights, "-o", out, "--fade-in", "5", "--attenuation", "0.97",
                "--workers", workers, "-q"])[0] == 0
    expected = stack_float(frames, 0.97, np.uint8, fade_in=5)
    assert np.abs(image(out).astype(int) - expected.astype(int)).max() <= 1
    assert not np.array_equal(expected, stack_float(frames, 0.97, np.uint8))
    # the first star is at a fifth of its brightness (over the floor, which fades in too)
    assert image(out)[6, 2].max() < 0.3 * 255


@pytest.mark.parametrize("engine", ["fixed", "rtl"])
def test_fade_in_is_refused_by_the_hardware_engines(tmp_path, cli, engine):
    lights, _, _, _ = night(tmp_path)
    out = tmp_path / "o.png"
    code, _, err = cli(["stack", lights, "-o", out, "--fade-in", "3", "--engine", engine])
    assert code == 1
    assert err.splitlines() == [f"starsweeper stack: error: --fade-in is not in the hardware core: "
                                f"--engine {engine} refuses it (use --engine model)"]
    assert not out.exists()


def test_help_marks_the_model_only_modes(capsys):
    with pytest.raises(SystemExit):
        main(["stack", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--fade-in N [model only]" in text


@pytest.mark.parametrize("setup, message", [
    (lambda d: write_image(d / "dark_00.png", np.zeros((12, 19, 3), np.uint8)),
     "dark_00.png: the dark is 19x12, but the frames are 20x12"),
    (lambda d: write_image(d / "dark_01.png", np.zeros((12, 20), np.uint8)),
     "dark_01.png: the dark is grey 8-bit, but the frames are RGB 8-bit"),
    (lambda d: [p.unlink() for p in d.iterdir()], "--darks: "),
    (lambda d: (d / "dark_02.png").write_bytes(b"not a png"), "dark_02.png: not a PNG, JPEG or TIFF image"),
])
def test_bad_darks_are_one_line_and_write_nothing(tmp_path, cli, setup, message):
    lights, darks, _, _ = night(tmp_path)
    setup(darks)
    out = tmp_path / "o.png"
    code, _, err = cli(["stack", lights, "-o", out, "--darks", darks, "-q"])
    assert code == 1 and len(err.splitlines()) == 1 and message in err
    assert not out.exists()


def test_hot_pixels_need_darks(tmp_path, cli):
    lights, _, _, _ = night(tmp_path)
    code, _, err = cli(["stack", lights, "-o", tmp_path / "o.png", "--hot-pixels", "4"])
    assert code == 1 and "--hot-pixels needs --darks" in err
