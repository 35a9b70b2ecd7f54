"""The error that means "the user's input is wrong", as distinct from a bug.

The command line prints an :class:`InputError` as one line and exits with status 1; any other
exception, a ``ValueError`` from a bug included, keeps its traceback.
"""

__all__ = ["InputError"]


class InputError(ValueError):
    """A value the user gave is not acceptable; the message says which and why, in one line."""
