"""What a real night does to a sequence of frames, and the rules that clean it: the
specification of ``starsweeper stack --reject-bright`` and ``--remove-streaks``.

**A frame's sky levels** (:func:`sky_levels`) are the medians of its luminance (BT.709's
weights on the channels, a grey frame's own value) in each tile of a 4 x 4 grid, on every
``step``-th pixel, as fractions of the full scale. Stars cover far less than half of any
tile, so they do not move them; light does, where it falls: headlights on the foreground and
the low sky, a cloud lit by a town over part of the sky, the moon rising, twilight at both
ends of the night.

**A bright frame** (:func:`find_bright`) is one with a tile whose level stands above what the
night expects of that tile by more than ``sigma`` robust deviations, in either of two ways:

* above its neighbours: the running median of the levels of the ``window`` frames around it
  (itself left out), by ``sigma`` times the robust spread of those differences over the night
  (1.4826 times their median absolute value): a car's lights, a passing cloud, for a frame or
  a few;
* above the night: the median of every level, by ``sigma`` times their robust spread (1.4826
  times the median absolute deviation): twilight at the ends, a moon that stays up, which last
  longer than the neighbours' window and would move their median with them.

Both spreads are at least :data:`LEAST_SPREAD` (half a level of 8 bits), so that a perfectly
steady night (a synthetic one) does not make noise look like light. ``keep`` forces frames in.

**Streaks** (:func:`remove_streaks`): aircraft, satellites and meteors are light in one
frame that its neighbours (two a side) do not have in the same place, in straight lines;
stars are in the neighbours too, a few pixels along their arcs, so each frame is held
against its neighbours' light spread by as far as a star moves between frames
(:func:`star_reach`, from the sky's turn that :func:`sky_rotation` measures on the stars).
:func:`night_without_streaks` applies it to a whole night as the stack's pipeline does.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
import functools
import math

import numpy as np

__all__ = ["LUMA", "LUMA_FIXED", "LUMA_SHIFT", "LEAST_SPREAD", "TILES", "sky_levels", "BrightFrame", "find_bright",
           "SkyRotation", "LEAST_TILES", "sky_rotation", "star_reach", "Streak", "STAR_REACH",
           "STREAK_LENGTH", "STREAK_GAP", "STREAK_OFFSETS", "streak_neighbours", "luminance",
           "star_light", "remove_streaks", "night_without_streaks", "STAR_LEVEL", "Stars", "above_background",
           "SkyView", "find_stars", "bright_places", "stars_at", "turn", "match_stars", "turned_stars",
           "search_offsets", "search_radius", "refine_rotation"]

#: The luma's weights of red, green and blue, BT.601's in 15-bit fixed point (OpenCV's grey, whose
#: conversion is several times faster than a general weighted sum); :func:`luminance`.
LUMA_FIXED = (9798, 19235, 3735)
LUMA_SHIFT = 15
LUMA = np.array(LUMA_FIXED) / (1 << LUMA_SHIFT)
#: The least robust spread of the levels: half a level of 8 bits, as a fraction of full scale.
LEAST_SPREAD = 0.5 / 255
#: Robust standard deviations per median absolute deviation (for normal noise).
MAD_SIGMA = 1.4826
#: The tiles a side of the grid of sky levels.
TILES = 4


def sky_levels(frame, step=4):
    """The median luminance of each tile of a :data:`TILES` x :data:`TILES` grid over
    ``frame`` (an integer ``(h, w)``, ``(h, w, 1)`` or ``(h, w, 3)`` array), on every
    ``step``-th pixel both ways, as fractions of its type's full scale, row by row."""
    frame = np.asarray(frame)
    top = float(np.iinfo(frame.dtype).max)
    grid = frame[::step, ::step]
    if grid.ndim == 3 and grid.shape[2] == 3:
        luma = grid.astype(np.float32) @ LUMA.astype(np.float32)
    else:
        luma = grid.reshape(grid.shape[0], grid.shape[1]).astype(np.float32)
    rows = np.array_split(np.arange(luma.shape[0]), TILES)
    cols = np.array_split(np.arange(luma.shape[1]), TILES)
    return np.array([float(np.median(luma[r[0]:r[-1] + 1, c[0]:c[-1] + 1])) / top if len(r) and len(c) else 0.0
                     for r in rows for c in cols])


@dataclass(frozen=True)
class BrightFrame:
    """A frame :func:`find_bright` leaves out: its index (from 0), and of its tile that stood
    out most: the tile (row-major), its level, the level it was held against (its neighbours'
    or the night's, ``against``), and by how many robust deviations it stood above that."""

    index: int
    tile: int
    level: float
    expected: float
    deviations: float
    against: str          # "neighbours" or "night"


def _running_median(levels, window):
    half = window // 2
    out = np.empty(len(levels))
    for k in range(len(levels)):
        around = np.concatenate([levels[max(0, k - half):k], levels[k + 1:k + half + 1]])
        out[k] = np.median(around) if len(around) else levels[k]
    return out


def _scores(levels, window):
    """For one tile's levels over the night: each frame's deviations above its neighbours and
    above the night, and what they were held against."""
    neighbours = _running_median(levels, window)
    local = levels - neighbours
    local_spread = max(LEAST_SPREAD, MAD_SIGMA * float(np.median(np.abs(local))))
    night = float(np.median(levels))
    night_spread = max(LEAST_SPREAD, MAD_SIGMA * float(np.median(np.abs(levels - night))))
    return local / local_spread, (levels - night) / night_spread, neighbours, night


def find_bright(levels, sigma=5.0, window=15, keep=()):
    """The frames of a night whose sky ``levels`` (a row of tile levels a frame, in order, as
    :func:`sky_levels` gives them; or one level a frame) say they are ruined by light, as
    :class:`BrightFrame` s in order; ``keep`` (indices from 0) are never left out. See the
    module's text for the rule."""
    levels = np.asarray(levels, dtype=np.float64)
    if levels.ndim == 1:
        levels = levels[:, None]
    if len(levels) < 3:
        return []
    scores = [_scores(levels[:, t], window) for t in range(levels.shape[1])]
    keep = set(keep)
    bright = []
    for k in range(len(levels)):
        if k in keep:
            continue
        worst = None
        for t, (by_neighbours, by_night, neighbours, night) in enumerate(scores):
            for deviations, expected, against in ((by_neighbours[k], neighbours[k], "neighbours"),
                                                  (by_night[k], night, "night")):
                if deviations > sigma and (worst is None or deviations > worst.deviations):
                    worst = BrightFrame(k, t, float(levels[k, t]), float(expected), float(deviations), against)
        if worst is not None:
            bright.append(worst)
    return bright


# -- streaks: aircraft, satellites, meteors -------------------------------------------------------------

@dataclass(frozen=True)
class Streak:
    """A streak :func:`remove_streaks` took out of a frame: the longest line found along it,
    from (``x0``, ``y0``) to (``x1``, ``y1``), pixels, and how many pixels it replaced."""

    x0: int
    y0: int
    x1: int
    y1: int
    pixels: int


#: The least reach of a star (:func:`star_reach`): the neighbours' light is spread by at least
#: this many pixels each way before the frame is held against it.
STAR_REACH = 3
#: The shortest line that is a streak, in pixels, as OpenCV's Hough transform measures a line
#: (the longer of its width and height): a satellite that only crosses a corner of the frame is
#: short; a star moves a few pixels between frames, and noise makes no line this long.
STREAK_LENGTH = 16
#: The largest gap within one streak: an aircraft's blinking lights are dots.
STREAK_GAP = 32
#: The frames a frame is held against: these offsets from it (see :func:`streak_neighbours`).
STREAK_OFFSETS = (-2, -1, 1, 2)
#: How far around the lines Hough found the pieces of light are labelled first (pixels): a
#: streak that reaches farther is labelled again on the whole frame (the same pieces either way).
STREAK_WINDOW = 4 * STREAK_GAP


def streak_neighbours(index, frames):
    """The indices of the frames that frame ``index`` of ``frames`` (2 or more) is held
    against, ascending: the four nearest (two a side, :data:`STREAK_OFFSETS`, in the middle
    of the night; at its ends, the next ones on the side there is); with fewer than five
    frames, the others, repeated to make four."""
    if frames < 2:
        raise ValueError(f"streaks are found against other frames: {frames} frame is too few")
    others = sorted((k for k in range(max(0, index - 4), min(frames, index + 5)) if k != index),
                    key=lambda k: (abs(k - index), k))
    chosen = (others * len(STREAK_OFFSETS))[:len(STREAK_OFFSETS)]
    return sorted(chosen)


@dataclass(frozen=True)
class SkyRotation:
    """How the sky turns from one frame to the next: about the pole (``x``, ``y``), pixels
    (in or outside the frame), by ``angle`` radians (positive: clockwise on the image, whose
    y axis points down), measured on ``tiles`` tiles that agree."""

    x: float
    y: float
    angle: float
    tiles: int

    def reach(self, width, height):
        """How far a star of a ``width`` x ``height`` frame moves at most from one frame to the
        next (at the corner farthest from the pole), pixels."""
        corners = [(0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1)]
        return abs(self.angle) * max(math.hypot(cx - self.x, cy - self.y) for cx, cy in corners)


#: The fewest tiles that must agree for :func:`sky_rotation` to say how the sky turns.
LEAST_TILES = 6
#: The whole tiles a frame must hold for :func:`sky_rotation` to lay its tiles a tile apart,
#: not half a tile (a 12 MP frame holds 165 of 256 pixels).
WHOLE_TILES = 64


def sky_rotation(a, b):
    """The :class:`SkyRotation` from frame ``a`` to frame ``b``, or None when too few parts
    of the sky show it (fewer than :data:`LEAST_TILES`, e.g. a cloudy frame) or it does not
    turn. The rule:

    1. the frames' star light (their :func:`luminance` less its opening,
       :func:`above_background`: the sky's glow and the foreground, which do not move, would
       pull the shifts to nothing) is cut into overlapping square tiles (a third of the
       frame's shorter side, 32 to 256 pixels, half a tile apart, or a tile apart when the
       frame holds :data:`WHOLE_TILES` whole tiles or more); in each, the shift of
       ``b`` from ``a`` is measured by phase correlation (OpenCV's, with a Hann window), and
       kept where the tile has a star (a pixel 16 levels of 8 bits above its median) and the
       peak is clear (a response above 0.2: stars, not a dark foreground);
    2. a turn by a small angle t about (px, py) shifts the point (x, y) by (-t (y - py),
       t (x - px)): linear in t, t px and t py, so the three follow from the shifts by
       least squares (weighed by the response);
    3. tiles whose shift differs from the fit by more than 3 times the median difference (at
       least half a pixel) are dropped (the foreground, which does not turn; a cloud) and the
       fit is made again, five times;
    4. stars near a tile's edge leave it or enter it, so those shifts fall short, and a sparse
       sky has few tiles to go on; the rotation is then made exact on the stars themselves
       (:func:`refine_rotation`), where enough of them match."""
    import cv2
    va, vb = SkyView(a), SkyView(b)         # (their star light, read again by refine_rotation)
    la, lb = va.light, vb.light
    h, w = la.shape
    tile = max(32, min(256, 1 << int(math.log2(max(1, min(w, h) // 3)))))
    if min(w, h) < tile:
        return None
    window = cv2.createHanningWindow((tile, tile), cv2.CV_32F)
    contrast = 16 * np.iinfo(la.dtype).max / 255

    def shift(corner):
        x, y = corner
        part = la[y:y + tile, x:x + tile]
        if float(part.max()) - float(np.median(part[::4, ::4])) < contrast:
            return None                     # no star in it: a flat sky, a dark foreground
        # (floats tile by tile: two whole 12 MP frames of them cost half a second of fresh memory)
        (dx, dy), response = cv2.phaseCorrelate(part.astype(np.float32),
                                                lb[y:y + tile, x:x + tile].astype(np.float32), window)
        return (x + (tile - 1) / 2, y + (tile - 1) / 2, dx, dy, response) if response > 0.2 else None

    # (a large frame's tiles a tile apart: a quarter of the correlations, and the stars make the
    # turn exact; on 12 MP frames the same turn, in a third of the time)
    step = tile if (w // tile) * (h // tile) >= WHOLE_TILES else tile // 2
    corners = [(x, y) for y in range(0, h - tile + 1, step) for x in range(0, w - tile + 1, step)]
    # (the tiles on two threads, in order: OpenCV lets go of Python's lock while it correlates,
    # and the stack's threads wait for this measure)
    with ThreadPoolExecutor(max_workers=2) as pool:
        rows = [row for row in pool.map(shift, corners) if row is not None]
    if len(rows) < LEAST_TILES:
        return None
    cx, cy, dx, dy, weight = np.array(rows).T
    keep = np.ones(len(rows), bool)
    for _ in range(5):
        if int(keep.sum()) < LEAST_TILES:
            return None
        t, tpx, tpy = _fit_rotation(cx[keep], cy[keep], dx[keep], dy[keep], weight[keep])
        misfit = np.hypot(dx - (-t * cy + tpy), dy - (t * cx - tpx))
        keep = misfit <= max(0.5, 3 * float(np.median(misfit[keep])))
    if abs(t) < 1e-7:                       # no turn (a tracking mount, one frame twice)
        return None
    return refine_rotation(va, vb, SkyRotation(float(tpx / t), float(tpy / t), float(t), int(keep.sum())))


#: How far above its background a star's brightest pixel must stand, in levels of 8 bits.
STAR_LEVEL = 12


@dataclass(frozen=True)
class Stars:
    """Stars of a frame: their pixels' rows ``y`` and columns ``x`` (int arrays) and how far
    each stands above the background (``light``, the frame's own levels)."""

    y: np.ndarray
    x: np.ndarray
    light: np.ndarray


def above_background(luma, allocate=np.empty):
    """The luminance less its opening by a 5 x 5 square: a star's light, zero on flat ground
    (in an array from ``allocate``)."""
    import cv2
    opening = cv2.morphologyEx(luma, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8), dst=allocate(luma.shape, luma.dtype))
    return cv2.subtract(luma, opening, dst=allocate(luma.shape, luma.dtype))


class SkyView:
    """A frame as the star rules read it, each part made once, when first asked for: ``luma``
    (:func:`luminance`), ``light`` (:func:`above_background`), ``peaks`` (the pixels no darker
    than any of the eight around them: a saturated star's flat top is several) and ``stars``
    (:func:`find_stars`). ``allocate(shape, dtype)`` gives the arrays they are made in
    (``np.empty``, or a pool's)."""

    def __init__(self, frame, allocate=np.empty):
        self.frame = np.asarray(frame)
        self.allocate = allocate

    @functools.cached_property
    def luma(self):
        return luminance(self.frame, self.allocate)

    @functools.cached_property
    def light(self):
        return above_background(self.luma, self.allocate)

    @functools.cached_property
    def peaks(self):
        import cv2
        luma = self.luma
        brightest = cv2.dilate(luma, np.ones((3, 3), np.uint8), dst=self.allocate(luma.shape, luma.dtype))
        return np.greater_equal(luma, brightest, out=self.allocate(luma.shape, bool))

    @functools.cached_property
    def stars(self):
        return find_stars(self)


def find_stars(view, level=None):
    """The :class:`Stars` of a frame (its :class:`SkyView`): its peaks whose light is ``level``
    or more (default :data:`STAR_LEVEL` of 8 bits, scaled to the frame's type)."""
    bright = bright_places(view, level)
    return stars_at(view, bright[view.peaks.reshape(-1)[bright]])


def bright_places(view, level=None):
    """The flat places of a frame (its :class:`SkyView`) whose light is ``level`` or more
    (default :data:`STAR_LEVEL` of 8 bits, scaled to the frame's type), in order: where
    :func:`find_stars` looks for peaks."""
    if level is None:
        level = STAR_LEVEL * np.iinfo(view.luma.dtype).max // 255
    return np.flatnonzero(np.greater_equal(view.light, level, out=view.allocate(view.luma.shape, bool)))


def stars_at(view, places):
    """The :class:`Stars` at the flat ``places`` of a frame (its :class:`SkyView`)."""
    y, x = np.divmod(places, view.luma.shape[1])
    return Stars(y, x, view.light[y, x])


def turn(x, y, rotation, angle):
    """The points (``x``, ``y``) turned by ``angle`` about ``rotation``'s pole."""
    c, s = np.cos(angle), np.sin(angle)
    dx, dy = x - rotation.x, y - rotation.y
    return rotation.x + dx * c - dy * s, rotation.y + dx * s + dy * c


def match_stars(stars, following, rotation, radius):
    """Each of the :class:`Stars` ``stars`` looked for in the next frame (its :class:`SkyView`
    ``following``) where ``rotation`` takes it: the nearest star there within ``radius``
    pixels (one of its peaks) whose light is half to twice its own, not merely the brightest
    (which may be another star). Returns the rows and columns of the stars found and of where
    they were found: (y, x, found_y, found_x)."""
    h, w = following.luma.shape
    light_next, peaks_next = following.light, following.peaks
    sy, sx, light, cx, cy = turned_stars(stars, rotation, w, h)
    matched = np.zeros(len(sy), bool)
    found_x, found_y = cx.copy(), cy.copy()
    pending = np.arange(len(sy))            # (the stars not found yet: the nearest offsets find most)
    for ox, oy in search_offsets(radius):
        if len(pending) == 0:
            break
        x, y = np.clip(cx[pending] + ox, 0, w - 1), np.clip(cy[pending] + oy, 0, h - 1)
        value = light_next[y, x].astype(np.int64)
        fits = peaks_next[y, x] & (2 * value >= light[pending]) & (value <= 2 * light[pending])
        found = pending[fits]
        found_x[found], found_y[found], matched[found] = x[fits], y[fits], True
        pending = pending[~fits]
    return sy[matched], sx[matched], found_y[matched], found_x[matched]


def turned_stars(stars, rotation, width, height):
    """Where ``rotation`` takes each of the :class:`Stars` ``stars`` (the nearest pixel), for
    those it keeps inside a frame of ``width`` x ``height`` (a star leaving the frame is not
    found): (y, x, light as int64, turned x, turned y)."""
    tx, ty = turn(stars.x.astype(np.float64), stars.y.astype(np.float64), rotation, rotation.angle)
    cx, cy = np.rint(tx).astype(np.int64), np.rint(ty).astype(np.int64)
    inside = (cx >= 0) & (cx < width) & (cy >= 0) & (cy < height)
    return (stars.y[inside], stars.x[inside], stars.light[inside].astype(np.int64), cx[inside], cy[inside])


def search_offsets(radius):
    """The offsets (x, y) within ``radius`` pixels, in the order :func:`match_stars` tries
    them: nearest first (then by x, then y)."""
    return sorted(((ox, oy) for oy in range(-radius, radius + 1) for ox in range(-radius, radius + 1)
                   if ox * ox + oy * oy <= radius * radius), key=lambda o: (o[0] ** 2 + o[1] ** 2, o))


def search_radius(rotation, width, height):
    """How far from where ``rotation`` takes a star :func:`match_stars` is asked to look for it,
    pixels: a third of the farthest move (a measured angle may be short) and two pixels."""
    return int(math.ceil(rotation.reach(width, height) / 3)) + 2


def _fit_rotation(x, y, dx, dy, weight=None):
    """The small turn (t, t px, t py) that best moves the points (x, y) by (dx, dy), by least
    squares: dx = -t y + t py, dy = t x - t px."""
    n = len(x)
    design = np.zeros((2 * n, 3))
    design[0::2, 0], design[0::2, 1] = -y, 1
    design[1::2, 0], design[1::2, 2] = x, -1
    shifts = np.empty(2 * n)
    shifts[0::2], shifts[1::2] = dx, dy
    root = np.ones(2 * n) if weight is None else np.repeat(np.sqrt(weight), 2)
    (t, tpy, tpx), *_ = np.linalg.lstsq(design * root[:, None], shifts * root, rcond=None)
    return t, tpx, tpy


def _centroids(light, x, y):
    """The centres of light of the 3 x 3 squares about the pixels (``x``, ``y``) of ``light``
    (a star's pixel, to a fraction of a pixel)."""
    h, w = light.shape
    total, sx, sy = np.zeros(len(x)), np.zeros(len(x)), np.zeros(len(x))
    for oy in (-1, 0, 1):
        for ox in (-1, 0, 1):
            px, py = np.clip(x + ox, 0, w - 1), np.clip(y + oy, 0, h - 1)
            value = light[py, px].astype(np.float64)
            total += value
            sx += value * px
            sy += value * py
    total = np.maximum(total, 1e-9)
    return sx / total, sy / total


def refine_rotation(a, b, rotation, rounds=3):
    """``rotation`` (from frame ``a`` to frame ``b``, as :func:`sky_rotation` measures it on
    tiles) made exact on the stars: each star of ``a`` (:func:`find_stars`) is matched in ``b``
    (:func:`match_stars`, within :func:`search_radius`, then within two pixels) and the turn
    fitted to the moves of the matched pairs' centres of light, the farthest-off pairs (over
    three times the median miss, and a pixel) left out; ``rounds`` times. The rotation as it was when too
    few stars match (fewer than :data:`LEAST_TILES`); None when the turn found moves no star
    by a quarter of a pixel. ``a`` and ``b`` may be the frames' :class:`SkyView` s."""
    va, vb = (frame if isinstance(frame, SkyView) else SkyView(frame) for frame in (a, b))
    stars = va.stars
    light_a, light_b = va.light, vb.light       # (read at the stars only: _centroids)
    h, w = va.luma.shape
    for round_ in range(rounds):
        radius = search_radius(rotation, w, h) if round_ == 0 else 2
        sy, sx, fy, fx = match_stars(stars, vb, rotation, radius)
        if len(sy) < LEAST_TILES:
            return rotation
        x, y = _centroids(light_a, sx, sy)
        ex, ey = _centroids(light_b, fx, fy)
        dx, dy = ex - x, ey - y
        keep = np.ones(len(x), bool)
        for _ in range(3):
            t, tpx, tpy = _fit_rotation(x[keep], y[keep], dx[keep], dy[keep])
            miss = np.hypot(dx - (-t * y + tpy), dy - (t * x - tpx))
            keep = miss <= max(1.0, 3 * float(np.median(miss[keep])))
        if abs(t) < 1e-7 or keep.sum() < LEAST_TILES:
            return rotation
        rotation = SkyRotation(float(tpx / t), float(tpy / t), float(t), int(keep.sum()))
    # a turn that moves no star by a quarter of a pixel is none (a tracking mount)
    return rotation if rotation.reach(w, h) >= 0.25 else None


def star_reach(rotation, width, height):
    """How far :func:`remove_streaks` spreads the neighbours' light for frames that turn as
    ``rotation`` says (None: not known): the farthest a star moves between frames, a quarter
    more for :func:`sky_rotation`'s shortfall, and a pixel, rounded up; at least
    :data:`STAR_REACH`."""
    if rotation is None:
        return STAR_REACH
    return max(STAR_REACH, math.ceil(1.25 * rotation.reach(width, height)) + 1)


def luminance(frame, allocate=np.empty):
    """``frame``'s luma, an ``(h, w)`` array of its own integer type: ``(9798 R + 19235 G + 3735 B
    + 2**14) >> 15`` (:data:`LUMA_FIXED`: BT.601's weights, rounded to nearest), which is
    OpenCV's grey for 8 and 16 bits; a grey frame's own value. ``allocate(shape, dtype)``
    gives the array it is written to (``np.empty``, or a pool's)."""
    import cv2
    frame = np.asarray(frame)
    if frame.ndim == 3 and frame.shape[2] == 3:
        return cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2GRAY,
                            dst=allocate(frame.shape[:2], frame.dtype))
    return frame.reshape(frame.shape[0], frame.shape[1])


def star_light(frame, reach=STAR_REACH, allocate=np.empty):
    """What a frame is held against when it is a neighbour (step 1 of :func:`remove_streaks`):
    its :func:`luminance` spread by ``reach`` pixels each way (the brightest within), in an
    array from ``allocate``."""
    import cv2
    kernel = np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)
    luma = luminance(frame, allocate)
    return cv2.dilate(luma, kernel, dst=allocate(luma.shape, luma.dtype))


def _middle(keys, counts):
    """``np.median`` of a list given as ``counts`` of each of the ascending ``keys``: the mean
    of its (n-1)//2-th and n//2-th items."""
    cumulative = np.cumsum(counts)
    n = int(cumulative[-1])
    middle = np.searchsorted(cumulative, [(n - 1) // 2 + 1, n // 2 + 1])     # the (n-1)//2-th and n//2-th
    return (int(keys[middle[0]]) + int(keys[middle[1]])) / 2


def median_and_deviation(values):
    """The median of an array of whole numbers and the median of their distances from it
    (``np.median``'s, each the mean of the middle two of an even count), found by counting the
    values once: a pass instead of two sorts."""
    values = np.asarray(values).ravel()
    low = int(values.min())
    counts = np.bincount(np.subtract(values, low, dtype=np.intp))
    keys = np.arange(low, low + len(counts))
    centre = _middle(keys, counts)
    # the distances, doubled (whole numbers: the centre may be a half), in ascending order
    twice = np.abs(2 * keys - round(2 * centre))
    order = np.argsort(twice, kind="stable")
    return centre, _middle(twice[order], counts[order]) / 2


def _second_brightest(a, b, c, d):
    """Value by value, the second largest of four arrays of one shape and type."""
    if a.ndim == 2 and a.flags.c_contiguous:        # OpenCV's, a few times faster on 12 MP
        import cv2
        return cv2.max(cv2.min(cv2.max(a, b), cv2.max(c, d)), cv2.max(cv2.min(a, b), cv2.min(c, d)))
    return np.maximum(np.minimum(np.maximum(a, b), np.maximum(c, d)), np.maximum(np.minimum(a, b), np.minimum(c, d)))


def _third_brightest(a, b, c, d):
    """Value by value, the third largest (the second smallest) of four arrays of one shape and
    type."""
    return np.minimum(np.minimum(np.maximum(a, b), np.maximum(c, d)), np.maximum(np.minimum(a, b), np.minimum(c, d)))


def _in_both_pairs(values, offsets):
    """Value by value, what both pairs of four neighbours show (``values``, the frames
    ``offsets`` away): the brighter of the nearer two and the brighter of the farther two, the
    dimmer of those. A star is in every neighbour; light in both of one pair only (streaks of
    their own crossing this frame's) is not shown by the other pair."""
    nearer = sorted(range(len(values)), key=lambda i: abs(offsets[i]))
    return np.minimum(np.maximum(values[nearer[0]], values[nearer[1]]), np.maximum(values[nearer[2]], values[nearer[3]]))


def _turned_to(neighbour, ys, xs, rotation, offset):
    """``neighbour``'s values (a frame ``offset`` frames from this one) where the sky's turn
    takes this frame's pixels (``ys``, ``xs``): the nearest pixel, inside the frame."""
    h, w = neighbour.shape[:2]
    x, y = turn(xs.astype(np.float64), ys.astype(np.float64), rotation, offset * rotation.angle)
    return neighbour[np.clip(np.rint(y).astype(np.int64), 0, h - 1), np.clip(np.rint(x).astype(np.int64), 0, w - 1)]


class _BeyondWindow(Exception):
    """A streak reaches past the rectangle its pieces were labelled in."""


def _inside(window, left, top, right, bottom, h, w):
    """Whether the rectangle (``right``, ``bottom`` excluded) lies within ``window`` (left,
    top, right, bottom: the part of the frame labelled), off its edges but where they are the
    frame's: a piece there may go on beyond it."""
    wl, wt, wr, wb = window
    return ((left > wl or wl == 0) and (top > wt or wt == 0) and (right < wr or wr == w)
            and (bottom < wb or wb == h))


def _under_line(pieces, start, end, window):
    """The pieces (numbered in ``pieces``, labelled in ``window``) under the line from
    ``start`` to ``end`` (x, y), 3 pixels wide, drawn in the rectangle around it only;
    :class:`_BeyondWindow` when that rectangle leaves the window."""
    import cv2
    h, w = pieces.shape
    (x0, y0), (x1, y1) = ((int(round(x)), int(round(y))) for x, y in (start, end))
    left, right = max(0, min(x0, x1) - 2), min(w, max(x0, x1) + 3)
    top, bottom = max(0, min(y0, y1) - 2), min(h, max(y0, y1) + 3)
    if left >= right or top >= bottom:
        return set()
    if not _inside(window, left, top, right, bottom, h, w):
        raise _BeyondWindow()
    line = np.zeros((bottom - top, right - left), np.uint8)
    cv2.line(line, (x0 - left, y0 - top), (x1 - left, y1 - top), 1, thickness=3)
    return set(np.unique(pieces[top:bottom, left:right][line > 0]).tolist()) - {0}


def _along(pieces, boxes, segment, window):
    """The pieces of light (numbered in ``pieces``, their bounding boxes ``boxes``: left, top,
    width, height) that the line ``segment`` (x0, y0, x1, y1) runs through, followed on along
    the line, and the ends of the line they cover: the segment reaches :data:`STREAK_GAP`
    pixels past the last piece found at each end, until it finds no more (Hough's segment can
    stop short of the streak's last dots). The pieces are labelled in ``window`` (left, top,
    right, bottom): :class:`_BeyondWindow` when the line or a piece it meets leaves it."""
    x0, y0, x1, y1 = segment
    origin = np.array([x0, y0], float)
    direction = np.array([x1 - x0, y1 - y0], float)
    direction /= max(1e-9, float(np.hypot(*direction)))
    touched, reach = set(), (0.0, float(np.hypot(x1 - x0, y1 - y0)))
    h, w = pieces.shape
    while True:
        start, end = (origin + direction * (reach[0] - STREAK_GAP), origin + direction * (reach[1] + STREAK_GAP))
        more = _under_line(pieces, start, end, window)
        if more <= touched:
            return touched, tuple(origin + direction * t for t in reach)
        for left, top, width, height in boxes[sorted(more - touched)].tolist():
            if not _inside(window, left, top, left + width, top + height, h, w):
                raise _BeyondWindow()
        touched |= more
        left, top, width, height = boxes[sorted(touched)].T
        corners = [(left, top), (left + width - 1, top), (left, top + height - 1), (left + width - 1, top + height - 1)]
        along = [(x - origin[0]) * direction[0] + (y - origin[1]) * direction[1] for x, y in corners]
        reach = (float(np.min(along)), float(np.max(along)))


def _labelled(low, window):
    """The 8-connected pieces of ``low`` in ``window`` (left, top, right, bottom): their count,
    a label image of the frame's size (0 outside the window) and their bounding boxes (left,
    top, width, height, in the frame)."""
    import cv2
    left, top, right, bottom = window
    count, inside, boxes, _ = cv2.connectedComponentsWithStats(low[top:bottom, left:right], connectivity=8)
    if (left, top, right, bottom) == (0, 0, low.shape[1], low.shape[0]):
        return count, inside, boxes[:, :4]
    pieces = np.zeros(low.shape, np.int32)          # (zero pages: only the window is written)
    pieces[top:bottom, left:right] = inside
    boxes = boxes[:, :4].copy()
    boxes[:, 0] += left
    boxes[:, 1] += top
    return count, pieces, boxes


def _streak_pieces(pieces, boxes, segments, window):
    """The streaks that the Hough ``segments`` (x0, y0, x1, y1) find among the ``pieces`` of
    light labelled in ``window``: for each, the pieces it runs through and its longest line,
    ``(pieces, (length squared, (x0, y0, x1, y1)))``. Hough finds a streak as several lines
    close together: the lines that share a piece of light are one streak."""
    h, w = pieces.shape
    found = []
    for segment in segments:
        touched, ends = _along(pieces, boxes, segment, window)
        (x0, y0), (x1, y1) = ((min(w - 1, max(0, round(x))), min(h - 1, max(0, round(y)))) for x, y in ends)
        same = [k for k, (others, _) in enumerate(found) if others & touched]
        longest = ((x1 - x0) ** 2 + (y1 - y0) ** 2, (x0, y0, x1, y1))
        for k in reversed(same):
            others, other_line = found.pop(k)
            touched |= others
            longest = max(longest, other_line)
        found.append((touched, longest))
    found = [(touched, _fitted_line(pieces, boxes, touched, longest)) for touched, longest in found]
    return _joined_in_line(found, pieces, boxes)


def _fitted_line(pieces, boxes, touched, hough):
    """The line through the pieces ``touched`` (numbers in ``pieces``, their bounding boxes
    ``boxes``), from end to end, as (length squared, (x0, y0, x1, y1)): fitted to their pixels
    (OpenCV's ``fitLine``, Huber's distance, so that a star's piece the streak runs through
    pulls it little), not Hough's segment, whose direction, from a piece a few dozen pixels
    long, is a degree or more off, many pixels across the frame. ``hough``: that segment, as
    (length squared, line), kept where the pieces are too few to fit (under two pixels)."""
    import cv2
    h, w = pieces.shape
    chosen = sorted(touched)
    left, top, width, height = boxes[chosen].T
    x_from, y_from = int(left.min()), int(top.min())
    x_to, y_to = int((left + width).max()), int((top + height).max())
    ys, xs = np.nonzero(np.isin(pieces[y_from:y_to, x_from:x_to], chosen))
    if len(xs) < 2:
        return hough
    points = np.column_stack([xs + x_from, ys + y_from]).astype(np.float32)
    vx, vy, px, py = (float(v) for v in cv2.fitLine(points, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel())
    along = (points[:, 0] - px) * vx + (points[:, 1] - py) * vy
    ends = [float(along.min()), float(along.max())]
    # An end within EDGE_REACH of the frame's edge goes on to it: the streak's last pixels
    # there, cut by the edge, are often too few to stand out.
    for k, sign in ((0, -1), (1, 1)):
        to_edge = min(_to_edge(px + ends[k] * vx, sign * vx, w), _to_edge(py + ends[k] * vy, sign * vy, h))
        if to_edge <= EDGE_REACH:
            ends[k] += sign * max(0.0, to_edge)
    (x0, y0), (x1, y1) = ((min(w - 1, max(0, round(px + t * vx))), min(h - 1, max(0, round(py + t * vy))))
                          for t in ends)
    return (x1 - x0) ** 2 + (y1 - y0) ** 2, (x0, y0, x1, y1)


def _to_edge(position, step, size):
    """How many ``step`` s (a unit direction's part along one axis) from ``position`` to the
    edge of a frame ``size`` pixels wide along that axis (infinite when the step does not move
    along it)."""
    if abs(step) <= 1e-9:
        return math.inf
    return (size - 1 - position) / step if step > 0 else position / -step


#: How near the frame's edge a streak's end may stop for the streak to be taken on to the edge
#: (pixels): the last pixels of a streak cut by the edge are often too few to stand out.
EDGE_REACH = 16
#: How far from the line through one streak the other's ends may be (pixels) for the two to be
#: one streak.
IN_LINE = 3


def _joined_in_line(found, pieces, boxes):
    """The streaks ``found`` (pieces, (length squared, line)) with those that lie on one line
    joined, their line (:func:`_fitted_line`) from end to end: an aircraft whose lights are off
    for more than :data:`STREAK_GAP` pixels, or a streak cut where it crosses a bright star (the
    star's spread light hides it there from step 1 of :func:`remove_streaks`), is one streak,
    and the line between its parts is taken out with it (a star's dot there is kept: it is read
    where the sky's turn takes it in the neighbours)."""
    found = list(found)
    k = 0
    while k < len(found):
        other = next((j for j in range(k + 1, len(found)) if _in_line(found[k][1][1], found[j][1][1])), None)
        if other is None:
            k += 1
            continue
        (touched, longest), (others, _) = found[k], found.pop(other)
        found[k] = (touched | others, _fitted_line(pieces, boxes, touched | others, longest))
        k = 0                   # (the joined line may now lie on one with an earlier streak)
    return found


def _in_line(a, b):
    """Whether the lines ``a`` and ``b`` (x0, y0, x1, y1) lie on one line: each one's ends within
    :data:`IN_LINE` pixels of the line through the longer one."""
    if (a[2] - a[0]) ** 2 + (a[3] - a[1]) ** 2 < (b[2] - b[0]) ** 2 + (b[3] - b[1]) ** 2:
        a, b = b, a
    dx, dy = a[2] - a[0], a[3] - a[1]
    length = math.hypot(dx, dy)
    if length == 0:
        return False
    return all(abs((x - a[0]) * dy - (y - a[1]) * dx) / length <= IN_LINE for x, y in (b[:2], b[2:]))


def remove_streaks(neighbours, frame, sigma=6.0, reach=STAR_REACH, lights=None, luma=None, rotation=None,
                   offsets=STREAK_OFFSETS, allocate=np.empty):
    """``frame`` with the streaks that are in it and not in its ``neighbours`` (the frames
    :func:`streak_neighbours` names, two a side) taken out, and the :class:`Streak` s found.
    The rule:

    1. the frame's light above its neighbours': its luminance less the second brightest of
       theirs, each spread by ``reach`` pixels (:func:`star_reach`: as far as a star moves
       from one frame to the next). A star is still in the frames either side, within that
       reach, so a star trail is never above them; and
       the second brightest, not the brightest, so that a streak in one neighbour (an aircraft
       crossing several frames, a satellite along the same line) does not hide this one;
    2. where that stands ``sigma`` robust deviations above its own median (and at least 4
       levels of 8 bits), in straight lines of :data:`STREAK_LENGTH` pixels or more
       (OpenCV's probabilistic Hough transform, gaps of up to :data:`STREAK_GAP` for the dots
       of blinking lights);
    3. every piece of the frame's light above its neighbours' (at half that threshold) that
       such a line runs through, whole, and the line fitted to those pieces' pixels, 5 pixels
       wide (on to the frame's edge when it stops within :data:`EDGE_REACH` of it; streaks on
       one line are one), and a pixel around, takes the smaller of its own
       value and what its neighbours show of it (not spread: a star beside the streak would
       smear into it), channel by channel: the brighter of the third brightest of the
       neighbours' values there (the ground, which does not turn: all four show it, so two
       neighbours with streaks of their own over this one's do not hide it) and their values
       where the sky's turn (``rotation``, the neighbours ``offsets`` frames away) takes the
       pixel, the nearest pixel (a star the streak crosses: its dot of this frame is kept), as
       both pairs show them: the brighter of the nearer two and of the farther two, the
       dimmer of those (a star is in every neighbour; two streaks of their own, in the frames
       two before and two after, are in one pair). The streak is gone, its faint ends and
       wings too, and nothing ever gets brighter than it was.

    ``lights``: the neighbours' :func:`star_light` (of ``reach``), if they are known already
    (a stream holds each frame's while the frame is a neighbour); ``luma``: the frame's
    :func:`luminance`, if known. Without ``rotation`` (a sky with no stars to measure), the
    neighbours' values at the pixel alone. ``allocate(shape, dtype)`` gives the arrays it
    works in and the cleaned frame's (``np.empty``, or a pool's).
    """
    import cv2
    frame = np.asarray(frame)
    neighbours = [np.asarray(n) for n in neighbours]
    if len(neighbours) != len(STREAK_OFFSETS) or any(n.shape != frame.shape or n.dtype != frame.dtype for n in neighbours):
        raise ValueError(f"streaks are found against {len(STREAK_OFFSETS)} frames of the frame's size and type")
    lights = [star_light(n, reach, allocate) for n in neighbours] if lights is None else lights
    # (OpenCV's element-wise operations: a few times faster than numpy's on 12 MP.)
    wide = cv2.CV_16S if frame.dtype == np.uint8 else cv2.CV_32S
    luma = luminance(frame, allocate) if luma is None else luma
    excess = allocate(luma.shape, np.int16 if wide == cv2.CV_16S else np.int32)
    for first in range(0, len(luma), 32):   # (in bands of rows that stay in the cache: twice as fast)
        rows = slice(first, first + 32)
        cv2.subtract(luma[rows], _second_brightest(*(light[rows] for light in lights)), dst=excess[rows],
                     dtype=wide)
    # Its median and spread, on every fourth pixel both ways (a million of 12 MP: the same
    # statistics, to a fraction of a level, in a sixteenth of the time), by counting.
    centre, deviation = median_and_deviation(excess[::4, ::4])
    spread = MAD_SIGMA * deviation
    full = np.iinfo(frame.dtype).max
    threshold = max(4 * full / 255, centre + sigma * spread)
    candidates = cv2.compare(excess, threshold, cv2.CMP_GT, dst=allocate(luma.shape, np.uint8))
    if cv2.countNonZero(candidates) < STREAK_LENGTH // 2:
        return frame, []                # fewer than a line's least votes: Hough would find none
    lines = cv2.HoughLinesP(candidates, 1, np.pi / 360, threshold=STREAK_LENGTH // 2,
                            minLineLength=STREAK_LENGTH, maxLineGap=STREAK_GAP)
    if lines is None or len(lines) == 0:         # (OpenCV gives either for none)
        return frame, []
    # The streak is every piece of light above the neighbours' (at half the threshold) that a
    # line found runs through, whole: its faint ends and wings too, which the line misses.
    low = cv2.compare(excess, threshold / 2, cv2.CMP_GT, dst=allocate(luma.shape, np.uint8))
    h, w = low.shape
    ends = lines.reshape(-1, 4)
    segments = ends.tolist()
    # (labelled first in the rectangle around the lines, a fraction of the frame; again on the
    # whole frame when a streak reaches beyond it)
    xs, ys = ends[:, 0::2], ends[:, 1::2]
    near = (max(0, int(xs.min()) - STREAK_WINDOW), max(0, int(ys.min()) - STREAK_WINDOW),
            min(w, int(xs.max()) + STREAK_WINDOW + 1), min(h, int(ys.max()) + STREAK_WINDOW + 1))
    for window in (near, (0, 0, w, h)):
        try:
            count, pieces, boxes = _labelled(low, window)
            found = _streak_pieces(pieces, boxes, segments, window)
            break
        except _BeyondWindow:
            continue
    # Each pixel of a streak numbered by it (from 1): its pieces, and the line itself, as wide
    # as a streak (where the streak crosses a star, the star spread hides it from step 1; the
    # star's dot of this frame goes with it); and a pixel around.
    owner = np.zeros(count, np.uint16)
    for number, (touched, _) in enumerate(found, start=1):
        owner[list(touched)] = number
    owner[0] = 0
    # All of it lies in the rectangle around the pieces and the lines (5 wide, a pixel around),
    # with a margin: worked out there only, the same pixels in a fraction of the time.
    edges = [(left, top, left + width - 1, top + height - 1)
             for touched, _ in found for left, top, width, height in boxes[sorted(touched)]]
    edges += [(min(x0, x1) - 4, min(y0, y1) - 4, max(x0, x1) + 4, max(y0, y1) + 4)
              for _, (_, (x0, y0, x1, y1)) in found]
    left, top = (max(0, min(edge[i] for edge in edges) - 2) for i in (0, 1))
    right, bottom = min(w, max(edge[2] for edge in edges) + 3), min(h, max(edge[3] for edge in edges) + 3)
    band = owner[pieces[top:bottom, left:right]]
    for number, (_, (_, (x0, y0, x1, y1))) in enumerate(found, start=1):
        cv2.line(band, (x0 - left, y0 - top), (x1 - left, y1 - top), number, thickness=5)
    band = cv2.dilate(band, np.ones((3, 3), np.uint8))
    ys, xs = np.divmod(np.flatnonzero(band), band.shape[1])         # (np.nonzero's order)
    pixels = np.bincount(band[ys, xs], minlength=len(found) + 1)
    ys += top
    xs += left
    streaks = [Streak(*ends, int(pixels[number])) for number, (_, (_, ends)) in enumerate(found, start=1)]
    # What replaces it: the neighbours' own light there, not spread (spread, a star next to the
    # streak would smear into it): the ground, which all four show (the third brightest: two
    # with streaks of their own over this one's do not hide it), and where the sky's turn
    # takes it.
    beside = _third_brightest(*(n[ys, xs] for n in neighbours))
    if rotation is not None:
        beside = np.maximum(beside, _in_both_pairs([_turned_to(n, ys, xs, rotation, offset)
                                                    for n, offset in zip(neighbours, offsets)], offsets))
    cleaned = allocate(frame.shape, frame.dtype)
    np.copyto(cleaned, frame)
    cleaned[ys, xs] = np.minimum(frame[ys, xs], beside)
    return cleaned, sorted(streaks, key=lambda s: (s.y0, s.x0))


def night_without_streaks(frames, sigma=6.0, untouched=()):
    """Every frame of a night (a list of 2 or more) with its streaks taken out, as the stack's
    pipeline does it: how far stars move is measured once, between the middle two frames
    (:func:`sky_rotation`, :func:`star_reach`), and each frame is held against the raw frames
    :func:`streak_neighbours` names. Yields (frame, :class:`Streak` s) in order; the frames
    ``untouched`` (indices) are given as they are, with no streaks."""
    frames = [np.asarray(frame) for frame in frames]
    if len(frames) < 2:
        raise ValueError(f"streaks are found against other frames: {len(frames)} frame is too few")
    middle = len(frames) // 2
    height, width = frames[0].shape[:2]
    rotation = sky_rotation(frames[middle - 1], frames[middle])
    reach = star_reach(rotation, width, height)
    for k, frame in enumerate(frames):
        if k in untouched:
            yield frame, []
        else:
            neighbours = streak_neighbours(k, len(frames))
            yield remove_streaks([frames[j] for j in neighbours], frame, sigma, reach, rotation=rotation,
                                 offsets=[j - k for j in neighbours])
