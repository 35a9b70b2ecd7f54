"""The smiley face, drawn by inequalities on the pixel coordinates (no bitmap)."""

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import enum, wiring
from amaranth.lib.wiring import In, Out

from ..model import smiley as face_model

__all__ = ["SmileyState", "Smiley"]

#: Saturation of the distances from the centre: beyond it a pixel is off the face.
_NEAR = 63


class SmileyState(enum.Enum, shape=2):
    """The four faces, in :data:`starsweeper.model.smiley.STATES` order."""

    NORMAL = 0
    O = 1
    DEAD = 2
    SUNGLASSES = 3


assert [s.name.lower() for s in SmileyState] == ["normal", "o", "dead", "sunglasses"] \
    == list(face_model.STATES)


def _saturated_abs(value, limit=_NEAR):
    magnitude = Mux(value < 0, -value, value)
    return Mux(magnitude > limit, limit, magnitude)[:6]


class Smiley(wiring.Component):
    """:func:`starsweeper.model.smiley.smiley_pixels` as a 4-stage pipeline.

    Only squares of numbers below 64, sums and comparisons with constants: the rim, the eyes and
    the mouth are discs, rings and boxes around points on the face.

    Attributes
    ----------
    enable : In(1)
        Pixel clock enable: each stage advances in clocks where it is high.
    x, y : In(10)
        The pixel's screen coordinates.
    state : In(SmileyState)
    face, feature : Out(1)
        :data:`LATENCY` enabled clocks after ``x``, ``y``: the pixel is on the face, and on one
        of its features (rim, eyes, mouth; drawn black).
    """

    LATENCY = 4

    enable: In(1)
    x: In(10)
    y: In(10)
    state: In(SmileyState)
    face: Out(1)
    feature: Out(1)

    def elaborate(self, platform):
        m = Module()
        f = face_model
        cx, cy = f.CENTRE
        en = self.enable

        # 1: offsets from the centre and from the mouth's centre
        dx1, dy1, my1 = Signal(signed(11)), Signal(signed(11)), Signal(signed(11))
        state1 = Signal(SmileyState)
        with m.If(en):
            m.d.sync += [dx1.eq(self.x - cx), dy1.eq(self.y - cy), state1.eq(self.state)]
        # The mouth's centre depends on the state: a second, registered offset.
        with m.If(en):
            m.d.sync += my1.eq(self.y - cy - Mux(self.state == SmileyState.O, f.MOUTHS["o"].centre,
                                                 Mux(self.state == SmileyState.DEAD,
                                                     f.MOUTHS["dead"].centre, f.MOUTHS["normal"].centre)))

        # 2: magnitudes, saturated to 6 bits
        adx2, ady2, amy2 = Signal(6), Signal(6), Signal(6)
        near2 = Signal()
        dy2 = Signal(signed(11))
        state2 = Signal(SmileyState)
        with m.If(en):
            m.d.sync += [
                adx2.eq(_saturated_abs(dx1)), ady2.eq(_saturated_abs(dy1)), amy2.eq(_saturated_abs(my1)),
                near2.eq((dx1 > -_NEAR) & (dx1 < _NEAR) & (dy1 > -_NEAR) & (dy1 < _NEAR)),
                dy2.eq(dy1), state2.eq(state1),
            ]

        # 3: squares; the eyes (small boxes and a small disc)
        sqx3, sqy3, sqm3 = Signal(12), Signal(12), Signal(12)
        near3, eyes3, cut3 = Signal(), Signal(), Signal()
        state3 = Signal(SmileyState)
        ex = Signal(signed(8))
        ey = Signal(signed(12))
        m.d.comb += [ex.eq(adx2 - f.EYE_DX), ey.eq(dy2 - f.EYE_DY)]
        aex = Mux(ex < 0, -ex, ex)[:7]
        aey = Mux(ey < 0, -ey, ey)[:11]
        small = (aex < 8) & (aey < 8)
        disc = small & (aex[:3] * aex[:3] + aey[:3] * aey[:3] < f.EYE_RADIUS * f.EYE_RADIUS)
        difference = aex[:3] - aey[:3]
        cross = (aex <= f.CROSS) & (aey <= f.CROSS) & (difference >= -1) & (difference <= 1)
        lenses = (aex <= f.LENS_HALF_WIDTH) & (ey >= f.LENS_TOP) & (ey <= f.LENS_BOTTOM)
        bridge = (adx2 <= f.BRIDGE_HALF_WIDTH) & (ey >= f.BRIDGE_TOP) & (ey <= f.BRIDGE_BOTTOM)
        eyes = Mux(state2 == SmileyState.SUNGLASSES, lenses | bridge,
                   Mux(state2 == SmileyState.DEAD, cross, disc))
        smile, frown, o_mouth = f.MOUTHS["normal"], f.MOUTHS["dead"], f.MOUTHS["o"]
        assert smile.below and not frown.below and o_mouth.cut is None
        assert vars(f.MOUTHS["sunglasses"]) == vars(smile)
        cut = Mux(state2 == SmileyState.O, 1,
                  Mux(state2 == SmileyState.DEAD, dy2 <= frown.cut, dy2 >= smile.cut))
        with m.If(en):
            m.d.sync += [
                sqx3.eq(adx2 * adx2), sqy3.eq(ady2 * ady2), sqm3.eq(amy2 * amy2),
                near3.eq(near2), eyes3.eq(eyes), cut3.eq(cut), state3.eq(state2),
            ]

        # 4: the discs and rings
        d2 = sqx3 + sqy3
        m2 = sqx3 + sqm3
        inner = Mux(state3 == SmileyState.O, o_mouth.inner ** 2, smile.inner ** 2)
        outer = Mux(state3 == SmileyState.O, o_mouth.outer ** 2, smile.outer ** 2)
        assert (frown.inner, frown.outer) == (smile.inner, smile.outer)
        rim = d2 >= (f.RADIUS - f.RIM) ** 2
        mouth_ring = (m2 >= inner) & (m2 < outer) & cut3
        with m.If(en):
            m.d.sync += [
                self.face.eq(near3 & (d2 < f.RADIUS ** 2)),
                self.feature.eq(rim | eyes3 | mouth_ring),
            ]
        return m
