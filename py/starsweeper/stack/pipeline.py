"""Stacking a list of frame files with one of three engines.

* ``model`` (default): the model's own stacker,
  :class:`~starsweeper.model.star_trail.FloatStacker`, fast. The frames are cut into one
  contiguous chunk per worker thread; each thread decodes and stacks its chunk (Pillow, OpenCV and
  numpy release the GIL, so the threads use every core); the chunk stacks are then combined
  exactly with ``max(a**n2 * P1, P2)``. With ``a = 1`` it stacks in the frames' own integer type
  (exact); with 8-bit frames it accumulates in float32, whose error after 1000 frames at
  ``a = 0.999`` is below 0.02 LSB, and with 16-bit frames in float64.
* ``fixed``: the bit-exact model of the hardware core
  (:class:`~starsweeper.model.star_trail.FixedStacker`), in order; decoding runs ahead in
  threads.
* ``rtl``: the frames through the generated Verilog core in Icarus (:mod:`.rtl`), in order.

Every engine subtracts the master dark (``dark``, :mod:`starsweeper.model.dark_frame`) from each
frame, saturating at 0: the model and fixed engines as each frame is decoded, the rtl engine in
the hardware's dark-frame stage in front of the stacker (``calibrated_stacker``). The
subtraction is exact in integers, so the engines still agree. The
fade-in (``fade_in``) weighs the first frames up; only the model engine has it (the hardware has
no per-frame weight), and its chunks weigh their frames by their place in the whole sequence,
which keeps the chunk join exact (:mod:`starsweeper.model.star_trail`). When the running stack
is wanted after every ``every``-th frame (``on_stack``, for the time-lapse video) or shown
(``preview``), or a night's frames are cleaned first (streaks, gaps), the model engine stacks
in order too, with decoding ahead in threads.

A real night's steps run in front of every engine (for the hardware's, in software in front of
the stream), in this order, as :mod:`starsweeper.model.night` and :mod:`starsweeper.model.gaps`
specify them: the sky's turn is measured once, on the middle two frames; with
``settings.remove_streaks`` each frame has its streaks taken out against the raw frames two a
side (one window of five decoded frames); with ``settings.fill_gaps`` each frame's gap to the
next is filled. Both work in ``workers`` threads of their own, a frame a task, up to
``workers`` frames ahead of the one stacked: a frame's streaks depend on the raw frames alone,
a gap on the two cleaned frames either side of it; OpenCV keeps to one thread of its own
while they run (they fill the cores already). (In a chunk a thread, as the plain stack
goes, each thread held a window of its own, and read the frames either side of its chunk
again: 918 MiB where one window takes 761 at 12 MP and 2 threads, 1,640 where it takes 1,050
at 4, in the same time or less.) ``reject_bright`` is a choice of frames, made before (by the
command line).

Memory stays at a few frames whatever their number: a chunk's thread holds one decoded frame
and its chunk's stack; in order, there is one stack, the window of five with
``remove_streaks``, a frame and its work in each streak or gap thread, and at most ``workers``
frames decoded ahead. Running out of it is a :class:`FrameError` that says how
much the frames need.

An interruption (Ctrl-C) or an error stops every thread at its next frame: the threads are told
to stop and the frames not yet begun are cancelled, so that it takes a frame's time, not the
rest of the stack's.

How to stack is a :class:`~starsweeper.stack.settings.StackSettings`, checked when it was made:
nothing here checks it again.
"""

from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
import contextlib
import os
import threading

import numpy as np

from ..model.star_trail import FixedStacker, FloatStacker
from .buffers import BufferPool
from .frames import FrameError, check_consistent, damaged, frame_bytes, probe, read_frame, size_text
from .running import RunningStack

__all__ = ["default_workers", "stack_files", "probe_all", "sky_levels"]


def default_workers():
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def probe_all(paths, raw_mode="linear", on_damaged=None):
    """Headers of every frame, checked for equal size and colour mode (first offender named).
    With ``on_damaged``, a frame whose header cannot be read is told to it (with the error) and
    stands in the list as :func:`~starsweeper.stack.frames.damaged` (like the first good
    frame, decoded as a dark one); without, its error goes on."""
    infos, bad = [], []
    for path in paths:
        try:
            infos.append(probe(path, raw_mode))
        except FrameError as error:
            if on_damaged is None:
                raise
            on_damaged(path, error)
            infos.append(None)
            bad.append(len(infos) - 1)
    good = [info for info in infos if info is not None]
    if not good:
        raise FrameError("every frame is damaged: nothing to stack")
    for k in bad:
        infos[k] = damaged(good[0], paths[k])
    check_consistent(infos)
    return infos


def sky_levels(infos, workers=1):
    """Each frame's sky levels (:func:`starsweeper.model.night.sky_levels`), decoding in
    ``workers`` threads; JPEG frames at an eighth of their size (libjpeg-turbo scales as it
    decodes: a few percent of a full decode), the others whole; None for a damaged frame."""
    from ..model.night import sky_levels as levels_of

    def level(info):
        if info.damage is not None:
            return None
        try:
            if info.format == "JPEG":
                import simplejpeg
                small = simplejpeg.decode_jpeg(info.path.read_bytes(), colorspace="GRAY" if info.channels == 1 else "RGB",
                                               fastdct=True, fastupsample=True, min_factor=8, strict=False,
                                               min_height=1, min_width=1)    # (without them, no scaling)
                return levels_of(small, step=1)
            return levels_of(read_frame(info), step=4)
        except (FrameError, ValueError, OSError):
            return None                  # a damaged frame: the stack says so when it decodes it

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(level, infos))


class _Progress:
    """Counts decoded frames from several threads into an optional callback."""

    def __init__(self, callback):
        self.callback = callback
        self.lock = threading.Lock()

    def advance(self):
        if self.callback is not None:
            with self.lock:
                self.callback(1)


def stack_files(paths, settings, progress=None, *, calibration=None, on_stack=None, every=1, infos=None,
                on_damaged=None, untouched=(), on_streaks=None, on_sky=None, preview=None):
    """Stack the frame files ``paths`` in the given order as ``settings`` (a
    :class:`~starsweeper.stack.settings.StackSettings`) say; returns the stacked frame.

    With ``settings.skip_bad``, a frame that cannot be decoded is told to ``on_damaged(path,
    error)`` (from the thread that decoded it) and stacked as a dark frame.
    ``progress``, if given, is called with 1 after each frame. ``calibration`` (a
    :class:`~starsweeper.stack.darks.Calibration`): its hot pixels are replaced in each frame and
    its master dark (of the frames' shape and type) subtracted. ``on_stack(k, stack)``, if given,
    gets the running stack (a :class:`~starsweeper.stack.running.RunningStack`, good until it
    returns) after frames ``every``, ``2 every``, ... and after the last. ``preview`` (a
    :class:`~starsweeper.stack.preview.StackPreview`) is shown the running stack when it says
    it is due, and polled after every frame in between;
    with ``on_stack`` or ``preview``, or streaks or gaps, the frames are stacked in order
    (decoded ahead in threads). ``infos``: the frames' headers if probed already. With
    ``settings.remove_streaks``, the streaks taken out of frame ``k`` (from 0) are told to
    ``on_streaks(k, streaks)`` (in the frames' order, from the caller's thread), and the frames ``untouched``
    (indices from 0) are stacked as they are; how far stars move from frame to frame is
    measured on the middle two frames (:func:`~starsweeper.model.night.sky_rotation`), in a
    thread while the first frames decode, and told to ``on_sky(rotation, reach)`` (from that
    thread; rotation None when the frames do not show it). Raises
    :class:`FrameError` naming the first problem found, before any output is written.
    """
    if not paths:
        raise FrameError("no frames to stack")
    on_damaged = on_damaged if settings.skip_bad else None
    infos = infos or probe_all(paths, settings.raw_mode, on_damaged)
    if calibration is not None and calibration.dark.shape != infos[0].shape:
        raise ValueError(f"dark shape {calibration.dark.shape} differs from the frames' {infos[0].shape}")
    job = _Job(settings, calibration, on_stack, every, len(infos), on_damaged)
    job.untouched, job.on_streaks, job.preview = frozenset(untouched), on_streaks, preview
    cleaned = settings.remove_streaks is not None or settings.fill_gaps
    try:
        # (the night's steps fill the cores with threads of their own, a frame a task)
        with _opencv_threads(1) if cleaned and settings.workers > 1 else contextlib.nullcontext():
            if cleaned:
                job.measure_sky(infos, on_sky)
            return _stack(infos, job, _Progress(progress))
    except MemoryError:
        first = infos[0]
        stack = (8 if first.depth == 16 else 4) // (first.depth // 8)        # (float, in frames)
        if _in_chunks(settings, job):
            # Each thread holds a decoded frame, its decoder's buffer and its chunk's stack.
            need = settings.workers * frame_bytes(first) * (2 + stack)
        else:
            # The frames decoded ahead; the window of five frames and their light, and in each
            # thread a frame's work (its light, a cleaned copy; a gap's stars, and its filled
            # copy where the streaks are taken out too): at 12 MP and 2 threads 753 MiB for
            # streaks, 526 for gaps, 1,015 for all three (Numba's own 140 MiB among them).
            streaks, gaps = settings.remove_streaks is not None, settings.fill_gaps
            need = frame_bytes(first) * (2 + 10 * streaks + 4 * gaps
                                         + settings.workers * (1 + 3 * streaks + 4 * gaps) + stack)
        raise FrameError(f"not enough memory: stacking {first.width}x{first.height} {first.mode} frames "
                         f"with {settings.workers} threads needs about {size_text(need)} "
                         f"(--workers 1 needs the least)") from None


class _Job:
    """What to do with each frame, besides stacking it."""

    def __init__(self, settings, calibration, on_stack, every, count, on_damaged=None):
        self.settings, self.calibration = settings, calibration
        self.dark = None if calibration is None else calibration.dark   # subtracted in read()
        self.on_stack, self.every, self.count = on_stack, every, count
        self.on_damaged = on_damaged
        self.untouched, self.on_streaks = frozenset(), None
        self.preview = None
        self._sky = None                    # how the sky turns (remove_streaks, fill_gaps): sky()
        self.cancel = threading.Event()     # set when the stack stops early: the threads stop
        self.buffers = BufferPool()         # the frames' and the rules' memory, used again

    def read(self, info):
        """The frame, decoded, its hot pixels replaced, less the master dark (saturating at 0);
        a damaged one dark, when the settings say so (told to ``on_damaged`` once, here or when
        its header was read)."""
        try:
            frame = read_frame(info, self.buffers.take)
        except FrameError as error:
            if self.on_damaged is None:
                raise
            if info.damage is None:                 # (a damaged header was told already)
                self.on_damaged(info.path, error)
            return np.zeros(info.shape, info.dtype)
        if self.calibration is not None:
            frame = self.calibration.prepare(frame)
        if self.dark is not None:
            frame = np.maximum(frame, self.dark, out=frame if frame.flags.writeable else None)
            frame -= self.dark
        return frame

    def measure_sky(self, infos, on_sky=None):
        """How the sky turns between frames, for ``remove_streaks`` and ``fill_gaps``: measured
        between the middle two frames (:func:`~starsweeper.model.night.sky_rotation`), told to
        ``on_sky(rotation, reach)``. Measured in a thread of its own while the first frames
        decode: :meth:`sky` waits for it."""
        from ..model.night import sky_rotation, star_reach
        if len(infos) < 2:
            option = "--remove-streaks finds streaks" if self.settings.remove_streaks is not None else \
                "--fill-gaps fills the gaps"
            raise FrameError(f"{option} between frames: {len(infos)} frame is too few")
        middle = len(infos) // 2

        def measure():
            try:
                rotation = sky_rotation(self.read(infos[middle - 1]), self.read(infos[middle]))
                reach = star_reach(rotation, infos[0].width, infos[0].height)
                if on_sky is not None:
                    on_sky(rotation, reach)
                self._sky.set_result((rotation, reach))
            except BaseException as error:          # (told to whoever waits for it)
                self._sky.set_exception(error)
        self._sky = Future()
        # (a daemon: an interrupted stack does not wait for the measure to end)
        threading.Thread(target=measure, name="sky", daemon=True).start()

    def sky(self):
        """The sky's turn and the stars' reach, ``(rotation, reach)``, once measured (asked for
        by the stacking thread, where Ctrl-C ends the wait)."""
        return self._sky.result()

    def frames(self, infos, indices):
        """Frames ``indices`` of ``infos``, read; stops early when :attr:`cancel` is set."""
        for k in indices:
            if self.cancel.is_set():
                return
            yield self.read(infos[k])

    def cleaned(self, infos, raw, workers=1):
        """The frames of ``infos`` from ``raw`` (the decoded frames, in order), their streaks
        taken out and their gaps filled as the settings say, in ``workers`` threads of their
        own (1: in the caller's)."""
        stream = enumerate(raw)
        if self.settings.remove_streaks is not None:
            stream = self.without_streaks(infos, stream, workers)
        if self.settings.fill_gaps:
            stream = self.gaps_filled(stream, workers)
        return (frame for _, frame in stream)

    def without_streaks(self, infos, raw, workers=1):
        """The pairs (index, frame) of the frames of ``infos`` with their streaks taken out,
        from ``raw``: the pairs (index, frame) of the decoded frames, in order. Holds five
        frames, and the luminance and star light of each (:mod:`starsweeper.model.night`),
        made once. With ``workers`` above 1 that work runs in as many threads of its own, up to
        ``workers`` frames ahead of the one given out (a frame's streaks depend on the raw
        frames alone); with 1, in the caller's thread."""
        from ..model.night import luminance, remove_streaks, star_light, streak_neighbours
        held, lights, lumas = {}, {}, {}
        take, sigma = self.buffers.take, self.settings.remove_streaks
        pending = []                        # (index, future of (frame, streaks)), in order

        def light(luma, reach):
            return star_light(luma.result(), reach, take)

        def clean(neighbours, frame, luma, lights, rotation, reach, offsets):
            return remove_streaks(neighbours, frame, sigma, reach, [f.result() for f in lights], luma.result(),
                                  rotation, offsets, take)

        def given_out(ahead):
            for k, (frame, streaks) in _oldest_first(pending, ahead):
                if streaks and self.on_streaks is not None:
                    self.on_streaks(k, streaks)
                yield k, frame

        with _frame_threads(workers, "streaks") as pool:
            for k in range(len(infos)):
                neighbours = streak_neighbours(k, len(infos))
                last = max(neighbours + [k])
                if last not in held:
                    for j, frame in raw:
                        held[j] = frame
                        if j >= last:
                            break
                if k not in held or any(j not in held for j in neighbours):
                    return                      # (the frames ended early)
                if k in self.untouched:
                    pending.append((k, _done((held[k], []))))
                else:
                    # (each task waits only for tasks given to the threads before it, which a
                    # thread has taken already: none waits for one that no thread will take)
                    rotation, reach = self.sky()
                    for j in neighbours + [k]:
                        if j not in lumas:
                            lumas[j] = pool.submit(luminance, held[j], take)
                    for j in neighbours:
                        if j not in lights:
                            lights[j] = pool.submit(light, lumas[j], reach)
                    pending.append((k, pool.submit(clean, [held[j] for j in neighbours], held[k], lumas[k],
                                                   [lights[j] for j in neighbours], rotation, reach,
                                                   [j - k for j in neighbours])))
                # Frames later ones are held against are never earlier than frame k + 1's.
                needed = min(streak_neighbours(k + 1, len(infos)) + [k + 1]) if k + 1 < len(infos) else len(infos)
                for j in [j for j in held if j < needed]:
                    del held[j]
                    lights.pop(j, None)
                    lumas.pop(j, None)
                yield from given_out(workers - 1)
            yield from given_out(0)

    def gaps_filled(self, stream, workers=1):
        """The pairs (index, frame) of ``stream`` (a night's frames, in order) with each
        frame's gap to the next filled (:func:`~starsweeper.model.gaps.fill_gap`, compiled:
        :func:`.gaps.fill_gap`), the last as it is. With ``workers`` above 1 the stars are
        found and the gaps filled in as many threads of their own, up to ``workers`` frames
        ahead of the one given out; with 1, in the caller's thread."""
        from .gaps import SkyView, fill_gap
        take = self.buffers.take
        pending = []                        # (index, future of the filled frame), in order

        def viewed(frame):
            # (what is read of it, made once for both its gaps)
            view = SkyView(frame, take)
            _ = view.stars                           # (made here, in this thread)
            return view

        def filled(earlier, frame, rotation, views):
            # (filled in place where no other work reads the frame: the streaks' window holds
            # the frames it gives out as they are)
            own = self.settings.remove_streaks is None and earlier.flags.writeable
            return fill_gap(earlier, frame, rotation, tuple(view.result() for view in views), take,
                            out=earlier if own else None)[0]

        previous = None
        with _frame_threads(workers, "gaps") as pool:
            for k, frame in stream:
                rotation, _ = self.sky()        # (None: no turn to follow, no stars to look for)
                view = None if rotation is None else pool.submit(viewed, frame)
                if previous is not None:
                    j, earlier, earlier_view = previous
                    pending.append((j, _done(earlier) if rotation is None else
                                    pool.submit(filled, earlier, frame, rotation, (earlier_view, view))))
                previous = k, frame, view
                yield from _oldest_first(pending, workers - 1)
            yield from _oldest_first(pending, 0)
        if previous is not None:
            yield previous[:2]

    def wants(self, k):
        """Whether ``on_stack`` wants the stack after frame ``k`` (from 1)."""
        return self.on_stack is not None and (k % self.every == 0 or k == self.count)

    def float_stacker(self, info, first_index=1):
        """The model's stacker for frames like ``info``, from frame ``first_index`` on."""
        settings = self.settings
        return FloatStacker(settings.attenuation, settings.fade_in, first_index,
                            work=np.float32 if info.depth == 8 else np.float64, mode=settings.mode)


def _in_chunks(settings, job):
    """Whether the frames are stacked in a chunk a thread: the model's stack of the frames as
    they are, with no running stack wanted; else in order."""
    return (settings.engine == "model" and job.on_stack is None and job.preview is None
            and settings.remove_streaks is None and not settings.fill_gaps)


def _stack(infos, job, counter):
    settings = job.settings
    if _in_chunks(settings, job):
        return _stack_model(infos, job, counter)
    if settings.engine == "model":
        stacker = job.float_stacker(infos[0])
        return _feed(stacker, infos, job, counter, lambda: stacker.result(infos[0].dtype))
    if settings.engine == "fixed":
        stacker = FixedStacker(settings.attenuation, infos[0].depth)
        return _feed(stacker, infos, job, counter, stacker.result)
    from .rtl import RTLStacker
    # The hardware subtracts the dark itself: its dark-frame stage in front of the stacker.
    dark, job.dark = job.dark, None
    with RTLStacker(settings.attenuation, infos[0].depth, workers=settings.workers, dark=dark) as stacker:
        return _feed(stacker, infos, job, counter, stacker.result)


def _feed(stacker, infos, job, counter, result):
    """The frames in order into ``stacker``, decoding ahead; ``result()`` is its stack."""
    frames = job.cleaned(infos, _decoded_in_order(infos, job, counter), job.settings.workers)
    preview, running = job.preview, None
    top = np.iinfo(infos[0].dtype).max
    try:
        for k, frame in enumerate(frames, start=1):
            stacker.add(frame)
            wanted, shown = job.wants(k), preview is not None and preview.due(k)
            running = RunningStack(result, stacker, top) if wanted or shown else None
            if wanted:
                job.on_stack(k, running)
            if shown:
                preview.show(k, running)
            elif preview is not None:
                preview.poll()
    finally:
        frames.close()      # (stopped here, by Ctrl-C or a closed preview: the night's threads end now)
    job.buffers.clear()
    return result() if running is None else running.image()    # (the last frame's, if made already)


def _decoded_in_order(infos, job, counter):
    """Yield decoded frames in order, with up to ``workers`` frames decoding ahead."""
    workers = job.settings.workers
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


def _stack_chunk(infos, chunk, job, counter):
    """Stack one contiguous chunk of the frames ``infos`` (the indices ``chunk``); returns its
    stacker (None when the job was cancelled)."""
    stacker = job.float_stacker(infos[0], chunk[0] + 1)
    for frame in job.frames(infos, chunk):
        stacker.add(frame)
        counter.advance()
    return None if job.cancel.is_set() else stacker


def _stack_model(infos, job, counter):
    chunks = np.array_split(np.arange(len(infos)), min(job.settings.workers, len(infos)))
    pool = ThreadPoolExecutor(max_workers=len(chunks))
    try:
        futures = [pool.submit(_stack_chunk, infos, range(int(chunk[0]), int(chunk[-1]) + 1), job, counter)
                   for chunk in chunks]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            if future.exception() is not None:
                raise future.exception()
        stackers = [f.result() for f in futures]
    finally:
        job.cancel.set()    # on an error or Ctrl-C, the other threads stop at their next frame
        pool.shutdown(wait=False, cancel_futures=True)
    job.buffers.clear()     # (the frames' memory, before the chunks' stacks are joined and rounded)
    for stacker in stackers[1:]:
        stackers[0].join(stacker)
    return stackers[0].result(infos[0].dtype)


@contextlib.contextmanager
def _frame_threads(workers, name):
    """An executor for a night's work a frame a task: ``workers`` threads named ``name``, or
    with 1 the caller's thread; on leaving, the tasks not begun are cancelled and the threads
    end (after the tasks they are running)."""
    pool = ThreadPoolExecutor(workers, thread_name_prefix=name) if workers > 1 else _InCaller()
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _opencv_threads(count):
    """OpenCV's threads set to ``count`` while the block runs, as they were after. Where threads
    of ours fill the cores, OpenCV's own (which wait for work spinning) only take CPU from
    them: on 2 cores, a 12 MP frame's stars and gap took 127 ms of CPU with OpenCV's 2 threads
    and 90 ms with 1, in the same time."""
    import cv2
    before = cv2.getNumThreads()
    cv2.setNumThreads(count)
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def _oldest_first(pending, ahead):
    """The results of the (index, future) pairs ``pending``, oldest first, as (index, result),
    taken out of it until ``ahead`` remain."""
    while len(pending) > ahead:
        k, future = pending.pop(0)
        yield k, future.result()


class _InCaller:
    """An executor that runs each task in the caller's thread, as it is given."""

    def submit(self, function, *args):
        future = Future()
        try:
            future.set_result(function(*args))
        except BaseException as error:         # (raised where its result is asked for)
            future.set_exception(error)
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def _done(value):
    """A future that holds ``value`` already."""
    future = Future()
    future.set_result(value)
    return future
