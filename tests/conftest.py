import contextlib
import os
from pathlib import Path
import random
import shutil
import subprocess
import sys

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "sim"))
# Verilator models the tests build are cached in the checkout's ignored build folder (kept
# between runs: a model is rebuilt only when what goes into it changes), not the user's cache.
os.environ.setdefault("STARSWEEPER_CACHE", str(ROOT / "sim_build" / "cache"))


@pytest.fixture
def seed(request):
    """A random seed per test, printed so that a failure replays with STARSWEEPER_SEED=..."""
    value = int(os.environ.get("STARSWEEPER_SEED", random.randrange(1 << 32)))
    print(f"\n{request.node.nodeid}: STARSWEEPER_SEED={value}")
    return value


@pytest.fixture
def cli(capsys):
    """Run the ``starsweeper`` command in this process: ``cli(argv)`` gives (exit status, stdout,
    stderr); arguments may be paths or numbers."""
    from starsweeper.cli import main

    def run(argv):
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@contextlib.contextmanager
def xvfb_server():
    """An Xvfb of its own: (its display name, its process), stopped at the end."""
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb is not installed (Debian/Ubuntu package xvfb; ./dev.sh installs it)")
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x1100x24",
                               "-nolisten", "tcp"], pass_fds=(write,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    try:
        if not number:
            pytest.fail("Xvfb did not start")
        yield f":{number}", server
    finally:
        server.kill()
        server.wait()


@pytest.fixture(scope="module")
def x_display():
    """The display name of an Xvfb started for a test module's windows (play, the stack's preview)."""
    with xvfb_server() as (name, _):
        yield name


@pytest.fixture
def display(x_display, monkeypatch):
    monkeypatch.setenv("DISPLAY", x_display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("SDL_VIDEODRIVER", "x11")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    return x_display


def pytest_collection_modifyitems(config, items):
    """The long simulations (marked slow) first: pytest-xdist then ends the run on short tests,
    not on one long one that started late on a single core."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
