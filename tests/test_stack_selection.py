"""`starsweeper stack --first --last --step --order`: which frames, in which order."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from starsweeper.model.star_trail import stack_float
from starsweeper.stack.frames import capture_time, order_by_time, probe, read_frame, select_frames


def write_frames(folder, count, times=None):
    """``count`` random 8-bit JPEG frames named frame_01.jpg ...; ``times[k]`` (seconds past
    22:00:00) as their EXIF DateTimeOriginal, if given (None: no EXIF)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(count)
    paths = []
    for k in range(count):
        path = folder / f"frame_{k + 1:02d}.jpg"
        exif = Image.Exif()
        if times is not None and times[k] is not None:
            exif.get_ifd(0x8769)[0x9003] = f"2026:08:12 22:{times[k] // 60:02d}:{times[k] % 60:02d}"
        pixels = rng.integers(0, 60, (16, 24, 3), dtype=np.uint8)
        pixels[spot(k)] = 255                         # a star only this frame has
        Image.fromarray(pixels).save(path, quality=95, exif=exif)
        paths.append(path)
    return paths


def spot(k):
    """Where frame ``k`` (from 0) has its star."""
    return 1 + k, 1 + 2 * k


def stars_in(image):
    """Which frames' stars an image shows."""
    return [k for k in range(10) if image[spot(k)].min() > 150]


def stacked(paths, attenuation=0.8):
    return stack_float([read_frame(probe(p)) for p in paths], attenuation, np.uint8)


def result(path):
    return read_frame(probe(path))


@pytest.mark.parametrize("first, last, step", [(1, None, 1), (3, None, 1), (2, 9, 1), (1, None, 3),
                                               (4, 10, 2), (10, 10, 1)])
def test_first_last_step_take_those_frames(tmp_path, cli, first, last, step):
    paths = write_frames(tmp_path / "in", 10)
    out = tmp_path / "o.png"
    argv = ["stack", tmp_path / "in", "-o", out, "-q", "--first", first, "--step", step]
    if last is not None:
        argv += ["--last", last]
    assert cli(argv)[0] == 0
    chosen = list(range(10))[first - 1:(last or 10):step]
    assert np.array_equal(result(out), stacked([paths[k] for k in chosen], 1.0))
    assert stars_in(result(out)) == chosen


def test_order_exif_sorts_by_capture_time(tmp_path, cli):
    times = [50, 10, 40, 20, 30, 0]                    # not the names' order
    paths = write_frames(tmp_path / "in", 6, times)
    out = tmp_path / "o.png"
    code, _, err = cli(["stack", tmp_path / "in", "-o", out, "--attenuation", "0.8", "--order", "exif", "-q"])
    assert code == 0 and err == ""
    in_time_order = [p for _, p in sorted(zip(times, paths))]
    assert np.abs(result(out).astype(int) - stacked(in_time_order).astype(int)).max() <= 1
    assert not np.array_equal(stacked(in_time_order), stacked(paths))


def test_order_exif_without_times_warns_once_and_keeps_the_names(tmp_path, cli):
    paths = write_frames(tmp_path / "in", 4, [3, None, 1, None])
    out = tmp_path / "o.png"
    code, _, err = cli(["stack", tmp_path / "in", "-o", out, "--attenuation", "0.8", "--order", "exif", "-q"])
    assert code == 0
    assert err.splitlines() == ["starsweeper stack: warning: --order exif: frame_02.jpg (and 1 more) has no "
                                "capture time (EXIF DateTimeOriginal); ordering by name"]
    assert np.abs(result(out).astype(int) - stacked(paths).astype(int)).max() <= 1


def test_equal_times_keep_the_name_order_and_subseconds_count(tmp_path):
    paths = write_frames(tmp_path / "in", 3, [5, 5, 5])
    assert order_by_time(paths, pytest.fail) == paths
    assert capture_time(paths[0]) == "2026:08:12 22:00:05"


@pytest.mark.parametrize("argv, message", [
    (["--first", "11"], "--first 11 is beyond the 10 frames found"),
    (["--last", "12"], "--last 12 is beyond the 10 frames found"),
    (["--step", "0"], "--step must be a whole number of at least 1, not 0"),
    (["--first", "0"], "--first must be a whole number of at least 1, not 0"),
    (["--first", "5", "--last", "4"], "--last 4 is before --first 5"),
])
def test_bad_selection_is_one_line_and_writes_nothing(tmp_path, cli, argv, message):
    write_frames(tmp_path / "in", 10)
    out = tmp_path / "o.png"
    code, _, err = cli(["stack", tmp_path / "in", "-o", out, "-q", *argv])
    assert code == 1
    assert err.splitlines() == [f"starsweeper stack: error: {message}"]
    assert not out.exists()


def test_select_frames_counts_from_one():
    paths = [Path(f"{k}") for k in range(1, 8)]
    assert select_frames(paths, 2, 6, 2) == [Path("2"), Path("4"), Path("6")]


def test_the_choice_counts_in_the_sorted_list_before_reverse(tmp_path, cli):
    paths = write_frames(tmp_path / "in", 6)
    out = tmp_path / "o.png"
    argv = ["stack", tmp_path / "in", "-o", out, "--attenuation", "0.5", "--first", "2", "--last", "4",
            "--reverse", "-q"]
    assert cli(argv)[0] == 0
    expected = stacked([paths[3], paths[2], paths[1]], 0.5)
    assert np.abs(result(out).astype(int) - expected.astype(int)).max() <= 1
    assert not np.array_equal(expected, stacked(paths[1:4], 0.5))
