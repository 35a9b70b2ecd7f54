"""The stack's settings, checked once, here: how to stack and which frames, from the command
line's options (or the demo's, or the benchmark's), before any frame is read.

:class:`StackSettings` is frozen: the pipeline, the engines and the models take its values as
they are, with no check of their own. A value that is wrong is an
:class:`~starsweeper.errors.InputError` naming the option.
"""

from dataclasses import dataclass
import math
from pathlib import Path

from ..errors import InputError
from ..model.star_trail import MODES, attenuation_from_half_life, check_attenuation, check_fade_in
from .frames import RAW_MODES, check_pattern
from .video import VideoSettings

__all__ = ["ENGINES", "HARDWARE_ENGINES", "ORDERS", "StackSettings"]

#: The engines: the float model (the specification, fast), the bit-exact model of the hardware
#: core, and the generated Verilog in Icarus.
ENGINES = ("model", "fixed", "rtl")
#: The engines that stack as the hardware core does (no per-frame weight: no fade-in).
HARDWARE_ENGINES = ("fixed", "rtl")
#: How the frames are ordered before the choice of ``first``, ``last`` and ``step``.
ORDERS = ("name", "exif")


def _whole(name, value, least):
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InputError(f"{name} must be a whole number of at least {least}, not {value!r}")
    return value


def _positive(name, value, unit):
    """``value`` (None: the option is off), checked to be a positive number of ``unit``."""
    if value is not None and not (isinstance(value, (int, float)) and not isinstance(value, bool)
                                  and math.isfinite(value) and value > 0):
        raise InputError(f"{name} must be a positive number of {unit}, not {value!r}")


@dataclass(frozen=True)
class StackSettings:
    """Everything ``starsweeper stack`` is told, but the input folder and the output.

    Attributes
    ----------
    mode : str
        ``"lighten"`` (the default: the maximum, with its fade) or ``"average"`` (the mean; no
        fade, no fade-in; the model engine only).
    attenuation : float
        The fade per frame, in [0, 1] (1.0: lighten stacking).
    fade_in : int
        Frames weighed up linearly at the start (0: none; the model engine only).
    engine : str
        One of :data:`ENGINES`.
    workers : int
        Threads (decoding, stacking, the rtl engine's simulations).
    raw_mode : str
        RAW files: one of :data:`~starsweeper.stack.frames.RAW_MODES`.
    glob, order, first, last, step, reverse
        Which frames, in which order (:func:`~starsweeper.stack.frames.select_frames`).
    darks : Path or None
        The folder of dark frames.
    hot_pixels : float or None
        With ``darks``: the master dark's hot pixels above this many robust sigmas are replaced.
    video : VideoSettings or None
        The time-lapse of the growing trail.
    skip_bad : bool
        A damaged frame (a header or data that cannot be decoded) is taken as a dark one, with
        a warning, instead of stopping the stack: the trails go on fading in time past it.
    reject_bright : float or None
        Leave out the frames ruined by light, those whose sky stands this many robust
        deviations above what the night expects (:func:`starsweeper.model.night.find_bright`).
    keep : tuple of int
        Frames (counted from 1, in stacking order) never left out by ``reject_bright``.
    remove_streaks : float or None
        Take out of each frame the aircraft, satellites and meteors in it and not in its
        neighbours, found this many robust deviations above them
        (:func:`starsweeper.model.night.remove_streaks`).
    keep_frames : tuple of int
        Frames (counted from 1, in stacking order) ``remove_streaks`` leaves untouched (a
        meteor is a streak too).
    fill_gaps : bool
        Fill each frame's gap to the next by drawing its stars along their arcs
        (:func:`starsweeper.model.gaps.fill_gap`).
    """

    attenuation: float = 1.0
    fade_in: int = 0
    mode: str = "lighten"
    engine: str = "model"
    workers: int = 1
    raw_mode: str = "linear"
    glob: str | None = None
    order: str = "name"
    first: int = 1
    last: int | None = None
    step: int = 1
    reverse: bool = False
    darks: Path | None = None
    hot_pixels: float | None = None
    video: VideoSettings | None = None
    skip_bad: bool = False
    reject_bright: float | None = None
    keep: tuple = ()
    remove_streaks: float | None = None
    keep_frames: tuple = ()
    fill_gaps: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "attenuation", check_attenuation(self.attenuation))
        set_(self, "fade_in", check_fade_in(self.fade_in))
        if self.engine not in ENGINES:
            raise InputError(f"--engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if self.fade_in and self.engine in HARDWARE_ENGINES:
            raise InputError(f"--fade-in is not in the hardware core: --engine {self.engine} refuses it "
                             f"(use --engine model)")
        if self.mode not in MODES:
            raise InputError(f"--mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.mode == "average":
            if self.engine in HARDWARE_ENGINES:
                raise InputError(f"--mode average is not in the hardware core: --engine {self.engine} "
                                 f"refuses it (use --engine model)")
            if self.attenuation != 1.0 or self.fade_in:
                raise InputError("--mode average is the frames' mean: it takes no --attenuation, "
                                 "--half-life or --fade-in")
        _whole("--workers", self.workers, 1)
        if self.raw_mode not in RAW_MODES:
            raise InputError(f"--raw-mode must be one of {', '.join(RAW_MODES)}, not {self.raw_mode!r}")
        if self.glob is not None:
            check_pattern(self.glob)
        if self.order not in ORDERS:
            raise InputError(f"--order must be one of {', '.join(ORDERS)}, not {self.order!r}")
        _whole("--first", self.first, 1)
        if self.last is not None:
            _whole("--last", self.last, 1)
            if self.last < self.first:
                raise InputError(f"--last {self.last} is before --first {self.first}")
        _whole("--step", self.step, 1)
        if self.hot_pixels is not None:
            if self.darks is None:
                raise InputError("--hot-pixels needs --darks (the hot pixels are found in the master dark)")
            _positive("--hot-pixels", self.hot_pixels, "sigmas")

        _positive("--reject-bright", self.reject_bright, "robust deviations")
        for number in self.keep:
            _whole("--keep", number, 1)
        if self.keep and self.reject_bright is None:
            raise InputError("--keep names frames --reject-bright must not leave out: give --reject-bright")
        _positive("--remove-streaks", self.remove_streaks, "robust deviations")
        for number in self.keep_frames:
            _whole("--keep-frames", number, 1)
        if not isinstance(self.fill_gaps, bool):
            raise InputError(f"--fill-gaps is on or off, not {self.fill_gaps!r}")
        if self.keep_frames and self.remove_streaks is None:
            raise InputError("--keep-frames names frames --remove-streaks must leave untouched: give --remove-streaks")

    @classmethod
    def from_options(cls, *, attenuation=None, half_life=None, **options):
        """The settings of the command line's options: ``attenuation`` or ``half_life`` (the
        attenuation under which a trail halves in that many frames), or neither (1.0)."""
        if attenuation is not None and half_life is not None:
            raise InputError("--attenuation and --half-life are two ways to say one thing: give one")
        if half_life is not None:
            attenuation = attenuation_from_half_life(half_life)
        return cls(attenuation=1.0 if attenuation is None else attenuation, **options)

    @property
    def hardware(self):
        """The engine stacks as the hardware core does (bit for bit)."""
        return self.engine in HARDWARE_ENGINES
