import os
import random
import sys
from pathlib import Path

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
