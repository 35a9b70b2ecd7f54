"""External tools: running them with a time limit, and their failures said in one line."""

import contextlib
import math
import os
import signal
import subprocess
import sys

from .errors import InputError, ToolError

__all__ = ["ToolError", "ToolTimeout", "TIME_LIMITS", "last_line", "failure_text", "limit_of", "run_limited",
           "run_tool", "end_tree", "c_lines_silenced", "time_limit"]


def last_line(output, prefer=None):
    """The last non-empty line of a tool's ``output`` (text or bytes, decoded leniently),
    stripped; with ``prefer``, the last line for which ``prefer(line)`` holds, if one does;
    ``"no output"`` when there is no line at all."""
    if isinstance(output, bytes):
        output = output.decode(errors="replace")
    lines = [line.strip() for line in (output or "").splitlines() if line.strip()]
    preferred = [line for line in lines if prefer(line)] if prefer else []
    return (preferred or lines or ["no output"])[-1]


def failure_text(tool, returncode, output):
    """``tool`` failed with ``returncode`` (negative: a signal): the exit status or the signal,
    and the last non-empty line of its ``output`` (text or bytes)."""
    if returncode is not None and returncode < 0:
        try:
            how = f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            how = f"was killed by signal {-returncode}"
    else:
        how = f"failed (exit status {returncode})"
    return f"{tool} {how}: {last_line(output)}"


class ToolTimeout(ToolError):
    """A tool gave no answer within its time limit; it and what it started were ended."""


#: The time limits of the external tools and models, by kind: the environment variable that
#: sets each (seconds, a positive number) and its default. A limit catches a tool that hangs;
#: the defaults are far above what the work takes here.
TIME_LIMITS = {
    "icarus": ("STARSWEEPER_ICARUS_TIMEOUT", 3600.0),        # iverilog, vvp (a block of frames)
    "yosys": ("STARSWEEPER_YOSYS_TIMEOUT", 3600.0),          # the Spartan-6 report of one core
    "verilator": ("STARSWEEPER_VERILATOR_TIMEOUT", 1800.0),  # verilator, make and g++ (a model)
    "model": ("STARSWEEPER_MODEL_TIMEOUT", 120.0),           # a Verilator model's answer
    "ise": ("STARSWEEPER_ISE_TIMEOUT", 4 * 3600.0),          # xst, ngdbuild, map, par, bitgen
}


def limit_of(kind):
    """The time limit of ``kind`` (:data:`TIME_LIMITS`): (seconds, the variable that sets it)."""
    variable, default = TIME_LIMITS[kind]
    return time_limit(variable, default), variable


def run_limited(kind, argv, **options):
    """:func:`run_tool` within ``kind``'s limit (:func:`limit_of`); its time-out names the
    variable that sets the limit."""
    timeout, variable = limit_of(kind)
    try:
        return run_tool(argv, timeout=timeout, **options)
    except ToolTimeout as e:
        raise ToolTimeout(f"{e} ({variable} sets the limit)") from None


def run_tool(argv, *, timeout, cwd=None, env=None, stdout=None, started=None):
    """Run ``argv`` with no input, in a process group of its own, for at most ``timeout``
    seconds. Its output (standard error with it) goes to the file ``stdout`` when one is given
    (and ``b""`` is returned), else it is returned. Returns (exit status, output as bytes).

    The output goes to a file, never a pipe, so that a process the tool started and left
    running (in a session of its own, say) cannot keep the call waiting. When the tool ends,
    whatever it left in its group is ended too; on time-out or an interruption the tool and
    every process it started (its group, and every descendant still found) are killed before
    :class:`ToolTimeout` (or the interruption) goes on. ``started(child)``, if given, is told
    the child process (so that another thread can end it). An ``OSError`` means the tool could
    not be started."""
    import tempfile
    with tempfile.TemporaryFile() as scratch:
        target = stdout if stdout is not None else scratch
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=target, stderr=subprocess.STDOUT,
                                 cwd=cwd, env=env, start_new_session=True)
        if started is not None:
            started(child)
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            end_tree(child)
            raise ToolTimeout(f"{argv[0]} gave no answer in {timeout:g} s") from None
        except BaseException:
            end_tree(child)
            raise
        _kill_group(child.pid)              # what the tool left running in its group
        if stdout is not None:
            return child.returncode, b""
        scratch.seek(0)
        return child.returncode, scratch.read()


def _descendants(pid):
    """The processes descended from ``pid`` that /proc shows now (Linux; none elsewhere)."""
    parents = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                parents.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def end_tree(child):
    """Kill ``child`` (a ``Popen`` started in a group of its own), its group and every process
    descended from it, and reap it."""
    tree = _descendants(child.pid)
    _kill_group(child.pid)
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    child.wait()


@contextlib.contextmanager
def c_lines_silenced():
    """While inside, what C libraries print on file descriptor 2 themselves (LibRaw's "Unexpected
    end of file", libpng's and libjpeg's warnings, OpenCV's) goes nowhere, so that the command's
    own line is the only one; Python's ``sys.stderr`` keeps going where it went (when it wrote
    to descriptor 2, it is moved to a copy of it first)."""
    try:
        ours = sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):
        ours = False                             # a stream of its own (a test's capture)
    sys.stderr.flush()
    saved = os.dup(2)
    previous = sys.stderr
    if ours:
        sys.stderr = open(os.dup(saved), "w", buffering=1, errors="backslashreplace")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    try:
        yield
    finally:
        if ours:
            sys.stderr.flush()
            sys.stderr.close()
            sys.stderr = previous
        os.dup2(saved, 2)
        os.close(saved)


def time_limit(variable, default):
    """Seconds from the environment variable ``variable`` (a positive, finite number), else
    ``default``; an :class:`~starsweeper.errors.InputError` naming the variable otherwise."""
    text = os.environ.get(variable)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    # At most a year: a longer one is no limit, and Python's waits refuse it (OverflowError).
    if not (math.isfinite(value) and 0 < value <= 365 * 24 * 3600):
        raise InputError(f"{variable} must be a positive number of seconds, at most a year, not {text!r}")
    return value
