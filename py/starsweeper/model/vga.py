"""VGA 640x480 at 60 Hz: the VESA timing every VGA core, monitor and renderer shares.

Horizontal: 640 visible + 16 front porch + 96 sync + 48 back porch = 800 pixels a line;
vertical: 480 + 10 + 2 + 33 = 525 lines a frame; both sync pulses active low. The pixel clock
is nominally 25.175 MHz; 25 MHz (a clock enable every 4 cycles of the Nexys 3's 100 MHz
oscillator) is what monitors accept: 59.5 frames a second.
"""

from dataclasses import dataclass

__all__ = ["VgaTiming", "VGA_640X480", "rgb332", "test_pattern", "test_pattern_frame"]


@dataclass(frozen=True)
class VgaTiming:
    h_visible: int
    h_front: int
    h_sync: int
    h_back: int
    v_visible: int
    v_front: int
    v_sync: int
    v_back: int

    @property
    def h_total(self):
        return self.h_visible + self.h_front + self.h_sync + self.h_back

    @property
    def v_total(self):
        return self.v_visible + self.v_front + self.v_sync + self.v_back

    @property
    def h_sync_start(self):
        return self.h_visible + self.h_front

    @property
    def v_sync_start(self):
        return self.v_visible + self.v_front

    def hsync_n(self, x):
        """The active-low horizontal sync at pixel ``x`` of a line."""
        return int(not (self.h_sync_start <= x < self.h_sync_start + self.h_sync))

    def vsync_n(self, y):
        """The active-low vertical sync on line ``y`` of a frame."""
        return int(not (self.v_sync_start <= y < self.v_sync_start + self.v_sync))

    def visible(self, x, y):
        return x < self.h_visible and y < self.v_visible


VGA_640X480 = VgaTiming(640, 16, 96, 48, 480, 10, 2, 33)


def rgb332(red, green, blue):
    """One pixel of the Nexys 3's 8-bit VGA port: 3 bits red, 3 green, 2 blue."""
    return (red << 5) | (green << 2) | blue


def test_pattern(x, y):
    """The test pattern's RGB332 pixel at (``x``, ``y``): red steps every 32 columns, green
    every 32 lines, blue with their exclusive or every 64."""
    return rgb332((x >> 5) & 7, (y >> 5) & 7, ((x ^ y) >> 6) & 3)


def test_pattern_frame(timing=VGA_640X480):
    """The whole visible test pattern as a list of rows of RGB332 values."""
    return [[test_pattern(x, y) for x in range(timing.h_visible)] for y in range(timing.v_visible)]
