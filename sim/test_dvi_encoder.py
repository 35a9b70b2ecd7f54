"""cocotb testbench of the DVI encoder (``DviEncoder``, hdl/dvi_encoder.v: a VGA port's RGB332,
syncs and data enable as three TMDS channels) against the model
(:class:`starsweeper.model.dvi.DviEncoder` on the colour widened by
:func:`starsweeper.model.display.to_rgb888`), clock for clock (:class:`lockstep.LockstepTB`).

``random_lines``: lines of a visible run of random colours (runs of one colour among them)
between blanking with random sync levels, and resets at random; every level of every colour
field must be sent in active video and every pair of sync levels in blanking.

Environment: ``STARSWEEPER_SEED`` (printed; set it to replay a run).
"""

import cocotb

from starsweeper.model.display import to_rgb888
from starsweeper.model.dvi import DviEncoder

from lockstep import RESET, LockstepTB
from seeds import seed_from_env

_FIELDS = (("red", 8), ("green", 8), ("blue", 4))


def _drive(dut, inputs):
    (red, green, blue), hsync_n, vsync_n, active = inputs
    dut.vga__red.value, dut.vga__green.value, dut.vga__blue.value = red, green, blue
    dut.vga__hsync_n.value, dut.vga__vsync_n.value, dut.vga__active.value = hsync_n, vsync_n, active


def _step(model, inputs):
    (red, green, blue), hsync_n, vsync_n, active = inputs
    return model.clock(to_rgb888(red << 5 | green << 2 | blue), hsync_n, vsync_n, active)


def _read(dut):
    word = int(dut.symbols.value)
    return tuple((word >> 10 * channel) & 0x3FF for channel in range(3))


def random_steps(rng, lines):
    """Each line a blanking run with random sync levels, then a visible run."""
    def colour():
        return tuple(rng.randrange(levels) for _, levels in _FIELDS)

    for _ in range(lines):
        if rng.random() < 0.05:
            yield RESET
        for _ in range(rng.randrange(1, 8)):
            yield colour(), rng.randrange(2), rng.randrange(2), 0
        same = colour() if rng.random() < 0.3 else None
        hsync_n, vsync_n = rng.randrange(2), rng.randrange(2)
        for _ in range(rng.randrange(1, 40)):
            yield same or colour(), hsync_n, vsync_n, 1


@cocotb.test()
async def random_lines(dut):
    levels, syncs = set(), set()

    def covered(model, inputs):
        colour, hsync_n, vsync_n, active = inputs
        if active:
            levels.update((name, value) for (name, _), value in zip(_FIELDS, colour))
        else:
            syncs.add((hsync_n, vsync_n))
        return _step(model, inputs)

    tb = LockstepTB(dut, seed_from_env(), DviEncoder, covered, lambda model: model.symbols, _drive, _read)
    await tb.start()
    await tb.send(random_steps(tb.rng, 300))
    await tb.finish()
    assert levels == {(name, value) for name, count in _FIELDS for value in range(count)}
    assert syncs == {(h, v) for h in range(2) for v in range(2)}
