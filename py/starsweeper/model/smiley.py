"""The smiley face, drawn by inequalities on the pixel coordinates (no bitmap).

Every shape is a disc, a ring or a box around the face's centre, so the gateware
(:mod:`starsweeper.gateware.smiley`) needs only squares of small numbers, additions and
comparisons. The numbers below are the single source of truth for both.

With ``dx``, ``dy`` the offset from the centre and ``d2 = dx² + dy²``:

* face: ``d2 < RADIUS²``, its rim ``d2 >= (RADIUS - RIM)²`` black;
* eyes, by symmetry about ``dx = 0``, centred at (``±EYE_DX``, ``EYE_DY``), with
  ``ex = |dx| - EYE_DX``, ``ey = dy - EYE_DY``: a disc ``ex² + ey² < EYE_RADIUS²`` (normal and
  "o"), a cross ``|ex|, |ey| <= CROSS`` and ``||ex| - |ey|| <= 1`` (dead), or the sunglasses'
  lenses ``|ex| <= LENS_HALF_WIDTH``, ``LENS_TOP <= ey <= LENS_BOTTOM`` joined by a bridge
  ``|dx| <= BRIDGE_HALF_WIDTH``, ``BRIDGE_TOP <= ey <= BRIDGE_BOTTOM`` (won);
* the mouth: a ring ``inner² <= dx² + (dy - centre)² < outer²`` of :data:`MOUTHS`, cut to its
  lower half (smile) or upper half (frown) by ``dy >= cut`` or ``dy <= cut``.
"""

import numpy as np

__all__ = ["STATES", "CENTRE", "RADIUS", "RIM", "EYE_DX", "EYE_DY", "EYE_RADIUS", "CROSS",
           "LENS_HALF_WIDTH", "LENS_TOP", "LENS_BOTTOM", "BRIDGE_HALF_WIDTH", "BRIDGE_TOP",
           "BRIDGE_BOTTOM", "MOUTHS", "Mouth", "smiley_pixels"]

#: The four faces, in the gateware's encoding order.
STATES = ("normal", "o", "dead", "sunglasses")

CENTRE = (560, 80)        # x, y on the screen
RADIUS = 40
RIM = 3
EYE_DX = 14
EYE_DY = -12
EYE_RADIUS = 5
CROSS = 5
LENS_HALF_WIDTH = 9
LENS_TOP, LENS_BOTTOM = -6, 5
BRIDGE_HALF_WIDTH = 5
BRIDGE_TOP, BRIDGE_BOTTOM = -4, -1


class Mouth:
    """A ring around (0, ``centre``), kept where ``dy >= cut`` (``below``) or ``dy <= cut``."""

    def __init__(self, centre, inner, outer, cut=None, below=True):
        self.centre, self.inner, self.outer, self.cut, self.below = centre, inner, outer, cut, below

    def pixels(self, dx, dy):
        m2 = dx * dx + (dy - self.centre) ** 2
        ring = (m2 >= self.inner ** 2) & (m2 < self.outer ** 2)
        if self.cut is None:
            return ring
        return ring & ((dy >= self.cut) if self.below else (dy <= self.cut))


MOUTHS = {
    "normal": Mouth(2, 17, 20, cut=12, below=True),
    "o": Mouth(18, 5, 8),
    "dead": Mouth(38, 17, 20, cut=25, below=False),
    "sunglasses": Mouth(2, 17, 20, cut=12, below=True),
}


def smiley_pixels(dx, dy, state):
    """Per pixel at offset (``dx``, ``dy``) from the centre: 0 outside the face, 1 face,
    2 feature (rim, eyes, mouth). ``dx`` and ``dy`` are integer arrays (or integers)."""
    if state not in STATES:
        raise ValueError(f"Smiley state must be one of {', '.join(STATES)}, not {state!r}")
    dx, dy = np.asarray(dx, dtype=np.int64), np.asarray(dy, dtype=np.int64)
    d2 = dx * dx + dy * dy
    face = d2 < RADIUS * RADIUS
    feature = d2 >= (RADIUS - RIM) ** 2
    ex, ey = np.abs(dx) - EYE_DX, dy - EYE_DY
    if state == "sunglasses":
        feature |= (np.abs(ex) <= LENS_HALF_WIDTH) & (ey >= LENS_TOP) & (ey <= LENS_BOTTOM)
        feature |= (np.abs(dx) <= BRIDGE_HALF_WIDTH) & (ey >= BRIDGE_TOP) & (ey <= BRIDGE_BOTTOM)
    elif state == "dead":
        feature |= (np.abs(ex) <= CROSS) & (np.abs(ey) <= CROSS) & (np.abs(np.abs(ex) - np.abs(ey)) <= 1)
    else:
        feature |= ex * ex + ey * ey < EYE_RADIUS * EYE_RADIUS
    feature |= MOUTHS[state].pixels(dx, dy)
    return np.where(face, np.where(feature, 2, 1), 0).astype(np.uint8)
