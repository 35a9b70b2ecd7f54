"""Stacking a list of frame files with one of three engines.

* ``model`` (default): the float64 model's arithmetic, fast. The frames are cut into one
  contiguous chunk per worker thread; each thread decodes and stacks its chunk (Pillow, OpenCV and
  numpy release the GIL, so the threads use every core); the chunk stacks are then combined
  exactly with ``max(a**n2 * P1, P2)``. With ``a = 1`` it stacks in the frames' own integer type
  (exact); with 8-bit frames it accumulates in float32, whose error after 1000 frames at
  ``a = 0.999`` is below 0.02 LSB, and with 16-bit frames in float64.
* ``fixed``: the bit-exact model of the hardware core, in order; decoding runs ahead in threads.
* ``rtl``: the frames through the generated Verilog core in Icarus (:mod:`.rtl`), in order.

Every engine subtracts the master dark (``dark``, :mod:`starsweeper.model.dark_frame`) from each
frame, saturating at 0: the model and fixed engines as each frame is decoded, the rtl engine in
the hardware's dark-frame stage in front of the stacker (``calibrated_stacker``). The
subtraction is exact in integers, so the engines still agree. The
fade-in (``fade_in``) weighs the first frames up; only the model engine has it (the hardware has
no per-frame weight), and its chunks weigh their frames by their place in the whole sequence,
which keeps the chunk join exact (:mod:`starsweeper.model.star_trail`). When the running stack
is wanted after every ``every``-th frame (``on_stack``, for the time-lapse video), the model
engine stacks in order too, with decoding ahead in threads.

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

from ..errors import InputError
from ..model.star_trail import (
    FixedStacker, check_attenuation, check_fade_in, combine_float, fade_in_weight, round_to_dtype,
)
from .frames import FrameError, check_consistent, frame_bytes, probe, read_frame, size_text

__all__ = ["ENGINES", "HARDWARE_ENGINES", "default_workers", "stack_files", "probe_all"]

ENGINES = ("model", "fixed", "rtl")
#: The engines that stack as the hardware core does (no fade-in).
HARDWARE_ENGINES = ("fixed", "rtl")


def default_workers():
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def probe_all(paths, raw_mode="linear"):
    """Headers of every frame, checked for equal size and colour mode (first offender named)."""
    infos = [probe(p, raw_mode) for p in paths]
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


def stack_files(paths, attenuation=1.0, engine="model", workers=None, progress=None, *,
                fade_in=0, calibration=None, raw_mode="linear", on_stack=None, every=1, infos=None):
    """Stack the frame files ``paths`` in the given order; returns the stacked frame.

    ``progress``, if given, is called with 1 after each frame. ``calibration`` (a
    :class:`~starsweeper.stack.darks.Calibration`): its hot pixels are replaced in each frame and
    its master dark (of the frames' shape and type) subtracted. ``on_stack(k, image)``, if given, gets the
    running stack (rounded to the frames' type) after frames ``every``, ``2 every``, ... and
    after the last. ``infos``: the frames' headers if probed already. Raises
    :class:`FrameError` naming the first problem found, before any output is written.
    """
    attenuation = check_attenuation(attenuation)
    fade_in = check_fade_in(fade_in)
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if fade_in and engine in HARDWARE_ENGINES:
        raise InputError(f"--fade-in: the {engine} engine stacks as the hardware core does, which "
                         f"has no per-frame weight (use --engine model)")
    if not paths:
        raise FrameError("no frames to stack")
    infos = infos or probe_all(paths, raw_mode)
    if calibration is not None and calibration.dark.shape != infos[0].shape:
        raise ValueError(f"dark shape {calibration.dark.shape} differs from the frames' {infos[0].shape}")
    workers = workers or default_workers()
    job = _Job(attenuation, fade_in, calibration, on_stack, every, len(infos))
    try:
        return _stack(infos, job, engine, workers, _Progress(progress))
    except MemoryError:
        first = infos[0]
        # Each thread holds a decoded frame, its decoder's buffer and its chunk's stack (float).
        need = workers * frame_bytes(first) * (2 + (8 if first.depth == 16 else 4) // (first.depth // 8))
        raise FrameError(f"not enough memory: stacking {first.width}x{first.height} {first.mode} frames "
                         f"with {workers} threads needs about {size_text(need)} "
                         f"(--workers 1 needs the least)") from None


class _Job:
    """What to do with each frame, besides stacking it."""

    def __init__(self, attenuation, fade_in, calibration, on_stack, every, count):
        self.attenuation, self.fade_in, self.calibration = attenuation, fade_in, calibration
        self.dark = None if calibration is None else calibration.dark   # subtracted in read()
        self.on_stack, self.every, self.count = on_stack, every, count

    def read(self, info):
        """The frame, decoded, its hot pixels replaced, less the master dark (saturating at 0)."""
        frame = read_frame(info)
        if self.calibration is not None:
            frame = self.calibration.prepare(frame)
        if self.dark is not None:
            frame = np.maximum(frame, self.dark)
            frame -= self.dark
        return frame

    def wants(self, k):
        """Whether ``on_stack`` wants the stack after frame ``k`` (from 1)."""
        return self.on_stack is not None and (k % self.every == 0 or k == self.count)


def _stack(infos, job, engine, workers, counter):
    if engine == "model" and job.on_stack is None:
        return _stack_model(infos, job, workers, counter)
    if engine == "model":
        return _stack_model_in_order(infos, job, workers, counter)
    if engine == "fixed":
        stacker = FixedStacker(job.attenuation, infos[0].depth)
        return _feed(stacker, infos, job, workers, counter)
    from .rtl import RTLStacker
    # The hardware subtracts the dark itself: its dark-frame stage in front of the stacker.
    dark, job.dark = job.dark, None
    with RTLStacker(job.attenuation, infos[0].depth, workers=workers, dark=dark) as stacker:
        return _feed(stacker, infos, job, workers, counter)


def _feed(stacker, infos, job, workers, counter):
    for k, frame in enumerate(_decoded_in_order(infos, job, workers, counter), start=1):
        stacker.add(frame)
        if job.wants(k):
            job.on_stack(k, stacker.result())
    return stacker.result()


def _work_dtype(info):
    return np.float32 if info.depth == 8 else np.float64


def _stack_model_in_order(infos, job, workers, counter):
    """The model's arithmetic one frame after another, for the running stack."""
    acc = None
    exact = job.attenuation == 1.0 and job.fade_in == 0
    work = _work_dtype(infos[0])
    for k, frame in enumerate(_decoded_in_order(infos, job, workers, counter), start=1):
        acc = _accumulate(acc, frame, k, job, work)
        if job.wants(k):
            job.on_stack(k, acc.copy() if exact else round_to_dtype(acc, infos[0].dtype))
    return acc if exact else round_to_dtype(acc, infos[0].dtype)


def _accumulate(acc, frame, k, job, work):
    """One step of the model's rule on the running stack ``acc`` (None before the first frame):
    in the frames' own integer type while the rule is exact there (a = 1, no fade-in)."""
    weight = fade_in_weight(k, job.fade_in)
    if job.attenuation == 1.0 and weight == 1.0 and (acc is None or acc.dtype == frame.dtype):
        if acc is None:
            return frame.copy() if job.fade_in == 0 else frame.astype(work)
        np.maximum(acc, frame, out=acc)
        return acc
    term = frame.astype(work)
    if weight != 1.0:
        np.multiply(term, work(weight), out=term)
    if acc is None:
        return term
    if acc.dtype != work:
        acc = acc.astype(work)
    if job.attenuation != 1.0:
        np.multiply(acc, work(job.attenuation), out=acc)
    np.maximum(acc, term, out=acc)
    return acc


def _decoded_in_order(infos, job, workers, counter):
    """Yield decoded frames in order, with up to ``workers`` frames decoding ahead."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        pending = []
        for info in infos:
            pending.append(pool.submit(job.read, info))
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


def _stack_chunk(infos, first_index, job, counter, cancel):
    """Stack one contiguous chunk of frames, the first of which is frame ``first_index`` (from
    1) of the whole sequence; returns its stack (float, or integer when exact)."""
    acc = None
    work = _work_dtype(infos[0])
    for k, info in enumerate(infos, start=first_index):
        if cancel.is_set():
            return None
        acc = _accumulate(acc, job.read(info), k, job, work)
        counter.advance()
    return acc


def _stack_model(infos, job, workers, counter):
    attenuation = job.attenuation
    chunks = np.array_split(np.arange(len(infos)), min(workers, len(infos)))
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=len(chunks))
    try:
        futures = [pool.submit(_stack_chunk, [infos[i] for i in chunk], int(chunk[0]) + 1, job,
                               counter, cancel)
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
        if attenuation == 1.0 and result.dtype == stack.dtype:
            np.maximum(result, stack, out=result)
        else:
            result = combine_float(result, stack, len(chunk), attenuation)
    if result.dtype == infos[0].dtype:
        return result
    return round_to_dtype(result, infos[0].dtype)
