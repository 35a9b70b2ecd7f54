"""The gaps between exposures filled by following the sky: the specification of
``starsweeper stack --fill-gaps``.

Between two exposures the sky turns on without being recorded, so a max stack draws each star
trail as a dotted line. The stars turn about the celestial pole (a
:class:`~starsweeper.model.night.SkyRotation`, measured
by :func:`~starsweeper.model.night.sky_rotation`); the foreground does not turn. For each pair
of consecutive frames ``frame`` and ``following`` (:func:`fill_gap`):

1. **stars**: the pixels of ``frame`` no darker than any of the eight around them and
   :data:`STAR_LEVEL` levels (of 8 bits) above the frame there without its small bright dots
   (a morphological opening of the luminance by a 5 x 5 square: the sky, the foreground);
2. **matched**: each star is looked for in ``following`` where the turn would take it (within
   :func:`~starsweeper.model.night.search_radius`: the measured angle may be a little short):
   the nearest star there (a pixel no darker than the eight around it) whose light is half to
   twice its own (not merely the brightest, which may be another star). A star found is one
   that stays in
   the sky for the whole gap (one setting behind a hill or leaving the frame is not found and
   not filled); its own angle (about the pole) is what the fill follows;
3. **the arc**: the pixels of the star's 5 x 5 patch of ``frame`` that carry its light (above
   the opening) are copied along the arc from the star to where it was found, one copy a pixel
   of arc, each onto the frame by the brightest of the two, channel by channel, where the
   frame's background (its luminance's opening by a :data:`SKY_OPENING` square) is the star's
   own sky (within
   :data:`SAME_SKY` of the brightest background in the star's patch): an arc that passes
   over a tree or a hill between two places in the sky is not drawn over it.

Nothing gets darker, and what is added lies along arcs between two places where a star was
seen, on the star's own sky: the foreground is unchanged but where it is as bright as the sky
beside it, within a few pixels of the skyline. :func:`night_with_gaps_filled` applies it
to a whole night as the stack's pipeline does (the last frame has no following one and is
left as it is).
"""

import numpy as np

from .night import SkyView, match_stars, search_radius, sky_rotation, turn

__all__ = ["SAME_SKY", "SKY_OPENING", "PATCH", "arcs", "sky_background", "sky_bounds", "matched_stars",
           "fill_gap", "night_with_gaps_filled"]

#: How far the background where a star's copy lands may differ from the star's own, in levels
#: of 8 bits (or a fifth of the star's background, if more): the same sky, not a hill or a tree.
SAME_SKY = 6
#: The side of the square whose opening of the luminance is the sky's background (wider than
#: the brightest star, so that none of it is left).
SKY_OPENING = 9
#: Half the side of the square copied along a star's arc (5 x 5 pixels).
PATCH = 2


def _places_within(counts):
    """For groups of ``counts`` items laid one after another: each item's place in its group
    (0, 1, .. counts[0] - 1, 0, 1, ..)."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def arcs(sy, sx, found_y, found_x, rotation):
    """Each star's own angle about ``rotation``'s pole from where it is (``sy``, ``sx``) to
    where it was found, within half a turn, and how many copies its arc takes, a pixel of arc
    apart (at least 1: the star itself): (angle, steps)."""
    start = np.arctan2(sy - rotation.y, sx - rotation.x)
    angle = np.arctan2(found_y - rotation.y, found_x - rotation.x) - start
    angle = (angle + np.pi) % (2 * np.pi) - np.pi
    radii = np.hypot(sx - rotation.x, sy - rotation.y)
    return angle, np.maximum(1, np.ceil(np.abs(angle) * radii)).astype(np.int64)


def sky_background(luma, allocate=np.empty):
    """The frame's background where a star's copies may land: its luminance's opening by a
    :data:`SKY_OPENING` square (in an array from ``allocate``)."""
    import cv2
    return cv2.morphologyEx(luma, cv2.MORPH_OPEN, np.ones((SKY_OPENING, SKY_OPENING), np.uint8),
                            dst=allocate(luma.shape, luma.dtype))


def sky_bounds(own, dtype):
    """The background a star's copy may land on, for stars whose own background is ``own``
    (frames of integer type ``dtype``): within :data:`SAME_SKY` levels of 8 bits, or a fifth
    of ``own``: (lowest, highest), int64 arrays."""
    own = np.asarray(own).astype(np.int64)
    tolerance = np.maximum(SAME_SKY * np.iinfo(dtype).max // 255, own // 5)
    return own - tolerance, own + tolerance


def matched_stars(frame, following, rotation, views=None, allocate=np.empty, sky_view=SkyView, match=match_stars):
    """Steps 1 and 2 of :func:`fill_gap` (its arguments): ``frame``'s stars, each looked for in
    ``following`` where the turn takes it. Returns ``frame`` (as an array), its
    :class:`~starsweeper.model.night.SkyView` and the rows and columns of the stars found and
    of where they were found, (y, x, found_y, found_x); None for those when there is no turn
    or no star is found. ``sky_view`` and ``match``: the view and the matching to use (the
    stack's compiled gap filling gives its own)."""
    frame, following = np.asarray(frame), np.asarray(following)
    if frame.shape != following.shape or frame.dtype != following.dtype:
        raise ValueError("a gap is filled between two frames of one size and type")
    h, w = frame.shape[:2]
    view, view_next = (sky_view(frame, allocate), sky_view(following, allocate)) if views is None else views
    stars = view.stars
    if rotation is None or len(stars.y) == 0:
        return frame, view, None
    matched = match(stars, view_next, rotation, search_radius(rotation, w, h))
    return frame, view, (matched if len(matched[0]) else None)


def fill_gap(frame, following, rotation, views=None, allocate=np.empty, out=None):
    """``frame`` with the gap to ``following`` filled (the rule in the module's docstring):
    ``rotation`` is the :class:`~starsweeper.model.night.SkyRotation` from one frame to the next.
    Returns the filled frame (``out``, or a new array; ``frame`` itself when no star is
    matched) and the number of stars whose arcs were drawn. ``views``: the two frames'
    :class:`~starsweeper.model.night.SkyView` s, when a stream has them already;
    ``allocate(shape, dtype)``: gives the arrays it works in and the filled frame's
    (``np.empty``, or a pool's); ``out``: the array the filled frame is written to, of the
    frame's shape and type (``frame`` itself may be: it is read before it is written)."""
    frame, view, matched = matched_stars(frame, following, rotation, views, allocate)
    if matched is None:
        return frame, 0
    sy, sx, found_y, found_x = matched
    h, w = frame.shape[:2]
    light = view.light
    # 3. each star's own angle to where it was found, and a copy a pixel of arc apart
    angle, steps = arcs(sy, sx, found_y, found_x, rotation)
    # each star's 5 x 5 patch, a row a star (a place beyond the frame's edge is read at the
    # star's own pixel, and carries no light)
    side = np.arange(-PATCH, PATCH + 1)
    oy, ox = np.repeat(side, len(side)), np.tile(side, len(side))
    py, px = sy[:, None] + oy, sx[:, None] + ox
    inside = (py >= 0) & (py < h) & (px >= 0) & (px < w)
    place = np.where(inside, py * w + px, (sy * w + sx)[:, None])
    # where a copy may land: on the star's own sky, whose background (the opened luminance) is
    # within SAME_SKY of the star's (not a tree or a hill the arc passes over); the star's own
    # is the brightest background in its patch, since in a narrow gap between trees the
    # opening takes in the darker foreground
    sky = sky_background(view.luma, allocate).reshape(-1)
    low, high = sky_bounds(sky[place].max(axis=1), frame.dtype)
    # the patch's pixels that carry the star's light (not its background's), and their values
    # (a channel at a time: NumPy gathers single values several times faster than rows of three)
    lit = inside & (light.reshape(-1)[place] > 0)
    channels = frame.reshape(h * w, -1)
    values = [channels[:, channel][place] for channel in range(channels.shape[1])]
    # Every copy at once, a row a copy: star k's copies j = 1 .. steps[k] - 1, and where each
    # pixel of its patch lands
    copy_star = np.repeat(np.arange(len(sy)), steps - 1)
    copy_j = _places_within(steps - 1) + 1
    x, y = turn(sx[copy_star].astype(np.float64), sy[copy_star].astype(np.float64), rotation,
                angle[copy_star] * (copy_j / steps[copy_star]))
    x, y = np.rint(x).astype(np.int64), np.rint(y).astype(np.int64)
    # (a copy on the same pixel as its star's copy before it lands nothing new: a sixth of them
    # on a 12 MP night)
    new = np.ones(len(copy_star), bool)
    new[1:] = (copy_star[1:] != copy_star[:-1]) | (x[1:] != x[:-1]) | (y[1:] != y[:-1])
    copy_star, x, y = copy_star[new], x[new], y[new]
    at = (y * w + x)[:, None] + (oy * w + ox)
    lands = lit[copy_star]
    edge = np.flatnonzero((y < PATCH) | (y >= h - PATCH) | (x < PATCH) | (x >= w - PATCH))
    if len(edge):                           # (copies whose patch reaches past the frame's edge)
        dy, dx = y[edge, None] + oy, x[edge, None] + ox
        there = (dy >= 0) & (dy < h) & (dx >= 0) & (dx < w)
        lands[edge] &= there
        at[edge] = np.where(there, dy * w + dx, 0)
    landing_sky = sky[at]
    lands &= landing_sky >= low[copy_star, None]
    lands &= landing_sky <= high[copy_star, None]
    landing = np.flatnonzero(lands)
    at = at.reshape(-1)[landing]
    # each place takes the brightest copy landing there, channel by channel, if brighter
    # (numpy's unbuffered maximum, a channel at a time: its quick path, with no index per value)
    filled = allocate(frame.shape, frame.dtype) if out is None else out
    if filled is not frame:
        np.copyto(filled, frame)
    places = filled.reshape(h * w, -1)
    for channel, value in enumerate(values):
        np.maximum.at(places[:, channel], at, value[copy_star].reshape(-1)[landing])
    return filled, int(len(sy))


def night_with_gaps_filled(frames, rotation=None):
    """Every frame of a night (a list) with its gap to the next filled, as the stack's pipeline
    does it: the sky's turn measured once, between the middle two frames, unless ``rotation``
    is given; the last frame as it is. Yields (frame, stars whose arcs were drawn)."""
    frames = [np.asarray(frame) for frame in frames]
    if rotation is None and len(frames) >= 2:
        middle = len(frames) // 2
        rotation = sky_rotation(frames[middle - 1], frames[middle])
    for k, frame in enumerate(frames):
        if k + 1 < len(frames) and rotation is not None:
            yield fill_gap(frame, frames[k + 1], rotation)
        else:
            yield frame, 0

