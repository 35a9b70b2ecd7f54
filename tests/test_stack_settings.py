"""The stack's settings, checked once (starsweeper/stack/settings.py), and the one error class
the command line catches."""

import math
from pathlib import Path
import re

from hypothesis import given, strategies as st
import pytest

import starsweeper
from starsweeper.errors import InputError, ToolError, UserError
from starsweeper.stack.settings import ENGINES, StackSettings

PACKAGE = Path(starsweeper.__file__).parent


def test_the_defaults_are_lighten_stacking_with_the_model():
    settings = StackSettings()
    assert (settings.attenuation, settings.fade_in, settings.engine, settings.hardware) == (1.0, 0, "model", False)


@given(st.floats(0.0, 1.0), st.sampled_from(ENGINES))
def test_any_attenuation_in_the_unit_interval_is_taken_as_a_float(a, engine):
    settings = StackSettings(attenuation=a, engine=engine)
    assert settings.attenuation == a and isinstance(settings.attenuation, float)


@given(st.floats(0.5, 1e6))
def test_a_half_life_gives_the_attenuation_that_halves_a_trail(n):
    a = StackSettings.from_options(half_life=n).attenuation
    assert a ** n == pytest.approx(0.5, rel=1e-9)


@pytest.mark.parametrize("options, message", [
    ({"attenuation": 1.5}, "attenuation must be in [0, 1], not 1.5"),
    ({"attenuation": math.nan}, "attenuation must be in [0, 1]"),
    ({"fade_in": -1}, "fade-in must be a whole number of frames, 0 or more, not -1"),
    ({"fade_in": 5, "engine": "rtl"}, "--fade-in is not in the hardware core: --engine rtl refuses it"),
    ({"engine": "gpu"}, "--engine must be one of model, fixed, rtl, not 'gpu'"),
    ({"workers": 0}, "--workers must be a whole number of at least 1, not 0"),
    ({"raw_mode": "log"}, "--raw-mode must be one of linear, camera, not 'log'"),
    ({"order": "size"}, "--order must be one of name, exif, not 'size'"),
    ({"first": 0}, "--first must be a whole number of at least 1, not 0"),
    ({"first": 5, "last": 4}, "--last 4 is before --first 5"),
    ({"step": 0}, "--step must be a whole number of at least 1, not 0"),
    ({"glob": "../*.jpg"}, "must name files inside the input folder"),
    ({"hot_pixels": 3.0}, "--hot-pixels needs --darks"),
    ({"hot_pixels": -1.0, "darks": Path("d")}, "--hot-pixels must be a positive number of sigmas, not -1.0"),
])
def test_each_wrong_setting_is_one_line_naming_the_option(options, message):
    with pytest.raises(UserError, match=re.escape(message)) as error:
        StackSettings(**options)
    assert "\n" not in str(error.value)


def test_attenuation_and_half_life_together_are_refused():
    with pytest.raises(InputError, match="give one"):
        StackSettings.from_options(attenuation=0.9, half_life=10)


def test_the_settings_are_frozen():
    with pytest.raises(AttributeError):
        StackSettings().attenuation = 0.5


def calls(name):
    """Where the package calls ``name(``, but its definition."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(rf"(?<!def ){name}\(", line):
                found.append(f"{path.relative_to(PACKAGE)}:{number}")
    return found


@pytest.mark.parametrize("check", ["check_attenuation", "check_fade_in"])
def test_each_setting_is_checked_in_one_place(check):
    assert calls(check) == [f"stack/settings.py:{_line(check)}"]


def _line(name):
    lines = (PACKAGE / "stack" / "settings.py").read_text().splitlines()
    return next(k for k, line in enumerate(lines, start=1) if f"{name}(" in line and "import" not in line)


def test_every_error_the_commands_raise_for_the_user_is_one_kind():
    from starsweeper.boards.adept import ProgramError
    from starsweeper.boards.build import BuildError
    from starsweeper.boards.report import ReportError, YosysMissing
    from starsweeper.boards.trellis import TrellisError
    from starsweeper.demo import DemoError
    from starsweeper.moves import MoveError
    from starsweeper.play import PlayError
    from starsweeper.screenshot import SimulationError
    from starsweeper.stack.frames import FrameError
    from starsweeper.stack.rtl import IcarusMissing
    from starsweeper.tools import ToolTimeout
    from starsweeper.verilator.build import VerilatorError
    from starsweeper.verilator.protocol import HarnessError
    for kind in (ProgramError, BuildError, ReportError, YosysMissing, TrellisError, VerilatorError,
                 HarnessError, SimulationError, IcarusMissing, ToolTimeout):
        assert issubclass(kind, ToolError), kind
    for kind in (DemoError, MoveError, PlayError, FrameError, InputError, ToolError):
        assert issubclass(kind, UserError), kind


@pytest.mark.parametrize("options, message", [
    ({"mode": "median"}, "--mode must be one of lighten, average, not 'median'"),
    ({"mode": "average", "engine": "fixed"}, "--mode average is not in the hardware core: --engine fixed"),
    ({"mode": "average", "attenuation": 0.99}, "--mode average is the frames' mean: it takes no --attenuation"),
    ({"mode": "average", "fade_in": 3}, "it takes no --attenuation, --half-life or --fade-in"),
])
def test_the_average_mode_takes_no_fade_and_no_hardware(options, message):
    with pytest.raises(InputError, match=re.escape(message)):
        StackSettings(**options)
