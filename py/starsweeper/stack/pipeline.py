"""Stacking a list of frame files with one of three engines.

* ``model`` (default): the float64 model's arithmetic, fast. The frames are cut into one
  contiguous chunk per worker thread; each thread decodes and stacks its chunk (Pillow, OpenCV and
  numpy release the GIL, so the threads use every core); the chunk stacks are then combined
  exactly with ``max(a**n2 * P1, P2)``. With ``a = 1`` it stacks in the frames' own integer type
  (exact); with 8-bit frames it accumulates in float32, whose error after 1000 frames at
  ``a = 0.999`` is below 0.02 LSB, and with 16-bit frames in float64.
* ``fixed``: the bit-exact model of the hardware core, in order; decoding runs ahead in threads.
* ``rtl``: the frames through the generated Verilog core in Icarus (:mod:`.rtl`), in order.

Memory stays at a few frames whatever their number: a thread holds one decoded frame and its
chunk's stack, and at most ``workers`` frames are decoded ahead. Running out of it is a
:class:`FrameError` that says how much the frames need.

An interruption (Ctrl-C) or an error stops every thread at its next frame: the threads are told
to stop and the frames not yet begun are cancelled, so that it takes a frame's time, not the
rest of the stack's.
"""

from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
import os
import threading

import numpy as np

from ..model.star_trail import FixedStacker, check_attenuation, combine_float, round_to_dtype
from .frames import FrameError, check_consistent, frame_bytes, probe, read_frame, size_text

__all__ = ["ENGINES", "default_workers", "stack_files", "probe_all"]

ENGINES = ("model", "fixed", "rtl")


def default_workers():
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def probe_all(paths):
    """Headers of every frame, checked for equal size and colour mode (first offender named)."""
    infos = [probe(p) for p in paths]
    check_consistent(infos)
    return infos


class _Progress:
    """Counts decoded frames from several threads into an optional callback."""

    def __init__(self, callback):
        self.callback = callback
        self.lock = threading.Lock()

    def advance(self):
        if self.callback is not None:
            with self.lock:
                self.callback(1)


def stack_files(paths, attenuation=1.0, engine="model", workers=None, progress=None):
    """Stack the frame files ``paths`` in the given order; returns the stacked frame.

    ``progress``, if given, is called with 1 after each frame. Raises :class:`FrameError`
    naming the first problem found, before any output is written.
    """
    attenuation = check_attenuation(attenuation)
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if not paths:
        raise FrameError("no frames to stack")
    infos = probe_all(paths)
    workers = workers or default_workers()
    try:
        return _stack(infos, attenuation, engine, workers, _Progress(progress))
    except MemoryError:
        first = infos[0]
        # Each thread holds a decoded frame, its decoder's buffer and its chunk's stack (float).
        need = workers * frame_bytes(first) * (2 + (8 if first.depth == 16 else 4) // (first.depth // 8))
        raise FrameError(f"not enough memory: stacking {first.width}x{first.height} {first.mode} frames "
                         f"with {workers} threads needs about {size_text(need)} "
                         f"(--workers 1 needs the least)") from None


def _stack(infos, attenuation, engine, workers, counter):
    if engine == "model":
        return _stack_model(infos, attenuation, workers, counter)
    if engine == "fixed":
        stacker = FixedStacker(attenuation, infos[0].depth)
        for frame in _decoded_in_order(infos, workers, counter):
            stacker.add(frame)
        return stacker.result()
    from .rtl import RTLStacker
    with RTLStacker(attenuation, infos[0].depth, workers=workers) as stacker:
        for frame in _decoded_in_order(infos, workers, counter):
            stacker.add(frame)
        return stacker.result()


def _decoded_in_order(infos, workers, counter):
    """Yield decoded frames in order, with up to ``workers`` frames decoding ahead."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        pending = []
        for info in infos:
            pending.append(pool.submit(read_frame, info))
            if len(pending) > workers:
                yield _take(pending, counter)
        while pending:
            yield _take(pending, counter)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _take(pending, counter):
    frame = pending.pop(0).result()
    counter.advance()
    return frame


def _stack_chunk(infos, attenuation, counter, cancel):
    """Stack one contiguous chunk of frames; returns its stack (float or integer)."""
    acc = None
    work_dtype = np.float32 if infos[0].depth == 8 else np.float64
    for info in infos:
        if cancel.is_set():
            return None
        frame = read_frame(info)
        if acc is None:
            acc = frame.copy() if attenuation == 1.0 else frame.astype(work_dtype)
        elif attenuation == 1.0:
            np.maximum(acc, frame, out=acc)
        else:
            np.multiply(acc, work_dtype(attenuation), out=acc)
            np.maximum(acc, frame, out=acc)
        counter.advance()
    return acc


def _stack_model(infos, attenuation, workers, counter):
    chunks = np.array_split(np.arange(len(infos)), min(workers, len(infos)))
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=len(chunks))
    try:
        futures = [pool.submit(_stack_chunk, [infos[i] for i in chunk], attenuation, counter, cancel)
                   for chunk in chunks]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            if future.exception() is not None:
                raise future.exception()
        stacks = [f.result() for f in futures]
    finally:
        cancel.set()        # on an error or Ctrl-C, the other threads stop at their next frame
        pool.shutdown(wait=False, cancel_futures=True)
    result = stacks[0]
    for chunk, stack in zip(chunks[1:], stacks[1:]):
        if attenuation == 1.0:
            np.maximum(result, stack, out=result)
        else:
            result = combine_float(result, stack, len(chunk), attenuation)
    if attenuation == 1.0:
        return result
    return round_to_dtype(result, infos[0].dtype)
