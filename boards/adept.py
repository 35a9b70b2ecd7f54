"""Programming the Nexys 3 through Digilent Adept's ``djtgcfg``.

``djtgcfg`` may stop at a Y/N question (for a bitstream whose start-up clock is not the JTAG
clock); it never gets one here: its standard input is closed, and every call has a time limit
(``STARSWEEPER_DJTGCFG_TIMEOUT`` seconds, 120 unless set), after which djtgcfg and every process
it started (its process group) are ended. Its output is read as bytes and decoded leniently.
"""

from pathlib import Path
import shutil

from starsweeper.errors import ToolError
from starsweeper.tools import ToolTimeout, last_line, run_tool, time_limit

__all__ = ["ProgramError", "program", "timeout_seconds", "DEVICE", "TIMEOUT_SECONDS", "TIMEOUT_VARIABLE"]

DEVICE = "Nexys3"
#: Seconds a djtgcfg call may take unless the environment says otherwise; programming the
#: XC6SLX16 takes a few.
TIMEOUT_SECONDS = 120.0
TIMEOUT_VARIABLE = "STARSWEEPER_DJTGCFG_TIMEOUT"


class ProgramError(ToolError):
    """A one-line reason why the board was not programmed."""


def timeout_seconds():
    """The time limit from ``STARSWEEPER_DJTGCFG_TIMEOUT``: a positive, finite number of seconds."""
    return time_limit(TIMEOUT_VARIABLE, TIMEOUT_SECONDS)


def _djtgcfg(*args, timeout):
    try:
        code, output = run_tool(["djtgcfg", *args], timeout=timeout)
    except OSError as e:
        raise ProgramError(f"djtgcfg cannot be run: {e.strerror or e}") from None
    except ToolTimeout:
        raise ProgramError(f"djtgcfg {args[0]} gave no answer in {timeout:g} s "
                           "(is it waiting for a board or a question?)") from None
    return code, output.decode(errors="replace").strip()


def program(bitfile, timeout=None):
    """Program ``bitfile`` into the Nexys 3's FPGA; returns djtgcfg's success line."""
    timeout = timeout_seconds() if timeout is None else timeout
    bitfile = Path(bitfile)
    if not bitfile.is_file():
        raise ProgramError(f"{bitfile}: no such bit file (build one with `starsweeper build`)")
    if shutil.which("djtgcfg") is None:
        raise ProgramError("djtgcfg is not on PATH: install Digilent Adept Runtime and Utilities")
    code, output = _djtgcfg("enum", timeout=timeout)
    if code != 0 or DEVICE not in output:
        raise ProgramError(f"no {DEVICE} answers (djtgcfg enum: {last_line(output)}); "
                           "is the board on and its PROG USB port connected?")
    code, output = _djtgcfg("prog", "-d", DEVICE, "-i", "0", "-f", str(bitfile), timeout=timeout)
    if code != 0 or "Programming succeeded" not in output:
        raise ProgramError(f"programming failed (djtgcfg prog: {last_line(output)})")
    return last_line(output)
