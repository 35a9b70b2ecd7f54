"""`starsweeper stack` end to end: real image files in, checked against the models."""

import hashlib
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from starsweeper.model.star_trail import attenuation_from_half_life, stack_fixed, stack_float
from starsweeper.stack.frames import list_frames, probe, read_frame, write_image
from starsweeper.stack.pipeline import stack_files
from starsweeper.stack.settings import StackSettings
from starsweeper.stack.synth import SkyScene, render_frame, write_sequence


def decode_independently(path):
    """Decode without the project's reader: Pillow for 8-bit, OpenCV for 16-bit."""
    array = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if array.dtype == np.uint8:
        array = np.asarray(Image.open(path).convert("RGB" if array.ndim == 3 else "L"))
    elif array.ndim == 3:
        array = array[:, :, ::-1]
    return array if array.ndim == 3 else array[:, :, None]


def tree_digest(directory):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(directory).iterdir())}


@pytest.fixture(scope="module")
def jpeg_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("jpeg")
    write_sequence(d, 12, 96, 64, 8, ".jpg", seed=3, degrees_per_frame=1.0)
    return d


@pytest.fixture(scope="module")
def tiff16_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiff16")
    write_sequence(d, 10, 80, 48, 16, ".tif", seed=4, degrees_per_frame=1.0)
    return d


@pytest.mark.parametrize("attenuation", ["1.0", "0.99", "0.9"])
def test_jpeg_stack_matches_float_model(jpeg_dir, tmp_path, cli, attenuation):
    out = tmp_path / "trails.png"
    code, stdout, _ = cli(["stack", jpeg_dir, "-o", out, "--attenuation", attenuation, "-q"])
    assert code == 0
    expected = stack_float([decode_independently(p) for p in sorted(jpeg_dir.iterdir())],
                           float(attenuation), np.uint8)
    got = decode_independently(out)
    assert got.dtype == np.uint8
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1


def test_tiff16_stack_keeps_depth_and_matches_float_model(tiff16_dir, tmp_path, cli):
    out = tmp_path / "trails.tif"
    code, _, _ = cli(["stack", tiff16_dir, "-o", out, "--attenuation", "0.95", "-q"])
    assert code == 0
    got = decode_independently(out)
    assert got.dtype == np.uint16
    expected = stack_float([decode_independently(p) for p in sorted(tiff16_dir.iterdir())],
                           0.95, np.uint16)
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1


@pytest.mark.parametrize("suffix, depth", [(".png", 16), (".tif", 8), (".png", 8)])
def test_other_input_formats(tmp_path, cli, suffix, depth):
    d = tmp_path / "in"
    write_sequence(d, 5, 40, 24, depth, suffix, seed=9, degrees_per_frame=2.0)
    out = tmp_path / f"o{suffix}"
    assert cli(["stack", d, "-o", out, "--attenuation", "0.9", "-q"])[0] == 0
    frames = [decode_independently(p) for p in sorted(d.iterdir())]
    assert frames[0].dtype == (np.uint8 if depth == 8 else np.uint16)
    got = decode_independently(out)
    assert got.dtype == frames[0].dtype
    expected = stack_float(frames, 0.9, frames[0].dtype)
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1


def test_png16_output_from_tiff16_keeps_depth(tiff16_dir, tmp_path, cli):
    out = tmp_path / "trails.png"
    assert cli(["stack", tiff16_dir, "-o", out, "-q"])[0] == 0
    got = decode_independently(out)
    expected = np.max([decode_independently(p) for p in tiff16_dir.iterdir()], axis=0)
    assert got.dtype == np.uint16 and np.array_equal(got, expected)


@pytest.mark.parametrize("directory", ["jpeg_dir", "tiff16_dir"])
def test_rtl_engine_gives_the_fixed_point_models_bytes(directory, request, tmp_path, cli):
    source = request.getfixturevalue(directory)
    paths = sorted(source.iterdir())[:4]
    subset = tmp_path / "subset"
    subset.mkdir()
    for p in paths:
        (subset / p.name).write_bytes(p.read_bytes())
    out_rtl, out_fixed = tmp_path / "rtl.png", tmp_path / "fixed.png"
    assert cli(["stack", subset, "-o", out_rtl, "--attenuation", "0.97", "--engine", "rtl", "-q"])[0] == 0
    assert cli(["stack", subset, "-o", out_fixed, "--attenuation", "0.97", "--engine", "fixed", "-q"])[0] == 0
    frames = [decode_independently(p) for p in paths]
    depth = 8 * frames[0].itemsize
    expected = stack_fixed(frames, 0.97, depth)
    assert np.array_equal(decode_independently(out_rtl), expected)
    assert out_rtl.read_bytes() == out_fixed.read_bytes()


def test_parallel_chunks_agree_with_one_thread(jpeg_dir):
    paths = list_frames(jpeg_dir)
    one = stack_files(paths, StackSettings(attenuation=0.99, workers=1))
    several = stack_files(paths, StackSettings(attenuation=0.99, workers=5))
    assert np.abs(one.astype(int) - several.astype(int)).max() <= 1
    exact = stack_float([read_frame(probe(p)) for p in paths], 0.99, np.uint8)
    assert np.abs(several.astype(int) - exact.astype(int)).max() <= 1


def test_reverse_and_half_life(jpeg_dir, tmp_path, cli):
    out = tmp_path / "rev.png"
    assert cli(["stack", jpeg_dir, "-o", out, "--half-life", "3", "--reverse", "-q"])[0] == 0
    frames = [decode_independently(p) for p in sorted(jpeg_dir.iterdir())][::-1]
    expected = stack_float(frames, attenuation_from_half_life(3), np.uint8)
    assert np.abs(decode_independently(out).astype(int) - expected.astype(int)).max() <= 1


def test_glob_and_natural_order(tmp_path, cli):
    d = tmp_path / "frames"
    d.mkdir()
    rng = np.random.default_rng(0)
    frames = {}
    for name in ["f2.png", "f10.png", "f1.png", "skip.png"]:
        frames[name] = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
        write_image(d / name, frames[name])
    assert [p.name for p in list_frames(d, "f*.png")] == ["f1.png", "f2.png", "f10.png"]
    out = tmp_path / "o.png"
    assert cli(["stack", d, "-o", out, "--glob", "f*.png", "--engine", "fixed", "--attenuation", "0.5", "-q"])[0] == 0
    expected = stack_fixed([frames["f1.png"], frames["f2.png"], frames["f10.png"]], 0.5, 8)
    assert np.array_equal(decode_independently(out), expected)


def test_grey_frames(tmp_path, cli):
    d = tmp_path / "grey"
    d.mkdir()
    rng = np.random.default_rng(1)
    frames = [rng.integers(0, 256, (9, 7), dtype=np.uint8) for _ in range(3)]
    for k, f in enumerate(frames):
        Image.fromarray(f).save(d / f"g{k}.png")
    out = tmp_path / "g.png"
    assert cli(["stack", d, "-o", out, "--engine", "rtl", "--attenuation", "0.8", "-q"])[0] == 0
    expected = stack_fixed([f[:, :, None] for f in frames], 0.8, 8)
    assert np.array_equal(np.asarray(Image.open(out)), expected[:, :, 0])


def test_summary_line(jpeg_dir, tmp_path, cli):
    code, stdout, err = cli(["stack", jpeg_dir, "-o", tmp_path / "x.jpg"])
    assert code == 0 and "stacked 12 frames (96x64, 8-bit, a = 1, engine model)" in stdout
    assert err == ""  # no progress bar when stderr is not a terminal


# -- bad input: one line naming the problem, exit 1, nothing written, inputs untouched ----------

def make_frames(directory, count=3, size=(12, 8), suffix=".png", depth=8):
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(count)
    for k in range(count):
        array = rng.integers(0, 1 << depth, (size[1], size[0], 3), dtype=np.uint8 if depth == 8 else np.uint16)
        write_image(directory / f"frame_{k:02d}{suffix}", array)
    return directory


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


CASES = {
    "empty folder": (lambda d: d.mkdir(), [], "no image files"),
    "no match": (lambda d: make_frames(d), ["--glob", "*.tif"], "no image files matching '*.tif'"),
    "not an image": (lambda d: (make_frames(d), (d / "frame_01.png").write_text("hello")),
                     [], "frame_01.png: not a PNG, JPEG or TIFF image"),
    "truncated jpeg": (lambda d: (make_frames(d, suffix=".jpg", size=(64, 48)), truncate(d / "frame_02.jpg")),
                       [], "frame_02.jpg: damaged or truncated JPEG (Premature end of JPEG file)"),
    "truncated png16": (lambda d: (make_frames(d, depth=16), truncate(d / "frame_01.png")),
                        [], "frame_01.png: truncated PNG"),
    "truncated tiff16": (lambda d: (make_frames(d, suffix=".tif", depth=16, size=(64, 48)),
                                    truncate(d / "frame_01.tif")), [], "frame_01.tif"),
    "size": (lambda d: (make_frames(d), write_image(d / "frame_01.png", np.zeros((9, 12, 3), np.uint8))),
             [], "frame_01.png: 12x9 pixels, but the first frame frame_00.png is 12x8"),
    "mode": (lambda d: (make_frames(d), write_image(d / "frame_02.png", np.zeros((8, 12), np.uint8))),
             [], "frame_02.png: grey 8-bit, but the first frame frame_00.png is RGB 8-bit"),
    "depth": (lambda d: (make_frames(d), write_image(d / "frame_01.png", np.zeros((8, 12, 3), np.uint16))),
              [], "frame_01.png: RGB 16-bit, but the first frame frame_00.png is RGB 8-bit"),
    "attenuation": (lambda d: make_frames(d), ["--attenuation", "1.5"], "attenuation must be in [0, 1]"),
    "negative attenuation": (lambda d: make_frames(d), ["--attenuation", "-0.1"], "attenuation must be in [0, 1]"),
    "half-life": (lambda d: make_frames(d), ["--half-life", "0"], "half-life must be a positive"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(case, tmp_path, cli):
    setup, extra, message = CASES[case]
    d = tmp_path / "in"
    setup(d)
    before = tree_digest(d)
    out = tmp_path / "out.png"
    code, stdout, err = cli(["stack", d, "-o", out, "-q", *extra])
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert message in err
    assert not out.exists()
    assert tree_digest(d) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_output_that_is_an_input(tmp_path, cli):
    d = make_frames(tmp_path / "in")
    before = tree_digest(d)
    code, _, err = cli(["stack", d, "-o", d / "frame_01.png"])
    assert code == 1 and "the output is one of the input frames" in err
    assert tree_digest(d) == before


def test_output_folder_missing(tmp_path, cli):
    d = make_frames(tmp_path / "in")
    code, _, err = cli(["stack", d, "-o", tmp_path / "nowhere" / "o.png"])
    assert code == 1 and "does not exist" in err


def test_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    out = tmp_path / "o.png"
    out.write_bytes(b"previous result")

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(KeyboardInterrupt):
        write_image(out, np.zeros((4, 4, 3), np.uint8))
    assert out.read_bytes() == b"previous result"
    assert [p.name for p in tmp_path.iterdir()] == ["o.png"]


def test_synthetic_frames_differ_and_have_a_foreground():
    scene = SkyScene(64, 48, seed=5)
    a, b = render_frame(scene, 0), render_frame(scene, 1)
    assert a.shape == (48, 64, 3) and not np.array_equal(a, b)
    assert scene.ground.any() and not scene.ground.all()
    assert a[scene.ground].mean() < a[~scene.ground].mean()


def test_the_average_mode_is_the_models_mean_of_the_frames(tmp_path, cli):
    from starsweeper.model.star_trail import stack_float
    folder = make_frames(tmp_path / "in", count=7, size=(20, 12))
    out = tmp_path / "mean.png"
    code, stdout, err = cli(["stack", folder, "-o", out, "--mode", "average", "--workers", "3"])
    assert code == 0, err
    frames = [read_frame(probe(p)) for p in list_frames(folder)]
    assert np.array_equal(read_frame(probe(out)), stack_float(frames, 1.0, np.uint8, mode="average"))
    assert "the mean" in stdout
