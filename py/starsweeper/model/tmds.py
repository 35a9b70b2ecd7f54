"""TMDS, as DVI 1.0 encodes each of its three channels: the specification of
:class:`starsweeper.gateware.tmds.TmdsEncoder`.

Each pixel clock a channel sends one 10-bit symbol, bit 0 first:

* in active video (DE high), a byte, transition-minimised (``q_m``: each bit the XOR, or the
  XNOR, of the byte's bit and the bit before, bit 8 saying which) and then DC-balanced (the
  eight bits inverted, bit 9 saying so, whenever that brings the running disparity back toward
  zero);
* in blanking (DE low), one of four control tokens carrying two control bits ``C1 C0`` (channel
  0 carries HSYNC as C0 and VSYNC as C1; channels 1 and 2 carry zeros in DVI), and the running
  disparity starts again from zero.

The running disparity is the count of ones minus the count of zeros sent since the last
control token; :data:`DISPARITY_BOUND` is how far from zero it can get, found by
:func:`reachable_disparities` from the rules themselves.
"""

from functools import lru_cache

__all__ = ["CONTROL_TOKENS", "DISPARITY_BOUND", "TmdsEncoder", "encode_data", "encode_control",
           "decode_symbol", "symbol_disparity", "reachable_disparities", "disparity_paths", "TmdsError"]

#: Control tokens, ``q_out[9:0]``, indexed by ``C1 C0`` as a number (``C0`` the low bit).
CONTROL_TOKENS = (0b1101010100, 0b0010101011, 0b0101010100, 0b1010101011)


class TmdsError(ValueError):
    """A symbol that no DVI transmitter sends."""


def _ones(value, bits=8):
    return bin(value & ((1 << bits) - 1)).count("1")


def _transition_minimised(byte):
    """``q_m``: 9 bits, bit 8 set when the chain is XOR, clear when XNOR."""
    use_xnor = _ones(byte) > 4 or (_ones(byte) == 4 and not byte & 1)
    q = byte & 1
    for i in range(1, 8):
        bit = ((q >> (i - 1)) ^ (byte >> i)) & 1
        q |= (bit ^ use_xnor) << i
    return q | ((not use_xnor) << 8)


def encode_data(byte, disparity):
    """The symbol for ``byte`` in active video after ``disparity``, and the disparity after it
    (DVI 1.0, figure 3-5)."""
    if not 0 <= byte <= 255:
        raise ValueError(f"TMDS data is a byte, not {byte!r}")
    q_m = _transition_minimised(byte)
    ones = _ones(q_m)
    zeros = 8 - ones
    q8 = q_m >> 8
    low = q_m & 0xFF
    if disparity == 0 or ones == zeros:
        if q8:
            return (0 << 9) | (1 << 8) | low, disparity + ones - zeros
        return (1 << 9) | (0 << 8) | (~low & 0xFF), disparity + zeros - ones
    if (disparity > 0 and ones > zeros) or (disparity < 0 and zeros > ones):
        return (1 << 9) | (q8 << 8) | (~low & 0xFF), disparity + 2 * q8 + zeros - ones
    return (q8 << 8) | low, disparity - 2 * (1 - q8) + ones - zeros


def encode_control(c0, c1):
    """The control token for ``C0``, ``C1`` (the disparity after it is 0)."""
    return CONTROL_TOKENS[(int(bool(c1)) << 1) | int(bool(c0))]


def symbol_disparity(symbol):
    """Ones minus zeros in the 10-bit ``symbol``."""
    return 2 * _ones(symbol, 10) - 10


def decode_symbol(symbol):
    """What a DVI receiver takes from one symbol: ``("control", c1c0)`` or ``("data", byte)``.

    A data symbol is checked by encoding its byte again: it must be one of the (at most two)
    symbols the transmitter can send for that byte, else :class:`TmdsError`."""
    if not 0 <= symbol < 1 << 10:
        raise TmdsError(f"a TMDS symbol has 10 bits, not {symbol!r}")
    if symbol in CONTROL_TOKENS:
        return "control", CONTROL_TOKENS.index(symbol)
    low = symbol & 0xFF
    if symbol >> 9:
        low ^= 0xFF
    xor_chain = (symbol >> 8) & 1
    byte = low & 1
    for i in range(1, 8):
        bit = ((low >> i) ^ (low >> (i - 1))) & 1
        byte |= (bit ^ (not xor_chain)) << i
    if symbol not in _data_symbols(byte):
        raise TmdsError(f"symbol {symbol:#05x} is no encoding of any byte")
    return "data", byte


@lru_cache(maxsize=None)
def _data_symbols(byte):
    return frozenset(encode_data(byte, d)[0] for d in (-2, 0, 2))


@lru_cache(maxsize=None)
def disparity_paths():
    """For every running disparity a channel can reach from a control period, the shortest run
    of bytes that reaches it (breadth first over :func:`encode_data` from 0, all 256 bytes):
    a dict, disparity to a tuple of bytes."""
    paths, todo = {0: ()}, [0]
    while todo:
        d = todo.pop(0)
        for byte in range(256):
            _, after = encode_data(byte, d)
            if after not in paths:
                paths[after] = paths[d] + (byte,)
                todo.append(after)
    return paths


def reachable_disparities():
    """Every running disparity a channel can reach from a control period, whatever the bytes."""
    return frozenset(disparity_paths())


#: The largest distance from zero of the running disparity (ones minus zeros since the last
#: control token), over every byte sequence.
DISPARITY_BOUND = max(abs(d) for d in reachable_disparities())


class TmdsEncoder:
    """One channel's encoder, a pixel clock at a time, as the RTL is: :meth:`clock` takes the
    inputs of one clock and returns the symbol they give (the RTL shows it one clock later).
    ``symbol`` is the symbol shown: after a reset, before any clock, the control token of
    ``C1 C0 = 0``."""

    def __init__(self):
        self.disparity = 0
        self.symbol = CONTROL_TOKENS[0]

    def clock(self, data, control, active):
        """``data`` (a byte) when ``active``, else the control bits ``control`` (``C1 C0`` as a
        number)."""
        if active:
            self.symbol, self.disparity = encode_data(data, self.disparity)
        else:
            self.disparity = 0
            self.symbol = CONTROL_TOKENS[control]
        return self.symbol
