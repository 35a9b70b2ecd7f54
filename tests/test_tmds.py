"""The TMDS code: the model's properties (hypothesis), and the encoder's RTL against the model in
Amaranth's simulator, symbol for symbol."""

import random

from amaranth.sim import Simulator
from hypothesis import given, settings, strategies as st
import pytest

from starsweeper.gateware.tmds import TmdsEncoder as TmdsEncoderRtl
from starsweeper.model.tmds import (
    CONTROL_TOKENS, DISPARITY_BOUND, TmdsEncoder, TmdsError, decode_symbol, encode_control, encode_data,
    disparity_paths, reachable_disparities, symbol_disparity,
)

# The four tokens as DVI 1.0's table 3-3 lists them, q_out[0:9] (bit 0 first), C1 C0 = 00..11.
DVI_TABLE_TOKENS = ["0010101011", "1101010100", "0010101010", "1101010101"]


def test_control_tokens_are_the_specification_table():
    assert [int(bits[::-1], 2) for bits in DVI_TABLE_TOKENS] == list(CONTROL_TOKENS)
    assert [encode_control(c0, c1) for c1 in (0, 1) for c0 in (0, 1)] == list(CONTROL_TOKENS)


def test_control_tokens_decode_and_have_many_transitions():
    for value, token in enumerate(CONTROL_TOKENS):
        assert decode_symbol(token) == ("control", value)
        bits = [(token >> i) & 1 for i in range(10)]
        assert sum(a != b for a, b in zip(bits, bits[1:])) >= 7


@given(st.lists(st.integers(0, 255), min_size=1, max_size=200))
def test_data_decodes_back_and_disparity_is_the_sent_bits(data):
    disparity = 0
    for byte in data:
        symbol, after = encode_data(byte, disparity)
        assert decode_symbol(symbol) == ("data", byte)
        assert after == disparity + symbol_disparity(symbol)
        assert abs(after) <= DISPARITY_BOUND
        disparity = after


@given(st.integers(0, 255), st.sampled_from(sorted(reachable_disparities())))
def test_data_symbols_have_few_transitions_in_their_eight_bits(byte, disparity):
    symbol, _ = encode_data(byte, disparity)
    bits = [(symbol >> i) & 1 for i in range(8)]
    assert sum(a != b for a, b in zip(bits, bits[1:])) <= 4      # transition-minimised


def test_disparity_bound_and_its_states():
    assert reachable_disparities() == frozenset(range(-8, 9, 2))
    assert DISPARITY_BOUND == 8


def test_each_disparitys_path_reaches_it_and_none_is_shorter():
    paths = disparity_paths()
    for disparity, path in paths.items():
        model = TmdsEncoder()
        for byte in path:
            model.clock(byte, 0, True)
        assert model.disparity == disparity
    # one byte moves the disparity by at most 10 (a symbol's ten bits): no run is shorter
    assert all(len(path) == -(-abs(d) // 10) for d, path in paths.items())


@given(st.integers(0, 255))
def test_balance_pulls_back_toward_zero(byte):
    """From the edge of the reachable range, a byte never moves further out."""
    for edge in (-DISPARITY_BOUND, DISPARITY_BOUND):
        _, after = encode_data(byte, edge)
        assert abs(after) <= DISPARITY_BOUND


def test_not_every_symbol_is_valid():
    valid = 0
    for symbol in range(1024):
        try:
            decode_symbol(symbol)
            valid += 1
        except TmdsError:
            pass
    assert 256 < valid < 1024
    with pytest.raises(TmdsError):
        decode_symbol(1024)


def rtl_symbols(inputs):
    """The RTL encoder's symbols for ``inputs``, a list of (data, control, active) a clock."""
    dut = TmdsEncoderRtl()
    got = []

    async def bench(ctx):
        for data, control, active in inputs:
            ctx.set(dut.data, data)
            ctx.set(dut.control, control)
            ctx.set(dut.active, active)
            await ctx.tick()
            got.append(ctx.get(dut.symbol))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    return got


def model_symbols(inputs):
    model = TmdsEncoder()
    return [model.clock(*step) for step in inputs]


def test_rtl_every_byte_from_every_disparity(seed):
    """Every byte from each reachable disparity: a control token resets to 0, then a run of
    bytes leads to the disparity wanted (found on the model), then the byte under test."""
    rng = random.Random(seed)
    paths = disparity_paths()
    inputs = []
    for disparity, path in sorted(paths.items()):
        for byte in range(256):
            inputs.append((0, rng.randrange(4), 0))
            inputs += [(b, 0, 1) for b in path]
            inputs.append((byte, 0, 1))
    assert rtl_symbols(inputs) == model_symbols(inputs)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 255), st.integers(0, 3), st.booleans()), min_size=1, max_size=300))
def test_rtl_random_streams_equal_the_model(inputs):
    assert rtl_symbols(inputs) == model_symbols(inputs)
