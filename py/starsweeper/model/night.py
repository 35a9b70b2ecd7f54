"""What a real night does to a sequence of frames, and the rules that clean it: the
specification of ``starsweeper stack --reject-bright``.

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
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["LUMA", "LEAST_SPREAD", "TILES", "sky_levels", "BrightFrame", "find_bright"]

#: BT.709's luminance weights of red, green and blue.
LUMA = np.array([0.2126, 0.7152, 0.0722])
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
