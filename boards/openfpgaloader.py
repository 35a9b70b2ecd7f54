"""Programming the ULX3S through openFPGALoader, with the command line of amaranth-boards'
``ULX3S_*_Platform.toolchain_program`` (``openFPGALoader -b ulx3s -m FILE``: into the FPGA's
configuration memory, lost at power-off; ``$OPENFPGALOADER`` names another command, as there).

The guarantees of the Adept path (:mod:`.adept`): no standard input, a time limit
(``STARSWEEPER_OPENFPGALOADER_TIMEOUT`` seconds, 120 unless set) after which openFPGALoader and
everything it started are ended, its output read as bytes and decoded leniently, and one line
when it fails.
"""

import os
from pathlib import Path
import shutil

from starsweeper.tools import ToolTimeout, last_line, run_tool, time_limit

from .adept import ProgramError

__all__ = ["program", "command", "TIMEOUT_VARIABLE", "TIMEOUT_SECONDS"]

TIMEOUT_SECONDS = 120.0
TIMEOUT_VARIABLE = "STARSWEEPER_OPENFPGALOADER_TIMEOUT"


def command(bitfile):
    """The command line that programs ``bitfile``, as the platform's ``toolchain_program`` runs it."""
    return [os.environ.get("OPENFPGALOADER", "openFPGALoader"), "-b", "ulx3s", "-m", str(bitfile)]


def program(bitfile, timeout=None):
    """Program ``bitfile`` into the ULX3S's FPGA; returns openFPGALoader's last line."""
    timeout = time_limit(TIMEOUT_VARIABLE, TIMEOUT_SECONDS) if timeout is None else timeout
    bitfile = Path(bitfile)
    if not bitfile.is_file():
        raise ProgramError(f"{bitfile}: no such bit file (build one with `starsweeper build --board ulx3s`)")
    argv = command(bitfile)
    if shutil.which(argv[0]) is None:
        raise ProgramError(f"{argv[0]} is not on PATH: install openFPGALoader (Debian/Ubuntu package "
                           "openfpgaloader)")
    try:
        code, output = run_tool(argv, timeout=timeout)
    except OSError as e:
        raise ProgramError(f"{argv[0]} cannot be run: {e.strerror or e}") from None
    except ToolTimeout:
        raise ProgramError(f"{argv[0]} gave no answer in {timeout:g} s (is the board connected, "
                           f"and is no other program using its USB port?)") from None
    if code != 0:
        raise ProgramError(f"programming failed (openFPGALoader exit status {code}: {last_line(output)}); "
                           "is the ULX3S connected by its US1 port?")
    return last_line(output)
