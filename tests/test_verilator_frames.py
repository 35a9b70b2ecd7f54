"""The Verilator model's frames against the reference renderer: the display's game states.

The scenarios of sim/display_scenarios.py, which the cocotb bench plays under Icarus
(tests/test_display_rtl.py), played here on the Verilator model of the same system with the
same parameters: the same move scripts pressed the same way, each frame the harness rebuilds
from the VGA pins equal to the renderer's, and no sync pulse of a wrong width or period. Each
frame also goes through the DVI encoder: its TMDS symbols, decoded and checked by the DVI
receiver model (control tokens, 640x480@60's sync polarity and timing, data enable, running
disparity), equal the renderer's frame widened to 24 bits as the VGA DAC shows it. Both
simulators equal to one renderer frame by frame is byte-identity between them for every state;
tests/test_screenshot_cli.py also compares an Icarus and a Verilator frame directly.
"""

import random

import pytest

from display_scenarios import (
    BUILDS, SCENARIOS, Check, Play, Release, SetSwitch, Start, Wait, compare_frames, new_model,
)
from starsweeper.model.minesweeper import SWITCH_DEBUG
from starsweeper.model.display import render, to_rgb888
from starsweeper.model.dvi import decode_frame
from starsweeper.moves import hold_clocks, play
from starsweeper.screenshot import SIM_PARAMETERS
from starsweeper.verilator.build import system_model
from starsweeper.verilator.protocol import Tap, VerilatedSystem


class VerilatorPlayer:
    """Carries out a scenario's actions on the Verilator model and on the game model."""

    def __init__(self, params, folder, dvi=True):
        self.params = params
        self.folder = folder
        self.dvi = dvi
        self.executable = system_model(params, dvi=dvi)
        self.system = None
        self.model = None
        self.switches = 0
        self.game_seed = 0
        self.held = False
        self.taps = []
        self.checked = []

    def run(self, name, rng):
        try:
            for action in SCENARIOS[name](rng, self.params, self):
                self.carry_out(action)
        finally:
            if self.system:
                self.system.close()

    def carry_out(self, action):
        if isinstance(action, Start):
            self.switches, self.game_seed = action.switches, action.game_seed
            self.system = VerilatedSystem(self.executable, seed=self.game_seed, switches=self.switches,
                                          hold_clocks=hold_clocks(self.params))
            self.model = new_model(self.params, self.switches)
        elif isinstance(action, Play):
            presses, _, self.held = play(action.moves, game=self.model, seed=self.game_seed,
                                         switches=self.switches)
            self.taps += [Tap.of(p, self.switches) for p in presses]
        elif isinstance(action, SetSwitch):
            self.switches = (self.switches & ~(1 << action.bit)) | (int(action.on) << action.bit)
        elif isinstance(action, Release):
            self.held = False          # a kept button is down for one frame only
        elif isinstance(action, Wait):
            status = self.frame()
            target = status.clocks + action.clocks
            while status.clocks < target:
                status = self.frame()
        elif isinstance(action, Check):
            status, got, *symbols = self.system.frame(0, self.switches, self.taps, dvi=self.dvi)
            self.taps = []
            assert status.sync_errors == 0, f"{status.sync_errors} sync pulses of a wrong width or period"
            expected = render(self.model, debug=bool((self.switches >> SWITCH_DEBUG) & 1), held=self.held)
            compare_frames(got, expected, action.what, f"frame{len(self.checked) + 1}", self.folder)
            if self.dvi:
                decoded = decode_frame(symbols[0]).pixels
                wrong = (decoded != to_rgb888(expected)).any(axis=2)
                assert not wrong.any(), f"{action.what}: {int(wrong.sum())} pixels of the DVI frame differ"
            self.checked.append(action.what)
        else:
            raise AssertionError(f"unknown action {action!r}")

    def frame(self):
        status, _ = self.system.frame(0, self.switches, self.taps)
        self.taps = []
        return status


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_frames_equal_the_renderer(name, seed, tmp_path):
    player = VerilatorPlayer(BUILDS[name], tmp_path)
    player.run(name, random.Random(seed))
    assert player.checked, "the scenario checked no frame"


def test_the_board_pixel_rate_frame_equals_the_renderer(seed, tmp_path):
    """The system as the Nexys 3 runs it, a pixel every fourth clock (the pixel enable): the
    read port's and the glyph ROM's enables keep the display's pipeline aligned, and every sync
    pulse is four times as long (the DVI encoder takes a pixel every clock: not in this model)."""
    player = VerilatorPlayer(dict(SIM_PARAMETERS, pixel_divider=4), tmp_path, dvi=False)
    player.run("mid_game", random.Random(seed))
    assert player.checked == ["mid-game"]
