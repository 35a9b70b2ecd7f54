"""Reference model of the button front end: debouncing, press detection and auto-repeat.

Clock-accurate: :meth:`ButtonActions.step` is one clock of the gateware twin
(:mod:`starsweeper.gateware.buttons`).

* A debouncer's output takes the input's level once the input has differed from the output for
  ``debounce_cycles`` consecutive clocks; any shorter glitch is ignored, so each press acts once.
* A press is a rising edge of a debounced level.
* Auto-repeat: while a direction button is held, it presses again ``repeat_delay`` clocks after
  the last press of any button, then every ``repeat_period`` clocks (on the board 0.4 s, then
  10 per second). The centre button never repeats.
"""

BUTTONS = ("centre", "up", "down", "left", "right")
#: Bit of each button in the ``buttons`` input and the ``press`` output.
BUTTON_BIT = {name: bit for bit, name in enumerate(BUTTONS)}
DIRECTIONS_MASK = 0b11110


class Debouncer:
    def __init__(self, cycles):
        if cycles < 1:
            raise ValueError(f"debounce cycles must be at least 1, not {cycles}")
        self.cycles = cycles
        self.level = 0
        self.count = 0

    def step(self, raw):
        if raw == self.level:
            self.count = 0
        elif self.count == self.cycles - 1:
            self.level = raw
            self.count = 0
        else:
            self.count += 1
        return self.level


class ButtonActions:
    """All five buttons: ``step(raw_bits)`` returns the bits pressed in this clock."""

    def __init__(self, debounce_cycles, repeat_delay, repeat_period):
        if not 0 < repeat_period <= repeat_delay:
            raise ValueError("need 0 < repeat_period <= repeat_delay")
        self.debouncers = [Debouncer(debounce_cycles) for _ in BUTTONS]
        self.repeat_delay = repeat_delay
        self.repeat_period = repeat_period
        self.previous = 0
        self.repeat_count = 0

    def step(self, raw):
        """One clock: the bits pressed in this clock (from the registers as they are), then the
        registers take their next values with ``raw`` sampled at the clock edge."""
        levels = 0
        for bit, debouncer in enumerate(self.debouncers):
            levels |= debouncer.level << bit
        pressed = levels & ~self.previous
        held_directions = levels & DIRECTIONS_MASK
        repeat = 0
        if pressed or not held_directions:
            self.repeat_count = 0
        elif self.repeat_count == self.repeat_delay - 1:
            repeat = held_directions
            self.repeat_count = self.repeat_delay - self.repeat_period
        else:
            self.repeat_count += 1
        self.previous = levels
        for bit, debouncer in enumerate(self.debouncers):
            debouncer.step((raw >> bit) & 1)
        return pressed | repeat

    @property
    def held(self):
        return any(d.level for d in self.debouncers)
