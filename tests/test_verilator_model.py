"""The Verilator model's build cache and the harness protocol's failures.

The cache is tested with a stand-in ``verilator`` on PATH (it logs each call and writes an
executable where ``-o`` says), so every rebuild is seen and none costs a compilation; the
protocol's failures with stand-in harnesses that greet, answer, then break in one way each; and
the real model once, killed under the client.
"""

import os
from pathlib import Path
import re
import signal
import stat
import sys

import pytest

from starsweeper.verilator import build
from starsweeper.verilator.build import VerilatorError, build_model, harness_header, system_model
from starsweeper.verilator.protocol import (
    HEADER, HEADER_FIELDS, PROTOCOL_VERSION, HarnessError, Tap, VerilatedSystem,
)
from starsweeper.hdl import convert
from starsweeper.verilator.top import VerilatorTop
from starsweeper.screenshot import SIM_PARAMETERS

FRAME_BYTES = 480 * 640
#: A stand-in for the generated harness.h (the stand-in verilator never reads it).
HARNESS_H = "// harness.h\n"


def write_script(path, body):
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


STAND_IN_VERILATOR = r'''
import os, sys, time
from pathlib import Path
if sys.argv[1:] == ["--version"]:
    print(os.environ.get("STAND_IN_VERSION", "Verilator 5.006 (stand-in)"))
    sys.exit(0)
with open(os.environ["STAND_IN_LOG"], "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\n")
time.sleep(float(os.environ.get("STAND_IN_SECONDS", "0")))
if os.environ.get("STAND_IN_FAIL"):
    print("%Error: minesweeper_verilated.v:1: syntax error (stand-in)", file=sys.stderr)
    sys.exit(1)
args = sys.argv[1:]
mdir = Path(args[args.index("--Mdir") + 1])
mdir.mkdir()
output = mdir / args[args.index("-o") + 1]
output.write_text("#!/bin/sh\n")
output.chmod(0o755)
'''


@pytest.fixture
def stand_in_tools(tmp_path, monkeypatch):
    """A PATH with a stand-in verilator, and make and g++ as they are; a fresh cache."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    write_script(bin_dir / "verilator", STAND_IN_VERILATOR)
    for tool in ("make", "g++"):
        (bin_dir / tool).symlink_to(build.shutil.which(tool))
    log = tmp_path / "verilator.log"
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("STAND_IN_LOG", str(log))
    monkeypatch.setenv("STARSWEEPER_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CXX", raising=False)

    def builds():
        return log.read_text().count("\n") if log.exists() else 0
    return bin_dir, builds


def test_a_model_is_built_once_and_then_taken_from_the_cache(stand_in_tools):
    _, builds = stand_in_tools
    said = []
    first = build_model("module a; endmodule\n", HARNESS_H, log=said.append)
    assert first.exists() and builds() == 1 and len(said) == 1
    assert "--x-assign fast" in (Path(os.environ["STAND_IN_LOG"]).read_text())
    assert build_model("module a; endmodule\n", HARNESS_H, log=said.append) == first
    assert builds() == 1 and len(said) == 1
    left = [p.name for p in first.parent.parent.iterdir() if p.suffix != ".lock"]
    assert left == [first.parent.name], "no scratch left"


def test_a_model_asked_for_twice_at_once_is_built_once(stand_in_tools, monkeypatch):
    """Two test workers (or ``play`` beside ``screenshot``) asking for the same model while it
    builds: the second waits for the first's build and takes it."""
    from concurrent.futures import ThreadPoolExecutor
    _, builds = stand_in_tools
    monkeypatch.setenv("STAND_IN_SECONDS", "1")
    said = []
    with ThreadPoolExecutor(2) as pool:
        made = list(pool.map(lambda _: build_model("module a; endmodule\n", HARNESS_H, log=said.append), range(2)))
    assert made[0] == made[1] and made[0].exists()
    assert builds() == 1 and len(said) == 1


@pytest.mark.parametrize("change", ["verilog", "header", "harness", "verilator_version", "stamp_lost",
                                    "executable_lost"])
def test_a_stale_or_broken_cache_entry_rebuilds(stand_in_tools, tmp_path, monkeypatch, change):
    _, builds = stand_in_tools
    verilog = "module a; endmodule\n"
    header = HARNESS_H
    first = build_model(verilog, header)
    if change == "verilog":
        verilog = "module a; wire b; endmodule\n"
    elif change == "header":
        header = HARNESS_H + "#define STARSWEEPER_DVI 0\n"
    elif change == "harness":
        harness = tmp_path / "harness.cpp"
        harness.write_text(build.HARNESS.read_text() + "// changed\n")
        monkeypatch.setattr(build, "HARNESS", harness)
    elif change == "verilator_version":
        monkeypatch.setenv("STAND_IN_VERSION", "Verilator 5.020 (stand-in)")
    elif change == "stamp_lost":
        (first.parent / build.STAMP).unlink()
    else:
        first.unlink()
    second = build_model(verilog, header)
    assert builds() == 2 and second.exists()
    assert (second == first) == (change in ("stamp_lost", "executable_lost"))


def test_a_failed_build_is_one_line_and_leaves_nothing(stand_in_tools, monkeypatch):
    monkeypatch.setenv("STAND_IN_FAIL", "1")
    with pytest.raises(VerilatorError, match=r"exit status 1\): %Error: .*syntax error"):
        build_model("module a; endmodule\n", HARNESS_H)
    # (only the model's lock file, empty: see the module of build)
    assert [p.suffix for p in (build.cache_dir() / "verilator").iterdir()] == [".lock"]


@pytest.mark.parametrize("missing, message", [
    ("verilator", "Verilator is not installed"),
    ("g++", r"no C\+\+ compiler"),
    ("make", "make is not installed"),
])
def test_missing_tools_are_named(stand_in_tools, monkeypatch, missing, message):
    bin_dir, _ = stand_in_tools
    (bin_dir / missing).unlink()
    with pytest.raises(VerilatorError, match=message):
        build_model("module a; endmodule\n", HARNESS_H)


# -- the protocol's failures --------------------------------------------------------------------

GREETING = f'sys.stdout.buffer.write(b"SSHI" + struct.pack("<IHH", {PROTOCOL_VERSION}, 640, 480)); sys.stdout.flush()\n'
ONE_FRAME = ('sys.stdin.buffer.read(5)\n'
             'sys.stdout.buffer.write(struct.pack("' + HEADER.format +
             '", b"SSFR", 1, 420000, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0))\n'
             f'sys.stdout.buffer.write(bytes({FRAME_BYTES})); sys.stdout.flush()\n')


def stand_in_harness(tmp_path, body):
    return write_script(tmp_path / "harness", "import os, signal, struct, sys\n" + body)


def test_a_well_behaved_stand_in_answers_frames(tmp_path):
    harness = stand_in_harness(tmp_path, GREETING + ONE_FRAME)
    with VerilatedSystem(harness) as system:
        status, frame = system.frame()
    assert status.frame == 1 and status.counter == 40 and frame.shape == (480, 640)


@pytest.mark.parametrize("good_frames, body, message", [
    (1, GREETING + ONE_FRAME + 'sys.stdin.buffer.read(5); print("boom", file=sys.stderr); sys.exit(3)\n',
     r"the Verilator model exited with status 3: a frame's header was cut short \(0 of \d+ bytes\) \(boom\)"),
    (1, GREETING + ONE_FRAME + 'sys.stdin.buffer.read(5); os.kill(os.getpid(), signal.SIGSEGV)\n',
     r"was killed by SIGSEGV"),
    (0, GREETING + 'sys.stdin.buffer.read(5)\n'
     'sys.stdout.buffer.write(struct.pack("' + HEADER.format + '", b"SSFR", 1, 0, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0))\n'
     'sys.stdout.buffer.write(bytes(1000)); sys.stdout.flush()\n',
     rf"exited with status 0: frame 1 was cut short \(1000 of {FRAME_BYTES} bytes\)"),
    (0, GREETING + 'sys.stdin.buffer.read(5); sys.stdout.buffer.write(b"junk" * 100); sys.stdout.flush()\n',
     r"sent a frame without its header"),
    (0, GREETING + ONE_FRAME + 'sys.stdout.buffer.write(bytes(1000)); sys.stdout.flush()\n',
     r"frame 1's DVI symbols was cut short \(1000 of 2520000 bytes\)"),
])
def test_a_harness_that_breaks_ends_in_one_error(tmp_path, good_frames, body, message):
    harness = stand_in_harness(tmp_path, body)
    with VerilatedSystem(harness) as system:
        for _ in range(good_frames):
            system.frame()
        with pytest.raises(HarnessError, match=message) as error:
            system.frame(dvi="DVI symbols" in message)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("body, message", [
    (f'sys.stdout.buffer.write(b"SSHI" + struct.pack("<IHH", {PROTOCOL_VERSION + 1}, 640, 480)); '
     'sys.stdout.flush(); sys.stdin.read()\n', f"not protocol version {PROTOCOL_VERSION}"),
    (f'sys.stdout.buffer.write(b"SSHI" + struct.pack("<IHH", {PROTOCOL_VERSION}, 800, 600)); '
     'sys.stdout.flush(); sys.stdin.read()\n', "draws 800x600 frames, not 640x480"),
    ('print("usage", file=sys.stderr); sys.exit(2)\n', r"exited with status 2: its greeting was cut short .*\(usage\)"),
])
def test_a_bad_greeting_is_refused(tmp_path, body, message):
    with pytest.raises(HarnessError, match=message):
        VerilatedSystem(stand_in_harness(tmp_path, body))


def test_a_missing_executable_is_named(tmp_path):
    with pytest.raises(HarnessError, match="cannot start the model .*nothing"):
        VerilatedSystem(tmp_path / "nothing")


def test_the_generated_header_describes_the_frame_header_python_reads():
    top = VerilatorTop(dvi=False, **SIM_PARAMETERS)
    convert(top, build.MODULE)              # (elaborated, as a build does)
    header = harness_header(top)
    assert "#define STARSWEEPER_DVI 0" in header and "#define STARSWEEPER_RESET_INPUT 0" in header
    assert f"static_assert(sizeof(FrameHeader) == {HEADER.size});" in header
    fields = re.findall(r"^    (\w+) (\w+)(?:\[\d+\])?;$", header, re.M)
    assert [name for _, name in fields] == [field.name for field in HEADER_FIELDS]
    filled = re.findall(r"^    h\.(\w+) = (.*);$", header, re.M)
    assert [name for name, _ in filled] == [field.name for field in HEADER_FIELDS if field.port]
    # the counter is a signed 9-bit port, widened to 16 bits with its sign
    assert dict(filled)["counter"] == "static_cast<int16_t>(static_cast<int16_t>(top.counter << 7) >> 7)"


def test_a_model_without_the_dvi_encoder_refuses_a_dvi_frame_in_one_line():
    # (the board's pixel rate, a model without the encoder that tests/test_verilator_frames.py
    # builds too: the cache holds one build for both)
    with VerilatedSystem(system_model(dict(SIM_PARAMETERS, pixel_divider=4), dvi=False)) as system:
        status, frame = system.frame()
        assert status.sync_errors == 0 and frame.any()
        with pytest.raises(HarnessError, match="exited with status 2: .*this model has no DVI encoder"):
            system.frame(dvi=True)


def test_the_real_model_killed_under_the_client_is_reported():
    with VerilatedSystem(system_model(SIM_PARAMETERS)) as system:
        status, _ = system.frame(taps=[Tap(buttons=0b10, switches=0)])
        assert status.sync_errors == 0 and status.cursor_row == 15      # up wraps to the last row
        os.kill(system.process.pid, signal.SIGKILL)
        with pytest.raises(HarnessError, match="killed by SIGKILL"):
            system.frame()


def test_the_dvi_encoder_needs_a_pixel_every_clock():
    with pytest.raises(ValueError, match="a model with it needs pixel_divider 1, not 4"):
        VerilatorTop(pixel_divider=4)
    top = VerilatorTop(dvi=False, pixel_divider=4)
    convert(top, build.MODULE)
    assert "constexpr int64_t CLOCKS_PER_PIXEL = 4;" in harness_header(top)
