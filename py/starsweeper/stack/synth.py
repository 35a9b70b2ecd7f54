"""A realistic synthetic night-sky sequence, for demos, tests and benchmarks.

Stars turn about a celestial pole (by default just above the frame, as when a camera faces
north), with a power-law brightness distribution and colour temperatures from blue-white to
orange; each is drawn as a small Gaussian point spread. The sky has a light-pollution glow
towards the horizon; a dark mountain ridge with trees hides the lower part of the sky; every
frame gets fresh sensor noise (read noise plus shot noise), so no two frames are equal.
"""

from dataclasses import dataclass
import math

import numpy as np

__all__ = ["SkyScene", "render_frame", "write_sequence", "write_dng"]

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

    def __post_init__(self):
        if self.width < 16 or self.height < 16:
            raise ValueError(f"frames must be at least 16x16 pixels, not {self.width}x{self.height}")
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


def render_frame(scene, index, depth=8, rng=None):
    """Frame ``index`` of ``scene`` as an ``(h, w, 3)`` array of ``depth`` bits."""
    if depth not in (8, 16):
        raise ValueError(f"depth must be 8 or 16, not {depth!r}")
    rng = np.random.default_rng((scene.seed, index)) if rng is None else rng
    h, w = scene.height, scene.width
    image = scene.background.copy()
    theta = scene.angle + np.float32(math.radians(scene.degrees_per_frame * index))
    xs = scene.pole[0] + scene.radius * np.cos(theta)
    ys = scene.pole[1] + scene.radius * np.sin(theta)
    inside = (xs > -3) & (xs < w + 3) & (ys > -3) & (ys < h + 3)
    xs, ys = xs[inside], ys[inside]
    flux = scene.brightness[inside, None] * scene.tint[inside]
    sigma = scene.sigma[inside]
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
    image[scene.ground] = scene.background[scene.ground]  # the ridge hides the stars behind it
    # Sensor noise: shot noise grows with the signal, read noise does not.
    noise = rng.standard_normal(image.shape, dtype=np.float32)
    image += noise * (0.004 + 0.02 * np.sqrt(np.clip(image, 0, None)))
    top = (1 << depth) - 1
    out = np.clip(image * top + 0.5, 0, top)
    return out.astype(np.uint8 if depth == 8 else np.uint16)


def write_sequence(directory, frames, width, height, depth=8, suffix=".jpg", seed=1,
                   degrees_per_frame=0.1, progress=None):
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
    scene = SkyScene(width, height, seed=seed, degrees_per_frame=degrees_per_frame)
    home = directory
    while not home.exists():
        home = home.parent
    scratch = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".part", dir=home))
    try:
        names = []
        for k in range(frames):
            names.append(f"frame_{k + 1:04d}{suffix}")
            write_image(scratch / names[-1], render_frame(scene, k, depth))
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
