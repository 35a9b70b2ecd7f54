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


#: Move scripts and switches; the second loses with a wrong flag on the beginner field, debug on.
SCRIPTS = [
    pytest.param(MOVES + " h", "", id="intermediate-held"),
    pytest.param("@4,4 c @2,0 f @0,0 f @2,1 c", "0,7", id="beginner-lost-debug"),
]


@pytest.mark.slow
@pytest.mark.parametrize("moves, switches", SCRIPTS)
def test_icarus_and_verilator_frames_are_byte_identical_and_the_model(tmp_path, moves, switches):
    """The cross-simulator check: the same move script under Icarus and Verilator gives the
    same PNG, byte for byte, and both are the reference renderer's frame."""
    pngs = {}
    for how in (["--sim", "icarus"], ["--sim", "verilator"], ["--model"]):
        pngs[how[-1]] = out = tmp_path / f"{how[-1]}.png"
        assert main(["screenshot", "--seed", "56", "--moves", moves, "--switches", switches,
                     *how, "-o", str(out)]) == 0
    pictures = {name: np.asarray(Image.open(path)) for name, path in pngs.items()}
    assert np.array_equal(pictures["icarus"], pictures["verilator"])
    assert np.array_equal(pictures["icarus"], pictures["--model"])


def test_the_default_simulator_is_verilator_where_it_is_installed(tmp_path, capsys):
    assert main(["screenshot", "--seed", "56", "--moves", MOVES, "-o", str(tmp_path / "f.png")]) == 0
    assert "RTL in Verilator" in capsys.readouterr().out


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
