"""``starsweeper build``: the Nexys 3 build tree, and its run with stand-in ISE tools on PATH
(xst, ngdbuild, map, par, bitgen: shell scripts that log their arguments and write the file the
next tool reads), since ISE cannot be installed here."""

import os
from pathlib import Path
import re
import stat

import pytest

from starsweeper.cli import main
from test_boards import EXPECTED

#: What each stand-in reads and writes (the files of ISE's flow for a top named "top").
TOOLS = {
    "xst": (["top.xst", "top.prj", "top.v"], ["top.ngc"]),
    "ngdbuild": (["top.ngc", "top.ucf"], ["top.ngd"]),
    "map": (["top.ngd"], ["top_map.ncd", "top.pcf"]),
    "par": (["top_map.ncd", "top.pcf"], ["top_par.ncd"]),
    "bitgen": (["top_par.ncd"], ["top.bit"]),
}


def stand_in_tools(folder, fail=None):
    """Stand-in ISE tools in ``folder``: each appends its name and arguments to calls.log in the
    build folder, checks its inputs exist and writes its outputs; ``fail`` names one that fails
    as ISE would, with an error line."""
    folder.mkdir(parents=True, exist_ok=True)
    for tool, (inputs, outputs) in TOOLS.items():
        checks = "".join(f'[ -f {name} ] || {{ echo "ERROR: {tool}: missing {name}"; exit 2; }}\n'
                         for name in inputs)
        body = ('echo "ERROR:Par:228 - placement failed"; exit 1\n' if tool == fail
                else "".join(f'echo {tool} > {name}\n' for name in outputs))
        script = folder / tool
        script.write_text(f'#!/bin/sh\necho "{tool} $*" >> calls.log\n{checks}{body}')
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


@pytest.fixture
def no_ise(monkeypatch, tmp_path):
    """PATH without ISE (only the system's own tools) and no AMARANTH_ENV_ISE."""
    monkeypatch.delenv("AMARANTH_ENV_ISE", raising=False)
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                               if not any(Path(p, t).exists() for t in TOOLS)))


def test_tree_without_ise_says_so_in_one_line(no_ise, tmp_path, capsys):
    out = tmp_path / "build"
    assert main(["build", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and "ISE is not installed here" in printed
    assert {p.name for p in out.iterdir()} >= {"top.v", "top.ucf", "top.xst", "top.prj", "build_top.sh"}
    assert not (out / "top.bit").exists()
    script = (out / "build_top.sh").read_text()
    assert [line.split()[0].strip('"$') for line in script.splitlines() if line.startswith('"$')] \
        == ["XST", "NGDBUILD", "MAP", "PAR", "BITGEN"]
    assert "-p xc6slx16csg324-3" in (out / "top.xst").read_text().splitlines()


def test_ucf_puts_every_port_at_its_fact_sheet_pin(no_ise, tmp_path):
    out = tmp_path / "build"
    assert main(["build", "--out", str(out)]) == 0
    ucf = (out / "top.ucf").read_text()
    locs = dict(re.findall(r'NET "([^"]+)" LOC=(\w+);', ucf))
    standards = dict(re.findall(r'NET "([^"]+)" IOSTANDARD=(\w+);', ucf))
    # Minesweeper uses every pin but the UART's and the PS/2 ports'.
    expected = {net: pin for net, pin in EXPECTED.items() if not net.startswith(("uart", "ps2"))}
    assert locs == expected
    assert set(standards.values()) == {"LVCMOS33"} and set(standards) == set(expected)
    assert re.search(r'NET "clk100_0__io" TNM_NET="?(\w+)"?;', ucf)
    assert re.search(r"TIMESPEC \S+=PERIOD \S+ 10(\.0+)? ns", ucf)


def test_build_runs_the_five_tools_in_order(no_ise, tmp_path, monkeypatch, capsys):
    tools = stand_in_tools(tmp_path / "ise")
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "build"
    assert main(["build", "--out", str(out)]) == 0
    calls = (out / "calls.log").read_text().splitlines()
    assert calls == [
        "xst -ifn top.xst",
        "ngdbuild -quiet -uc top.ucf top.ngc",
        "map -ol high -w -o top_map.ncd top.ngd top.pcf",
        "par -ol high -w top_map.ncd top_par.ncd top.pcf",
        "bitgen -g Compress -g StartUpClk:JtagClk -w -g Binary:Yes top_par.ncd top.bit",
    ]
    assert (out / "top.bit").exists()
    assert f"starsweeper program {out / 'top.bit'}" in capsys.readouterr().out


def test_a_failing_tool_stops_the_build_with_one_line(no_ise, tmp_path, monkeypatch, capsys):
    tools = stand_in_tools(tmp_path / "ise", fail="par")
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "build"
    assert main(["build", "--out", str(out)]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert len(errors) == 1 and "ERROR:Par:228 - placement failed" in errors[0] and "build.log" in errors[0]
    assert [c.split()[0] for c in (out / "calls.log").read_text().splitlines()] == ["xst", "ngdbuild", "map", "par"]
    assert not (out / "top.bit").exists()


def test_amaranth_env_ise_names_the_settings_script(no_ise, tmp_path, monkeypatch):
    tools = stand_in_tools(tmp_path / "ise")
    settings = tmp_path / "settings64.sh"
    settings.write_text(f'export PATH="{tools}:$PATH"\n')
    monkeypatch.setenv("AMARANTH_ENV_ISE", str(settings))
    out = tmp_path / "build"
    assert main(["build", "--out", str(out)]) == 0
    assert len((out / "calls.log").read_text().splitlines()) == 5 and (out / "top.bit").exists()


def test_unknown_board(tmp_path, capsys):
    """A board the command does not know is a value --board does not take: a usage error."""
    with pytest.raises(SystemExit) as usage:
        main(["build", "--board", "atlys", "--out", str(tmp_path / "b")])
    assert usage.value.code == 2
    assert "invalid choice: 'atlys' (choose from 'nexys3', 'ulx3s')" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_a_stale_bit_file_is_removed(no_ise, tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    (out / "top.bit").write_text("from an older design")
    assert main(["build", "--out", str(out)]) == 0
    assert not (out / "top.bit").exists()
