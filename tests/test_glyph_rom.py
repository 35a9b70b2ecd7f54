"""The glyph ROM (gateware/glyph_rom.py) against the glyphs' model (model/glyphs.py): every row
of every glyph read back in Amaranth's simulator, unpacked to its 30 palette indices and
compared with the glyph's own array; the read enable holds the output."""


from starsweeper.gateware.glyph_rom import GlyphRom
from starsweeper.model.glyphs import GLYPHS, SIZE, glyph
from test_display_parts import run


def unpack(word):
    return [(word >> (2 * x)) & 3 for x in range(SIZE)]


def test_every_row_of_every_glyph():
    dut = GlyphRom()
    rows = {}

    async def bench(ctx):
        ctx.set(dut.enable, 1)
        for index in range(len(GLYPHS)):
            for row in range(SIZE):
                ctx.set(dut.glyph, index)
                ctx.set(dut.row, row)
                await ctx.tick()               # the row read at this edge, out after it
                rows[index, row] = ctx.get(dut.pixels)

    run(dut, bench)
    for index, name in enumerate(GLYPHS):
        art = glyph(name)
        for row in range(SIZE):
            assert unpack(rows[index, row]) == [int(v) for v in art[row]], (name, row)


def test_the_enable_holds_the_row():
    dut = GlyphRom()
    seen = []

    async def bench(ctx):
        ctx.set(dut.enable, 1)
        ctx.set(dut.glyph, GLYPHS.index("mine"))
        ctx.set(dut.row, 15)
        await ctx.tick()
        seen.append(ctx.get(dut.pixels))
        ctx.set(dut.enable, 0)
        ctx.set(dut.glyph, GLYPHS.index("8"))
        ctx.set(dut.row, 3)
        for _ in range(3):
            await ctx.tick()
            seen.append(ctx.get(dut.pixels))
        ctx.set(dut.enable, 1)
        await ctx.tick()
        seen.append(ctx.get(dut.pixels))

    run(dut, bench)
    mine_row = [int(v) for v in glyph("mine")[15]]
    eight_row = [int(v) for v in glyph("8")[3]]
    assert [unpack(word) for word in seen] == [mine_row] * 4 + [eight_row]
    assert mine_row != eight_row
