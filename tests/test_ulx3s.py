"""The ULX3S: the real open flow once (Yosys, nextpnr-ecp5, ecppack through the YoWASP packages:
a bit file, its header, nextpnr's report and timing), a constraint no design can meet, the flow's
failures, the PLL's dividers against ecppll, and `starsweeper program --board ulx3s` with a
stand-in openFPGALoader."""

import os
from pathlib import Path
import re
import subprocess
import time

from amaranth import Elaboratable
from amaranth.hdl import Module, Signal
from amaranth.lib import io
import pytest

from starsweeper.boards.build import build_ecp5
from starsweeper.boards.ecp5_pll import add_pll_domains, pll_config
from starsweeper.boards.trellis import IDCODES, TrellisError, check_bitstream, find_command, parse_report
from starsweeper.boards.ulx3s_minesweeper_top import CLOCK_HZ, PLL

from test_errors import write_script


def one_error(err):
    """Standard error ends in the one error line (a progress line may come before it)."""
    lines = err.strip().splitlines()
    return bool(lines) and sum("error:" in line for line in lines) == 1 and "error:" in lines[-1]


@pytest.mark.slow
def test_the_real_flow_builds_a_timed_bit_file(tmp_path, cli):
    """`starsweeper build --board ulx3s`: a bit file for the 85F, every clock of the top's PLL
    timed and met; `starsweeper report --board ulx3s` reads the same build back."""
    out = tmp_path / "ulx3s"
    code, stdout, err = cli(["build", "--board", "ulx3s", "--out", out])
    assert code == 0, err
    bitfile = out / "top.bit"
    check_bitstream(bitfile, "LFE5U-85F")
    with pytest.raises(TrellisError, match="not LFE5U-45F"):
        check_bitstream(bitfile, "LFE5U-45F")

    report = parse_report(out / "top.report.json")
    pll = PLL
    clocks = {clock.name: clock for clock in report.clocks}
    assert sorted(clocks) == ["shift", "sync"]
    assert clocks["sync"].constraint_mhz == pll.secondary_hz / 1e6
    assert clocks["shift"].constraint_mhz == pll.primary_hz / 1e6
    assert all(clock.meets for clock in report.clocks)
    assert report.used("EHXPLLL") == 1 and report.used("DP16KD") >= 1
    assert report.used("TRELLIS_COMB") > 1000 and report.used("TRELLIS_FF") > 500
    assert report.used("TRELLIS_IO") == 5 + 4 + 8 + 4 + 1     # buttons, DIPs, LEDs, GPDI, clock

    for clock in report.clocks:
        assert re.search(rf"\| {clock.name} \| {clock.achieved_mhz:.2f} MHz \| {clock.constraint_mhz:g} MHz \|.*meets",
                         stdout), stdout
    assert f"| {report.used('TRELLIS_COMB'):,} |" in stdout

    before = (out / "top.report.json").stat().st_mtime_ns
    code, again, err = cli(["report", "--board", "ulx3s", "--out", out])
    assert code == 0, err
    assert (out / "top.report.json").stat().st_mtime_ns == before       # not built again
    assert again.strip() in stdout


class TooFast(Elaboratable):
    """A 32-bit counter on the LEDs, clocked at 400 MHz by the PLL: no ECP5 runs a carry chain
    that long so fast."""

    def elaborate(self, platform):
        m = Module()
        add_pll_domains(m, platform, pll_config(CLOCK_HZ, 400_000_000), primary="sync")
        counter = Signal(32)
        m.d.sync += counter.eq(counter + 1)
        for k in range(8):
            m.submodules[f"led{k}"] = led = io.Buffer("o", platform.request("led", k, dir="-"))
            m.d.comb += led.o.eq(counter[24 + k])
        return m


def test_an_impossible_constraint_fails_the_build_in_one_line(tmp_path):
    with pytest.raises(TrellisError) as failure:
        build_ecp5(tmp_path, "ulx3s", "12F", top=TooFast())
    message = str(failure.value)
    assert "\n" not in message
    assert re.fullmatch(r"timing: clock sync reaches \d+\.\d\d MHz, below its 400 MHz constraint; "
                        r"see the critical path in .*top\.tim", message), message
    assert not (tmp_path / "top.bit").exists()          # nothing to program by mistake
    assert (tmp_path / "top.tim").exists()


def stand_in_tool(tmp_path, name, script):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    return write_script(bin_dir / name, "#!/bin/sh\n" + script + "\n")


def test_a_failing_tool_is_one_line(tmp_path, monkeypatch, cli):
    yosys = stand_in_tool(tmp_path, "yosys", 'echo "ERROR: out of cheese" >&2; exit 3')
    monkeypatch.setenv("YOSYS", str(yosys))
    code, _, err = cli(["build", "--board", "ulx3s", "--out", tmp_path / "b"])
    assert code == 1 and one_error(err)
    assert "the ECP5 build failed (exit status 3): ERROR: out of cheese; see" in err
    assert not (tmp_path / "b" / "top.bit").exists()


def test_a_hanging_tool_is_ended_with_its_children(tmp_path, monkeypatch, cli):
    pid_file = tmp_path / "child.pid"
    yosys = stand_in_tool(tmp_path, "yosys", f"sleep 60 & echo $! > {pid_file}; wait")
    monkeypatch.setenv("YOSYS", str(yosys))
    monkeypatch.setenv("STARSWEEPER_BUILD_TIMEOUT", "1")
    code, _, err = cli(["build", "--board", "ulx3s", "--out", tmp_path / "b"])
    assert code == 1 and one_error(err) and "gave no result in 1 s" in err
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]


@pytest.mark.parametrize("variable", ["YOSYS", "NEXTPNR_ECP5", "ECPPACK"])
def test_a_missing_tool_is_one_line_before_any_work(variable, tmp_path, monkeypatch, cli):
    monkeypatch.setenv(variable, str(tmp_path / "nowhere"))
    code, _, err = cli(["build", "--board", "ulx3s", "--out", tmp_path / "b"])
    assert code == 1 and len(err.splitlines()) == 1 and f"{variable} names" in err
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("argv, status, words", [
    (["build", "--board", "ulx3s", "--device", "99F"], 2, "invalid choice: '99F'"),
    (["build", "--board", "arty"], 2, "invalid choice: 'arty'"),
    (["build", "--device", "12F"], 1, "--device is for the ulx3s"),
    (["report", "--board", "ulx3s", "minesweeper_game"], 1, "name no cores"),
    (["report", "--device", "12F"], 1, "are for --board ulx3s"),
    (["program", "--board", "ulx3s", "nowhere.bit"], 1, "nowhere.bit: no such bit file"),
])
def test_bad_board_arguments(argv, status, words, cli, capsys):
    try:
        code, _, err = cli(argv)
    except SystemExit as usage:            # argparse's usage errors
        code, err = usage.code, capsys.readouterr().err
    assert code == status and words in err and len(err.strip().splitlines()) == 1, err


def test_report_parse_refuses_what_is_not_a_report(tmp_path):
    bad = tmp_path / "top.report.json"
    bad.write_text('{"fmax": {"clk": {"achieved": "fast"}}}')
    with pytest.raises(TrellisError, match="not a nextpnr report"):
        parse_report(bad)
    with pytest.raises(TrellisError, match="no such file"):
        parse_report(tmp_path / "missing.json")


def test_bitstream_check_refuses_other_files(tmp_path):
    bad = tmp_path / "top.bit"
    bad.write_bytes(b"\x00\x09\x0f\xf0\x0f\xf0")              # a Xilinx bit file's start
    with pytest.raises(TrellisError, match="no comment header"):
        check_bitstream(bad, "LFE5U-85F")
    assert set(IDCODES) == {f"LFE5U-{d}F" for d in (12, 25, 45, 85)}


@pytest.mark.parametrize("primary, secondary", [(125, 25), (100, None), (50, None)])
def test_pll_dividers_are_ecpplls(primary, secondary, tmp_path):
    out = tmp_path / "pll.v"                   # YoWASP's tools see the working folder only
    argv = [find_command("yowasp-ecppll"), "-i", "25", "-o", str(primary), "-f", out.name]
    if secondary:
        argv += ["--clkout1", str(secondary)]
    subprocess.run(argv, check=True, capture_output=True, timeout=120, cwd=tmp_path)
    text = out.read_text()
    value = {name: int(v) for name, v in re.findall(r"\.(\w+_DIV)\((\d+)\)", text)}
    config = pll_config(CLOCK_HZ, primary * 1_000_000, secondary and secondary * 1_000_000)
    assert (config.input_div, config.feedback_div, config.primary_div) == \
        (value["CLKI_DIV"], value["CLKFB_DIV"], value["CLKOP_DIV"])
    assert config.secondary_div == value.get("CLKOS_DIV")


def test_pll_refuses_what_it_cannot_make():
    with pytest.raises(ValueError, match="cannot make 1000 MHz"):
        pll_config(CLOCK_HZ, 1_000_000_000)


# -- starsweeper program --board ulx3s, with a stand-in openFPGALoader ---------------------------

@pytest.fixture
def loader(tmp_path, monkeypatch):
    """A stand-in openFPGALoader on PATH that records its arguments; ``loader(script)`` sets
    what it does after that."""
    log = tmp_path / "loader.log"

    def make(script='echo "Done"'):
        stand_in_tool(tmp_path, "openFPGALoader", f'echo "$@" >> "{log}"\n{script}')
        monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
        return log
    return make


@pytest.fixture
def ecp5_bitfile(tmp_path):
    path = tmp_path / "top.bit"
    path.write_bytes(b"\xff\x00Part: LFE5U-85F-6CABGA381\x00\xff\xff\xff\xbd\xb3")
    return path


def test_program_runs_the_platforms_own_command(loader, ecp5_bitfile, cli):
    log = loader()
    code, out, err = cli(["program", "--board", "ulx3s", ecp5_bitfile])
    assert code == 0 and out.strip() == "Done", err
    ours = log.read_text().splitlines()
    log.unlink()

    from amaranth_boards.ulx3s import ULX3S_85F_Platform

    class Products:
        def extract(self, name):
            import contextlib
            return contextlib.nullcontext(str(ecp5_bitfile))
    ULX3S_85F_Platform().toolchain_program(Products(), "top")
    assert ours == log.read_text().splitlines() == [f"-b ulx3s -m {ecp5_bitfile}"]


def test_program_failure_is_one_line(loader, ecp5_bitfile, cli):
    loader('echo "JTAG init failed"; echo "unable to open ftdi device" >&2; exit 1')
    code, _, err = cli(["program", "--board", "ulx3s", ecp5_bitfile])
    assert code == 1 and len(err.splitlines()) == 1
    assert "openFPGALoader exit status 1: unable to open ftdi device" in err


def test_program_gives_up_on_a_silent_loader(loader, ecp5_bitfile, cli, monkeypatch):
    loader("sleep 30")
    monkeypatch.setenv("STARSWEEPER_OPENFPGALOADER_TIMEOUT", "0.5")
    started = time.monotonic()
    code, _, err = cli(["program", "--board", "ulx3s", ecp5_bitfile])
    assert code == 1 and "gave no answer in 0.5 s" in err and time.monotonic() - started < 10


def test_program_without_openfpgaloader(tmp_path, ecp5_bitfile, cli, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    code, _, err = cli(["program", "--board", "ulx3s", ecp5_bitfile])
    assert code == 1 and "openFPGALoader is not on PATH" in err and len(err.splitlines()) == 1


def test_program_time_limit_must_be_a_number(loader, ecp5_bitfile, cli, monkeypatch):
    loader()
    monkeypatch.setenv("STARSWEEPER_OPENFPGALOADER_TIMEOUT", "soon")
    code, _, err = cli(["program", "--board", "ulx3s", ecp5_bitfile])
    assert code == 1 and "must be a positive number of seconds, at most a year, not 'soon'" in err
