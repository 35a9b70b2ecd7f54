"""Arrays handed out again once nothing refers to them: the stack's frames and work arrays.

Fresh memory costs more here than the work done in it: the kernel faults in and zeroes each
page at its first touch. On this project's 2-core machine (a virtual machine) that took 6 ms
for the 36 MB of a 12 MP frame on pages the process had used before, and about 50 ms on pages
it had not; ``perf`` put a third of the time of ``--remove-streaks`` in ``clear_page``, under
the JPEG decoder, OpenCV's outputs and copies of frames. A stack makes and drops arrays of the
same few sizes at every frame, so a :class:`BufferPool` keeps them; and the command line asks
the C library's allocator to keep what is freed (:func:`keep_freed_memory`) for the arrays of
other sizes, and the kernel for small pages (:func:`without_huge_pages`).
"""

import ctypes
import sys
import threading

import numpy as np

__all__ = ["BufferPool", "keep_freed_memory", "without_huge_pages"]

_FREE = 3


class BufferPool:
    """Memory handed out as arrays, and handed out again once nothing refers to it any more.

    :meth:`take` gives an array of a shape and type, laid on one of the pool's buffers of that
    many bytes that no array refers to any more (every NumPy view of a buffer, however derived,
    refers to the buffer itself: its ``base``, so a buffer is free when the pool holds the only
    reference: CPython's reference count says so), or on a new one. The pool keeps at most
    ``keep`` buffers; beyond that, new arrays are left to the allocator. Thread-safe: only
    :meth:`take` hands a buffer out, under the pool's lock, so one seen free stays free.
    """

    def __init__(self, keep=64):
        if not isinstance(keep, int) or keep < 0:
            raise ValueError(f"keep must be a non-negative integer, not {keep!r}")
        self.keep = keep
        self._buffers = []
        self._lock = threading.Lock()

    def take(self, shape, dtype):
        """An array of ``shape`` and ``dtype`` (its contents undefined, as ``np.empty``'s)."""
        dtype = np.dtype(dtype)
        shape = tuple(int(n) for n in np.atleast_1d(shape))
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        with self._lock:
            for buffer in self._buffers:
                # free: referred to by the pool's list, this loop and getrefcount's argument only
                if buffer.nbytes == size and sys.getrefcount(buffer) == _FREE:
                    break
            else:
                buffer = np.empty(size, np.uint8)
                if len(self._buffers) < self.keep:
                    self._buffers.append(buffer)
            return buffer.view(dtype).reshape(shape)

    def clear(self):
        """Let go of every buffer (those still in use live on in their arrays): for the end of a
        stack, whose joining and rounding need memory of other sizes."""
        with self._lock:
            self._buffers.clear()

    def __len__(self):
        """The buffers the pool keeps."""
        return len(self._buffers)


# glibc's mallopt parameters (malloc.h); Linux's prctl option (linux/prctl.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
_PR_SET_THP_DISABLE = 41


def keep_freed_memory(library=None):
    """Ask glibc's allocator to keep the memory a process frees, for the next arrays: one arena
    for every thread, never trimmed below 1 GiB, blocks up to 32 MiB (its most) from the heap
    and not mapped afresh. By default each thread's arena is made and unmapped again and again
    as a frame's arrays come and go (``strace`` counted 37 new 64 MiB heaps in 20 frames of
    ``--fill-gaps``), and every new page is faulted in and zeroed: ``--fill-gaps`` spent 3.5 s
    of 100 frames in the kernel, 1.0 s with this, and its peak fell. Returns whether the
    allocator took every setting (False where the C library cannot be loaded or has no
    ``mallopt``). ``library``: the C library's file, if not the one the process already has
    (its symbols, looked up in the process itself: no search for the file, which costs a
    subprocess). For a command's process, before its threads start: a library's caller keeps
    its own allocator's ways."""
    try:
        mallopt = ctypes.CDLL(library).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    taken = [mallopt(parameter, value) == 1 for parameter, value in
             ((_M_ARENA_MAX, 1), (_M_TRIM_THRESHOLD, 1 << 30), (_M_MMAP_THRESHOLD, 32 << 20))]
    return all(taken)


def without_huge_pages(library=None):
    """Ask the kernel to give the process small pages only, never transparent huge pages
    (``prctl(PR_SET_THP_DISABLE)``). NumPy marks each array of 4 MiB or more for huge pages
    (``MADV_HUGEPAGE``), and the mark stays on the allocator's memory after the array is
    freed (NumPy issue 31590). Where the kernel's ``transparent_hugepage/defrag`` is
    ``madvise`` (Debian's and Ubuntu's default), a fault on marked memory with no huge page
    free waits while the kernel compacts memory. ``--fill-gaps`` on 100 frames of 12 MP spent
    1.9 s in the kernel, 0.7 s with this; the plain stack's time did not change. Returns
    whether the kernel took it (False where the C library cannot be loaded, or off Linux).
    ``library``: as for :func:`keep_freed_memory`. For a command's process: a library's
    caller keeps its own pages."""
    try:
        prctl = ctypes.CDLL(library).prctl
    except (OSError, AttributeError):
        return False
    prctl.argtypes, prctl.restype = [ctypes.c_int] + [ctypes.c_ulong] * 4, ctypes.c_int
    return sys.platform.startswith("linux") and prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
