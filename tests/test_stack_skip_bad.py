"""`starsweeper stack --skip-bad`: a damaged frame (its data, or its header) is taken as a dark
frame with one warning line naming it, and the stack is the model's with that frame dark; the
default stays to stop at the first damaged frame."""

import numpy as np
from PIL import Image
import pytest

from starsweeper.model.star_trail import stack_fixed, stack_float
from starsweeper.stack.frames import list_frames, probe, read_frame

from test_stack_cli import make_frames, truncate

ATTENUATION = 0.9


def good_frames_with_a_dark_one(folder, bad):
    """The frames as the stack must see them: every frame decoded, the damaged ones dark."""
    frames = []
    infos = [probe(p) for p in list_frames(folder) if p.name not in bad]
    like = infos[0]
    for path in list_frames(folder):
        frames.append(np.zeros(like.shape, like.dtype) if path.name in bad else read_frame(probe(path)))
    return frames


@pytest.mark.parametrize("damage", ["data", "header"])
@pytest.mark.parametrize("engine", ["model", "fixed"])
def test_a_damaged_frame_is_dark_with_one_warning(damage, engine, tmp_path, cli):
    folder = make_frames(tmp_path / "in", count=5, suffix=".jpg", size=(64, 48))
    bad = "frame_02.jpg"
    if damage == "data":
        truncate(folder / bad)
    else:
        (folder / bad).write_bytes(b"\xff\xd8 not a JPEG header at all")
    expected = good_frames_with_a_dark_one(folder, {bad})
    out = tmp_path / "o.png"
    code, stdout, err = cli(["stack", folder, "-o", out, "--attenuation", ATTENUATION, "--engine", engine,
                             "--skip-bad", "--workers", "2"])
    assert code == 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and bad in lines[0] and "warning" in lines[0] and "taken as a dark frame" in lines[0]
    assert "stacked 5 frames (1 damaged, taken as dark)" in stdout
    model = (stack_float(expected, ATTENUATION, np.uint8) if engine == "model"
             else stack_fixed(expected, ATTENUATION, 8))
    assert np.array_equal(np.asarray(Image.open(out)), model)


def test_without_skip_bad_the_first_damaged_frame_stops_the_stack(tmp_path, cli):
    folder = make_frames(tmp_path / "in", count=4, suffix=".jpg", size=(64, 48))
    truncate(folder / "frame_01.jpg")
    code, _, err = cli(["stack", folder, "-o", tmp_path / "o.png"])
    assert code == 1 and "frame_01.jpg: damaged or truncated JPEG" in err
    assert not (tmp_path / "o.png").exists()


def test_every_frame_damaged_is_one_line(tmp_path, cli):
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(3):
        (folder / f"f{k}.jpg").write_bytes(b"nothing")
    code, _, err = cli(["stack", folder, "-o", tmp_path / "o.png", "--skip-bad"])
    assert code == 1
    assert err.strip().splitlines()[-1] == "starsweeper stack: error: every frame is damaged: nothing to stack"
    assert not (tmp_path / "o.png").exists()
