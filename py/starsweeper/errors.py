"""The errors that mean "something the user can put right", as distinct from a bug.

The command line catches :class:`UserError` once: it prints the message as one line and exits
with status 1. Any other exception, a ``ValueError`` from a bug included, keeps its traceback.

* :class:`InputError`: a value the user gave (an option, a file, a move script) is wrong;
* :class:`ToolError`: an external tool or model is missing, failed or gave no answer in time;
* the subcommands' own kinds derive from these (a frame that cannot be read, a failed build).
"""

__all__ = ["UserError", "InputError", "ToolError"]


class UserError(Exception):
    """Something the user can put right; the message says what and why, in one line."""


class InputError(UserError, ValueError):
    """A value the user gave is not acceptable; the message says which and why, in one line."""


class ToolError(UserError, RuntimeError):
    """An external tool (iverilog, vvp, yosys, Verilator's model, ...) is missing or failed;
    the message says which and how, in one line."""
