"""The installed package stands on its own: built as a wheel and installed outside the checkout,
its commands read the Verilog and the harness it carries, never the repository's files; and a
bug (a ValueError the program did not mean) keeps its traceback instead of passing for bad input.
"""

import os
from pathlib import Path
import subprocess
import sys

import numpy as np
import pytest

from starsweeper.cli import main
from starsweeper.stack.frames import write_image

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The project built as a wheel and installed (without its dependencies, which come from
    this environment) into a folder of its own; (that folder, a working folder outside the
    checkout)."""
    base = tmp_path_factory.mktemp("installed")
    wheels, site = base / "wheels", base / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    wheel, = wheels.glob("starsweeper-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                    str(wheel)], check=True, capture_output=True)
    work = base / "work"
    work.mkdir()
    return site, work


def run_installed(installed, *args, check=True):
    site, work = installed
    env = dict(os.environ, PYTHONPATH=str(site))
    result = subprocess.run([sys.executable, *args], cwd=work, env=env, capture_output=True, text=True,
                            timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_the_installed_package_is_the_wheel_and_carries_its_files(installed):
    site, _ = installed
    result = run_installed(installed, "-c", (
        "import starsweeper, starsweeper.hdl as h, starsweeper.verilator.build as b; "
        "print(starsweeper.__file__); print(h.HDL_DIR); print(b.HARNESS)"))
    package, verilog, harness = (Path(line) for line in result.stdout.split())
    for path in (package, verilog, harness):
        assert path.is_relative_to(site) and not path.is_relative_to(ROOT)
    assert sorted(p.name for p in verilog.glob("*.v")) == sorted(p.name for p in (ROOT / "hdl").glob("*.v"))
    assert harness.is_file()


def test_report_from_the_installed_package(installed):
    result = run_installed(installed, "-m", "starsweeper.cli", "report", "vga_test_pattern")
    assert "| vga_test_pattern |" in result.stdout


def test_the_rtl_engine_from_the_installed_package(installed):
    _, work = installed
    frames = work / "frames"
    frames.mkdir(exist_ok=True)
    for k in range(2):
        write_image(frames / f"f{k}.png", np.full((4, 6, 3), 40 * k, np.uint8))
    result = run_installed(installed, "-m", "starsweeper.cli", "stack", "frames", "--engine", "rtl",
                           "-o", "out.png", "-q")
    assert (work / "out.png").exists(), result.stderr


def test_a_verilator_screenshot_and_the_board_tree_from_the_installed_package(installed):
    _, work = installed
    run_installed(installed, "-m", "starsweeper.cli", "screenshot",
                  "--moves", "@8,8 c", "-o", "frame.png")
    assert (work / "frame.png").exists()
    run_installed(installed, "-m", "starsweeper.cli", "build", "--out", "nexys3")
    assert (work / "nexys3" / "build_top.sh").exists()


def test_a_bug_keeps_its_traceback(tmp_path, monkeypatch):
    frames = tmp_path / "frames"
    frames.mkdir()
    write_image(frames / "f.png", np.zeros((4, 4, 3), np.uint8))

    def bug(*args, **kwargs):
        raise ValueError("a bug, not bad input")
    monkeypatch.setattr("starsweeper.stack.pipeline.stack_files", bug)
    with pytest.raises(ValueError, match="a bug, not bad input"):
        main(["stack", str(frames), "-o", str(tmp_path / "o.png"), "-q"])
