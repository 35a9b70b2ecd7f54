"""A DVI link, as a receiver sees it: the specification that the DVI encoder's symbols are checked
against (:class:`starsweeper.gateware.dvi.DviEncoder`, the ULX3S board top).

:func:`decode_frame` takes the three channels' TMDS symbols (:mod:`starsweeper.model.tmds`) of
one whole frame, from the first clock of a vertical sync pulse to the clock before the next,
and gives back the picture, checking on the way what a DVI 1.0 receiver relies on:

* every symbol is a control token or a data symbol, and the three channels agree on which
  (data enable, DE);
* the control bits: HSYNC and VSYNC on channel 0 as C0 and C1, zeros on channels 1 and 2;
* the timing of :class:`~starsweeper.model.vga.VgaTiming` (640x480 at 60 Hz): both syncs active
  low, each pulse as wide and as far apart as VESA says, the frame ``h_total * v_total`` clocks;
  DE high for ``h_visible`` clocks from ``h_back`` clocks after each horizontal sync pulse, on
  the ``v_visible`` lines that begin ``v_back`` lines after the vertical sync pulse (the rule
  that :mod:`starsweeper.vga_monitor` applies to the VGA pins);
* the running disparity of each channel stays within
  :data:`~starsweeper.model.tmds.DISPARITY_BOUND`.

The picture is 24-bit RGB: channel 2 red, channel 1 green, channel 0 blue.
"""

from dataclasses import dataclass

import numpy as np

from .tmds import DISPARITY_BOUND, TmdsEncoder, TmdsError, decode_symbol, symbol_disparity
from .vga import VGA_640X480

__all__ = ["DviError", "DviFrame", "DviEncoder", "decode_frame", "encode_frame", "CLOCK_LANE_SYMBOL"]

#: What the clock lane sends each pixel clock, bit 0 first: high for the first half.
CLOCK_LANE_SYMBOL = 0b0000011111

_CONTROL, _DATA, _INVALID = 0, 1, 2


class DviError(AssertionError):
    """The symbols break a rule of the link (the message says which, and where)."""


def _tables():
    kind = np.full(1024, _INVALID, np.uint8)
    value = np.zeros(1024, np.uint8)
    disparity = np.array([symbol_disparity(s) for s in range(1024)], np.int8)
    for symbol in range(1024):
        try:
            what, v = decode_symbol(symbol)
        except TmdsError:
            continue
        kind[symbol] = _CONTROL if what == "control" else _DATA
        value[symbol] = v
    return kind, value, disparity


_KIND, _VALUE, _DISPARITY = _tables()


@dataclass
class DviFrame:
    """A decoded frame: ``pixels`` (``v_visible`` x ``h_visible`` x 3, RGB888) and the largest
    running disparity seen on any channel."""

    pixels: np.ndarray
    max_disparity: int


def _runs(flags):
    """(start, length) of each run of True in the boolean array ``flags``."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), (ends - starts).tolist()))


def _require(condition, message):
    if not condition:
        raise DviError(message)


def decode_frame(symbols, timing=VGA_640X480):
    """Decode ``symbols`` (N x 3 array of 10-bit symbols, channel 0 first; N must be one frame)
    into a :class:`DviFrame`, or raise :class:`DviError` naming the first rule broken."""
    t = timing
    symbols = np.asarray(symbols, dtype=np.int64)
    _require(symbols.ndim == 2 and symbols.shape[1] == 3, f"expected N x 3 symbols, got {symbols.shape}")
    frame_clocks = t.h_total * t.v_total
    _require(len(symbols) == frame_clocks, f"{len(symbols)} clocks captured, a frame is {frame_clocks}")
    _require(((symbols >= 0) & (symbols < 1024)).all(), "a symbol has more than 10 bits")
    kind = _KIND[symbols]
    bad = np.argwhere(kind == _INVALID)
    if len(bad):
        raise DviError(f"clock {bad[0][0]}, channel {bad[0][1]}: a symbol that is neither a control "
                       "token nor data")
    de = kind[:, 0] == _DATA
    for channel in (1, 2):
        split = np.flatnonzero((kind[:, channel] == _DATA) != de)
        if len(split):
            raise DviError(f"clock {split[0]}: channels 0 and {channel} disagree on data enable")

    # Control bits: channel 0 carries the syncs, channels 1 and 2 zeros.
    value = _VALUE[symbols]
    for channel in (1, 2):
        wrong = np.flatnonzero(~de & (value[:, channel] != 0))
        if len(wrong):
            raise DviError(f"clock {wrong[0]}: channel {channel} sends control bits "
                           f"{value[wrong[0], channel]:02b} (DVI has 00 there)")
    # The sync levels, held through data periods (a receiver keeps the last control bits).
    control_at = np.where(~de, np.arange(len(de)), -1)
    _require(not de[0], "the frame does not start in a control period")
    last_control = np.maximum.accumulate(control_at)
    hsync = (value[last_control, 0] & 1).astype(bool)
    vsync = (value[last_control, 0] >> 1).astype(bool)

    # Vertical: active low, the pulse first, v_sync lines wide, then high to the frame's end.
    v_low = _runs(~vsync)
    _require(v_low == [(0, t.v_sync * t.h_total)],
             f"vertical sync low at (start, clocks) {v_low[:3]}: expected one active-low pulse "
             f"of {t.v_sync} lines ({t.v_sync * t.h_total} clocks) at the start")
    # Horizontal: active low, every pulse h_sync wide, one every h_total clocks.
    h_low = _runs(~hsync)
    widths = sorted({n for s, n in h_low if s > 0 and s + n < len(hsync)})
    _require(widths == [t.h_sync], f"horizontal sync pulses {widths} clocks wide, expected {t.h_sync}")
    periods = sorted(set(np.diff([s for s, _ in h_low]).tolist()))
    _require(periods == [t.h_total], f"horizontal sync pulses every {periods} clocks, expected {t.h_total}")

    # Active video: lines begin h_back clocks after each horizontal pulse ends; the first
    # visible line is the (v_back + 1)-th line start at or after the end of vertical sync.
    line_starts = [s + n + t.h_back for s, n in h_low]
    v_end = t.v_sync * t.h_total
    after = [s for s in line_starts if s >= v_end]
    _require(len(after) >= t.v_back + t.v_visible, "too few lines after vertical sync")
    visible_starts = after[t.v_back:t.v_back + t.v_visible]
    de_runs = _runs(de)
    expected = [(s, t.h_visible) for s in visible_starts]
    if de_runs != expected:
        first = next((k for k, (a, b) in enumerate(zip(de_runs, expected)) if a != b),
                     min(len(de_runs), len(expected)))
        got = de_runs[first] if first < len(de_runs) else None
        want = expected[first] if first < len(expected) else None
        raise DviError(f"data enable run {first}: (start, clocks) {got}, expected {want} "
                       f"({len(de_runs)} runs, expected {len(expected)})")

    # Running disparity: from 0 at each control token, bounded.
    worst = 0
    disparity = _DISPARITY[symbols].astype(np.int32)
    for start, length in de_runs:
        running = np.cumsum(disparity[start:start + length], axis=0)
        worst = max(worst, int(np.abs(running).max()))
    _require(worst <= DISPARITY_BOUND,
             f"running disparity reached {worst}, beyond the bound of {DISPARITY_BOUND}")

    pixels = np.stack([value[s:s + t.h_visible, channel] for s in visible_starts for channel in (2, 1, 0)])
    pixels = pixels.reshape(t.v_visible, 3, t.h_visible).transpose(0, 2, 1)
    return DviFrame(np.ascontiguousarray(pixels), worst)


def encode_frame(pixels, timing=VGA_640X480):
    """The three channels' symbols of one frame of ``pixels`` (``v_visible`` x ``h_visible`` x 3,
    RGB888), from the first clock of the vertical sync pulse, as a transmitter following
    :class:`~starsweeper.model.vga.VgaTiming` sends them (its sync edges at the start of a line,
    as :class:`starsweeper.gateware.vga_timing.VgaTimingGenerator` makes them). The inverse of
    :func:`decode_frame`."""
    t = timing
    pixels = np.asarray(pixels)
    encoder = DviEncoder()
    symbols = np.zeros((t.h_total * t.v_total, 3), np.int64)
    for k in range(len(symbols)):
        y, x = divmod(t.v_sync_start * t.h_total + k, t.h_total)
        y %= t.v_total
        active = t.visible(x, y)
        symbols[k] = encoder.clock(pixels[y, x] if active else (0, 0, 0), t.hsync_n(x), t.vsync_n(y), active)
    return symbols


class DviEncoder:
    """A DVI transmitter's three channels, a pixel clock at a time: the specification of
    :class:`starsweeper.gateware.dvi.DviEncoder` (which takes RGB332 and widens it with
    :func:`starsweeper.model.display.to_rgb888` first). :meth:`clock` takes one clock's inputs
    and returns the three symbols they give (channel 0, 1, 2; the RTL shows them one clock
    later): the colour's blue, green and red bytes in active video, the syncs as channel 0's
    control bits ``C0`` (HSYNC) and ``C1`` (VSYNC) in blanking, zeros on channels 1 and 2."""

    def __init__(self):
        self.channels = [TmdsEncoder() for _ in range(3)]

    @property
    def symbols(self):
        """The three symbols shown (after a reset: each channel's token of ``C1 C0 = 0``)."""
        return tuple(encoder.symbol for encoder in self.channels)

    def clock(self, rgb, hsync_n, vsync_n, active):
        """``rgb``: the colour (red, green, blue bytes); ``hsync_n``, ``vsync_n``: the sync
        pins' levels; ``active``: data enable."""
        control = (int(vsync_n) << 1) | int(hsync_n)
        return tuple(encoder.clock(int(rgb[2 - channel]), control if channel == 0 else 0, bool(active))
                     for channel, encoder in enumerate(self.channels))
