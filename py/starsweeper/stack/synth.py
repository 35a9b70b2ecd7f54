"""A realistic synthetic night-sky sequence, for demos, tests and benchmarks.

Stars turn about a celestial pole (by default just above the frame, as when a camera faces
north), with a power-law brightness distribution and colour temperatures from blue-white to
orange; each is drawn as a small Gaussian point spread, where the sky has turned to when the
frame is taken: by default the exposures are short beside the interval between them, so each
star's trail is a dotted line (the gaps); with ``exposure`` (the share of the interval the
shutter is open) each star is drawn along its arc for that share, its light spread along it.
The sky has a light-pollution glow towards the horizon; a dark mountain ridge with trees hides
the lower part of the sky; every frame gets fresh sensor noise (read noise plus shot noise),
so no two frames are equal.

What a real night brings besides (:class:`NightEvents`, planned by :func:`plan_night` from the
seed, so that tests know where everything is): frames lit by a passing car's headlights,
twilight fading at the start and rising at the end, a cloud lit by a town for a few frames,
aircraft (a dotted line of blinking lights, across one to three frames), satellites (a steady
streak in one frame) and meteors (a short bright streak).
"""

from dataclasses import dataclass
import math

import numpy as np

__all__ = ["SkyScene", "NightEvents", "Streak", "NightPlan", "plan_night", "render_frame",
           "write_sequence", "write_dng"]

# Star tints from hot (blue-white) to cool (orange), as linear RGB gains.
_TINTS = np.array([
    [0.75, 0.85, 1.00],
    [0.90, 0.95, 1.00],
    [1.00, 1.00, 1.00],
    [1.00, 0.95, 0.85],
    [1.00, 0.85, 0.65],
], dtype=np.float32)


@dataclass
class SkyScene:
    """Everything that stays the same from frame to frame."""

    width: int
    height: int
    seed: int = 1
    stars_per_megapixel: int = 2500
    degrees_per_frame: float = 0.1       # the sky turns 0.125 deg in a 30 s exposure
    pole: tuple = None                   # (x, y) in pixels; default: above the top centre
    exposure: float = 0.0                # the share of the interval the shutter is open (0: points)

    def __post_init__(self):
        if self.width < 16 or self.height < 16:
            raise ValueError(f"frames must be at least 16x16 pixels, not {self.width}x{self.height}")
        if not 0 <= self.exposure <= 1:
            raise ValueError(f"the exposure is a share of the interval, 0 to 1, not {self.exposure!r}")
        rng = np.random.default_rng(self.seed)
        w, h = self.width, self.height
        if self.pole is None:
            self.pole = (w * 0.55, -0.15 * h)
        px, py = self.pole
        corners = [(0, 0), (w, 0), (0, h), (w, h)]
        reach = max(math.hypot(cx - px, cy - py) for cx, cy in corners) + 4
        count = max(20, int(self.stars_per_megapixel * (math.pi * reach * reach) / 1e6))
        # Uniform over the disc about the pole that covers the frame at every angle.
        self.radius = (reach * np.sqrt(rng.random(count))).astype(np.float32)
        self.angle = (2 * np.pi * rng.random(count)).astype(np.float32)
        # Power-law brightness: many faint stars, a few bright ones (peak, in 0..1 units).
        self.brightness = np.minimum(1.4, 0.04 * rng.pareto(1.3, count) + 0.02).astype(np.float32)
        self.tint = _TINTS[rng.integers(0, len(_TINTS), count)]
        self.sigma = (0.6 + 0.5 * np.sqrt(self.brightness)).astype(np.float32)
        # Foreground: a ridge of a few sine waves, with trees (narrow spikes) on it.
        x = np.arange(w, dtype=np.float32)
        ridge = 0.78 * h
        for k in range(1, 5):
            ridge = ridge + (0.05 * h / k) * np.sin(2 * np.pi * (k * x / w + rng.random()))
        for centre in rng.uniform(0, w, max(3, w // 60)):
            tall = rng.uniform(0.03, 0.09) * h
            half = tall * 0.18
            spike = tall * np.clip(1 - np.abs(x - centre) / half, 0, None)
            ridge = ridge - spike
        self.ridge = ridge
        rows = np.arange(h, dtype=np.float32)[:, None]
        self.ground = rows >= ridge[None, :]
        # Sky glow: dark blue at the top, warm light pollution near the horizon.
        t = np.clip(rows / max(1.0, float(ridge.min())), 0, 1)
        top = np.array([0.010, 0.014, 0.030], dtype=np.float32)
        horizon = np.array([0.070, 0.060, 0.055], dtype=np.float32)
        sky = top + (horizon - top) * (t ** 2.2)[..., None]
        sky = np.broadcast_to(sky, (h, w, 3)).copy()
        ground = np.array([0.006, 0.006, 0.007], dtype=np.float32)
        sky[self.ground] = ground
        self.background = sky.astype(np.float32)


@dataclass(frozen=True)
class NightEvents:
    """What a night brings besides the turning sky (how many of each)."""

    headlights: int = 0      # frames lit by a passing car's headlights
    twilight: int = 0        # frames of twilight at each end of the night
    clouds: int = 0          # clouds lit by a town, three frames each
    aircraft: int = 0        # aircraft: blinking lights in a dotted line, across 1 to 3 frames
    satellites: int = 0      # steady streaks, a frame each
    meteors: int = 0         # short bright streaks, a frame each


@dataclass(frozen=True)
class Streak:
    """A line drawn on frame ``frame`` from (``x0``, ``y0``) to (``x1``, ``y1``), pixels."""

    frame: int
    kind: str                # "aircraft", "satellite" or "meteor"
    x0: float
    y0: float
    x1: float
    y1: float
    brightness: float
    dotted: bool = False


@dataclass(frozen=True)
class NightPlan:
    """Where and when a night's events happen: ``light[k]`` is the kind of light on frame
    ``k`` ("headlights", "twilight", "cloud") or None; ``streaks`` every line on every frame."""

    light: tuple
    twilight_strength: tuple
    clouds: tuple            # per frame: None or (x, y, radius) of the lit cloud
    streaks: tuple

    def bright_frames(self):
        return [k for k, kind in enumerate(self.light) if kind is not None]

    def streaks_of(self, frame):
        return [s for s in self.streaks if s.frame == frame]


def _edge_point(rng, width, height, sky_bottom, side):
    """A point on the left (0), right (1) or top (2) edge of the sky."""
    if side == 0:
        return 0.0, float(rng.uniform(0.05, 0.9) * sky_bottom)
    if side == 1:
        return float(width - 1), float(rng.uniform(0.05, 0.9) * sky_bottom)
    return float(rng.uniform(0, width - 1)), 0.0


def plan_night(frames, width, height, seed=1, events=NightEvents()):
    """The :class:`NightPlan` of ``events`` over ``frames`` frames of ``width`` x ``height``,
    from ``seed``. Lit frames never overlap; every streak is in the sky above the ridge
    (roughly: its upper two thirds)."""
    rng = np.random.default_rng((seed, 0x6E16))
    light = [None] * frames
    strength = [0.0] * frames
    clouds = [None] * frames
    t = min(events.twilight, frames // 2)
    for k in range(t):
        for index in (k, frames - 1 - k):
            light[index] = "twilight"
            strength[index] = 0.18 * (1 - k / max(1, t))
    free = [k for k in range(frames) if light[k] is None]
    for _ in range(events.clouds):
        starts = [k for k in free if k + 2 < frames and all(light[k + d] is None for d in range(3))]
        if not starts:
            break
        start = int(rng.choice(starts))
        spot = (float(rng.uniform(0.2, 0.8) * width), float(rng.uniform(0.35, 0.6) * height),
                float(rng.uniform(0.25, 0.4) * width))
        for d in range(3):
            light[start + d] = "cloud"
            clouds[start + d] = spot
        free = [k for k in free if light[k] is None]
    for _ in range(events.headlights):
        if not free:
            break
        k = int(rng.choice(free))
        light[k] = "headlights"
        free.remove(k)
    sky_bottom = 0.66 * height
    streaks = []
    for kind, count in (("aircraft", events.aircraft), ("satellite", events.satellites), ("meteor", events.meteors)):
        for _ in range(count):
            start = int(rng.integers(frames))
            sides = rng.permutation(3)[:2]           # from one edge of the sky to another
            x0, y0 = _edge_point(rng, width, height, sky_bottom, sides[0])
            x1, y1 = _edge_point(rng, width, height, sky_bottom, sides[1])
            if kind == "meteor":
                f = float(rng.uniform(0.15, 0.3))
                x1, y1 = x0 + f * (x1 - x0), y0 + f * (y1 - y0)
            spans = int(rng.integers(1, 4)) if kind == "aircraft" else 1
            spans = min(spans, frames - start)
            for d in range(spans):          # an aircraft crosses the frame over several exposures
                a, b = d / spans, (d + 1) / spans
                streaks.append(Streak(start + d, kind, x0 + a * (x1 - x0), y0 + a * (y1 - y0),
                                      x0 + b * (x1 - x0), y0 + b * (y1 - y0),
                                      {"aircraft": 0.9, "satellite": 0.45, "meteor": 1.3}[kind],
                                      dotted=kind == "aircraft"))
    return NightPlan(tuple(light), tuple(strength), tuple(clouds), tuple(streaks))


def _draw_points(image, xs, ys, flux, sigma):
    """Gaussian spots of ``flux`` (per point, RGB) at (``xs``, ``ys``) added into ``image``."""
    h, w = image.shape[:2]
    ix, iy = np.floor(xs).astype(np.int64), np.floor(ys).astype(np.int64)
    indices, weights = [], []
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            px, py = ix + dx, iy + dy
            ok = (px >= 0) & (px < w) & (py >= 0) & (py < h)
            r2 = (px[ok] + 0.5 - xs[ok]) ** 2 + (py[ok] + 0.5 - ys[ok]) ** 2
            indices.append(py[ok] * w + px[ok])
            weights.append(np.exp(-r2 / (2 * sigma[ok] ** 2))[:, None] * flux[ok])
    indices = np.concatenate(indices)
    weights = np.concatenate(weights)
    for c in range(3):
        image[:, :, c] += np.bincount(indices, weights[:, c], minlength=h * w).reshape(h, w)


def _draw_streak(image, streak):
    length = max(1.0, float(np.hypot(streak.x1 - streak.x0, streak.y1 - streak.y0)))
    t = np.arange(0, length, 0.5, dtype=np.float32) / length
    if streak.dotted:                       # blinking lights: a dot every 14 pixels, 3 long
        t = t[(t * length) % 14 < 3]
    xs = (streak.x0 + t * (streak.x1 - streak.x0)).astype(np.float32)
    ys = (streak.y0 + t * (streak.y1 - streak.y0)).astype(np.float32)
    tint = {"aircraft": (1.0, 0.85, 0.8), "satellite": (1.0, 1.0, 1.0), "meteor": (0.85, 1.0, 0.9)}[streak.kind]
    flux = np.broadcast_to(np.float32(streak.brightness * 0.35) * np.array(tint, np.float32), (len(xs), 3))
    _draw_points(image, xs, ys, flux, np.full(len(xs), 0.8, np.float32))


def _add_light(image, scene, plan, index):
    h, w = scene.height, scene.width
    kind = plan.light[index]
    rows = np.arange(h, dtype=np.float32)[:, None, None]
    if kind == "headlights":               # a car's lights: the foreground and the low sky lit
        image += np.float32(0.22) * np.exp(-(h - rows) / np.float32(0.35 * h)) * np.array([1.0, 0.9, 0.7], np.float32)
    elif kind == "twilight":               # the sky bright, most at the horizon
        sky = ~scene.ground[..., None]
        image += np.float32(plan.twilight_strength[index]) * sky * (0.6 + 0.4 * rows / h) * \
            np.array([0.7, 0.85, 1.0], np.float32)
    elif kind == "cloud":                  # a cloud lit from below by a town
        x, y, radius = plan.clouds[index]
        cols = np.arange(w, dtype=np.float32)[None, :]
        blob = np.exp(-(((cols - x) / radius) ** 2 + ((rows[..., 0] - y) / (0.4 * radius)) ** 2))
        image += (np.float32(0.16) * blob * ~scene.ground)[..., None] * np.array([1.0, 0.8, 0.6], np.float32)


def render_frame(scene, index, depth=8, rng=None, plan=None):
    """Frame ``index`` of ``scene`` as an ``(h, w, 3)`` array of ``depth`` bits, with the
    events of ``plan`` (a :class:`NightPlan`) if given."""
    if depth not in (8, 16):
        raise ValueError(f"depth must be 8 or 16, not {depth!r}")
    rng = np.random.default_rng((scene.seed, index)) if rng is None else rng
    h, w = scene.height, scene.width
    image = scene.background.copy()
    # Where each star is while the shutter is open: one place (exposure 0), or places a pixel
    # of arc apart at the farthest star, each with its share of the light.
    turn = math.radians(scene.degrees_per_frame) * scene.exposure
    steps = max(1, math.ceil(turn * float(scene.radius.max()))) if turn > 0 else 1
    xs, ys, flux, sigma = [], [], [], []
    for step in range(steps):
        theta = scene.angle + np.float32(math.radians(scene.degrees_per_frame * index)
                                         + (turn * step / max(1, steps - 1) if steps > 1 else 0.0))
        x = scene.pole[0] + scene.radius * np.cos(theta)
        y = scene.pole[1] + scene.radius * np.sin(theta)
        inside = (x > -3) & (x < w + 3) & (y > -3) & (y < h + 3)
        xs.append(x[inside])
        ys.append(y[inside])
        flux.append(scene.brightness[inside, None] * scene.tint[inside] / np.float32(steps))
        sigma.append(scene.sigma[inside])
    xs, ys, flux, sigma = (np.concatenate(a) for a in (xs, ys, flux, sigma))
    ix, iy = np.floor(xs).astype(np.int64), np.floor(ys).astype(np.int64)
    indices, weights = [], []
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            px, py = ix + dx, iy + dy
            ok = (px >= 0) & (px < w) & (py >= 0) & (py < h)
            r2 = (px[ok] + 0.5 - xs[ok]) ** 2 + (py[ok] + 0.5 - ys[ok]) ** 2
            indices.append(py[ok] * w + px[ok])
            weights.append(np.exp(-r2 / (2 * sigma[ok] ** 2))[:, None] * flux[ok])
    indices = np.concatenate(indices)
    weights = np.concatenate(weights)
    for c in range(3):
        image[:, :, c] += np.bincount(indices, weights[:, c], minlength=h * w).reshape(h, w)
    if plan is not None:
        for streak in plan.streaks_of(index):
            _draw_streak(image, streak)
    image[scene.ground] = scene.background[scene.ground]  # the ridge hides the stars behind it
    if plan is not None and plan.light[index] is not None:
        _add_light(image, scene, plan, index)
    # Sensor noise: shot noise grows with the signal, read noise does not.
    noise = rng.standard_normal(image.shape, dtype=np.float32)
    image += noise * (0.004 + 0.02 * np.sqrt(np.clip(image, 0, None)))
    top = (1 << depth) - 1
    out = np.clip(image * top + 0.5, 0, top)
    return out.astype(np.uint8 if depth == 8 else np.uint16)


def write_sequence(directory, frames, width, height, depth=8, suffix=".jpg", seed=1,
                   degrees_per_frame=0.1, progress=None, events=None, pole=None, exposure=0.0):
    """Write ``frames`` frames named ``frame_0001<suffix>`` ...; returns their paths.

    All or nothing: the frames go into a hidden folder first, and are moved into ``directory``
    only when every one is written, so an interruption or an error leaves no frame. The hidden
    folder is made on ``directory``'s own file system (inside it when it exists, beside it
    when it does not), so that the moves are renames even when it is a mount point."""
    import os
    from pathlib import Path
    import shutil
    import tempfile
    from .frames import write_image

    directory = Path(directory).absolute()
    scene = SkyScene(width, height, seed=seed, degrees_per_frame=degrees_per_frame, pole=pole, exposure=exposure)
    plan = plan_night(frames, width, height, seed, events) if events is not None else None
    home = directory
    while not home.exists():
        home = home.parent
    scratch = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".part", dir=home))
    try:
        names = []
        for k in range(frames):
            names.append(f"frame_{k + 1:04d}{suffix}")
            write_image(scratch / names[-1], render_frame(scene, k, depth, plan=plan))
            if progress is not None:
                progress(k + 1)
        if directory.exists():
            for name in names:
                os.replace(scratch / name, directory / name)
        else:
            directory.parent.mkdir(parents=True, exist_ok=True)
            scratch.chmod(0o755)
            os.rename(scratch, directory)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [directory / name for name in names]


def write_dng(path, bayer, bits=12, when=None):
    """A camera RAW file of the Bayer mosaic ``bayer`` (RGGB, ``bits`` per sample, no black
    level), as a DNG that LibRaw reads back bit for bit; ``when`` ("YYYY:MM:DD HH:MM:SS") its
    capture time. Needs pidng (a development dependency: for tests and benchmarks)."""
    from pathlib import Path
    from pidng.core import RAW2DNG, DNGTags, Tag
    from pidng.defs import (
        CalibrationIlluminant, CFAPattern, DNGVersion, Orientation, PhotometricInterpretation,
        PreviewColorSpace,
    )
    path = Path(path)
    height, width = bayer.shape
    tags = DNGTags()
    for tag, value in [
        (Tag.ImageWidth, width), (Tag.ImageLength, height), (Tag.TileWidth, width), (Tag.TileLength, height),
        (Tag.Orientation, Orientation.Horizontal),
        (Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array),
        (Tag.SamplesPerPixel, 1), (Tag.BitsPerSample, bits),
        (Tag.CFARepeatPatternDim, [2, 2]), (Tag.CFAPattern, CFAPattern.RGGB),
        (Tag.BlackLevel, 0), (Tag.WhiteLevel, (1 << bits) - 1),
        (Tag.ColorMatrix1, [[1, 1], [0, 1], [0, 1], [0, 1], [1, 1], [0, 1], [0, 1], [0, 1], [1, 1]]),
        (Tag.CalibrationIlluminant1, CalibrationIlluminant.D65),
        (Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]]),
        (Tag.Make, "starsweeper"), (Tag.Model, "synthetic sky"),
        (Tag.DNGVersion, DNGVersion.V1_4), (Tag.DNGBackwardVersion, DNGVersion.V1_2),
        (Tag.PreviewColorSpace, PreviewColorSpace.sRGB),
    ]:
        tags.set(tag, value)
    if when:      # LibRaw takes a DNG's time from IFD0's DateTime (a camera's EXIF IFD has the other)
        tags.set(Tag.DateTime, when)
        tags.set(Tag.DateTimeOriginal, when)
    writer = RAW2DNG()
    writer.options(tags, path=str(path.parent), compress=False)
    writer.convert(bayer, filename=path.stem)
    return path
