"""Every subcommand, tried as a new user and then as a hostile one: bad input and faults end in
one line on stderr and exit status 1 (2 for a command line that does not parse), nothing is
written, and the inputs are left as they were.

Faults a test cannot make for real (a full or read-only file system, a MemoryError) are made by
stand-ins that raise the same error where the real one would; tools that fail (vvp, djtgcfg,
Yosys' input) are stand-in executables on PATH or broken files.
"""

import errno
import io
import os
from pathlib import Path
import signal
import stat
import subprocess
import sys
import time

from hypothesis import HealthCheck, given, settings, strategies as st
import numpy as np
from PIL import Image, ImageOps
import pytest

from starsweeper.cli import main
from starsweeper.stack import frames as frames_module
from starsweeper.stack import pipeline
from starsweeper.stack.frames import list_frames, write_image
from starsweeper.stack.synth import write_sequence

from test_stack_cli import make_frames, tree_digest


def run(argv, capsys):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line(err, *fragments):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], err


def everything_in(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


def write_script(path, text):
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def frames_dir(tmp_path):
    return make_frames(tmp_path / "in", count=4, size=(32, 24))


# -- the file system refuses: read-only, full, a file in the way --------------------------------

def refuse_writes_in(monkeypatch, folder):
    """os.access as a read-only file system answers it for ``folder``."""
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        if Path(path).resolve() == Path(folder).resolve() and mode & os.W_OK:
            return False
        return real_access(path, mode, *args, **kwargs)
    monkeypatch.setattr(os, "access", access)


@pytest.mark.parametrize("command", ["stack", "screenshot", "synth"])
def test_a_read_only_output_folder_is_found_before_the_work(command, frames_dir, tmp_path, monkeypatch, capsys):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    refuse_writes_in(monkeypatch, out_dir)
    argv = {"stack": ["stack", frames_dir, "-o", out_dir / "o.png", "-q"],
            "screenshot": ["screenshot", "--model", "-o", out_dir / "o.png"],
            "synth": ["synth", out_dir / "frames", "--frames", "2", "--size", "32x32"]}[command]
    before = tree_digest(frames_dir)
    code, _, err = run(argv, capsys)
    assert code == 1
    assert_one_line(err, "cannot write in", "read-only file system")
    assert everything_in(out_dir) == [] and tree_digest(frames_dir) == before


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS])
@pytest.mark.parametrize("command", ["stack", "screenshot", "synth"])
def test_a_file_system_that_fails_the_write_after_the_work(command, error, frames_dir, tmp_path, monkeypatch, capsys):
    """A full disk (or one remounted read-only) is found only when the bytes go out: one line,
    and no half-written or temporary file is left."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def fail(fd):
        raise OSError(error, os.strerror(error))
    monkeypatch.setattr(os, "fsync", fail)
    argv = {"stack": ["stack", frames_dir, "-o", out_dir / "o.png", "-q"],
            "screenshot": ["screenshot", "--model", "-o", out_dir / "o.png"],
            "synth": ["synth", out_dir / "frames", "--frames", "2", "--size", "32x32"]}[command]
    code, _, err = run(argv, capsys)
    assert code == 1
    assert_one_line(err, os.strerror(error))
    assert everything_in(out_dir) == []


@pytest.mark.parametrize("argv", [
    ["synth", "{f}"], ["synth", "{f}/sub"], ["build", "--out", "{f}"], ["build", "--out", "{f}/sub"],
    ["demo", "--out", "{f}"], ["demo", "--out", "{f}/sub"],
])
def test_a_file_where_a_folder_should_be(argv, tmp_path, capsys):
    f = tmp_path / "f"
    f.write_text("a file")
    code, _, err = run([a.format(f=f) for a in argv], capsys)
    assert code == 1
    assert_one_line(err, "is a file, not a folder")
    assert f.read_text() == "a file" and everything_in(tmp_path) == ["f"]


# -- stack: patterns, frames that go away, memory ------------------------------------------------

@pytest.mark.parametrize("pattern, message", [
    ("/abs/*.png", "must name files inside the input folder"),
    ("../other/*", "must name files inside the input folder"),
    ("sub/../../*", "must name files inside the input folder"),
    ("", "--glob: the pattern is empty"),
])
def test_glob_stays_inside_the_input_folder(pattern, message, frames_dir, tmp_path, capsys):
    other = make_frames(tmp_path / "other", count=2, size=(32, 24))
    code, _, err = run(["stack", frames_dir, "--glob", pattern, "-o", tmp_path / "o.png", "-q"], capsys)
    assert code == 1
    assert_one_line(err, message)
    assert not (tmp_path / "o.png").exists() and other.exists()


def test_a_frame_deleted_while_stacking(frames_dir, tmp_path, monkeypatch, capsys):
    victim = sorted(frames_dir.iterdir())[-1]
    real_decode = frames_module._decode

    def decode_and_delete(info, allocate=None):
        if victim.exists():
            victim.unlink()          # somebody tidies the folder while we stack
        return real_decode(info, allocate)
    monkeypatch.setattr(frames_module, "_decode", decode_and_delete)
    code, _, err = run(["stack", frames_dir, "-o", tmp_path / "o.png", "-q", "--workers", "1"], capsys)
    assert code == 1
    assert_one_line(err, victim.name, "the file is gone")
    assert not (tmp_path / "o.png").exists()


def test_not_enough_memory_to_decode_says_how_much(frames_dir, tmp_path, monkeypatch, capsys):
    def no_memory(info, allocate=None):
        raise MemoryError
    monkeypatch.setattr(frames_module, "_decode", no_memory)
    code, _, err = run(["stack", frames_dir, "-o", tmp_path / "o.png", "-q"], capsys)
    assert code == 1
    assert_one_line(err, "not enough memory to decode a 32x24 RGB 8-bit frame")


def test_not_enough_memory_to_stack_says_how_much(frames_dir, tmp_path, monkeypatch, capsys):
    def no_memory(*args):
        raise MemoryError
    monkeypatch.setattr(pipeline, "_stack", no_memory)
    code, _, err = run(["stack", frames_dir, "-o", tmp_path / "o.png", "-q", "--workers", "3"], capsys)
    assert code == 1
    assert_one_line(err, "not enough memory: stacking 32x24 RGB 8-bit frames with 3 threads needs about",
                    "--workers 1")


def test_a_name_with_a_non_ascii_digit_sorts(tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    for k, name in enumerate(["f1²2.png", "f12.png", "f2.png", "f1.png"]):
        write_image(d / name, np.full((16, 16, 3), k, np.uint8))
    assert [p.name for p in list_frames(d)] == ["f1.png", "f1²2.png", "f2.png", "f12.png"]
    code, _, _ = run(["stack", d, "-o", tmp_path / "o.png", "-q"], capsys)
    assert code == 0


# -- JPEG: what the decoder calls corrupt, not the end marker ---------------------------------------

def jpeg_bytes(array, **save):
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="JPEG", quality=90, **save)
    return out.getvalue()


@pytest.fixture
def sky_jpegs(tmp_path):
    d = tmp_path / "in"
    write_sequence(d, 4, 320, 240, 8, ".jpg", seed=5, degrees_per_frame=2.0)
    return d


def test_a_jpeg_with_bytes_after_its_end_marker_is_a_good_frame(sky_jpegs, tmp_path, capsys):
    clean = tmp_path / "clean.png"
    assert run(["stack", sky_jpegs, "-o", clean, "-q"], capsys)[0] == 0
    path = sorted(sky_jpegs.iterdir())[1]
    path.write_bytes(path.read_bytes() + b"\x00" * 64 + b"phone metadata after EOI" * 20)
    code, _, err = run(["stack", sky_jpegs, "-o", tmp_path / "trailing.png", "-q"], capsys)
    assert code == 0 and err == ""
    assert np.array_equal(np.asarray(Image.open(clean)), np.asarray(Image.open(tmp_path / "trailing.png")))


def test_a_jpeg_with_garbage_in_its_middle_is_refused_in_one_line(sky_jpegs, tmp_path, capfd):
    path = sorted(sky_jpegs.iterdir())[2]
    data = bytearray(path.read_bytes())
    middle = 3 * len(data) // 4          # in the entropy-coded data, past the headers
    data[middle:middle + 40] = bytes(np.random.default_rng(1).integers(0, 256, 40, dtype=np.uint8))
    path.write_bytes(bytes(data))
    code = main(["stack", str(sky_jpegs), "-o", str(tmp_path / "o.png"), "-q"])
    err = capfd.readouterr().err          # the file descriptor: a C library's warning shows too
    assert code == 1
    assert_one_line(err, path.name, "damaged or truncated JPEG", "Corrupt JPEG data")
    assert not (tmp_path / "o.png").exists()


# -- EXIF orientation ----------------------------------------------------------------------------

def with_orientation(array, orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return jpeg_bytes(array, exif=exif.tobytes())


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation, tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    rng = np.random.default_rng(orientation)
    stored = []
    for k in range(2):
        array = (rng.random((24, 40, 3)) * 255).astype(np.uint8)
        (d / f"frame_{k}.jpg").write_bytes(with_orientation(array, orientation))
        stored.append(d / f"frame_{k}.jpg")
    out = tmp_path / "o.png"
    assert run(["stack", d, "-o", out, "-q"], capsys)[0] == 0
    upright = [np.asarray(ImageOps.exif_transpose(Image.open(p))) for p in stored]
    assert np.array_equal(np.asarray(Image.open(out)), np.maximum(*upright))


def test_frames_whose_orientation_differs_are_refused(tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    array = np.zeros((24, 40, 3), np.uint8)
    (d / "frame_0.jpg").write_bytes(with_orientation(array, 1))
    (d / "frame_1.jpg").write_bytes(with_orientation(array, 6))
    code, _, err = run(["stack", d, "-o", tmp_path / "o.png", "-q"], capsys)
    assert code == 1
    assert_one_line(err, "frame_1.jpg: EXIF orientation 6, but the first frame frame_0.jpg has 1")


# -- tools that fail ------------------------------------------------------------------------------

@pytest.fixture
def failing_vvp(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    write_script(bin_dir / "vvp", "#!/bin/sh\necho 'VCD info: ready' \necho 'vvp: out of simulation memory' >&2\nexit 3\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_a_failing_vvp_in_the_rtl_engine(failing_vvp, frames_dir, tmp_path, capsys):
    code, _, err = run(["stack", frames_dir, "--engine", "rtl", "-o", tmp_path / "o.png", "-q"], capsys)
    assert code == 1
    assert_one_line(err, "vvp failed (exit status 3): vvp: out of simulation memory")


@pytest.fixture
def bitfile(tmp_path):
    path = tmp_path / "top.bit"
    path.write_bytes(b"\x00\x09\x0f\xf0")
    return path


def stand_in_djtgcfg(tmp_path, monkeypatch, text, mode=0o755):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "djtgcfg"
    script.write_bytes(text)
    script.chmod(mode)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return script


def test_a_djtgcfg_that_cannot_be_executed(tmp_path, monkeypatch, capsys, bitfile):
    stand_in_djtgcfg(tmp_path, monkeypatch, b"#!/no/such/interpreter\n")
    code, _, err = run(["program", bitfile], capsys)
    assert code == 1
    assert_one_line(err, "djtgcfg cannot be run")


def test_a_djtgcfg_that_prints_bytes_that_are_not_utf8(tmp_path, monkeypatch, capsys, bitfile):
    stand_in_djtgcfg(tmp_path, monkeypatch, b"#!/bin/sh\nprintf 'Nexys3 \\377\\376 ger\\344t\\n'\n"
                                              b"[ \"$1\" = prog ] && { printf 'Fehler \\344\\n'; exit 1; }\nexit 0\n")
    code, _, err = run(["program", bitfile], capsys)
    assert code == 1
    assert_one_line(err, "programming failed", "Fehler")


def test_a_djtgcfg_that_hangs_with_children_is_ended_with_them(tmp_path, monkeypatch, capsys, bitfile):
    pid_file = tmp_path / "child.pid"
    stand_in_djtgcfg(tmp_path, monkeypatch, (
        f"#!/bin/sh\nsleep 300 &\necho $! > {pid_file}\nwait\n").encode())
    monkeypatch.setenv("STARSWEEPER_DJTGCFG_TIMEOUT", "0.5")
    start = time.monotonic()
    code, _, err = run(["program", bitfile], capsys)
    assert code == 1 and time.monotonic() - start < 10
    assert_one_line(err, "gave no answer in 0.5 s")
    child = int(pid_file.read_text())
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"djtgcfg's child {child} is still running")


@pytest.mark.parametrize("value", ["inf", "nan", "abc", "", "0", "-1", "1e300"])
def test_a_bad_djtgcfg_timeout_names_the_variable(value, tmp_path, monkeypatch, capsys, bitfile):
    stand_in_djtgcfg(tmp_path, monkeypatch, b"#!/bin/sh\necho Nexys3\n")
    monkeypatch.setenv("STARSWEEPER_DJTGCFG_TIMEOUT", value)
    code, _, err = run(["program", bitfile], capsys)
    assert code == 1
    assert_one_line(err, f"STARSWEEPER_DJTGCFG_TIMEOUT must be a positive number of seconds, at most a year, "
                         f"not {value!r}")


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("module vga_test_pattern(input clk; endmodule\n", "yosys failed (exit status 1)"),
    ("module other(input clk); endmodule\n", "yosys failed"),
])
def test_report_with_a_missing_or_broken_file(content, message, tmp_path, monkeypatch, capsys):
    import starsweeper.hdl as hdl
    monkeypatch.setattr(hdl, "HDL_DIR", tmp_path)
    if content is not None:
        (tmp_path / "vga_test_pattern.v").write_text(content)
    code, _, err = run(["report", "vga_test_pattern"], capsys)
    assert code == 1
    assert_one_line(err, "vga_test_pattern.v", message)


def test_an_empty_amaranth_env_ise_names_no_ise(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AMARANTH_ENV_ISE", "")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    code, out, err = run(["build", "--out", tmp_path / "b"], capsys)
    assert code == 0 and "ISE is not installed here" in out and (tmp_path / "b" / "build_top.sh").exists()


def test_an_amaranth_env_ise_naming_no_file_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AMARANTH_ENV_ISE", str(tmp_path / "settings64.sh"))
    code, _, err = run(["build", "--out", tmp_path / "b"], capsys)
    assert code == 1
    assert_one_line(err, "AMARANTH_ENV_ISE names", "which is not a file")


# -- Ctrl-C: stop within a second, one line, nothing written -------------------------------------

@pytest.fixture(scope="module")
def many_frames(tmp_path_factory):
    """3,000 frames (30 files hard-linked a hundred times over): a stack of several seconds."""
    d = tmp_path_factory.mktemp("many")
    source = d / "source"
    write_sequence(source, 30, 800, 600, 8, ".jpg", seed=2)
    frames = d / "frames"
    frames.mkdir()
    n = 0
    for _ in range(100):
        for path in sorted(source.iterdir()):
            n += 1
            os.link(path, frames / f"frame_{n:04d}.jpg")
    return frames


def interrupt(argv, signals, after=1.0, gap=0.05):
    """Run the command, send ``signals`` SIGINTs ``after`` seconds in; (exit status, stderr,
    seconds from the first SIGINT to the end)."""
    child = subprocess.Popen([sys.executable, "-m", "starsweeper.cli", *map(str, argv)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    time.sleep(after)
    assert child.poll() is None, "the command ended before it could be interrupted"
    start = time.monotonic()
    for _ in range(signals):
        child.send_signal(signal.SIGINT)
        time.sleep(gap)
    _, err = child.communicate(timeout=60)
    return child.returncode, err.decode(), time.monotonic() - start


@pytest.mark.slow
@pytest.mark.parametrize("signals", [1, 3])
def test_ctrl_c_stops_a_threaded_stack_within_a_second(signals, many_frames, tmp_path):
    out = tmp_path / "o.png"
    code, err, seconds = interrupt(["stack", many_frames, "-o", out, "-q", "--workers", "2"], signals)
    assert code == 130, err
    assert_one_line(err, "interrupted; nothing was written")
    assert seconds < 1.0 + signals * 0.05, f"it took {seconds:.2f} s to stop"
    assert everything_in(tmp_path) == []


@pytest.mark.slow
def test_an_interrupted_synth_leaves_nothing(tmp_path):
    out = tmp_path / "frames"
    code, err, _ = interrupt(["synth", out, "--frames", "2000", "--size", "640x480"], 1, after=2.0)
    assert code == 130, err
    assert_one_line(err, "interrupted; nothing was written")
    assert everything_in(tmp_path) == []


# -- the command line itself -----------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["stack", "d", "-o", "o.png", "--attenuation", "abc"],
     "starsweeper stack: error: argument --attenuation: invalid float value: 'abc'"),
    (["stack", "d", "-o", "o.png", "--workers", "0"], "argument --workers: must be positive, not 0"),
    (["stack", "d", "-o", "o.png", "--engine", "gpu"], "argument --engine: invalid choice: 'gpu'"),
    (["stack", "d", "-o", "o.png", "--half-life", "3", "--attenuation", "0.9"], "not allowed with argument --half-life"),
    (["stack", "d", "-o", "o.png", "--frobnicate"], "starsweeper stack: error: unrecognized arguments: --frobnicate"),
    (["synth", "d", "--size", "0x0"], "argument --size: size must be at least 16x16"),
    (["synth", "d", "--size", "99999x99999"], "size must be at most 65535 a side"),
    (["synth", "d", "--size", "70000x16", "--format", "jpg"], "size must be at most 65535 a side"),
    (["synth", "d", "--seed", "-1"], "argument --seed: must be from 0 to 4294967295, not -1"),
    (["synth", "d", "--seed", str(1 << 32)], "argument --seed: must be from 0 to 4294967295"),
    (["screenshot", "-o", "o.png", "--seed", str(1 << 40)], "argument --seed: must be from 0 to 4294967295"),
    (["play", "--seed", "-5"], "argument --seed: must be from 0 to 4294967295"),
    (["play", "--seed", str(1 << 32)], "argument --seed: must be from 0 to 4294967295"),
    (["report", "--bogus"], "starsweeper report: error: unrecognized arguments: --bogus"),
    (["teleport"], "argument COMMAND: invalid choice: 'teleport'"),
    # found by the fuzz below: a value with a line break in it once broke the line
    (["stack", "d", "-o", "o.png", "--bogus", "\r"], "unrecognized arguments: --bogus \\r"),
])
def test_a_command_line_that_does_not_parse_is_one_line(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert_one_line(err, message)
    assert everything_in(tmp_path) == []


def test_a_line_break_in_a_name_stays_in_one_line(tmp_path, capsys):
    code, _, err = run(["stack", tmp_path / "no\nsuch", "-o", tmp_path / "o.png"], capsys)
    assert code == 1
    assert_one_line(err, "no\\nsuch: not a folder")


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    from starsweeper import __version__
    assert capsys.readouterr().out.strip() == f"starsweeper {__version__}"


# -- the contract, for any option values ----------------------------------------------------------

# No NUL: no program can be given one in its arguments (the OS refuses it), so it is no case;
# no lone surrogate either: a program's arguments are bytes, which Python decodes to text whose
# only surrogates are those that stand for undecodable bytes (tried below as raw bytes).
OPTION_VALUES = st.one_of(st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)),
                                  max_size=12),
                          st.binary(min_size=1, max_size=6).filter(lambda b: b"\x00" not in b).map(
                              lambda b: b.decode("utf-8", "surrogateescape")),
                          st.integers(-10, 10**6).map(str),
                          st.floats(allow_nan=True, allow_infinity=True).map(str),
                          st.sampled_from(["0x0", "16x16", "99999x16", "1e3", "-0", "nan", "*.png",
                                           "../*", "/etc/*", "", "8", "16", "jpg", "gif"]))
STACK_OPTIONS = st.lists(st.tuples(st.sampled_from([
    "--attenuation", "--half-life", "--glob", "--engine", "--workers", "--bogus", "--fade-in", "--order",
    "--first", "--last", "--step", "--raw-mode", "--darks", "--hot-pixels", "--video", "--video-every",
    "--fps", "--crf", "--video-scale", "--video-preset"]),
    st.one_of(OPTION_VALUES, st.sampled_from(["in", "v.mp4", "exif", "veryfast"]))),
    max_size=4)
SYNTH_OPTIONS = st.lists(st.tuples(st.sampled_from(["--frames", "--size", "--depth", "--format", "--seed"]),
                                   OPTION_VALUES), max_size=3)


def check_contract(argv, out_path, workdir, inputs_before=None, inputs=None):
    """Exit 0 with a valid output, or one error line with exit 1 or 2 and nothing written."""
    process = subprocess.run([sys.executable, "-m", "starsweeper.cli", *argv], cwd=workdir,
                             capture_output=True, text=True, timeout=120)
    assert "Traceback" not in process.stderr, process.stderr
    if process.returncode == 0:
        assert out_path.exists()
    else:
        assert process.returncode in (1, 2), (process.returncode, process.stderr)
        assert len(process.stderr.strip().splitlines()) == 1, process.stderr
        assert not out_path.exists()
        assert [p.name for p in workdir.iterdir() if p.name not in ("in", "out.png")] == []
    if inputs is not None:
        assert tree_digest(inputs) == inputs_before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(options=STACK_OPTIONS)
def test_stack_keeps_the_contract_for_any_option_values(options, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("fuzz_stack")
    inputs = make_frames(workdir / "in", count=3, size=(20, 16))
    before = tree_digest(inputs)
    argv = ["stack", "in", "-o", "out.png", "-q"]
    for option, value in options:
        if option == "--engine" and value == "rtl":
            value = "fixed"          # the contract holds for rtl too; it is only slow
        argv += [option, value]
    check_contract(argv, workdir / "out.png", workdir, before, inputs)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(options=SYNTH_OPTIONS)
def test_synth_keeps_the_contract_for_any_option_values(options, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("fuzz_synth")
    argv = ["synth", "out"]
    for option, value in options:
        if option == "--frames" and value.isdigit() and int(value) > 3:
            value = "3"               # keep each example short
        argv += [option, value]
    if "--frames" not in argv:
        argv += ["--frames", "2"]
    if "--size" not in argv:
        argv += ["--size", "32x24"]
    check_contract(argv, workdir / "out", workdir)


# -- SIGTERM: as Ctrl-C, exit status 143 -----------------------------------------------------------

def terminate(argv, after=1.5, env=None):
    """Run the command, send it SIGTERM ``after`` seconds in; (exit status, stderr)."""
    child = subprocess.Popen([sys.executable, "-m", "starsweeper.cli", *map(str, argv)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             env=env)
    time.sleep(after)
    assert child.poll() is None, "the command ended before it could be terminated"
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    return child.returncode, err.decode()


@pytest.mark.slow
def test_sigterm_stops_a_stack_as_ctrl_c_does(many_frames, tmp_path):
    video = tmp_path / "trail.mp4"
    code, err = terminate(["stack", many_frames, "-o", tmp_path / "o.png", "-q", "--video", video])
    assert code == 143, err
    assert_one_line(err, "starsweeper stack: terminated; nothing was written")
    assert everything_in(tmp_path) == []          # no hidden still, no part of the video


@pytest.mark.slow
def test_sigterm_stops_a_synth_and_leaves_no_hidden_folder(tmp_path):
    code, err = terminate(["synth", tmp_path / "frames", "--frames", "2000", "--size", "640x480"], after=2.0)
    assert code == 143, err
    assert_one_line(err, "terminated; nothing was written")
    assert everything_in(tmp_path) == []


def hanging_tool(bin_dir, name, pid_file):
    """A stand-in ``name`` that starts a child in a session of its own (it escapes the tool's
    process group) holding the output open, writes the child's pid, and hangs."""
    write_script(bin_dir / name, f"#!/bin/sh\nsetsid sleep 300 &\necho $! > {pid_file}\nsleep 300\n")


def assert_gone(pid_file):
    pid = int(pid_file.read_text())
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    pytest.fail(f"the tool's child {pid} is still running")


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder


@pytest.mark.parametrize("tool, variable, argv, said", [
    ("iverilog", "STARSWEEPER_ICARUS_TIMEOUT", ["stack", "{frames}", "--engine", "rtl", "-o", "{out}/o.png", "-q"],
     "iverilog gave no answer in 1 s (STARSWEEPER_ICARUS_TIMEOUT sets the limit)"),
    ("yosys", "STARSWEEPER_YOSYS_TIMEOUT", ["report", "minesweeper_lcg"],
     "yosys gave no answer in 1 s (STARSWEEPER_YOSYS_TIMEOUT sets the limit)"),
    ("djtgcfg", "STARSWEEPER_DJTGCFG_TIMEOUT", ["program", "{bitfile}"], "djtgcfg enum gave no answer in 1 s"),
])
def test_a_tool_that_hangs_is_ended_with_the_children_that_left_its_group(
        tool, variable, argv, said, bin_dir, frames_dir, bitfile, tmp_path, monkeypatch, capsys):
    pid_file = tmp_path / f"{tool}.pid"
    hanging_tool(bin_dir, tool, pid_file)
    if tool == "iverilog":
        write_script(bin_dir / "vvp", "#!/bin/sh\nexit 0\n")
    monkeypatch.setenv(variable, "1")
    out = tmp_path / "out"
    out.mkdir()
    start = time.monotonic()
    code, _, err = run([a.format(frames=frames_dir, out=out, bitfile=bitfile) for a in argv], capsys)
    assert code == 1 and time.monotonic() - start < 20
    assert_one_line(err, said)
    assert_gone(pid_file)
    assert everything_in(out) == []


def test_a_verilator_build_that_hangs_is_ended(bin_dir, tmp_path, monkeypatch, capsys):
    pid_file = tmp_path / "verilator.pid"
    write_script(bin_dir / "verilator", f"#!/bin/sh\n[ \"$1\" = --version ] && {{ echo 'Verilator 5.006'; exit 0; }}\n"
                                        f"setsid sleep 300 &\necho $! > {pid_file}\nsleep 300\n")
    monkeypatch.setenv("STARSWEEPER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("STARSWEEPER_VERILATOR_TIMEOUT", "1")
    code, _, err = run(["screenshot", "-o", tmp_path / "f.png"], capsys)
    assert code == 1
    # a line saying the model is being built, then the error
    assert_one_line(err.strip().splitlines()[-1], "verilator gave no answer in 1 s", "STARSWEEPER_VERILATOR_TIMEOUT")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2
    assert_gone(pid_file)
    assert not (tmp_path / "f.png").exists()


def test_a_model_that_hangs_or_is_stopped_is_ended(tmp_path, monkeypatch, capsys):
    from test_verilator_model import GREETING, stand_in_harness
    harness = stand_in_harness(tmp_path, GREETING + "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)\n")
    monkeypatch.setattr("starsweeper.verilator.build.system_model", lambda *args, **kwargs: harness)
    monkeypatch.setenv("STARSWEEPER_MODEL_TIMEOUT", "1")
    code, _, err = run(["screenshot", "-o", tmp_path / "f.png"], capsys)
    assert code == 1
    assert_one_line(err, "the Verilator model gave no answer in 1 s", "STARSWEEPER_MODEL_TIMEOUT")
    assert not (tmp_path / "f.png").exists()


@pytest.mark.parametrize("tool", ["iverilog", "vvp"])
def test_tool_output_that_is_not_utf8_is_one_line(tool, bin_dir, frames_dir, tmp_path, capsys):
    write_script(bin_dir / tool, "#!/bin/sh\nprintf 'Fehler \\344\\377 in der Eingabe\\n'\nexit 2\n")
    if tool == "vvp":           # the real iverilog compiles; this vvp fails
        pass
    code, _, err = run(["stack", frames_dir, "--engine", "rtl", "-o", tmp_path / "o.png", "-q"], capsys)
    assert code == 1
    assert_one_line(err, f"{tool} failed (exit status 2): Fehler")
    assert not (tmp_path / "o.png").exists()


def test_a_yosys_netlist_that_is_not_json_is_one_line(bin_dir, capsys):
    write_script(bin_dir / "yosys", "#!/bin/sh\nfor a; do case $a in *write_json*) f=${a##*write_json }; "
                                    "echo 'not json \\377' > \"$f\";; esac; done\nexit 0\n")
    code, _, err = run(["report", "minesweeper_lcg"], capsys)
    assert code == 1
    assert_one_line(err, "Yosys wrote a netlist that is not the JSON it writes")


def test_a_vvp_that_answers_no_hex_is_one_line(bin_dir, frames_dir, tmp_path, capsys):
    write_script(bin_dir / "vvp", "#!/bin/sh\nfor a; do case $a in +out=*) printf 'x\\n' > \"${a#+out=}\";; esac; done\n")
    code, _, err = run(["stack", frames_dir, "--engine", "rtl", "-o", tmp_path / "o.png", "-q"], capsys)
    assert code == 1 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


# -- an output that cannot take the summary line ------------------------------------------------------

def full_stdout(argv, cwd):
    with open("/dev/full", "w") as full:
        return subprocess.run([sys.executable, "-m", "starsweeper.cli", *map(str, argv)], stdout=full,
                              stderr=subprocess.PIPE, cwd=cwd, timeout=120)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_version_to_a_full_output_is_an_error(tmp_path):
    result = full_stdout(["--version"], tmp_path)
    assert result.returncode == 1
    assert_one_line(result.stderr.decode(), "cannot write to the standard output: No space left on device")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_stack_whose_summary_cannot_be_written_writes_nothing(frames_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = full_stdout(["stack", frames_dir, "-o", out / "o.png", "--video", out / "v.mp4"], tmp_path)
    assert result.returncode == 1
    assert_one_line(result.stderr.decode(), "starsweeper stack: error: cannot write to the standard output")
    assert everything_in(out) == []


# -- small ones ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["screenshot", "--model", "--switches", "\u00b2", "-o", "{tmp}/s.png"], "switch '\u00b2' is not a number from 0 to 7"),
    (["screenshot", "--model", "--switches", "\u0663", "-o", "{tmp}/s.png"], "is not a number from 0 to 7"),
    (["synth", "{tmp}/frames", "--size", "65535x16"], "JPEG takes at most 65,500 pixels a side, not 65,535"),
])
def test_values_that_once_were_tracebacks_are_one_line(argv, message, tmp_path, capsys):
    code, _, err = run([a.format(tmp=tmp_path) for a in argv], capsys)
    assert code == 1
    assert_one_line(err, message)
    assert everything_in(tmp_path) == []


def test_a_play_rate_beyond_a_thousand_does_not_parse(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["play", "--rate", str(10 ** 30)])
    assert exit_.value.code == 2
    assert_one_line(capsys.readouterr().err, "argument --rate: must be at most 1000 frames a second")


def test_a_stale_hdl_check_is_the_commands_one_line(monkeypatch, capsys):
    monkeypatch.setattr("starsweeper.hdl.stale_files", lambda: ["minesweeper_game.v"])
    code, _, err = run(["hdl", "--check"], capsys)
    assert code == 1
    assert_one_line(err, "starsweeper hdl: error: hdl/ is stale: minesweeper_game.v; run: starsweeper hdl")


def test_a_move_script_of_more_presses_than_a_request_carries(tmp_path, capsys):
    """70,000 presses: more than the model's protocol takes in one request (65,535), sent in two;
    the frame is the model's (70,000 right moves on 16 columns: column 70000 % 16)."""
    moves = " ".join(["1000r"] * 70)
    code, out, err = run(["screenshot", "--seed", "3", "--moves", moves, "-o", tmp_path / "f.png"], capsys)
    assert code == 0, err
    assert "cursor (0, 0)" in out                   # 70000 = 4375 * 16
    from PIL import Image
    from starsweeper.model.display import render, to_rgb888
    from starsweeper.moves import play
    _, game, _ = play(moves, seed=3)
    assert np.array_equal(np.asarray(Image.open(tmp_path / "f.png")), to_rgb888(render(game)))


@pytest.mark.parametrize("kind", ["png16", "dng"])
def test_a_c_librarys_own_line_does_not_come_before_ours(kind, tmp_path):
    """libpng (through OpenCV) and LibRaw print lines of their own on stderr from C; in a real
    process (not a test's capture) only the command's line is left."""
    folder = tmp_path / "in"
    if kind == "png16":
        make_frames(folder, count=3, depth=16)
        bad = folder / "frame_01.png"
        data = bytearray(bad.read_bytes())
        data[len(data) // 2:len(data) // 2 + 40] = b"\x00" * 40          # damage inside IDAT
        bad.write_bytes(bytes(data))
    else:
        from test_stack_raw import sky
        sky(folder, 3)
        bad = sorted(folder.iterdir())[1]
        bad.write_bytes(bad.read_bytes()[:2000])
    result = subprocess.run([sys.executable, "-m", "starsweeper.cli", "stack", folder, "-o", tmp_path / "o.png"],
                            capture_output=True, timeout=120)
    err = result.stderr.decode()
    assert result.returncode == 1
    assert_one_line(err, bad.name)


def test_no_room_for_the_darks_spill_file_is_one_line_before_any_decoding(frames_dir, tmp_path, monkeypatch, capsys):
    """A temporary folder that cannot take the darks' spill file: found when it is made (its
    blocks taken at once), not as SIGBUS when a memory map writes into a full file system."""
    darks = make_frames(tmp_path / "darks", count=3, size=(32, 24))
    spills = tmp_path / "tmp"
    spills.mkdir()
    monkeypatch.setenv("TMPDIR", str(spills))
    monkeypatch.setattr("tempfile.tempdir", None)

    def full(fd, offset, length):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "posix_fallocate", full)
    code, _, err = run(["stack", frames_dir, "-o", tmp_path / "o.png", "--darks", darks], capsys)
    assert code == 1
    assert_one_line(err, "--darks: no room for the darks' spill file", "No space left on device")
    assert everything_in(spills) == [] and not (tmp_path / "o.png").exists()


def test_a_demo_that_fails_part_way_leaves_its_folder_as_it_was(tmp_path, monkeypatch, capsys):
    from starsweeper import demo
    out = tmp_path / "out"
    out.mkdir()
    (out / "star_trails.png").write_bytes(b"the last run's")

    def first_step(folder, *args):
        (folder / "star_trails.png").write_bytes(b"this run's")

    def failing_step(folder, log=print):
        raise demo.DemoError("the RTL's frame differs from the reference renderer's")
    monkeypatch.setattr(demo, "star_trails", first_step)
    monkeypatch.setattr(demo, "minesweeper", failing_step)
    code, _, err = run(["demo", "--out", out], capsys)
    assert code == 1
    assert_one_line(err, "the RTL's frame differs")
    assert everything_in(tmp_path) == ["out", "out/star_trails.png"]
    assert (out / "star_trails.png").read_bytes() == b"the last run's"


def test_a_demo_that_ends_replaces_its_folder_whole(tmp_path, monkeypatch, capsys):
    from starsweeper import demo
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("from an older run")
    monkeypatch.setattr(demo, "star_trails", lambda folder, *args: (folder / "star_trails.png").write_bytes(b"new"))
    for step in ("minesweeper", "board", "ulx3s"):
        monkeypatch.setattr(demo, step, lambda folder, log=print: None)
    code, _, err = run(["demo", "--out", out], capsys)
    assert code == 0, err
    assert everything_in(tmp_path) == ["out", "out/star_trails.png"]


def test_synth_into_an_existing_folder_moves_its_frames_within_its_file_system(tmp_path, monkeypatch, capsys):
    """The folder may be a mount point: the hidden folder is made inside it, so each frame's move
    is a rename on one file system (a move from another would fail with EXDEV)."""
    out = tmp_path / "mounted"
    out.mkdir()
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).parent not in (Path(src).parent, Path(src).parent.parent):    # from outside it
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(src))
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    code, _, err = run(["synth", out, "--frames", "2", "--size", "32x24"], capsys)
    assert code == 0, err
    assert everything_in(tmp_path) == ["mounted", "mounted/frame_0001.jpg", "mounted/frame_0002.jpg"]


def test_not_enough_memory_anywhere_is_one_line(tmp_path, monkeypatch, capsys):
    def too_big(*args, **kwargs):
        raise MemoryError()
    monkeypatch.setattr("starsweeper.stack.synth.render_frame", too_big)
    code, _, err = run(["synth", tmp_path / "f", "--frames", "2", "--size", "32x24"], capsys)
    assert code == 1
    assert_one_line(err, "starsweeper synth: error: not enough memory")
    assert everything_in(tmp_path) == []


def test_a_build_tree_that_cannot_be_written_leaves_the_folder_and_names_it(tmp_path, monkeypatch, capsys):
    out = tmp_path / "nexys3"
    out.mkdir()
    (out / "build_top.sh").write_text("# the last tree's\n")
    from amaranth.build.run import BuildPlan
    real_extract = BuildPlan.extract

    def full_disk(self, root):
        real_extract(self, root)                     # some files written, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(BuildPlan, "extract", full_disk)
    monkeypatch.delenv("AMARANTH_ENV_ISE", raising=False)
    code, _, err = run(["build", "--out", out], capsys)
    assert code == 1
    assert_one_line(err, f"{out}: cannot write the build tree (No space left on device)")
    assert everything_in(tmp_path) == ["nexys3", "nexys3/build_top.sh"]
    assert (out / "build_top.sh").read_text() == "# the last tree's\n"
