"""The Nexys 3 platform against the fact sheet, and `starsweeper program` with a stand-in
djtgcfg on PATH (no board or Adept here)."""

import os
from pathlib import Path
import re
import stat

import pytest
from amaranth import Elaboratable
from amaranth.hdl import Module, Signal
from amaranth.lib import io

from starsweeper.boards.nexys3 import Nexys3Platform
from starsweeper.cli import main

FACT_SHEET = Path(__file__).resolve().parents[2] / "shared" / "nexys3.md"

#: Every board pin the platform defines, transcribed from the fact sheet: UCF net -> pin.
EXPECTED = {
    "clk100_0__io": "V10",
    "button_centre_0__io": "B8", "button_up_0__io": "A8", "button_left_0__io": "C4",
    "button_down_0__io": "C9", "button_right_0__io": "D9",
    **{f"switch_{i}__io": p for i, p in enumerate("T10 T9 V9 M8 N8 U8 V8 T5".split())},
    **{f"led_{i}__io": p for i, p in enumerate("U16 V16 U15 V15 M11 N11 R11 T11".split())},
    **{f"display_7seg_0__{s}__io": p for s, p in zip(
        ["a", "b", "c", "d", "e", "f", "g", "dp"], "T17 T18 U17 U18 M14 N14 L14 M13".split())},
    **{f"display_7seg_ctrl_0__en__io<{i}>": p for i, p in enumerate("N16 N15 P18 P17".split())},
    **{f"vga_0__r__io<{i}>": p for i, p in enumerate("U7 V7 N7".split())},
    **{f"vga_0__g__io<{i}>": p for i, p in enumerate("P8 T6 V6".split())},
    **{f"vga_0__b__io<{i}>": p for i, p in enumerate("R7 T7".split())},
    "vga_0__hs__io": "N6", "vga_0__vs__io": "P7",
    "uart_0__rx__io": "N17", "uart_0__tx__io": "N18",
    "ps2_keyboard_0__clk__io": "L12", "ps2_keyboard_0__dat__io": "J13",
    "ps2_mouse_0__clk__io": "L13", "ps2_mouse_0__dat__io": "K14",
}


class EveryPin(Elaboratable):
    """Requests every resource (``dir="-"``) and puts an I/O buffer on each of its ports."""

    def elaborate(self, platform):
        m = Module()
        requests = [("led", i) for i in range(8)] + [("switch", i) for i in range(8)]
        requests += [(f"button_{n}", 0) for n in ("centre", "up", "left", "down", "right")]
        requests += [(n, 0) for n in ("display_7seg", "display_7seg_ctrl", "vga", "uart",
                                       "ps2_keyboard", "ps2_mouse")]
        for name, number in requests:
            resource = platform.request(name, number, dir="-")
            ports = ([resource] if isinstance(resource, io.PortLike)
                     else [port for _, port in sorted(vars(resource).items())])
            for k, port in enumerate(ports):
                m.submodules[f"{name}_{number}_{k}"] = io.Buffer(port.direction, port)
        m.d.sync += Signal().eq(1)
        return m


@pytest.fixture(scope="module")
def plan():
    return Nexys3Platform().prepare(EveryPin(), name="top")


def ucf_entries(text):
    loc, standard, pullup = {}, {}, set()
    for net, key, value in re.findall(r'NET "([^"]+)" (\w+)(?:=(\w+))?;', text):
        if key == "LOC":
            loc[net] = value
        elif key == "IOSTANDARD":
            standard[net] = value
        elif key == "PULLUP":
            pullup.add(net)
    return loc, standard, pullup


def test_ucf_puts_every_port_at_its_pin_and_standard(plan):
    loc, standard, pullup = ucf_entries(plan.files["top.ucf"])
    assert loc == EXPECTED
    assert set(standard) == set(EXPECTED) and set(standard.values()) == {"LVCMOS33"}
    assert {n for n in loc if n.startswith("ps2_")} <= pullup


def test_ucf_has_the_clock_constraint(plan):
    ucf = plan.files["top.ucf"]
    assert 'NET "clk100_0__io" TNM_NET="PRDclk100_0__io";' in ucf
    assert re.search(r'PERIOD "PRDclk100_0__io" 10(\.0+)? ns', ucf), ucf


def test_build_script_targets_the_part_and_jtag_startup(plan):
    # XST takes the part as device, package and speed grade: xc6slx16, csg324, -3.
    assert "-p xc6slx16csg324-3" in plan.files["top.xst"].splitlines()
    script = plan.files["build_top.sh"]
    assert "StartUpClk:JtagClk" in script
    assert '"$MAP" -ol high -w ' in script and '"$PAR" -ol high -w ' in script
    order = [script.index(f"\"${tool}\"") for tool in ("XST", "NGDBUILD", "MAP", "PAR", "BITGEN")]
    assert order == sorted(order)


def test_transcription_matches_the_fact_sheet():
    """Every pin above stands in the fact sheet (shared/nexys3.md), for the same signal."""
    if not FACT_SHEET.exists():
        pytest.skip("shared/nexys3.md is not beside this clone")
    sheet = FACT_SHEET.read_text()
    pins_in_sheet = set(re.findall(r"\b([A-V]\d{1,2})\b", sheet))
    assert set(EXPECTED.values()) <= pins_in_sheet
    for net, pins in [("sw<0..7>", "T10, T9, V9, M8, N8, U8, V8, T5"),
                      ("Led<0..7>", "U16, V16, U15, V15, M11, N11, R11, T11")]:
        assert f"`{net}` = {pins}" in sheet
    for master, pin in [("clk", "V10"), ("btn<0>", "B8"), ("btn<1>", "A8"), ("btn<2>", "C4"),
                        ("btn<3>", "C9"), ("btn<4>", "D9"), ("Hsync", "N6"), ("Vsync", "P7"),
                        ("vgaRed<0>", "U7"), ("vgaRed<2>", "N7"), ("vgaBlue<1>", "R7"),
                        ("vgaBlue<2>", "T7"), ("seg<0>", "T17"), ("seg<7>", "M13"),
                        ("an<0>", "N16"), ("an<3>", "P17"), ("RsRx", "N17"), ("RsTx", "N18")]:
        assert re.search(rf"`{re.escape(master)}`[^|\n]*\|\s*{pin}\b", sheet), (master, pin)


# -- starsweeper program, with a stand-in djtgcfg ---------------------------------------------

def stand_in(tmp_path, monkeypatch, enum="Found 1 device(s)\nDevice: Nexys3", prog_code=0,
             prog_output="Programming succeeded.", prog_script=None):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "djtgcfg.log"
    script = bin_dir / "djtgcfg"
    prog = prog_script or f'printf "%s\\n" "{prog_output}"; exit {prog_code}'
    script.write_text(f"""#!/bin/sh
echo "$@" >> "{log}"
case "$1" in
  enum) printf "%s\\n" "{enum}" ;;
  prog) {prog} ;;
esac
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


@pytest.fixture
def bitfile(tmp_path):
    path = tmp_path / "top.bit"
    path.write_bytes(b"\x00\x09\x0f\xf0")
    return path


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_program_calls_djtgcfg_with_the_right_arguments(tmp_path, monkeypatch, capsys, bitfile):
    log = stand_in(tmp_path, monkeypatch)
    code, out, err = run(["program", bitfile], capsys)
    assert code == 0 and "Programming succeeded." in out
    assert log.read_text().splitlines() == ["enum", f"prog -d Nexys3 -i 0 -f {bitfile}"]


def test_program_without_djtgcfg(tmp_path, monkeypatch, capsys, bitfile):
    monkeypatch.setenv("PATH", str(tmp_path))
    code, _, err = run(["program", bitfile], capsys)
    assert code == 1 and "djtgcfg is not on PATH" in err and len(err.splitlines()) == 1


def test_program_without_a_board(tmp_path, monkeypatch, capsys, bitfile):
    log = stand_in(tmp_path, monkeypatch, enum="No devices found")
    code, _, err = run(["program", bitfile], capsys)
    assert code == 1 and "no Nexys3 answers" in err and "No devices found" in err
    assert "prog" not in log.read_text()


def test_program_without_the_bit_file(tmp_path, monkeypatch, capsys):
    stand_in(tmp_path, monkeypatch)
    code, _, err = run(["program", tmp_path / "missing.bit"], capsys)
    assert code == 1 and "missing.bit: no such bit file" in err


def test_program_reports_djtgcfg_failing(tmp_path, monkeypatch, capsys, bitfile):
    stand_in(tmp_path, monkeypatch, prog_code=1, prog_output="ERROR: JTAG chain scan failed")
    code, _, err = run(["program", bitfile], capsys)
    assert code == 1 and "programming failed" in err and "JTAG chain scan failed" in err


def test_program_never_waits_on_a_question(tmp_path, monkeypatch, capsys, bitfile):
    """A djtgcfg that asks Y/N reads end-of-file at once and gives up; no hang."""
    stand_in(tmp_path, monkeypatch, prog_script=(
        'printf "Startup clock is not JTAG clock. Continue? [Y/N] "; '
        'if read answer; then echo "Programming succeeded."; else echo; echo "Programming cancelled."; exit 1; fi'))
    code, _, err = run(["program", bitfile], capsys)
    assert code == 1 and "Programming cancelled." in err


def test_program_gives_up_on_a_silent_djtgcfg(tmp_path, monkeypatch, capsys, bitfile):
    stand_in(tmp_path, monkeypatch, prog_script="sleep 30")
    from starsweeper.boards import adept
    monkeypatch.setattr(adept, "TIMEOUT_SECONDS", 0.5)
    code, _, err = run(["program", bitfile], capsys)
    assert code == 1 and "gave no answer in 0.5 s" in err
