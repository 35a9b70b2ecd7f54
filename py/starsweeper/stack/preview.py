"""``starsweeper stack --preview``: the growing stack in a window while it runs.

The window (pygame-ce, as ``play`` opens it: :mod:`starsweeper.window`) is the frames' shape,
scaled down to fit nine tenths of the screen (never up). The stack is shown at most
``1 / INTERVAL`` times a second, and after the last frame: each showing asks the pipeline for
the running stack at the window's size; in between, the window's events are read after every
frame. A showing reads the whole stack (a 12 MP float stack is 144 MB: some 50 ms), so the
showings are also kept to :data:`TIME_SHARE` of the time: after one that took ``t`` seconds,
the next waits ``t / TIME_SHARE`` at least. The first showing is not the measure: it also pays
what is done once (OpenCV's threads, the first buffers: twice a later one's time, which kept a
100-frame stack of 12 MP from being shown again until its last frames). Closing the window or Esc stops the stack as Ctrl-C does
(:class:`~starsweeper.window.WindowClosed`: nothing is written).

What is shown is the stack as the video's frames are made
(:func:`~starsweeper.stack.running.scaled_rgb`): 8 bits, grey as grey, scaled by area
averaging (OpenCV's ``INTER_AREA``) to the window.
"""

import math
import time

from ..window import WindowClosed, open_window, pygame_module

__all__ = ["INTERVAL", "TIME_SHARE", "SCREEN_SHARE", "preview_size", "StackPreview"]

#: The least time between two showings, seconds: at most four a second.
INTERVAL = 0.25
#: The most of the time the showings may take (their own time, against the time between them).
TIME_SHARE = 0.05
#: The share of the screen's width and height the window may take.
SCREEN_SHARE = 0.9


def preview_size(width, height, screen_width, screen_height):
    """The window's size for frames of ``width`` x ``height`` on a screen of ``screen_width`` x
    ``screen_height``: the frames' aspect (rounded down), at most :data:`SCREEN_SHARE` of the screen each way,
    never larger than the frames, at least 1 x 1."""
    scale = min(1.0, SCREEN_SHARE * screen_width / width, SCREEN_SHARE * screen_height / height)
    return max(1, math.floor(width * scale + 1e-9)), max(1, math.floor(height * scale + 1e-9))


class StackPreview:
    """The window: :meth:`due` says when the pipeline should give it the stack, :meth:`show`
    shows it, :meth:`poll` reads the window's events between showings (raising
    :class:`~starsweeper.window.WindowClosed` when it was closed). ``count``: the frames to be stacked (the last is
    always shown); ``clock``: seconds, for the time between showings; ``timer``: seconds, for a
    showing's own time."""

    def __init__(self, width, height, count, clock=time.monotonic, timer=time.perf_counter):
        self.count, self.clock, self.timer = count, clock, timer
        self.shown = None                   # (k, image) last shown
        self.last = None
        self.cost = 0.0                     # the last showing's time, seconds
        self.screen = open_window((width, height), self._caption(0),
                                  fit=lambda sw, sh: preview_size(width, height, sw, sh), command="starsweeper stack")
        self.pygame = pygame_module()
        self.size = self.screen.get_size()

    def _caption(self, k):
        return f"starsweeper stack: {k} of {self.count} frames (Esc stops, nothing written)"

    def due(self, k):
        """Whether the stack after frame ``k`` (from 1) is to be shown."""
        return (k == self.count or self.last is None
                or self.clock() - self.last >= max(INTERVAL, self.cost / TIME_SHARE))

    def show(self, k, stack):
        """Show ``stack`` (a :class:`~starsweeper.stack.running.RunningStack`), the stack of the
        first ``k`` frames."""
        start = self.timer()
        image = stack.scaled(self.size)
        pg = self.pygame
        self.screen.blit(pg.surfarray.make_surface(image.swapaxes(0, 1)), (0, 0))
        pg.display.set_caption(self._caption(k))
        pg.display.flip()
        took = self.timer() - start
        self.cost = took if self.shown is not None else 0.0      # (the first: see the module)
        self.shown, self.last = (k, image), self.clock()
        self.poll()

    def poll(self):
        """Read the window's events; :class:`~starsweeper.window.WindowClosed` when it was closed or Esc pressed."""
        pg = self.pygame
        for event in pg.event.get():
            if event.type == pg.QUIT or (event.type == pg.KEYDOWN and event.key == pg.K_ESCAPE):
                raise WindowClosed()

    def close(self):
        self.pygame.quit()
