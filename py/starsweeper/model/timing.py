"""The game's times in seconds, and the system's parameters for a clock: the one place that
turns a board's clock into clock counts (the Nexys 3's 100 MHz, the ULX3S's 25 MHz).

:func:`system_parameters` gives the keyword arguments of
:class:`~starsweeper.gateware.minesweeper_system.MinesweeperSystem` for a clock; the cores'
defaults are those of :data:`DEFAULT_CLOCK_HZ`.
"""

__all__ = ["PIXEL_HZ", "DEFAULT_CLOCK_HZ", "DEBOUNCE_SECONDS", "REPEAT_DELAY_SECONDS",
           "REPEAT_PERIOD_SECONDS", "DIGIT_SECONDS", "system_parameters"]

#: The pixel clock of 640x480 at 60 Hz as this project makes it (nominally 25.175 MHz).
PIXEL_HZ = 25_000_000
#: The clock the cores' default parameters are for (the Nexys 3's oscillator).
DEFAULT_CLOCK_HZ = 100_000_000
#: A button must be steady this long to count (contact bounce lasts a few milliseconds).
DEBOUNCE_SECONDS = 0.010
#: A held direction button repeats after this long, then once every REPEAT_PERIOD_SECONDS.
REPEAT_DELAY_SECONDS = 0.4
REPEAT_PERIOD_SECONDS = 0.1
#: Each seven-segment digit is lit this long in turn (a 250 Hz refresh of the four).
DIGIT_SECONDS = 0.001


def system_parameters(clock_hz):
    """The system's timing parameters for a ``clock_hz`` clock: the pixel enable's divider
    (the clock must be a whole multiple of :data:`PIXEL_HZ`), the timer's second, the debounce
    time, the auto-repeat and the seven-segment digit time, each in clocks."""
    if not isinstance(clock_hz, int) or clock_hz < PIXEL_HZ or clock_hz % PIXEL_HZ:
        raise ValueError(f"The clock must be a whole multiple of {PIXEL_HZ:,} Hz, not {clock_hz!r}")
    return {
        "pixel_divider": clock_hz // PIXEL_HZ,
        "clocks_per_second": clock_hz,
        "debounce_cycles": round(clock_hz * DEBOUNCE_SECONDS),
        "repeat_delay": round(clock_hz * REPEAT_DELAY_SECONDS),
        "repeat_period": round(clock_hz * REPEAT_PERIOD_SECONDS),
        "digit_clocks": round(clock_hz * DIGIT_SECONDS),
    }
