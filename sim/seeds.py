"""The random seed of a testbench run: ``STARSWEEPER_SEED`` when set (to replay a run), else a
fresh one, which each testbench prints."""

import os
import random

__all__ = ["seed_from_env"]


def seed_from_env():
    return int(os.environ.get("STARSWEEPER_SEED", random.randrange(1 << 32)))
