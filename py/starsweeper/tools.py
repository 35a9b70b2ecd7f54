"""External tools: running them with a time limit, and their failures said in one line."""

import math
import os
import signal
import subprocess

from .errors import InputError, ToolError

__all__ = ["ToolError", "ToolTimeout", "last_line", "failure_text", "run_tool", "time_limit"]


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


def run_tool(argv, *, timeout, cwd=None, env=None, stdout=None):
    """Run ``argv`` with no input, in a process group of its own, for at most ``timeout``
    seconds. Its output (standard error with it) goes to the file ``stdout`` when one is given
    (and ``b""`` is returned), else it is returned. Returns (exit status, output as bytes).

    On time-out, or an interruption, the whole group (the tool and every process it started)
    is killed before :class:`ToolTimeout` (or the interruption) goes on; an ``OSError`` means
    the tool could not be started."""
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout or subprocess.PIPE,
                             stderr=subprocess.STDOUT, cwd=cwd, env=env, start_new_session=True)
    try:
        output, _ = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end_group(child)
        raise ToolTimeout(f"{argv[0]} gave no answer in {timeout:g} s") from None
    except BaseException:
        _end_group(child)
        raise
    return child.returncode, output or b""


def _end_group(child):
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.communicate()


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
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"{variable} must be a positive number of seconds, not {text!r}")
    return value
