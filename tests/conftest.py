import os
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "sim"))


@pytest.fixture
def seed(request):
    """A random seed per test, printed so that a failure replays with STARSWEEPER_SEED=..."""
    value = int(os.environ.get("STARSWEEPER_SEED", random.randrange(1 << 32)))
    print(f"\n{request.node.nodeid}: STARSWEEPER_SEED={value}")
    return value
