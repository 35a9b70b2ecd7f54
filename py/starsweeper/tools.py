"""External tools' failures, said in one line."""

import signal

__all__ = ["ToolError", "failure_text"]


class ToolError(RuntimeError):
    """An external tool (iverilog, vvp, ...) failed; the message says how, in one line."""


def failure_text(tool, returncode, output):
    """``tool`` failed with ``returncode`` (negative: a signal): the exit status or the signal,
    and the last non-empty line of its ``output`` (text or bytes)."""
    if isinstance(output, bytes):
        output = output.decode(errors="replace")
    lines = [line.strip() for line in (output or "").splitlines() if line.strip()]
    if returncode is not None and returncode < 0:
        try:
            how = f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            how = f"was killed by signal {-returncode}"
    else:
        how = f"failed (exit status {returncode})"
    return f"{tool} {how}: {lines[-1] if lines else 'no output'}"
