"""The main job, ``starsweeper demo``: every part of the project once, checked against the models.

1. a synthetic night sky, stacked by the float64 model, the bit-exact fixed-point model and the
   Verilog core in Icarus, which must agree (the RTL's bytes equal the fixed-point model's, the
   fixed-point model within 1 LSB of float64);
2. a short Minesweeper game played on the RTL (the Verilator model, :mod:`.verilator`),
   the next frame captured from the VGA pins and compared with the reference renderer's;
3. the Nexys 3 ISE build tree (and the bit file where ISE is installed), and the top level's
   resources by Yosys;
4. the ULX3S bit file, placed, routed and timed by the open toolchain (where its YoWASP tools
   are installed, as they are with starsweeper).

Each step prints a line; a disagreement is a :class:`DemoError`, a missing or failing tool the
tool's own error (a :class:`~starsweeper.errors.ToolError`).
"""

import time

from .errors import UserError

__all__ = ["DemoError", "DEMO_SEED", "DEMO_MOVES", "run"]

#: The demo's Minesweeper game: open the middle, flag four mines, reveal a cell by the edge.
DEMO_SEED = 56
DEMO_MOVES = "@8,8 c @6,9 f @7,15 f @8,15 c @9,2 f @9,1 f"
STEPS = 8


class DemoError(UserError):
    """A step failed or its results disagree; one line."""


def run(out, frames=30, size=(360, 240), attenuation=0.97, log=print):
    """All the steps, writing into the folder ``out``: all or nothing. The steps write into a
    hidden folder beside it, which takes its place when the last step is done (the old one
    removed then); a failed or interrupted demo leaves ``out`` as it was."""
    import os
    from pathlib import Path
    import shutil
    import tempfile
    from .stack.frames import check_writable_folder
    from .stack.settings import StackSettings

    StackSettings(attenuation=attenuation)          # a wrong attenuation stops the demo first
    out = Path(out).absolute()
    check_writable_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    old = None
    try:
        star_trails(scratch, frames, size, attenuation, log)
        minesweeper(scratch, log)
        board(scratch, log)
        ulx3s(scratch, log)
        scratch.chmod(0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.rename(out, old / out.name)
        os.rename(scratch, out)
        log(f"wrote everything to {out}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def star_trails(out, frames, size, attenuation, log=print):
    import numpy as np

    from .stack.frames import list_frames, write_image
    from .stack.pipeline import default_workers, stack_files
    from .stack.settings import StackSettings
    from .stack.synth import write_sequence

    frames_dir = out / "sky_frames"
    width, height = size
    log(f"[1/{STEPS}] writing {frames} synthetic frames of {width}x{height} to {frames_dir}")
    write_sequence(frames_dir, frames, width, height, 8, ".png", seed=7, degrees_per_frame=0.3)
    paths = list_frames(frames_dir)
    results = {}
    for step, engine in enumerate(("model", "fixed", "rtl"), start=2):
        start = time.perf_counter()
        settings = StackSettings(attenuation=attenuation, engine=engine, workers=default_workers())
        results[engine] = stack_files(paths, settings)
        log(f"[{step}/{STEPS}] stacked with the {engine} engine in {time.perf_counter() - start:.1f} s")
    rtl_equals_fixed = np.array_equal(results["rtl"], results["fixed"])
    lsb = int(np.abs(results["fixed"].astype(int) - results["model"].astype(int)).max())
    write_image(out / "star_trails.png", results["model"])
    write_image(out / "star_trails_rtl.png", results["rtl"])
    log(f"RTL output equals the fixed-point model: {'yes' if rtl_equals_fixed else 'NO'}; "
        f"fixed-point vs float64: at most {lsb} LSB apart")
    log(f"wrote {out / 'star_trails.png'} and {out / 'star_trails_rtl.png'}")
    if not rtl_equals_fixed or lsb > 1:
        raise DemoError("the engines disagree")


def minesweeper(out, log=print):
    import numpy as np

    from .model.display import to_rgb888
    from .moves import play
    from .screenshot import model_frame, rtl_frame
    from .stack.frames import write_image

    presses, game, held = play(DEMO_MOVES, seed=DEMO_SEED)
    log(f'[5/{STEPS}] playing "{DEMO_MOVES}" (seed {DEMO_SEED}) on the Minesweeper RTL in '
        f"Verilator and capturing a frame from the VGA pins")
    start = time.perf_counter()
    frame = rtl_frame(presses, DEMO_SEED, log=log)
    same = np.array_equal(frame, model_frame(game, held))
    write_image(out / "minesweeper.png", to_rgb888(frame))
    log(f"RTL frame equals the reference renderer's: {'yes' if same else 'NO'} "
        f"({time.perf_counter() - start:.1f} s) -> {out / 'minesweeper.png'}")
    if not same:
        raise DemoError("the RTL's frame differs from the reference renderer's")


def board(out, log=print):
    from .boards.build import build, ise_available
    from .boards.report import format_table, synthesize
    from .hdl import HDL_DIR

    folder = out / "nexys3"
    ise = ise_available()
    log(f"[6/{STEPS}] writing the Nexys 3 ISE build tree to {folder}"
        + (" and running ISE (several minutes)" if ise else
           " (ISE is not installed here: no bit file; see the README to build one)"))
    bitfile = build(folder, run=ise)
    if bitfile:
        log(f"built {bitfile}; program the board with: starsweeper program {bitfile}")
    log(f"[7/{STEPS}] synthesising the Minesweeper top level for the XC6SLX16 with Yosys (about 2 minutes)")
    row = synthesize(HDL_DIR / "nexys3_minesweeper.v", "nexys3_minesweeper")
    log(format_table([row]))


def ulx3s(out, log=print):
    from .boards.build import BOARDS, build_ecp5
    from .boards.trellis import TrellisError, format_report, tool_environment

    folder = out / "ulx3s"
    try:
        tool_environment()
    except TrellisError as e:
        log(f"[8/{STEPS}] skipping the ULX3S build: {e}")
        return
    log(f"[8/{STEPS}] building the ULX3S ({BOARDS['ulx3s'].part()}) bit file in {folder}: Yosys, "
        "nextpnr-ecp5, ecppack (about a minute)")
    bitfile, report = build_ecp5(folder, "ulx3s")
    log(format_report(report))
    log(f"built {bitfile}; every clock meets its constraint")
