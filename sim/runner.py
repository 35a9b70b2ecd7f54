"""Run a cocotb testbench from pytest under Icarus Verilog.

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


def run_cocotb(toplevel, module, *, sources=None, build_name=None, env=None, testcase=None):
    """Compile ``hdl/<toplevel>.v`` (or ``sources``) and run the cocotb ``module`` against it.

    Raises if any cocotb test fails.
    """
    from cocotb_test.simulator import run

    sources = [str(HDL / f"{toplevel}.v")] if sources is None else [str(s) for s in sources]
    build_dir = BUILD / (build_name or toplevel)
    extra_env = {"PYTHONPATH": os.pathsep.join([str(SIM), str(ROOT / "py"),
                                                 os.environ.get("PYTHONPATH", "")])}
    extra_env.update(env or {})
    run(
        simulator="icarus",
        verilog_sources=sources,
        toplevel=toplevel,
        module=module,
        python_search=[str(SIM)],
        compile_args=["-g2005"],
        sim_build=str(build_dir),
        extra_env=extra_env,
        testcase=testcase,
        timescale="1ns/1ps",
        waves=bool(int(os.environ.get("WAVES", "0"))),
    )
