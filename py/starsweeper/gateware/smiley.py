"""The smiley face, drawn by inequalities on the pixel coordinates (no bitmap)."""

from amaranth.hdl import C, Cat, Module, Mux, Signal, signed
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
    """:func:`starsweeper.model.smiley.smiley_pixels` as a 5-stage pipeline.

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
        :data:`LATENCY` enabled clocks after ``x``, ``y``: the pixel is on the face, and (where
        it is on the face: ``feature`` means nothing elsewhere) on one of its features (rim,
        eyes, mouth; drawn black).
    """

    LATENCY = 5

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

        # 3: squares; the offsets from the eyes
        sqx3, sqy3, sqm3 = Signal(12), Signal(12), Signal(12)
        aex3, aey3, ey3, adx3 = Signal(7), Signal(11), Signal(signed(12)), Signal(6)
        near3, cut3 = Signal(), Signal()
        state3 = Signal(SmileyState)
        ex = Signal(signed(8))
        ey = Signal(signed(12))
        m.d.comb += [ex.eq(adx2 - f.EYE_DX), ey.eq(dy2 - f.EYE_DY)]
        smile, frown, o_mouth = f.MOUTHS["normal"], f.MOUTHS["dead"], f.MOUTHS["o"]
        assert smile.below and not frown.below and o_mouth.cut is None
        assert vars(f.MOUTHS["sunglasses"]) == vars(smile)
        cut = Mux(state2 == SmileyState.O, 1,
                  Mux(state2 == SmileyState.DEAD, dy2 <= frown.cut, dy2 >= smile.cut))
        with m.If(en):
            m.d.sync += [
                sqx3.eq(adx2 * adx2), sqy3.eq(ady2 * ady2), sqm3.eq(amy2 * amy2),
                aex3.eq(Mux(ex < 0, -ex, ex)[:7]), aey3.eq(Mux(ey < 0, -ey, ey)[:11]),
                ey3.eq(ey), adx3.eq(adx2),
                near3.eq(near2), cut3.eq(cut), state3.eq(state2),
            ]

        # 4: the eyes (small boxes and a small disc); the sums of squares
        d2_4, m2_4 = Signal(13), Signal(13)
        near4, eyes4, cut4 = Signal(), Signal(), Signal()
        state4 = Signal(SmileyState)
        small = (aex3 < 8) & (aey3 < 8)
        # Inside the 8x8 box both are functions of six bits: tables (one LUT6 each), not the
        # squares, sums and comparisons they are written as.
        def table(rule):
            return C(sum(1 << (8 * a + b) for a in range(8) for b in range(8) if rule(a, b)), 64)
        near_eye = Cat(aey3[:3], aex3[:3])
        disc = small & table(lambda a, b: a * a + b * b < f.EYE_RADIUS ** 2).bit_select(near_eye, 1)
        cross = ((aex3 <= f.CROSS) & (aey3 <= f.CROSS) &
                 table(lambda a, b: abs(a - b) <= 1).bit_select(near_eye, 1))
        lenses = (aex3 <= f.LENS_HALF_WIDTH) & (ey3 >= f.LENS_TOP) & (ey3 <= f.LENS_BOTTOM)
        bridge = (adx3 <= f.BRIDGE_HALF_WIDTH) & (ey3 >= f.BRIDGE_TOP) & (ey3 <= f.BRIDGE_BOTTOM)
        eyes = Mux(state3 == SmileyState.SUNGLASSES, lenses | bridge,
                   Mux(state3 == SmileyState.DEAD, cross, disc))
        with m.If(en):
            m.d.sync += [
                d2_4.eq(sqx3 + sqy3), m2_4.eq(sqx3 + sqm3),
                near4.eq(near3), eyes4.eq(eyes), cut4.eq(cut3), state4.eq(state3),
            ]

        # 5: the discs and rings
        inner = Mux(state4 == SmileyState.O, o_mouth.inner ** 2, smile.inner ** 2)
        outer = Mux(state4 == SmileyState.O, o_mouth.outer ** 2, smile.outer ** 2)
        assert (frown.inner, frown.outer) == (smile.inner, smile.outer)
        rim = d2_4 >= (f.RADIUS - f.RIM) ** 2
        mouth_ring = (m2_4 >= inner) & (m2_4 < outer) & cut4
        with m.If(en):
            m.d.sync += [
                self.face.eq(near4 & (d2_4 < f.RADIUS ** 2)),
                self.feature.eq(rim | eyes4 | mouth_ring),
            ]
        return m
