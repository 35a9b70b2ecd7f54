"""The DVI link: the receiver model on frames the transmitter model makes (and breaks), and the
DVI encoder's and the serialiser's RTL against the models in Amaranth's simulator."""

import random

from amaranth.hdl import ClockDomain, Module
from amaranth.sim import Simulator
import numpy as np
import pytest

from starsweeper.gateware.dvi import DviEncoder as DviEncoderRtl
from starsweeper.gateware.tmds_serializer import BIT_CLOCKS, TmdsSerializer
from starsweeper.model.display import DAC_LEVELS_2, DAC_LEVELS_3, to_rgb888
from starsweeper.model.dvi import CLOCK_LANE_SYMBOL, DviEncoder, DviError, decode_frame, encode_frame
from starsweeper.model.tmds import (
    CONTROL_TOKENS, TmdsEncoder, TmdsError, decode_symbol, encode_data, symbol_disparity,
)
from starsweeper.model import vga
from starsweeper.model.vga import VgaTiming

from test_display_parts import run

SMALL = VgaTiming(16, 2, 3, 4, 6, 1, 2, 3)


def _invalid_symbols():
    invalid = []
    for symbol in range(1024):
        try:
            decode_symbol(symbol)
        except TmdsError:
            invalid.append(symbol)
    return invalid


INVALID_SYMBOLS = _invalid_symbols()


def small_frame(rng, timing=SMALL):
    return np.array([[[rng.randrange(256) for _ in range(3)] for _ in range(timing.h_visible)]
                     for _ in range(timing.v_visible)], np.uint8)


def test_dac_levels_span_black_to_white():
    assert DAC_LEVELS_3[0] == DAC_LEVELS_2[0] == 0 and DAC_LEVELS_3[-1] == DAC_LEVELS_2[-1] == 255
    assert list(DAC_LEVELS_3) == sorted(set(DAC_LEVELS_3)) and len(DAC_LEVELS_3) == 8


def test_receiver_decodes_the_transmitters_frame():
    pixels = to_rgb888(np.array(vga.test_pattern_frame(), np.uint8))
    frame = decode_frame(encode_frame(pixels))
    assert (frame.pixels == pixels).all()
    assert 0 < frame.max_disparity <= 8


def test_receiver_on_random_small_frames(seed):
    rng = random.Random(seed)
    for _ in range(20):
        pixels = small_frame(rng)
        assert (decode_frame(encode_frame(pixels, SMALL), SMALL).pixels == pixels).all()


@pytest.mark.parametrize("fault, message", [
    ("short", "clocks captured"),
    ("bad_symbol", "neither a control token nor data"),
    ("channel_disagrees", "disagree on data enable"),
    ("control_on_channel_1", "channel 1 sends control bits"),
    ("vsync_positive", "vertical sync"),
    ("hsync_wide", "horizontal sync pulses"),
    ("de_late", "data enable run"),
])
def test_receiver_finds_each_broken_rule(fault, message, seed):
    rng = random.Random(seed)
    t = SMALL
    symbols = encode_frame(small_frame(rng), t)
    de = np.array([sym not in CONTROL_TOKENS for sym in symbols[:, 1]])
    if fault == "short":
        symbols = symbols[:-1]
    elif fault == "bad_symbol":
        symbols[rng.randrange(len(symbols)), rng.randrange(3)] = rng.choice(INVALID_SYMBOLS)
    elif fault == "channel_disagrees":
        k = rng.choice(np.flatnonzero(de).tolist())
        symbols[k, 2] = CONTROL_TOKENS[0]
    elif fault == "control_on_channel_1":
        k = rng.choice(np.flatnonzero(~de).tolist())
        symbols[k, 1] = CONTROL_TOKENS[1]
    elif fault == "vsync_positive":           # C1 inverted in every control token
        symbols[:, 0] = [swap_control(s, lambda c: c ^ 2) for s in symbols[:, 0]]
    elif fault == "hsync_wide":               # one pulse a clock early
        hsync = [control_bits(s) is not None and control_bits(s) & 1 for s in symbols[:, 0]]
        falls = [k for k in range(1, len(symbols)) if hsync[k - 1] and not hsync[k]]
        k = falls[len(falls) // 2]
        symbols[k - 1, 0] = swap_control(symbols[k - 1, 0], lambda c: c & 2)
    elif fault == "de_late":
        k = np.flatnonzero(de)[0]
        for channel in range(3):
            symbols[k, channel] = CONTROL_TOKENS[CONTROL_TOKENS.index(symbols[k - 1, channel])]
    with pytest.raises(DviError, match=message):
        decode_frame(symbols, t)


def control_bits(symbol):
    return CONTROL_TOKENS.index(symbol) if symbol in CONTROL_TOKENS else None


def swap_control(symbol, change):
    """``symbol`` with its control bits changed by ``change`` (data symbols as they are)."""
    bits = control_bits(symbol)
    return symbol if bits is None else CONTROL_TOKENS[change(bits)]


def test_receiver_finds_a_runaway_disparity():
    """Symbols that decode but were never balanced: one data symbol with more ones than zeros,
    again and again."""
    t = SMALL
    symbols = encode_frame(np.zeros((t.v_visible, t.h_visible, 3), np.uint8), t)
    heavy = max((encode_data(b, -2)[0] for b in range(256)), key=symbol_disparity)
    assert symbol_disparity(heavy) > 0
    de = np.array([sym not in CONTROL_TOKENS for sym in symbols[:, 0]])
    symbols[de, 0] = heavy
    with pytest.raises(DviError, match="running disparity"):
        decode_frame(symbols, t)


def test_dvi_encoder_equals_three_model_channels(seed):
    """Random RGB332, syncs and data enable: each channel's symbols as the model's encoder gives
    them for the widened colour, channel 0 carrying the syncs."""
    rng = random.Random(seed)
    steps = [(rng.randrange(8), rng.randrange(8), rng.randrange(4), rng.randrange(2), rng.randrange(2),
              rng.random() < 0.7) for _ in range(3000)]
    dut = DviEncoderRtl()
    got = []

    async def bench(ctx):
        for red, green, blue, hs, vs, active in steps:
            for name, value in (("red", red), ("green", green), ("blue", blue), ("hsync_n", hs),
                                ("vsync_n", vs), ("active", active)):
                ctx.set(getattr(dut.vga, name), value)
            await ctx.tick()
            got.append([ctx.get(dut.symbols[c]) for c in range(3)])

    run(dut, bench)
    model = DviEncoder()
    want = [list(model.clock(to_rgb888(red << 5 | green << 2 | blue), hs, vs, active))
            for red, green, blue, hs, vs, active in steps]
    assert got == want


def test_model_encoder_is_three_tmds_channels(seed):
    """The DVI model against the TMDS model written out a channel at a time: blue on channel
    0 with the syncs as its control bits, green on 1, red on 2, their controls zero."""
    rng = random.Random(seed)
    model, channels = DviEncoder(), [TmdsEncoder() for _ in range(3)]
    for _ in range(2000):
        red, green, blue = (rng.randrange(256) for _ in range(3))
        hs, vs, active = rng.randrange(2), rng.randrange(2), rng.random() < 0.7
        want = (channels[0].clock(blue, vs * 2 + hs, active), channels[1].clock(green, 0, active),
                channels[2].clock(red, 0, active))
        assert model.clock((red, green, blue), hs, vs, active) == want


def test_serializer_sends_every_symbol_in_order(seed):
    """Pixel clock and a five times faster shift clock: the lanes' bits, cut into words where
    the clock lane rises, are the symbols in order, with the clock lane's own symbol each time."""
    rng = random.Random(seed)
    words = [[rng.randrange(1024) for _ in range(3)] for _ in range(200)]
    dut = TmdsSerializer()
    m = Module()
    m.submodules.dut = dut
    m.domains.shift = ClockDomain("shift")
    bits = [[] for _ in range(4)]

    async def bench(ctx):
        for word in words:
            for c in range(3):
                ctx.set(dut.symbols[c], word[c])
            for _ in range(BIT_CLOCKS):
                await ctx.tick("shift")
                for lane in range(4):
                    pair = ctx.get(dut.lanes[lane])
                    bits[lane] += [pair & 1, pair >> 1]

    sim = Simulator(m)
    sim.add_clock(2e-9, domain="shift")     # the symbols change every fifth edge, as from sync
    sim.add_testbench(bench)
    sim.run()
    clock = bits[3]
    starts = [k for k in range(1, len(clock) - 10) if clock[k] and not clock[k - 1]]
    assert len(starts) > 150
    for k in starts:
        assert sum(b << i for i, b in enumerate(clock[k:k + 10])) == CLOCK_LANE_SYMBOL
    received = [[sum(b << i for i, b in enumerate(bits[c][k:k + 10])) for c in range(3)] for k in starts]
    first = words.index(received[0])
    assert received == words[first:first + len(received)]
