"""Run a cocotb testbench from pytest under Icarus Verilog, through ``cocotb_tools.runner``.

* Icarus 11 is given ``-g2005``: under ``-g2012`` (cocotb's default) some Amaranth combinational
  outputs stay ``X``. The later ``-g`` flag wins over the runner's built-in ``-g2012``.
* Each (top level, parameter set) builds in its own directory under ``sim_build/``.
* ``WAVES=1`` dumps an FST waveform next to the build (plain-Verilog dump module); never
  committed (``sim_build/`` is ignored).
"""

import hashlib
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HDL = ROOT / "hdl"
SIM = ROOT / "sim"
BUILD = ROOT / "sim_build"


def build_folder(prefix, params, files, instance=None):
    """Write ``files`` (name -> Verilog text, made from ``params``) into a build folder of their
    own under ``sim_build/``, named by ``prefix`` and a hash of ``params``, leaving files whose
    text has not changed untouched (so Icarus need not recompile). Returns (paths, folder name).

    Runs on the same parameters that pytest-xdist may start at once need an ``instance`` name
    each: two runs in one folder would both recompile after a change, and a simulation whose
    ``.vvp`` the other is rewriting crashes."""
    key = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]
    folder = BUILD / (f"{prefix}_{key}" + (f"_{instance}" if instance is not None else ""))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        path = folder / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        paths.append(path)
    return paths, folder.name


#: The environment variable naming a mutant (sim/mutation.py's campaign): a JSON file with the
#: ``original`` text of one module and its ``mutated`` text. Every source holding the original
#: is compiled with the mutant instead, in a build folder beside the mutant's file.
MUTANT = "STARSWEEPER_MUTANT"


def _with_mutant(path, sources, build_name):
    mutant = json.loads(path.read_text())
    folder = path.parent / "build" / build_name
    folder.mkdir(parents=True, exist_ok=True)
    replaced, spliced = [], False
    for source in sources:
        text = source.read_text()
        if mutant["original"] in text:
            source = folder / source.name
            source.write_text(text.replace(mutant["original"], mutant["mutated"]))
            spliced = True
        replaced.append(source)
    if not spliced:            # a mutant that reaches no source would survive unseen
        raise AssertionError(f"no source of {build_name} holds the module {mutant['module']} "
                             f"the mutant {path} replaces")
    return replaced, folder


def run_cocotb(toplevel, module, *, sources=None, build_name=None, env=None, testcase=None,
               parameters=None):
    """Compile ``hdl/<toplevel>.v`` (or ``sources``) with the top level's Verilog
    ``parameters`` and run the cocotb ``module`` against it, through cocotb's own runner
    (``cocotb_tools.runner``).

    ``testcase`` is a cocotb test's name or a list of them (default: every test of the
    module). Raises if any cocotb test fails (under pytest the runner ends the test with the
    count of failed cocotb tests), and if fewer tests ran than were named, or none at all: a
    filter that matches nothing must not pass.
    """
    from cocotb_tools.runner import get_results, get_runner

    sources = [HDL / f"{toplevel}.v"] if sources is None else [Path(s) for s in sources]
    build_dir = BUILD / (build_name or toplevel)
    mutant = os.environ.get(MUTANT)
    if mutant:
        sources, build_dir = _with_mutant(Path(mutant), sources, build_name or toplevel)
    waves = bool(int(os.environ.get("WAVES", "0")))
    runner = get_runner("icarus")
    # The runner passes its own -g2012 first; the later -g2005 wins.
    runner.build(sources=sources, hdl_toplevel=toplevel, build_args=["-g2005"], build_dir=build_dir,
                 parameters=dict(parameters or {}), timescale=("1ns", "1ps"), waves=waves)
    # The benches import sim/ and the package: the runner gives the simulator's Python this
    # process's sys.path, which has both (tests/conftest.py puts sim/ on it).
    results = runner.test(test_module=module, hdl_toplevel=toplevel, testcase=testcase,
                          build_dir=build_dir, test_dir=build_dir, extra_env=dict(env or {}),
                          waves=waves)
    ran, _ = get_results(results)
    named = [testcase] if isinstance(testcase, str) else list(testcase or [])
    if ran == 0 or ran < len(named):
        raise AssertionError(f"{module}: {ran} cocotb tests ran, {len(named) or 'some'} expected "
                             f"({', '.join(named) or 'all of the module'})")
