"""Programming the Nexys 3 through Digilent Adept's ``djtgcfg``.

``djtgcfg`` may stop at a Y/N question (for a bitstream whose start-up clock is not the JTAG
clock); it never gets one here: its standard input is closed, and every call has a time limit.
"""

import os
from pathlib import Path
import shutil
import subprocess

__all__ = ["ProgramError", "program", "DEVICE", "TIMEOUT_SECONDS"]

DEVICE = "Nexys3"
#: Seconds a djtgcfg call may take; programming the XC6SLX16 takes a few.
TIMEOUT_SECONDS = float(os.environ.get("STARSWEEPER_DJTGCFG_TIMEOUT", 120))


class ProgramError(Exception):
    """A one-line reason why the board was not programmed."""


def _djtgcfg(*args, timeout):
    try:
        result = subprocess.run(["djtgcfg", *args], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ProgramError(f"djtgcfg {args[0]} gave no answer in {timeout:g} s "
                           "(is it waiting for a board or a question?)") from None
    return result.returncode, (result.stdout + result.stderr).strip()


def _last_line(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def program(bitfile, timeout=None):
    """Program ``bitfile`` into the Nexys 3's FPGA; returns djtgcfg's success line."""
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    bitfile = Path(bitfile)
    if not bitfile.is_file():
        raise ProgramError(f"{bitfile}: no such bit file (build one with `starsweeper build`)")
    if shutil.which("djtgcfg") is None:
        raise ProgramError("djtgcfg is not on PATH: install Digilent Adept Runtime and Utilities")
    code, output = _djtgcfg("enum", timeout=timeout)
    if code != 0 or DEVICE not in output:
        raise ProgramError(f"no {DEVICE} answers (djtgcfg enum: {_last_line(output)}); "
                           "is the board on and its PROG USB port connected?")
    code, output = _djtgcfg("prog", "-d", DEVICE, "-i", "0", "-f", str(bitfile), timeout=timeout)
    if code != 0 or "Programming succeeded" not in output:
        raise ProgramError(f"programming failed (djtgcfg prog: {_last_line(output)})")
    return _last_line(output)
