"""Screenshots of the hardware: play a move script on the RTL and capture a VGA frame.

The design is :class:`~starsweeper.gateware.minesweeper_system.MinesweeperSystem` emitted with
simulation parameters (:data:`SIM_PARAMETERS`: one pixel per clock, short debounce), run by the
cached Verilator model (:mod:`starsweeper.verilator`), whose C++ harness presses the buttons
of the move script (:mod:`starsweeper.moves`) and rebuilds the next frame from the VGA pins.
The same system is checked under Icarus, frame by frame against the same renderer, by the
cocotb display bench (sim/test_minesweeper_display.py).

The model (:func:`model_frame`) gives the frame the RTL must draw.
"""

from .errors import InputError, ToolError
from .model.display import render
from .moves import hold_clocks

__all__ = ["SIM_PARAMETERS", "SimulationError", "rtl_frame", "model_frame", "parse_switches"]

#: MinesweeperSystem's parameters in simulation: a pixel every clock, fast buttons, and a
#: simulated second long enough that the timer stays still during a screenshot.
SIM_PARAMETERS = dict(pixel_divider=1, swaps=1000, clocks_per_second=1_000_000_000,
                      debounce_cycles=4, repeat_delay=40, repeat_period=10)


class SimulationError(ToolError):
    """The model drew a frame with sync pulses of the wrong width or period. (Verilator
    missing, or the model failing, are the model's own errors: ``VerilatorError`` and
    ``HarnessError``.)"""


def parse_switches(text):
    """``"0,7"`` (switch numbers that are on) to the switch bits; ``""`` is all off."""
    bits = 0
    for part in filter(None, (p.strip() for p in text.split(","))):
        if not (part.isascii() and part.isdigit()) or not 0 <= int(part) <= 7:
            raise InputError(f"switch {part!r} is not a number from 0 to 7")
        bits |= 1 << int(part)
    return bits


def rtl_frame(presses, seed=0, switches=0, parameters=None, log=None):
    """The frame after ``presses`` (from :func:`starsweeper.moves.play`) on the Verilator model
    of the system with ``parameters`` (default :data:`SIM_PARAMETERS`): a 480x640 RGB332
    array. The harness checks every sync pulse; ``log`` is told when the model has to be built
    first."""
    from .verilator.build import system_model
    from .verilator.protocol import Tap, VerilatedSystem

    parameters = parameters or SIM_PARAMETERS
    executable = system_model(parameters, log)
    with VerilatedSystem(executable, seed=seed, switches=switches,
                         hold_clocks=hold_clocks(parameters)) as system:
        status, frame = system.frame(switches=switches, taps=[Tap.of(p, switches) for p in presses])
    if status.sync_errors:
        raise SimulationError(f"{status.sync_errors} sync pulses of the wrong width or period")
    return frame


def model_frame(game, held=False, switches=0):
    """The reference renderer's frame of ``game`` (from :func:`starsweeper.moves.play`) with
    the centre button ``held`` and ``switches`` set."""
    from .model.minesweeper import SWITCH_DEBUG
    return render(game, debug=bool((switches >> SWITCH_DEBUG) & 1), held=held)
