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


@pytest.mark.parametrize("moves, switches", SCRIPTS)
def test_the_rtl_screenshot_is_the_model_screenshot_byte_for_byte(tmp_path, capsys, moves, switches):
    """The RTL's frame, from the Verilator model's pins, and the reference renderer's give the
    same PNG, byte for byte (the cocotb display bench checks the same system under Icarus
    against the same renderer)."""
    pngs = {}
    for how in ([], ["--model"]):
        pngs[bool(how)] = out = tmp_path / f"{bool(how)}.png"
        assert main(["screenshot", "--seed", "56", "--moves", moves, "--switches", switches,
                     *how, "-o", str(out)]) == 0
    assert "RTL in Verilator" in capsys.readouterr().out
    assert pngs[False].read_bytes() == pngs[True].read_bytes()


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


@pytest.mark.parametrize("command, shown", [("screenshot", ["@R,C", "hold the centre button"]),
                                            ("play", ["Keys:", "flag mode on/off"])])
def test_the_help_shows_the_moves_and_the_keys(capsys, command, shown):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert all(text in out for text in shown)


def test_the_stack_command_starts_without_amaranth(tmp_path):
    """The parser of every command is built for each; ``play``'s and ``screenshot``'s help
    comes from modules that import Amaranth, so it is made only when it is shown."""
    import subprocess
    import sys
    script = "\n".join([
        "import sys",
        "from starsweeper.cli import main",
        "try:",
        "    main(['stack', '--help'])",
        "except SystemExit:",
        "    pass",
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'amaranth'), file=sys.stderr)",
    ])
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stderr.strip() == "[]"
