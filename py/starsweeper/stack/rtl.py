"""Stacking frames through the generated Verilog core in Icarus Verilog (``--engine rtl``).

The harness, ``stacker_harness.v`` beside this module, streams payloads from a text file into
``hdl/star_trail_stacker_<W>.v``, or with a master dark into ``hdl/calibrated_stacker_<W>.v``
(the dark-frame stage in front of the stacker, which takes each pixel's dark beside it),
(input always valid, output always ready) and writes every output payload to another file.
Here the payloads are packed and unpacked by the core's own data layouts (:func:`_fields`),
a payload a line in hex. Each frame is cut into blocks that run in parallel ``vvp``
processes; the accumulators carry over from frame to frame in numpy. The result is
bit-identical to :class:`starsweeper.model.star_trail.FixedStacker`.

Speed: one ``vvp`` process simulates about 40,000 pixels per second here; two cores give
90,000 to 130,000, so a 12 MP frame takes one and a half to two minutes: this engine is for
checking the RTL on real photos, not for stacking nights.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import shutil
import tempfile

import numpy as np

from ..model.star_trail import FixedFormat
from ..tools import ToolError, end_tree, failure_text, run_limited

__all__ = ["RTLStacker", "IcarusMissing", "BLOCK_PIXELS", "HARNESS", "pack_hex", "unpack_hex"]

#: Pixels per simulation run: bounds the size of the exchange files.
BLOCK_PIXELS = 1 << 18
HARNESS = Path(__file__).with_name("stacker_harness.v")

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_HEX_VALUE = np.full(256, 255, dtype=np.uint64)
_HEX_VALUE[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint64)


class IcarusMissing(ToolError):
    """Icarus Verilog is not installed."""


def _fields(layout, prefix="", offset=0):
    """Flatten a ``lib.data`` layout into ``{name: (offset, width)}`` (``acc_r``, ``pixel_g``...)."""
    from amaranth.lib import data
    out = {}
    for name, field in layout:
        if isinstance(field.shape, data.Layout):
            out.update(_fields(field.shape, f"{prefix}{name}_", offset + field.offset))
        else:
            out[f"{prefix}{name}"] = (offset + field.offset, field.width)
    return out


def _digits(width):
    return -(-width // 4)


def pack_hex(columns, fields, width):
    """Payloads of ``width`` bits, one a line in hex (as Verilog's ``%h`` writes them), with
    ``columns[name]`` (integer arrays of one length) at ``fields[name]`` = (offset, bits)."""
    n = len(next(iter(columns.values())))
    limbs = np.zeros((n, -(-width // 64)), dtype=np.uint64)
    for name, values in columns.items():
        offset, bits = fields[name]
        values = np.asarray(values).astype(np.uint64) & np.uint64((1 << bits) - 1)
        limb, shift = divmod(offset, 64)
        limbs[:, limb] |= values << np.uint64(shift)
        if shift + bits > 64:
            limbs[:, limb + 1] |= values >> np.uint64(64 - shift)
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    nibbles = ((limbs[:, ::-1, None] >> shifts) & np.uint64(0xF)).reshape(n, -1)
    text = _HEX_DIGITS[nibbles[:, -_digits(width):].astype(np.intp)]
    return np.hstack([text, np.full((n, 1), ord("\n"), dtype=np.uint8)]).tobytes()


def unpack_hex(text, fields, width):
    """The columns (name -> int64 array) of the payloads in ``text``, the reverse of
    :func:`pack_hex`; a payload with an undefined (X or Z) bit is a ``ToolError``."""
    digits = _digits(width)
    if len(text) % (digits + 1):
        raise ToolError(f"vvp: the RTL's output is not lines of {digits} hex digits")
    rows = np.frombuffer(text, dtype=np.uint8).reshape(-1, digits + 1)
    values = _HEX_VALUE[rows[:, :digits]]
    if (values == 255).any() or (rows[:, digits] != ord("\n")).any():
        raise ToolError("the RTL produced undefined (X or Z) output bits")
    padded = np.zeros((len(rows), -(-width // 64) * 16), dtype=np.uint64)
    padded[:, padded.shape[1] - digits:] = values
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    limbs = (padded.reshape(len(rows), -1, 16) << shifts).sum(axis=2, dtype=np.uint64)[:, ::-1]
    columns = {}
    for name, (offset, bits) in fields.items():
        limb, shift = divmod(offset, 64)
        value = limbs[:, limb] >> np.uint64(shift)
        if shift + bits > 64:
            value |= limbs[:, limb + 1] << np.uint64(64 - shift)
        columns[name] = (value & np.uint64((1 << bits) - 1)).astype(np.int64)
    return columns


class RTLStacker:
    """Stacks frames through the Verilog core; the same interface as ``FixedStacker``."""

    def __init__(self, attenuation, channel_width, workers=1, dark=None):
        from ..gateware.dark_subtract import CalibrationInput
        from ..gateware.star_trail import StackerInput, StackerOutput
        self.format = FixedFormat(channel_width)
        self.atten_fx = self.format.quantize_attenuation(attenuation)
        self.workers = max(1, workers)
        self.acc = None
        self.shape = None
        self._running = set()           # the vvp processes started (to end them on an interruption)
        self.dark = None if dark is None else self._pixels(np.asarray(dark))
        if dark is None:
            self.module, in_layout = f"star_trail_stacker_{channel_width}", StackerInput(self.format)
        else:
            self.module, in_layout = f"calibrated_stacker_{channel_width}", CalibrationInput(self.format)
        out_layout = StackerOutput(self.format)
        self.in_fields, self.in_width = _fields(in_layout), in_layout.size
        self.out_fields, self.out_width = _fields(out_layout), out_layout.size
        for tool in ("iverilog", "vvp"):
            if shutil.which(tool) is None:
                raise IcarusMissing(f"--engine rtl needs Icarus Verilog ({tool} is not on PATH); "
                                    "install the Debian/Ubuntu package iverilog")
        from ..hdl import HDL_DIR, emit
        self.tmp = Path(tempfile.mkdtemp(prefix="starsweeper-rtl-"))
        try:
            core = HDL_DIR / f"{self.module}.v"
            core_text = core.read_text() if core.exists() else emit(self.module)
            (self.tmp / "core.v").write_text(core_text)
            code, output = run_limited(
                "icarus",
                ["iverilog", "-g2005", f"-DDUT={self.module}", "-s", "stacker_harness",
                 f"-Pstacker_harness.IN_WIDTH={self.in_width}",
                 f"-Pstacker_harness.OUT_WIDTH={self.out_width}",
                 f"-Pstacker_harness.ATTEN_WIDTH={self.format.atten_width}",
                 "-o", str(self.tmp / "harness.vvp"), str(self.tmp / "core.v"), str(HARNESS)])
            if code != 0:
                raise ToolError(failure_text("iverilog", code, output))
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.tmp, ignore_errors=True)

    @staticmethod
    def _pixels(frame):
        """A frame as rows of three channels (grey in the first, the others 0)."""
        channels = frame.shape[-1] if frame.ndim == 3 else 1
        pixels = np.zeros((frame.size // channels, 3), dtype=np.int64)
        pixels[:, :channels] = frame.reshape(-1, channels)
        return pixels

    def _run_block(self, index, acc, pixels, darks=None):
        in_path = self.tmp / f"in{index}.hex"
        out_path = self.tmp / f"out{index}.hex"
        columns = {}
        for k, channel in enumerate("rgb"):
            columns[f"acc_{channel}"] = acc[:, k]
            columns[f"pixel_{channel}"] = pixels[:, k]
            if darks is not None:
                columns[f"dark_{channel}"] = darks[:, k]
        in_path.write_bytes(pack_hex(columns, self.in_fields, self.in_width))
        code, output = run_limited(
            "icarus", ["vvp", "-n", str(self.tmp / "harness.vvp"), f"+in={in_path}", f"+out={out_path}",
                       f"+count={len(acc)}", f"+attenuation={self.atten_fx:x}"],
            started=self._running.add)
        if code != 0 or not out_path.exists():
            raise ToolError(failure_text("vvp", code, output))
        out = unpack_hex(out_path.read_bytes(), self.out_fields, self.out_width)
        in_path.unlink()
        out_path.unlink()
        if len(out["acc_r"]) != len(acc):
            raise ToolError(f"vvp: the RTL returned {len(out['acc_r'])} pixels for {len(acc)}")
        return (np.stack([out[f"acc_{c}"] for c in "rgb"], axis=1),
                np.stack([out[f"pixel_{c}"] for c in "rgb"], axis=1))

    def add(self, frame):
        frame = np.asarray(frame)
        if self.shape is None:
            self.shape = frame.shape
        elif frame.shape != self.shape:
            raise ValueError(f"frame shape {frame.shape} differs from {self.shape}")
        channels = frame.shape[-1] if frame.ndim == 3 else 1
        pixels = self._pixels(frame)
        if self.dark is not None and len(self.dark) != len(pixels):
            raise ValueError(f"dark of {len(self.dark)} pixels for a frame of {len(pixels)}")
        if self.acc is None:
            self.acc = np.zeros_like(pixels)
        blocks = max(self.workers, -(-len(pixels) // BLOCK_PIXELS))
        bounds = np.linspace(0, len(pixels), blocks + 1).astype(int)
        pool = ThreadPoolExecutor(max_workers=self.workers)
        try:
            results = list(pool.map(
                lambda k: self._run_block(k, self.acc[bounds[k]:bounds[k + 1]],
                                          pixels[bounds[k]:bounds[k + 1]],
                                          None if self.dark is None else self.dark[bounds[k]:bounds[k + 1]]),
                range(blocks)))
        except BaseException:
            # An interruption or a failed block: the blocks not begun are cancelled, and the
            # simulations under way ended now, not when they finish (a block is seconds).
            pool.shutdown(wait=False, cancel_futures=True)
            for child in list(self._running):
                if child.poll() is None:
                    end_tree(child)
            raise
        pool.shutdown()
        self._running.clear()
        self.acc = np.concatenate([acc for acc, _ in results])
        self.pixel = np.concatenate([pix for _, pix in results])
        self._channels = channels

    def result(self):
        if self.acc is None:
            raise ValueError("no frames were stacked")
        out = self.pixel[:, :self._channels].astype(self.format.dtype)
        return out.reshape(self.shape)
