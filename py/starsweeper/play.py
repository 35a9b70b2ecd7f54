"""``starsweeper play``: the Minesweeper RTL in a window, on the Verilator model.

Every frame shown is the one the VGA pins drew (:mod:`starsweeper.verilator`), scaled up by
whole pixels. Keys act as the board's buttons and switches: a key pressed holds its button
down for at least one whole frame (so a press shorter than a frame still counts once), and a
key held keeps its button down, so the RTL's own auto-repeat moves the cursor on. A mouse
click on a cell moves the cursor there through the direction buttons, one press a step, the
short way, then presses centre (left button: reveal; right button: flag, with SW1 on for that
press), as a player with the board would.

Interactive time. The model is built for a frame rate ``rate``: the game core's second is
``rate`` frames of clocks, so the timer counts real seconds while the window keeps that rate;
the window never runs faster. Debounce is a hundredth of a frame; auto-repeat starts after 0.4 s
and repeats ten times a second, rounded to whole frames (at least two frames and one), so a
press held for one frame is one move at any rate. Without ``--rate`` the rate is measured once
on this machine (the headless model's frames a second, less a tenth for the window's own work)
and kept beside the cached models.
"""

from dataclasses import dataclass
import math
import os
import time

import numpy as np

from .errors import UserError
from .model.buttons import BUTTON_BIT
from .model.display import CELL, PANEL_X, SMILEY, field_origin, to_rgb888
from .model.minesweeper import DIFFICULTIES, Difficulty, Status
from .model.vga import VGA_640X480
from .moves import Press, hold_clocks, path, press_of
from .verilator.protocol import Tap, VerilatedSystem
from .window import at_display_lost, open_window, pygame_module

__all__ = ["FRAME_CLOCKS", "NOMINAL_RATE", "PlayError", "play_parameters", "play_model", "measure_rate",
           "frame_rate", "KEYS", "PlayWindow", "run"]

FRAME_CLOCKS = VGA_640X480.h_total * VGA_640X480.v_total
#: The rate a model is first built for, to measure how fast this machine runs it.
NOMINAL_RATE = 10
#: Share of the headless rate the window aims at: the rest is its own work per frame.
WINDOW_SHARE = 0.9
RATE_FILE = "play-rate.txt"
STATUS_HEIGHT = 24



class PlayError(UserError):
    """The model stopped or drew wrong syncs; the message says which (a window that cannot be
    opened is a :class:`~starsweeper.window.WindowError`)."""


def play_parameters(rate):
    """The system's parameters for a model that plays at ``rate`` frames a second."""
    if not rate >= 1:
        raise ValueError(f"the frame rate must be at least 1, not {rate}")
    return dict(pixel_divider=1, clocks_per_second=round(rate * FRAME_CLOCKS),
                debounce_cycles=FRAME_CLOCKS // 100,
                repeat_delay=max(2, round(0.4 * rate)) * FRAME_CLOCKS,
                repeat_period=max(1, round(0.1 * rate)) * FRAME_CLOCKS)


def play_model(rate, log=None):
    """The model executable ``play`` runs at ``rate`` frames a second: the system with
    :func:`play_parameters`, without the DVI encoder (the window shows the VGA pins), built
    once and cached (:func:`starsweeper.verilator.build.system_model`)."""
    from .verilator.build import system_model
    return system_model(play_parameters(rate), log, dvi=False)


def measure_rate(executable, frames=30, one_core=False):
    """Frames a second of the model ``executable`` with nothing pressed and no window, through
    the protocol's client, after one frame to start; ``one_core`` pins the harness (one
    thread) to the first core this process may use."""
    with VerilatedSystem(executable) as system:
        if one_core and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(system.process.pid, {min(os.sched_getaffinity(0))})
        system.frame()
        start = time.perf_counter()
        for _ in range(frames):
            system.frame()
        return frames / (time.perf_counter() - start)


def frame_rate(log=None):
    """The window's frame rate on this machine: measured once, then read from the cache."""
    from .verilator.build import cache_dir
    stored = cache_dir() / RATE_FILE
    try:
        rate = int(stored.read_text().split()[0])
        if rate >= 1:
            return rate
    except (OSError, ValueError, IndexError):
        pass
    executable = play_model(NOMINAL_RATE, log)
    if log:
        log("measuring how fast the model runs here (a few seconds, once)")
    measured = measure_rate(executable)
    rate = max(1, math.floor(measured * WINDOW_SHARE))
    stored.parent.mkdir(parents=True, exist_ok=True)
    tmp = stored.with_suffix(".tmp")
    tmp.write_text(f"{rate}\n# frames a second for starsweeper play: {measured:.2f} measured headless, "
                   f"less {1 - WINDOW_SHARE:.0%}; delete this file to measure again\n")
    tmp.replace(stored)
    return rate


@dataclass
class Switches:
    """The switches the window sets: SW0 debug, SW1 flag mode, SW7 beginner (next game)."""

    debug: bool = False
    flag: bool = False
    beginner: bool = False

    @property
    def bits(self):
        from .model.minesweeper import SWITCH_BEGINNER, SWITCH_DEBUG, SWITCH_FLAG
        return (self.debug << SWITCH_DEBUG) | (self.flag << SWITCH_FLAG) | (self.beginner << SWITCH_BEGINNER)


def _keys():
    """Keys of the buttons, and keys of the switches (by the name of their :class:`Switches` field)."""
    pygame = pygame_module()
    buttons = {pygame.K_UP: "up", pygame.K_DOWN: "down", pygame.K_LEFT: "left", pygame.K_RIGHT: "right",
               pygame.K_SPACE: "centre", pygame.K_RETURN: "centre", pygame.K_KP_ENTER: "centre"}
    switches = {pygame.K_f: "flag", pygame.K_d: "debug", pygame.K_b: "beginner"}
    return buttons, switches


#: Keys and what they do, for --help and the README.
KEYS = [("arrows", "move the cursor (held: repeats, as the board's buttons do)"),
        ("space, enter", "centre button: reveal, chord, or a new game after the end"),
        ("F", "flag mode on/off (SW1): centre flags instead"),
        ("D", "debug on/off (SW0): show the mines"),
        ("B", "beginner on/off (SW7): the next game is 9x9 with 10 mines"),
        ("left click", "on a cell: go there and reveal; on the smiley after the end: new game"),
        ("right click", "on a cell: go there and flag or unflag"),
        ("Esc", "quit")]


class PlayWindow:
    """The window and the model behind it. :meth:`handle` takes one pygame event,
    :meth:`step` runs the model a frame and shows it; :func:`run` is the loop of both."""

    def __init__(self, executable, parameters, rate, seed=None, scale=2):
        self.pygame = pygame = pygame_module()
        self.rate = rate
        self.scale = scale
        self.keys, self.switch_keys = _keys()
        self.switches = Switches()
        self.held = set()           # buttons whose keys are down
        self.pressed = set()        # buttons pressed since the last frame (held for one at least)
        self.taps = []
        self.status = None
        self.frame_times = []
        width, height = VGA_640X480.h_visible * scale, VGA_640X480.v_visible * scale
        self.screen = open_window((width, height + STATUS_HEIGHT), "starsweeper: Minesweeper RTL (Verilator)",
                                  command="starsweeper play")
        pygame.font.init()
        self.font = pygame.font.Font(None, 20)
        self.system = VerilatedSystem(executable, seed=seed, hold_clocks=hold_clocks(parameters))
        self.forget_system = at_display_lost(self.system.close)

    def close(self):
        self.system.close()
        self.forget_system()
        self.pygame.quit()

    # -- input ------------------------------------------------------------------------------

    def handle(self, event):
        """Take one event; False when the window should close."""
        pg = self.pygame
        if event.type == pg.QUIT or (event.type == pg.KEYDOWN and event.key == pg.K_ESCAPE):
            return False
        if event.type == pg.KEYDOWN:
            if event.key in self.keys:
                button = self.keys[event.key]
                if button in self.pressed and button not in self.held:
                    self.taps.append(self._tap(Press(button)))     # a second press in one frame
                self.held.add(button)
                self.pressed.add(button)
            elif event.key in self.switch_keys:
                name = self.switch_keys[event.key]
                setattr(self.switches, name, not getattr(self.switches, name))
        elif event.type == pg.KEYUP and event.key in self.keys:
            self.held.discard(self.keys[event.key])
        elif event.type == pg.WINDOWFOCUSLOST:
            self.held.clear()       # the key-up events go to another window now
        elif event.type == pg.MOUSEBUTTONDOWN and event.button in (1, 3):
            self.click(event.pos, flag=event.button == 3)
        return True

    def click(self, position, flag):
        """A click at window ``position``: on a cell, taps that take the cursor there and
        reveal (or flag); on the smiley of a finished game, a new game."""
        if self.status is None:
            return
        x, y = position[0] // self.scale, position[1] // self.scale
        if x >= PANEL_X:
            cx, cy, radius = SMILEY
            if (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2 and \
                    self.status.status in (Status.WON, Status.LOST) and not flag:
                self.taps.append(self._tap(Press("centre")))
            return
        difficulty = Difficulty(self.status.difficulty)
        rows, cols, _ = DIFFICULTIES[difficulty]
        left, top = field_origin(difficulty)
        if not (left <= x < left + cols * CELL and top <= y < top + rows * CELL):
            return
        target = ((y - top) // CELL, (x - left) // CELL)
        cursor = (self.status.cursor_row, self.status.cursor_col)
        for direction in path(cursor, target, rows, cols):
            self.taps.append(self._tap(press_of(direction)))
        self.taps.append(self._tap(Press("centre", flag_mode=flag)))

    def _tap(self, press):
        return Tap.of(press, self.switches.bits)

    # -- output -----------------------------------------------------------------------------

    def step(self):
        """Run the model one frame with the input so far and show it; returns (status,
        frame), the frame as RGB332."""
        buttons = 0
        for button in self.held | self.pressed:
            buttons |= 1 << BUTTON_BIT[button]
        taps, self.taps, self.pressed = self.taps, [], set()
        self.status, frame = self.system.frame(buttons, self.switches.bits, taps)
        if self.status.sync_errors:
            raise PlayError(f"the model's VGA syncs went wrong ({self.status.sync_errors} pulses)")
        self.frame_times.append(time.perf_counter())
        self._show(frame)
        return self.status, frame

    def fps(self):
        times = self.frame_times[-11:]
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0

    def _show(self, frame):
        pg = self.pygame
        surface = pg.surfarray.make_surface(np.ascontiguousarray(to_rgb888(frame).swapaxes(0, 1)))
        self.screen.blit(pg.transform.scale_by(surface, self.scale), (0, 0))
        bar = pg.Rect(0, VGA_640X480.v_visible * self.scale, self.screen.get_width(), STATUS_HEIGHT)
        self.screen.fill((32, 32, 32), bar)
        s, sw = self.status, self.switches
        text = (f"{self.fps():4.1f} fps (built for {self.rate})   F flag {'ON' if sw.flag else 'off'}   "
                f"D debug {'ON' if sw.debug else 'off'}   B next {'9x9' if sw.beginner else '16x16'}   "
                f"LEDs {s.leds:08b}")
        self.screen.blit(self.font.render(text, True, (230, 230, 230)), (6, bar.y + 4))
        pg.display.flip()


def run(executable, parameters, rate, seed=None, scale=2, frames=None):
    """The window's loop: events, a frame, and a wait so as not to run faster than ``rate``;
    until Esc, the window closing, or ``frames`` frames."""
    window = PlayWindow(executable, parameters, rate, seed, scale)
    try:
        period, next_time, shown = 1.0 / rate, time.perf_counter(), 0
        while frames is None or shown < frames:
            if not all([window.handle(event) for event in window.pygame.event.get()]):
                break
            window.step()
            shown += 1
            next_time += period
            delay = next_time - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            else:
                next_time = time.perf_counter()   # behind: do not rush to catch up
    finally:
        window.close()
    return shown
