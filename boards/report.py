"""Resource use of each core on the Spartan-6 XC6SLX16, from Yosys (``synth_xilinx -family xc6s``).

``starsweeper report`` synthesises every core in ``hdl/`` (flattened) and counts LUTs (logic
LUTs plus the LUTs that LUT RAMs and shift registers occupy), flip-flops, block RAMs (an 18 Kbit
RAMB16BWER is one, a 9 Kbit RAMB8BWER a half) and DSP48A1 slices, each also as a share of the
device, and the longest combinational path between registers or ports, twice: in cells (LUTs,
MUXF7/8, CARRY4) and in logic levels, the measure of whether a design meets its clock: LUTs in a
row, where a carry chain counts as one level however long (CARRY4 to CARRY4 is the fast dedicated
carry line) and a MUXF7/F8 as part of the level of the LUTs it joins (same slice, no routing).
The asynchronous read of a LUT RAM or shift register (its address to its output) is a LUT on
the path in both measures; its write side, like a flip-flop, ends and starts paths.
On a Spartan-6 -3 a level costs roughly a nanosecond with its routing, so paths of six levels or
fewer leave a 10 ns clock room for clock-to-out, setup and fan-out. Yosys's numbers are estimates
of ISE's: ISE's map and timing reports are the last word.
"""

from dataclasses import dataclass
import json
from pathlib import Path
import re
import shutil
import sys
import tempfile

from starsweeper.errors import ToolError
from starsweeper.tools import failure_text, run_limited

__all__ = ["DEVICE", "Resources", "synthesize", "format_table", "bit_drivers", "YosysMissing", "ReportError"]

#: XC6SLX16 capacity (fact sheet).
DEVICE = {"luts": 9112, "ffs": 18224, "brams": 32, "dsps": 32}

#: LUTs that each LUT-RAM or shift-register primitive occupies.
_LUT_MEMORY = {
    "RAM16X1D": 2, "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM32X1S": 1, "RAM64X1S": 1,
    "RAM32M": 4, "RAM64M": 4, "SRL16E": 1, "SRLC16E": 1, "SRLC32E": 1,
}
_COMBINATIONAL = {"LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "MUXF7", "MUXF8", "CARRY4", "INV",
                  *_LUT_MEMORY}


def _combinational_input(cell_type, port):
    """Whether ``port`` of a combinational cell reaches its outputs in the same clock: every
    input of a logic cell; only the read addresses of a LUT RAM or shift register (not ADDRD of
    a RAM32M/RAM64M, the write address that Yosys gives port D)."""
    if cell_type not in _LUT_MEMORY:
        return True
    if port == "ADDRD":
        return False
    return port.startswith(("ADDR", "DPRA")) or re.fullmatch(r"A\d*", port) is not None


class YosysMissing(ToolError):
    pass


class ReportError(ToolError):
    """A core's Verilog is missing or Yosys cannot synthesise it; one line."""


@dataclass
class Resources:
    name: str
    luts: int
    ffs: int
    brams: float
    dsps: int
    longest_path: int
    logic_levels: int


def _count(cells):
    types = [cell["type"] for cell in cells.values()]
    luts = sum(t.startswith("LUT") for t in types) + sum(_LUT_MEMORY.get(t, 0) for t in types)
    ffs = sum(t.startswith("FD") for t in types)
    brams = sum(t == "RAMB16BWER" for t in types) + 0.5 * sum(t == "RAMB8BWER" for t in types)
    dsps = sum(t == "DSP48A1" for t in types)
    return luts, ffs, brams, dsps


def bit_drivers(cells):
    """Net bit -> name of the cell driving it, in a Yosys JSON module's ``cells`` (black-box
    primitives, which Yosys gives no port directions, drive their ``O``)."""
    driver = {}
    for name, cell in cells.items():
        directions = cell.get("port_directions") or {"O": "output"}
        for port, bits in cell["connections"].items():
            if directions.get(port) == "output":
                for bit in bits:
                    driver[bit] = name
    return driver


def _deepest(cells, weight):
    """The largest sum of ``weight(name, driver_of)`` over a chain of combinational cells from a
    register, RAM, DSP or port to another."""
    driver = bit_drivers(cells)
    depth = {}

    def visit(name, stack):
        if name in depth:
            return depth[name]
        if name in stack:
            raise ValueError(f"combinational loop through {name}")
        stack.add(name)
        cell, best = cells[name], 0
        for port, bits in cell["connections"].items():
            if cell["port_directions"].get(port) != "input" or not _combinational_input(cell["type"], port):
                continue
            for bit in bits:
                source = driver.get(bit)
                if source is not None and cells[source]["type"] in _COMBINATIONAL:
                    best = max(best, visit(source, stack))
        stack.discard(name)
        depth[name] = best + weight(name, driver)
        return depth[name]

    comb = [n for n, c in cells.items() if c["type"] in _COMBINATIONAL]
    sys.setrecursionlimit(max(10000, 4 * len(comb)))
    return max((visit(n, set()) for n in comb), default=0)


def longest_path(cells):
    """Most combinational cells on any path from a register, RAM, DSP or port to another."""
    return _deepest(cells, lambda name, driver: 1)


def logic_levels(cells):
    """Most logic levels on any such path: a LUT (or a LUT RAM's read) is a level; a carry
    chain is one level (a CARRY4 fed through CI by another adds none); MUXF7/F8 and inverters
    add none."""
    def weight(name, driver):
        cell = cells[name]
        if cell["type"] == "CARRY4":
            carry_in = cell["connections"].get("CI", [None])[0]
            source = driver.get(carry_in)
            return 0 if source is not None and cells[source]["type"] == "CARRY4" else 1
        return 1 if cell["type"].startswith("LUT") or cell["type"] in _LUT_MEMORY else 0
    return _deepest(cells, weight)


def synthesize(verilog, top, name=None):
    """Synthesise ``top`` from the Verilog file ``verilog`` for Spartan-6."""
    if shutil.which("yosys") is None:
        raise YosysMissing("yosys is not on PATH: install the Debian/Ubuntu package yosys")
    if not Path(verilog).is_file():
        raise ReportError(f"{verilog}: no such file (regenerate hdl/ with: starsweeper hdl)")
    with tempfile.TemporaryDirectory(prefix="starsweeper-report-") as tmp:
        netlist = Path(tmp) / "netlist.json"
        script = (f"read_verilog {verilog}; synth_xilinx -family xc6s -flatten -top {top}; "
                  f"write_json {netlist}")
        code, output = run_limited("yosys", ["yosys", "-q", "-p", script])
        if code != 0 or not netlist.exists():
            raise ReportError(f"{verilog}: " + failure_text("yosys", code, output))
        try:
            design = json.loads(netlist.read_text(errors="replace"))
            cells = design["modules"][top]["cells"] if top in design["modules"] else None
        except (ValueError, KeyError, TypeError):
            raise ReportError(f"{verilog}: Yosys wrote a netlist that is not the JSON it writes "
                              f"({netlist.name})") from None
    if cells is None:
        raise ReportError(f"{verilog}: has no module {top}")
    luts, ffs, brams, dsps = _count(cells)
    return Resources(name or top, luts, ffs, brams, dsps, longest_path(cells), logic_levels(cells))


def format_table(rows):
    def share(value, key):
        return f"{value:g} ({100 * value / DEVICE[key]:.1f}%)"
    lines = ["| core | LUTs | flip-flops | block RAMs | DSP48A1 | longest path (cells) | logic levels |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.name} | {share(r.luts, 'luts')} | {share(r.ffs, 'ffs')} | "
                     f"{share(r.brams, 'brams')} | {share(r.dsps, 'dsps')} | {r.longest_path} | "
                     f"{r.logic_levels} |")
    lines.append(f"\nXC6SLX16: {DEVICE['luts']:,} LUTs, {DEVICE['ffs']:,} flip-flops, "
                 f"{DEVICE['brams']} block RAMs, {DEVICE['dsps']} DSP48A1.")
    return "\n".join(lines)
