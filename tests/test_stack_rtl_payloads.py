"""The rtl engine's payload lines (starsweeper/stack/rtl.py): packed by the cores' own data
layouts, a payload a line in hex, as the harness (stacker_harness.v) reads and writes them."""

from hypothesis import given, settings, strategies as st
import numpy as np
import pytest

from starsweeper.gateware.dark_subtract import CalibrationInput
from starsweeper.gateware.star_trail import StackerInput, StackerOutput
from starsweeper.model.star_trail import FixedFormat
from starsweeper.stack.rtl import _fields, pack_hex, unpack_hex
from starsweeper.tools import ToolError

LAYOUTS = [layout(FixedFormat(width)) for layout in (StackerInput, StackerOutput, CalibrationInput)
           for width in (8, 16)]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(LAYOUTS), st.integers(1, 40), st.integers(0, 2 ** 32 - 1))
def test_each_line_is_the_payload_as_an_integer_and_reads_back(layout, count, seed):
    fields = _fields(layout)
    rng = np.random.default_rng(seed)
    columns = {name: rng.integers(0, 1 << bits, count) for name, (_, bits) in fields.items()}
    text = pack_hex(columns, fields, layout.size)
    lines = text.decode().split("\n")
    assert lines[-1] == "" and len(lines) == count + 1
    for k, line in enumerate(lines[:-1]):
        # Verilog's %h of a layout.size-bit value: every digit written, the fields at their offsets
        assert len(line) == -(-layout.size // 4)
        assert int(line, 16) == sum(int(columns[name][k]) << offset
                                    for name, (offset, _) in fields.items())
    back = unpack_hex(text, fields, layout.size)
    assert all(np.array_equal(back[name], columns[name]) for name in fields)


def test_an_undefined_bit_from_the_rtl_is_an_error():
    layout = StackerOutput(FixedFormat(8))
    fields = _fields(layout)
    line = b"0" * (-(-layout.size // 4) - 1) + b"x\n"
    with pytest.raises(ToolError, match="undefined"):
        unpack_hex(line, fields, layout.size)
