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
   :func:`search_radius`: the measured angle is a little short): the nearest star there (a
   pixel no darker than the eight around it) whose light is half to twice its own (not merely
   the brightest, which may be another star). A star found is one that stays in
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

import math

import numpy as np

from .night import above_background, find_stars, luminance, match_stars, sky_rotation, turn

__all__ = ["SAME_SKY", "SKY_OPENING", "PATCH", "search_radius", "fill_gap", "night_with_gaps_filled"]

#: How far the background where a star's copy lands may differ from the star's own, in levels
#: of 8 bits (or a fifth of the star's background, if more): the same sky, not a hill or a tree.
SAME_SKY = 6
#: The side of the square whose opening of the luminance is the sky's background (wider than
#: the brightest star, so that none of it is left).
SKY_OPENING = 9
#: Half the side of the square copied along a star's arc (5 x 5 pixels).
PATCH = 2


def search_radius(rotation, width, height):
    """How far from where the turn takes a star :func:`fill_gap` looks for it, pixels: a third
    of the farthest move (the measured angle is 5 to 20% short) and two pixels."""
    return int(math.ceil(rotation.reach(width, height) / 3)) + 2


def fill_gap(frame, following, rotation, stars=None, lumas=None):
    """``frame`` with the gap to ``following`` filled (the rule in the module's docstring):
    ``rotation`` is the :class:`~starsweeper.model.night.SkyRotation` from one frame to the next.
    Returns the filled frame (a new array; ``frame`` itself when no star is matched) and the
    number of stars whose arcs were drawn. ``stars`` (of ``frame``) and ``lumas`` (both
    frames' luminance) may be given when known."""
    frame, following = np.asarray(frame), np.asarray(following)
    if frame.shape != following.shape or frame.dtype != following.dtype:
        raise ValueError("a gap is filled between two frames of one size and type")
    h, w = frame.shape[:2]
    luma, luma_next = (luminance(frame), luminance(following)) if lumas is None else lumas
    stars = find_stars(luma) if stars is None else stars
    if rotation is None or len(stars.y) == 0:
        return frame, 0
    # 2. each star looked for in `following` where the turn takes it
    sy, sx, found_y, found_x = match_stars(stars, luma_next, rotation, search_radius(rotation, w, h))
    if len(sy) == 0:
        return frame, 0
    # 3. each star's own angle to where it was found, and a copy a pixel of arc apart
    start = np.arctan2(sy - rotation.y, sx - rotation.x)
    angle = np.arctan2(found_y - rotation.y, found_x - rotation.x) - start
    angle = (angle + np.pi) % (2 * np.pi) - np.pi
    radii = np.hypot(sx - rotation.x, sy - rotation.y)
    steps = np.maximum(1, np.ceil(np.abs(angle) * radii)).astype(np.int64)
    light = above_background(luma)
    filled = frame.copy()
    grey = frame.ndim == 2
    channels = frame.reshape(h, w, -1)
    out = filled.reshape(h, w, -1)
    # the patch's pixels that carry the star's light (not its background's)
    patch = []
    for oy in range(-PATCH, PATCH + 1):
        for ox in range(-PATCH, PATCH + 1):
            there = (sy + oy >= 0) & (sy + oy < h) & (sx + ox >= 0) & (sx + ox < w)
            lit = np.zeros(len(sy), bool)
            lit[there] = light[sy[there] + oy, sx[there] + ox] > 0
            patch.append((oy, ox, lit))
    # where a copy may land: on the star's own sky, whose background (the opened luminance) is
    # within SAME_SKY of the star's (not a tree or a hill the arc passes over)
    import cv2
    background = cv2.morphologyEx(luma, cv2.MORPH_OPEN, np.ones((SKY_OPENING, SKY_OPENING), np.uint8))
    # (the star's own: the brightest background in its patch, since in a narrow gap between
    # trees the opening takes in the darker foreground)
    own = cv2.dilate(background, np.ones((2 * PATCH + 1, 2 * PATCH + 1), np.uint8))[sy, sx].astype(np.int64)
    background = background.astype(np.int64)
    top = np.iinfo(frame.dtype).max
    tolerance = np.maximum(SAME_SKY * top // 255, own // 5)
    for j in range(1, int(steps.max())):
        moving = steps > j
        x, y = turn(sx[moving].astype(np.float64), sy[moving].astype(np.float64), rotation,
                     angle[moving] * (j / steps[moving]))
        x, y = np.rint(x).astype(np.int64), np.rint(y).astype(np.int64)
        ys, xs = sy[moving], sx[moving]
        for oy, ox, lit in patch:
            ok = lit[moving] & (y + oy >= 0) & (y + oy < h) & (x + ox >= 0) & (x + ox < w)
            dy, dx = y + oy, x + ox
            ok[ok] = np.abs(background[dy[ok], dx[ok]] - own[moving][ok]) <= tolerance[moving][ok]
            dy, dx = dy[ok], dx[ok]
            out[dy, dx] = np.maximum(out[dy, dx], channels[ys[ok] + oy, xs[ok] + ox])
    return (filled if not grey else filled.reshape(h, w)), int(len(sy))


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

