"""A window on the screen, through pygame-ce: what ``starsweeper play`` and ``starsweeper stack
--preview`` open their windows with.

SDL falls back to drawing off screen when the display it is given does not answer (``DISPLAY``
naming no X server, a dead ``WAYLAND_DISPLAY``): a window nobody sees, which would run for
ever. :func:`open_window` refuses that in one line (:class:`WindowError`), as it does any other
failure to open one; :func:`display_available` says whether a display is named at all, so that a
command can refuse before any work.
"""

import os

from .errors import UserError

__all__ = ["WindowError", "WindowClosed", "display_available", "no_display_message", "pygame_module",
           "open_window"]


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


def open_window(size, caption, fit=None):
    """A pygame window of ``size`` (width, height) with ``caption``; returns its surface.
    ``fit(screen_width, screen_height)``, if given, gives the size from the screen's instead.
    Raises :class:`WindowError` when no display answers."""
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
    return screen
