"""The stack's pool of reused memory: an array is handed out again only once nothing refers to
it, so that a frame held for its neighbours or a stack's chunk never sees its memory reused."""

import gc

import numpy as np
import pytest

from starsweeper.model.gaps import night_with_gaps_filled
from starsweeper.model.night import night_without_streaks, sky_rotation
from starsweeper.stack.buffers import BufferPool
from starsweeper.stack.frames import probe, read_frame
from starsweeper.stack.synth import NightEvents, write_sequence


def test_memory_is_handed_out_again_only_when_nothing_refers_to_it():
    pool = BufferPool()
    first = pool.take((3, 4), np.uint16)
    second = pool.take((3, 4), np.uint16)
    assert not np.shares_memory(first, second) and len(pool) == 2
    view = first[1:, ::2].T                         # a view of a view still holds the memory
    del first
    gc.collect()
    third = pool.take((3, 4), np.uint16)
    assert not np.shares_memory(third, view) and not np.shares_memory(third, second) and len(pool) == 3
    del view
    again = pool.take((2, 3, 2), np.int16)          # the same bytes, any shape and type
    assert again.shape == (2, 3, 2) and again.dtype == np.int16 and len(pool) == 3
    assert not np.shares_memory(again, second) and not np.shares_memory(again, third)


def test_a_buffer_is_only_handed_out_for_its_own_size():
    pool = BufferPool()
    small = pool.take(10, np.uint8)
    del small
    large = pool.take(20, np.uint8)
    assert large.nbytes == 20 and len(pool) == 2


def test_the_pool_keeps_at_most_its_count_and_leaves_the_rest_to_the_allocator():
    pool = BufferPool(keep=2)
    held = [pool.take(8, np.uint8) for _ in range(4)]
    assert len(pool) == 2 and all(a.nbytes == 8 for a in held)
    del held
    assert len(pool) == 2


def test_a_bad_count_is_refused():
    with pytest.raises(ValueError, match=r"^keep must be a non-negative integer, not -1$"):
        BufferPool(keep=-1)


def test_jpeg_frames_from_the_pool_stack_to_the_models_night(tmp_path):
    """The whole night through the pipeline, two threads, streaks and gaps: every frame held for
    its neighbours, every work array and every cleaned frame comes from the pool, and the stack
    is the model's on the same decoded frames (a buffer reused while in use would show)."""
    from starsweeper.stack.pipeline import stack_files
    from starsweeper.stack.settings import StackSettings
    paths = write_sequence(tmp_path / "night", 12, 240, 160, suffix=".jpg", seed=7, degrees_per_frame=0.5,
                           events=NightEvents(aircraft=2, satellites=2))
    frames = [read_frame(probe(path)) for path in paths]
    rotation = sky_rotation(frames[5], frames[6])            # (the middle two, as the pipeline does)
    cleaned = [frame for frame, _ in night_without_streaks(frames)]
    expected = np.max([frame for frame, _ in night_with_gaps_filled(cleaned, rotation)], axis=0)
    stack = stack_files(paths, StackSettings(workers=2, remove_streaks=6.0, fill_gaps=True))
    assert np.array_equal(stack, expected)
    assert not np.array_equal(stack, np.max(frames, axis=0))     # (and the rules did change it)


def test_the_allocator_takes_the_settings_to_keep_freed_memory():
    """In a process of its own (the settings are the whole process's): glibc accepts each
    one; where it cannot be loaded, nothing is asked."""
    import subprocess
    import sys
    code = ("from starsweeper.stack.buffers import keep_freed_memory; "
            "print(keep_freed_memory(), keep_freed_memory('libstarsweeper-none.so.1'))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["True", "False"]


def test_the_kernel_takes_the_setting_for_small_pages_only():
    """In a process of its own: the kernel says it gives the process no huge pages after it
    (its status file); where the C library cannot be loaded, nothing is asked."""
    import subprocess
    import sys
    code = ("from starsweeper.stack.buffers import without_huge_pages; "
            "print(without_huge_pages('libstarsweeper-none.so.1'), without_huge_pages()); "
            "print(open('/proc/self/status').read().split('THP_enabled:')[1].split()[0])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["False", "True", "0"]


def test_a_cleared_pool_lets_go_of_its_buffers_and_those_in_use_live_on():
    pool = BufferPool()
    used = pool.take(16, np.uint8)
    used[:] = 9
    pool.take(16, np.uint8)
    pool.clear()
    assert len(pool) == 0 and (used == 9).all()
    assert not np.shares_memory(pool.take(16, np.uint8), used)
