"""cocotb testbench of one TMDS channel (``TmdsEncoder``, hdl/tmds_encoder.v) against the model
(:class:`starsweeper.model.tmds.TmdsEncoder`), clock for clock (:class:`lockstep.LockstepTB`).

* ``every_byte_from_every_disparity``: for each running disparity the rules can reach, a control
  token, the shortest run of bytes the model finds to that disparity, then the byte under test;
  all 256 bytes from each.
* ``random_streams``: blanking runs of random length and control bits, active runs of random
  bytes, runs of one byte and runs of bytes heavy in ones or zeros (which drive the disparity to
  its bounds), resets at random; the run must reach both bounds and every control token.

Environment: ``STARSWEEPER_SEED`` (printed; set it to replay a run).
"""

import cocotb

from starsweeper.model.tmds import CONTROL_TOKENS, DISPARITY_BOUND, TmdsEncoder, disparity_paths

from lockstep import RESET, LockstepTB
from seeds import seed_from_env


def _drive(dut, inputs):
    dut.data.value, dut.control.value, dut.active.value = inputs


def _step(model, inputs):
    return model.clock(*inputs)


def _tb(dut, step=_step):
    return LockstepTB(dut, seed_from_env(), TmdsEncoder, step, lambda model: model.symbol, _drive,
                      lambda dut: int(dut.symbol.value))


@cocotb.test()
async def every_byte_from_every_disparity(dut):
    tb = _tb(dut)
    await tb.start()
    paths = disparity_paths()
    assert max(map(abs, paths)) == DISPARITY_BOUND
    for disparity, path in sorted(paths.items()):
        steps = []
        for byte in range(256):
            steps.append((tb.rng.randrange(256), tb.rng.randrange(4), 0))
            steps += [(b, tb.rng.randrange(4), 1) for b in path]
            steps.append((byte, tb.rng.randrange(4), 1))
        await tb.send(steps)
    await tb.finish()


_HEAVY = [b for b in range(256) if bin(b).count("1") >= 6]
_LIGHT = [b for b in range(256) if bin(b).count("1") <= 2]


def random_steps(rng, runs):
    """Blanking and active runs (and an occasional reset) as the bench drives them."""
    for _ in range(runs):
        if rng.random() < 0.03:
            yield RESET
        if rng.random() < 0.4:
            control = rng.randrange(4)
            for _ in range(rng.randrange(1, 12)):
                yield (rng.randrange(256), control if rng.random() < 0.9 else rng.randrange(4), 0)
        else:
            kind = rng.choice(["random", "same", "heavy", "light"])
            byte = rng.randrange(256)
            for _ in range(rng.randrange(1, 60)):
                if kind == "random":
                    byte = rng.randrange(256)
                elif kind != "same":
                    byte = rng.choice(_HEAVY if kind == "heavy" else _LIGHT)
                yield (byte, rng.randrange(4), 1)


@cocotb.test()
async def random_streams(dut):
    disparities, tokens = set(), set()

    def covered(model, inputs):
        symbol = _step(model, inputs)
        disparities.add(model.disparity)
        tokens.add(symbol if not inputs[2] else None)
        return symbol

    tb = _tb(dut, covered)
    await tb.start()
    await tb.send(random_steps(tb.rng, 600))
    await tb.finish()
    assert {-DISPARITY_BOUND, DISPARITY_BOUND} <= disparities, sorted(disparities)
    assert set(CONTROL_TOKENS) <= tokens
