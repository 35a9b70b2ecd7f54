"""The Python side of the pin-level VGA monitor (vga_capture.v): its parameters from the one
definition of the timing (:class:`starsweeper.model.vga.VgaTiming`), and :class:`VgaCapture`,
which reads and checks the files it writes.

The monitor samples the pins in Verilog, so that no Python runs per clock; a testbench (cocotb)
sets up the picture, arms the monitor and waits for its ``captured`` count to rise, then reads
the frame here.
"""

from dataclasses import dataclass
from pathlib import Path

__all__ = ["SOURCES", "SYNC_FILE", "FRAME_FILE", "monitor_parameters", "VgaCapture"]

SIM = Path(__file__).resolve().parent
#: The monitor's Verilog, and the benches that put it on a design's pins.
SOURCES = {name: SIM / f"{name}.v" for name in ("vga_capture", "display_bench", "vga_bench")}
SYNC_FILE = "vga_sync.txt"
FRAME_FILE = "vga_frames.txt"


def monitor_parameters(timing, clocks_per_pixel=None):
    """The Verilog parameters of vga_capture.v (and of the benches that pass them on) for
    ``timing``, and ``CLOCKS_PER_PIXEL`` if given."""
    parameters = {"H_VISIBLE": timing.h_visible, "V_VISIBLE": timing.v_visible,
                  "H_BACK": timing.h_back, "V_BACK": timing.v_back}
    if clocks_per_pixel is not None:
        parameters["CLOCKS_PER_PIXEL"] = clocks_per_pixel
    return parameters


@dataclass
class VgaCapture:
    """What the capture module saw: sync measurements and frames (lists of rows of RGB332)."""

    sync: dict
    frames: list

    @classmethod
    def read(cls, folder="."):
        """What the files hold so far (a simulation still running may have written part of a
        line: only whole lines count)."""
        sync = {"HP": [], "HW": [], "VP": [], "VW": [], "AE": []}
        for line in (Path(folder) / SYNC_FILE).read_text().split("\n")[:-1]:
            kind, value = line.split()
            sync[kind].append(int(value))
        rows = [bytes.fromhex(line) for line in (Path(folder) / FRAME_FILE).read_text().split("\n")[:-1]]
        return cls(sync, rows)

    def split_frames(self, timing):
        height = timing.v_visible
        if len(self.frames) % height:
            raise AssertionError(f"{len(self.frames)} captured lines is not whole frames of {height}")
        return [[list(row) for row in self.frames[k:k + height]] for k in range(0, len(self.frames), height)]

    def check_sync(self, timing, frame_period=True, clocks_per_pixel=1):
        """Every sync pulse's width and period against the timing's numbers (in clocks: pixels
        times ``clocks_per_pixel``), and the data enable in its window every clock. A single
        frame has no vertical period to measure: ``frame_period=False`` allows none (but checks
        any)."""
        t, c = timing, clocks_per_pixel
        expected = {"HP": t.h_total * c, "HW": t.h_sync * c, "VP": t.h_total * t.v_total * c,
                    "VW": t.h_total * t.v_sync * c}
        for kind, value in expected.items():
            seen = self.sync[kind]
            assert seen or (kind == "VP" and not frame_period), f"no {kind} measurement"
            wrong = sorted(set(v for v in seen if v != value))
            assert not wrong, f"{kind}: expected {value} clocks every time, also saw {wrong}"
        assert self.sync["AE"], "no frame was captured, so the data enable was not checked"
        assert self.sync["AE"][-1] == 0, (f"the data enable (active) was wrong in {self.sync['AE'][-1]} "
                                          f"clocks")
