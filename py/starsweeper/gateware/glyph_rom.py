"""The glyph ROM: digits and icons, 30x30 pixels of 2-bit palette indices."""

from amaranth.hdl import Cat, Module
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from ..model.glyphs import GLYPHS, ROM_STRIDE, SIZE, rom_words

__all__ = ["GlyphRom"]


class GlyphRom(wiring.Component):
    """:func:`starsweeper.model.glyphs.rom_words` in a ``lib.memory.Memory`` (block RAM).

    A row's address is the glyph index beside the row number (``ROM_STRIDE`` rows a glyph), so
    no multiplier sits in front of the memory.

    Attributes
    ----------
    enable : In(1)
        Read enable: the output changes only in clocks where it is high.
    glyph : In(range(len(GLYPHS)))
        Index in :data:`starsweeper.model.glyphs.GLYPHS`.
    row : In(range(ROM_STRIDE))
        Row of the glyph, 0 at the top.
    pixels : Out(2 * SIZE)
        One enabled clock later: the row, pixel ``x`` in bits ``2x`` and ``2x + 1``.
    """

    def __init__(self):
        super().__init__({
            "enable": In(1),
            "glyph": In(range(len(GLYPHS))),
            "row": In(range(ROM_STRIDE)),
            "pixels": Out(2 * SIZE),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.memory = memory = Memory(shape=2 * SIZE, depth=len(GLYPHS) * ROM_STRIDE, init=rom_words())
        read = memory.read_port()
        m.d.comb += [
            read.addr.eq(Cat(self.row, self.glyph)),
            read.en.eq(self.enable),
            self.pixels.eq(read.data),
        ]
        return m
