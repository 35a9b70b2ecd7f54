"""The client side of the Verilator harness's protocol (``harness.cpp`` says it byte by byte).

:class:`VerilatedSystem` starts the model executable and asks it for frames: per request the
buttons held during the frame, the switches, and a list of :class:`Tap` presses carried out
first, each like a player's press (down, up, and wait until the core has acted). It answers
with a :class:`FrameStatus` and the 480 x 640 RGB332 frame the VGA pins drew, and on request
the DVI link's symbols of the same frame (for :func:`starsweeper.model.dvi.decode_frame`). The model
running in another process means a crash of it ends one request with a
:class:`HarnessError` saying what happened, never the caller's process.
"""

from dataclasses import dataclass, make_dataclass
import select
import signal
import struct
import subprocess
import time

import numpy as np

from ..errors import ToolError
from ..tools import end_tree, limit_of
from ..model.buttons import BUTTON_BIT
from ..model.vga import VGA_640X480

__all__ = ["PROTOCOL_VERSION", "HEADER_FIELDS", "HarnessError", "Tap", "FrameStatus", "VerilatedSystem"]

PROTOCOL_VERSION = 3
HELLO = struct.Struct("<4sIHH")
#: Taps in one request (its count is 16 bits).
TAPS_MAX = 0xFFFF


@dataclass(frozen=True)
class HeaderField:
    """A field of a frame's header: its ``struct`` format and C type, and where the harness
    takes it from: the model's output port of the same name (``port``), or its own count."""

    name: str
    format: str
    ctype: str
    port: bool = True


#: The header of each answer, for both sides: the harness's ``struct FrameHeader`` and the
#: code that fills it from the model's ports are generated from this
#: (:func:`starsweeper.verilator.build.harness_header`), and :data:`HEADER` reads it here.
HEADER_FIELDS = (
    HeaderField("magic", "4s", "char", port=False),            # "SSFR"
    HeaderField("frame", "I", "uint32_t", port=False),         # frames answered, this one included
    HeaderField("clocks", "Q", "uint64_t", port=False),        # clocks since start-up
    HeaderField("status", "B", "uint8_t"),                     # model.minesweeper.Status
    HeaderField("difficulty", "B", "uint8_t"),
    HeaderField("cursor_row", "B", "uint8_t"),
    HeaderField("cursor_col", "B", "uint8_t"),
    HeaderField("counter", "h", "int16_t"),
    HeaderField("timer", "H", "uint16_t"),
    HeaderField("leds", "B", "uint8_t"),
    HeaderField("segments", "B", "uint8_t"),
    HeaderField("anodes", "B", "uint8_t"),
    HeaderField("busy", "B", "uint8_t"),
    HeaderField("sync_errors", "I", "uint32_t", port=False),   # sync pulses of a wrong width or period
)
HEADER = struct.Struct("<" + "".join(field.format for field in HEADER_FIELDS))


class HarnessError(ToolError):
    """The harness exited, broke the protocol or sent a bad frame; the message says which."""


@dataclass(frozen=True)
class Tap:
    """One press and release of ``buttons`` (bits as :data:`BUTTON_BIT`) with ``switches`` set
    while it lasts; ``keep`` leaves the buttons down until the end of the next frame."""

    buttons: int
    switches: int
    keep: bool = False

    @classmethod
    def of(cls, press, switches):
        """The tap of a :class:`starsweeper.moves.Press` with the other ``switches`` as set."""
        return cls(1 << BUTTON_BIT[press.button], press.switches_for(switches), press.hold)


#: What the harness reports with each frame: the header's fields but its magic (the game
#: core's readback ports, and the harness's counts).
FrameStatus = make_dataclass("FrameStatus", [(field.name, int) for field in HEADER_FIELDS[1:]],
                             frozen=True)
FrameStatus.__doc__ = "A frame header's fields (:data:`HEADER_FIELDS`) but its magic."


class VerilatedSystem:
    """A running model: ``executable`` from :func:`starsweeper.verilator.build.build_model`.

    ``seed`` forces the placement seed (None: the free-running counter, as on the board);
    ``switches`` are set at power-on (the first game's difficulty is SW7's then);
    ``hold_clocks`` is how long a tap holds its button down and then up (past the
    synchroniser and the debouncer)."""

    def __init__(self, executable, seed=None, switches=0, hold_clocks=16, timing=VGA_640X480):
        argv = [str(executable), "--hold-clocks", str(hold_clocks), "--switches", str(switches)]
        if seed is not None:
            argv += ["--seed", str(seed)]
        self.shape = (timing.v_visible, timing.h_visible)
        self.frame_clocks = timing.h_total * timing.v_total
        self.timeout, self.timeout_variable = limit_of("model")
        try:
            self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, start_new_session=True)
        except OSError as e:
            raise HarnessError(f"cannot start the model {executable}: {e.strerror}") from None
        try:
            magic, version, width, height = HELLO.unpack(self._read(HELLO.size, "its greeting"))
            if magic != b"SSHI" or version != PROTOCOL_VERSION:
                raise self._fail(f"the model's greeting is not protocol version {PROTOCOL_VERSION}")
            if (height, width) != self.shape:
                raise self._fail(f"the model draws {width}x{height} frames, not "
                                 f"{self.shape[1]}x{self.shape[0]}")
        except HarnessError:
            self.close()
            raise

    def frame(self, buttons=0, switches=0, taps=(), dvi=False):
        """Carry out ``taps``, then run one whole frame with ``buttons`` held and ``switches``
        set. Returns (status, frame): a :class:`FrameStatus` and a 480 x 640 uint8 array; with
        ``dvi``, (status, frame, symbols): the frame is the one whose vertical sync pulse is the
        first to begin, and ``symbols`` its DVI symbols from that pulse's first clock (a
        ``h_total * v_total`` x 3 array, channel 0 first). A request carries at most
        :data:`TAPS_MAX` taps: more are sent in several, a frame after each but the last one's
        not kept (the buttons and switches as the taps leave them)."""
        taps = list(taps)
        while len(taps) > TAPS_MAX:
            self._request(b"F", 0, switches, taps[:TAPS_MAX], False)
            taps = taps[TAPS_MAX:]
        return self._request(b"D" if dvi else b"F", buttons, switches, taps, dvi)

    def _request(self, command, buttons, switches, taps, dvi):
        request = bytearray(struct.pack("<cBBH", command, buttons, switches, len(taps)))
        for tap in taps:
            request += struct.pack("<BBB", tap.buttons, tap.switches, int(tap.keep))
        try:
            self.process.stdin.write(request)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._fail("the model stopped taking requests") from None
        fields = HEADER.unpack(self._read(HEADER.size, "a frame's header"))
        if fields[0] != b"SSFR":
            raise self._fail("the model sent a frame without its header")
        status = FrameStatus(*fields[1:])
        pixels = self._read(self.shape[0] * self.shape[1], f"frame {status.frame}")
        frame = np.frombuffer(pixels, dtype=np.uint8).reshape(self.shape)
        if not dvi:
            return status, frame
        symbols = self._read(self.frame_clocks * 3 * 2, f"frame {status.frame}'s DVI symbols")
        return status, frame, np.frombuffer(symbols, dtype="<u2").reshape(-1, 3).astype(np.int64)

    def close(self):
        """Ask the model to quit (or end it, and what it started), and close the pipes."""
        if self.process.poll() is None:
            try:
                self.process.stdin.write(b"Q")
                self.process.stdin.flush()
            except OSError:
                pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                end_tree(self.process)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                stream.close()
            except OSError:         # a request the model never read: nobody is left to read it
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self, size, what):
        """``size`` bytes of the answer, within the model's time limit (a model that hangs, or
        is stopped, is ended: :data:`~starsweeper.tools.TIME_LIMITS`)."""
        deadline = time.monotonic() + self.timeout
        stream = self.process.stdout
        chunks, got = [], 0
        while got < size:
            left = deadline - time.monotonic()
            ready = select.select([stream], [], [], max(0.0, left))[0] if left > 0 else []
            if not ready:
                end_tree(self.process)
                raise HarnessError(f"the Verilator model gave no answer in {self.timeout:g} s "
                                   f"({self.timeout_variable} sets the limit): {what} never came")
            chunk = stream.read1(size - got)
            if not chunk:
                raise self._fail(f"{what} was cut short ({got} of {size} bytes)")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _fail(self, what):
        """A :class:`HarnessError` saying ``what`` and how the model ended, if it has."""
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            end_tree(self.process)
            return HarnessError(f"the Verilator model broke the protocol: {what}")
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            ending = f"was killed by {name}"
        else:
            ending = f"exited with status {code}"
        last = self.process.stderr.read().decode(errors="replace").strip().splitlines()
        return HarnessError(f"the Verilator model {ending}: {what}"
                            + (f" ({last[-1]})" if last else ""))
