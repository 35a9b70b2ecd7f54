"""A window on the screen, through pygame-ce: what ``starsweeper play`` and ``starsweeper stack
--preview`` open their windows with.

SDL falls back to drawing off screen when the display it is given does not answer (``DISPLAY``
naming no X server, a dead ``WAYLAND_DISPLAY``): a window nobody sees, which would run for
ever. :func:`open_window` refuses that in one line (:class:`WindowError`), as it does any other
failure to open one; :func:`display_available` says whether a display is named at all, so that a
command can refuse before any work.

An X server that goes away under an open window makes Xlib end the process in its own words
("X connection to :0 broken"), with no clean-up. :func:`open_window` replaces Xlib's handler
of that: the clean-ups registered with :func:`at_display_lost` run (a model stopped, a hidden
file removed), one line says what happened, and the process exits with status 1.
"""

import os
import sys

from .errors import UserError

__all__ = ["WindowError", "WindowClosed", "display_available", "no_display_message", "pygame_module",
           "open_window", "at_display_lost"]


class WindowError(UserError):
    """The window cannot be opened; the message says why."""


class WindowClosed(KeyboardInterrupt):
    """The user closed the window (or pressed Esc) of a command that stops as on Ctrl-C."""


def display_available():
    """Whether a window can be opened at all (an X or Wayland display is named)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def no_display_message(command):
    """The one line for ``command`` (e.g. ``"starsweeper play"``) when there is no display."""
    return (f"no display to open a window on (DISPLAY and WAYLAND_DISPLAY are not set); on a machine "
            f"without one, try: xvfb-run {command}")


def pygame_module():
    """pygame, imported without its greeting."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame
    return pygame


def open_window(size, caption, fit=None, command="starsweeper"):
    """A pygame window of ``size`` (width, height) with ``caption``; returns its surface.
    ``fit(screen_width, screen_height)``, if given, gives the size from the screen's instead.
    Raises :class:`WindowError` when no display answers; ``command`` names the command in the
    line said if the display goes away later (:func:`at_display_lost`)."""
    pygame = pygame_module()
    try:
        pygame.display.init()
        driver = pygame.display.get_driver()
        if driver in ("offscreen", "dummy") and os.environ.get("SDL_VIDEODRIVER") != driver:
            raise pygame.error(f"no display answers (DISPLAY={os.environ.get('DISPLAY', '')!r}, "
                               f"WAYLAND_DISPLAY={os.environ.get('WAYLAND_DISPLAY', '')!r}); "
                               f"SDL would draw off screen")
        if fit is not None:
            info = pygame.display.Info()
            size = fit(info.current_w, info.current_h)
        screen = pygame.display.set_mode(size)
    except pygame.error as e:
        pygame.quit()
        raise WindowError(f"cannot open a window: {e}") from None
    pygame.display.set_caption(caption)
    if pygame.display.get_driver() == "x11":
        _handle_display_lost(command)
    return screen


_cleanups = []
_handler = None          # the ctypes callback Xlib holds (kept alive here)


def at_display_lost(cleanup):
    """Run ``cleanup()`` if the X server goes away under the window (before the process exits);
    returns a function that takes it back (when what it cleans up is done with)."""
    _cleanups.append(cleanup)
    return lambda: _cleanups.remove(cleanup) if cleanup in _cleanups else None


def _display_lost(command):
    """Xlib's fatal I/O error: the clean-ups, one line, exit 1 (Xlib would exit anyway)."""
    for cleanup in reversed(_cleanups):
        try:
            cleanup()
        except Exception:                   # one failing clean-up must not keep the others from running
            pass
    sys.stderr.write(f"{command}: error: the display went away (DISPLAY={os.environ.get('DISPLAY', '')!r})\n")
    sys.stderr.flush()
    os._exit(1)


def _handle_display_lost(command):
    """Put :func:`_display_lost` in place of Xlib's fatal I/O error handler (X11 only)."""
    global _handler
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library("X11")
    if name is None:
        return
    xlib = ctypes.CDLL(name)
    kind = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
    _handler = kind(lambda display: _display_lost(command))
    xlib.XSetIOErrorHandler.restype = ctypes.c_void_p
    xlib.XSetIOErrorHandler.argtypes = [kind]
    xlib.XSetIOErrorHandler(_handler)
