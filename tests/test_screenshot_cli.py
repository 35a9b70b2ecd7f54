"""``starsweeper screenshot``: the RTL's frame and the model's, and one-line errors."""

import numpy as np
from PIL import Image
import pytest

from starsweeper.cli import main
from starsweeper.model.display import render, to_rgb888
from starsweeper.moves import play

MOVES = "@8,8 c @6,9 f @0,0 f"


def test_model_screenshot_is_the_renderer_frame(tmp_path):
    out = tmp_path / "frame.png"
    assert main(["screenshot", "--model", "--seed", "56", "--moves", MOVES, "--switches", "0", "-o", str(out)]) == 0
    _, game, _ = play(MOVES, seed=56)
    assert np.array_equal(np.asarray(Image.open(out)), to_rgb888(render(game, debug=True)))


@pytest.mark.slow
def test_rtl_screenshot_equals_the_model(tmp_path):
    rtl, model = tmp_path / "rtl.png", tmp_path / "model.png"
    assert main(["screenshot", "--seed", "56", "--moves", MOVES + " h", "-o", str(rtl)]) == 0
    assert main(["screenshot", "--model", "--seed", "56", "--moves", MOVES + " h", "-o", str(model)]) == 0
    assert np.array_equal(np.asarray(Image.open(rtl)), np.asarray(Image.open(model)))


@pytest.mark.parametrize("args, message", [
    (["--moves", "q"], "unknown move 'q'"),
    (["--switches", "8"], "switch '8' is not a number from 0 to 7"),
    (["--moves", "@3,12", "--switches", "7"], "off the 9x9 field"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "frame.png"
    assert main(["screenshot", "-o", str(out), *args]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_output_must_be_png(tmp_path, capsys):
    assert main(["screenshot", "--model", "-o", str(tmp_path / "frame.jpg")]) == 1
    assert "must be a .png file" in capsys.readouterr().err
