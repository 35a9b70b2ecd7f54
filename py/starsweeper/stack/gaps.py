"""Gap filling for the stack's pipeline: :func:`starsweeper.model.gaps.fill_gap` with its stars,
their matches and their copies as loops that Numba compiles.

The model is the specification, and these give its stars, its matches and its pixels
(``tests/test_stack_gaps.py``). The model works on whole arrays: a 12 MP frame's peaks as a
12 MP array, and each of its some 600,000 landings gathered, tested and written through
NumPy's indexing. Here a star's peak is read where it is needed (the eight pixels around it),
each match is tried offset by offset until one fits, and each copy lands in one pass over its
patch. The arcs' angles, the background and the bounds of each star's own sky are the model's
own functions.

Each loop is compiled once for each type of frame (8 or 16 bits, grey or colour: some 2.5 s
here) and kept in Numba's cache, beside this file or in the user's cache folder when this one
cannot be written (when neither can, each stack compiles them again); a later stack loads
them (a quarter of a second). They release Python's lock, so the pipeline's threads run them
side by side.
"""

import functools

import numba
import numpy as np

from ..model import night
from ..model.gaps import PATCH, arcs, matched_stars, sky_background, sky_bounds

__all__ = ["SkyView", "find_stars", "match_stars", "fill_gap"]

_SIDE = 2 * PATCH + 1


def _compiled(function):
    """``function`` compiled by Numba when first called, without Python's lock; kept in
    Numba's cache where it finds a folder it may write (else compiled by every process that
    uses it: Numba refuses a cache it has nowhere to keep)."""
    try:
        return numba.njit(cache=True, nogil=True)(function)
    except RuntimeError as error:
        if "no locator available" not in str(error):
            raise
        return numba.njit(nogil=True)(function)


def _read(array):
    """``array`` as the loops take what they only read: C-ordered and read-only (so that each
    loop is compiled once for a type of frame, whether or not the frame may be written)."""
    array = np.ascontiguousarray(array).view()
    array.flags.writeable = False
    return array


@_compiled
def _is_peak(luma, y, x):
    """Whether the pixel (y, x) is no darker than any of the eight around it (in the frame)."""
    h, w = luma.shape
    value = luma[y, x]
    for yy in range(max(y - 1, 0), min(y + 2, h)):
        for xx in range(max(x - 1, 0), min(x + 2, w)):
            if luma[yy, xx] > value:
                return False
    return True


@_compiled
def _peaks_among(luma, places):
    """Which of the flat ``places`` are peaks."""
    w = luma.shape[1]
    peak = np.empty(len(places), np.bool_)
    for i in range(len(places)):
        peak[i] = _is_peak(luma, places[i] // w, places[i] % w)
    return peak


@_compiled
def _match(luma_next, light_next, light, cx, cy, offsets):
    """For each star: the first of ``offsets`` (rows of x, y) from (cx, cy), each clipped to
    the frame, where the next frame has a peak whose light is half to twice the star's."""
    h, w = light_next.shape
    found_x, found_y = cx.copy(), cy.copy()
    matched = np.zeros(len(cx), np.bool_)
    for k in range(len(cx)):
        for i in range(offsets.shape[0]):
            x = min(max(cx[k] + offsets[i, 0], 0), w - 1)
            y = min(max(cy[k] + offsets[i, 1], 0), h - 1)
            value = np.int64(light_next[y, x])
            if 2 * value >= light[k] and value <= 2 * light[k] and _is_peak(luma_next, y, x):
                found_x[k], found_y[k], matched[k] = x, y, True
                break
    return found_x, found_y, matched


@_compiled
def _own_sky(background, sy, sx):
    """Each star's own background: the brightest of ``background`` in its patch (in the frame)."""
    h, w = background.shape
    own = np.empty(len(sy), np.int64)
    for k in range(len(sy)):
        brightest = 0
        for y in range(max(sy[k] - PATCH, 0), min(sy[k] + PATCH + 1, h)):
            for x in range(max(sx[k] - PATCH, 0), min(sx[k] + PATCH + 1, w)):
                brightest = max(brightest, np.int64(background[y, x]))
        own[k] = brightest
    return own


@_compiled
def _read_ahead(frame, light, background, first, last):
    """Rows ``first`` to ``last`` - 1 of the arrays :func:`_land` reads, touched a cache line
    apart: read in order, the processor streams them in, where read star by star each of a
    patch's rows is a miss of its own. Returns their sum (for the reads to be kept)."""
    h, w, channels = frame.shape
    step, frame_step = max(1, 64 // light.itemsize), max(1, 64 // (channels * frame.itemsize))
    total = 0
    for y in range(first, min(last, h)):
        for x in range(0, w, step):
            total += light[y, x] + background[y, x]
        for x in range(0, w, frame_step):
            total += frame[y, x, 0]
    return total


@_compiled
def _land(out, frame, light, background, sy, sx, angle, steps, low, high, pole_x, pole_y):
    """Star k's patch of ``frame`` (its pixels whose ``light`` is above zero) copied onto
    ``out`` at its copies j = 1 .. steps[k] - 1 along its arc (turned by angle[k] j / steps[k]
    about the pole), by the brightest of the two, channel by channel, where ``background`` is
    within [low[k], high[k]]. ``out`` may be ``frame``: every patch that a star's copies could
    reach is read before they land (the stars come row by row, so the patches are read a few
    rows ahead of the landings, while those rows are in the cache)."""
    h, w, channels = frame.shape
    stars = len(sy)
    values = np.zeros((stars, _SIDE * _SIDE, channels), frame.dtype)
    lit = np.zeros((stars, _SIDE * _SIDE), np.bool_)
    ascending, reach = True, 0
    for k in range(stars):
        reach = max(reach, steps[k])             # (a copy lies at most `steps` pixels from its star)
        ascending = ascending and (k == 0 or sy[k] >= sy[k - 1])
    ahead = 2 * PATCH + reach + 1                # (rows: from a landing to a patch it could reach)
    read, streamed, kept = 0, 0, 0
    for k in range(stars):
        while read < stars and (not ascending or sy[read] <= sy[k] + ahead):
            while streamed <= sy[read] + PATCH:
                kept += _read_ahead(frame, light, background, streamed, streamed + 8)
                streamed += 8
            for o in range(_SIDE * _SIDE):
                y, x = sy[read] + o // _SIDE - PATCH, sx[read] + o % _SIDE - PATCH
                if 0 <= y < h and 0 <= x < w:
                    lit[read, o] = light[y, x] > 0
                    for c in range(channels):
                        values[read, o, c] = frame[y, x, c]
            read += 1
        dx, dy = np.float64(sx[k]) - pole_x, np.float64(sy[k]) - pole_y
        last_x, last_y = -1 - w, -1 - h
        for j in range(1, steps[k]):
            turned = angle[k] * (j / steps[k])
            cos, sin = np.cos(turned), np.sin(turned)
            x = np.int64(np.rint(pole_x + dx * cos - dy * sin))
            y = np.int64(np.rint(pole_y + dx * sin + dy * cos))
            if x == last_x and y == last_y:       # (lands nothing new)
                continue
            last_x, last_y = x, y
            whole = PATCH <= y < h - PATCH and PATCH <= x < w - PATCH
            for o in range(_SIDE * _SIDE):
                ty, tx = y + o // _SIDE - PATCH, x + o % _SIDE - PATCH
                if not whole and (ty < 0 or ty >= h or tx < 0 or tx >= w):
                    continue
                # (without a branch on the pixels' values, which the processor cannot foresee)
                sky = np.int64(background[ty, tx])
                lands = lit[k, o] & (sky >= low[k]) & (sky <= high[k])
                for c in range(channels):
                    out[ty, tx, c] = max(out[ty, tx, c], values[k, o, c] if lands else 0)
    return kept


def find_stars(view, level=None):
    """:func:`starsweeper.model.night.find_stars`: the :class:`~starsweeper.model.night.Stars`
    of a frame (its :class:`~starsweeper.model.night.SkyView`), its peaks read only where the
    light is ``level`` or more."""
    bright = night.bright_places(view, level)
    return night.stars_at(view, bright[_peaks_among(_read(view.luma), _read(bright))])


class SkyView(night.SkyView):
    """:class:`starsweeper.model.night.SkyView` whose ``stars`` are found by :func:`find_stars`
    (no whole-frame array of peaks)."""

    @functools.cached_property
    def stars(self):
        return find_stars(self)


def match_stars(stars, following, rotation, radius):
    """:func:`starsweeper.model.night.match_stars`, the next frame's peaks read where they are
    tried: (y, x, found_y, found_x) of the stars found."""
    h, w = following.luma.shape
    sy, sx, light, cx, cy = night.turned_stars(stars, rotation, w, h)
    offsets = np.array(night.search_offsets(radius), np.int64).reshape(-1, 2)
    found_x, found_y, matched = _match(*map(_read, (following.luma, following.light, light, cx, cy, offsets)))
    return sy[matched], sx[matched], found_y[matched], found_x[matched]


def fill_gap(frame, following, rotation, views=None, allocate=np.empty, out=None):
    """:func:`starsweeper.model.gaps.fill_gap`, with the same arguments and results: ``frame``
    with its gap to ``following`` filled (``out``, a new array, or ``frame`` itself when no
    star is matched) and the number of stars whose arcs were drawn."""
    frame, view, matched = matched_stars(frame, following, rotation, views, allocate, SkyView, match_stars)
    if matched is None:
        return frame, 0
    sy, sx, found_y, found_x = matched
    h, w = frame.shape[:2]
    angle, steps = arcs(sy, sx, found_y, found_x, rotation)
    background = sky_background(view.luma, allocate)
    sy, sx, background = _read(sy.astype(np.int64)), _read(sx.astype(np.int64)), _read(background)
    low, high = sky_bounds(_own_sky(background, sy, sx), frame.dtype)
    copies = _read(frame.reshape(h, w, -1))       # (every patch is read before `out` is written)
    filled = allocate(frame.shape, frame.dtype) if out is None else out
    target = filled if filled.flags.c_contiguous else np.ascontiguousarray(filled)
    if target is not frame:
        np.copyto(target, frame)
    _land(target.reshape(h, w, -1), copies, *map(_read, (view.light, background, sy, sx, angle, steps, low, high)),
          float(rotation.x), float(rotation.y))
    if target is not filled:
        np.copyto(filled, target)
    return filled, int(len(sy))

