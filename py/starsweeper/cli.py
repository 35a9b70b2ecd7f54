"""The ``starsweeper`` command line: one entry point with subcommands.

Errors are one line on stderr, ``starsweeper COMMAND: error: ...``: exit status 2 for a command
line that does not parse (argparse's convention: an unknown option, a value an option does not
take), 1 for everything else that is wrong (the input, the output's place, a missing tool, a
file system that refuses a write), 130 for Ctrl-C.
"""

import argparse
import math
import os
from pathlib import Path
import signal
import sys
import threading
import time
import warnings

from .errors import InputError, UserError

__all__ = ["main"]

RTL_SPEED_NOTE = ("rtl is slow: Icarus simulates about 90,000 to 130,000 pixels per second on two "
                  "cores, so a 12 MP frame takes one and a half to two minutes")


class OneLineParser(argparse.ArgumentParser):
    """argparse, with every usage error as one line (and exit status 2, argparse's convention)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def one_line(text):
    """``text`` with its line breaks and other control characters written as escapes, so that
    an error that quotes the user's input stays one line whatever the input holds."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


#: Largest seed: the generators take 32 bits, and a larger one would wrap without a word.
SEED_MAX = (1 << 32) - 1
#: Largest synthetic frame: PNG's and TIFF's limit per side as this project writes them, and
#: 250 megapixels in all; libjpeg's is a little less.
SIDE_MAX = 65_535
JPEG_SIDE_MAX = 65_500
PIXELS_MAX = 250_000_000
#: Fastest play rate asked for: the model runs a few tens of frames a second at best.
RATE_MAX = 1000


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be from 0 to {SEED_MAX}, not {value}")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {value}")
    return value


def _numbers(text):
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"frame numbers must be N,M,..., not {text!r}") from None


def _count(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"must be from 0 to 10000, not {value}")
    return value


def _point(text):
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a point must be X,Y in pixels, not {text!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > 1e6:
        raise argparse.ArgumentTypeError(f"a point must be two finite numbers of pixels, not {text!r}")
    return x, y


def _share(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:                     # (nan fails both)
        raise argparse.ArgumentTypeError(f"must be from 0 to 1, not {text}")
    return value


def _rate(text):
    value = _positive_int(text)
    if value > RATE_MAX:
        raise argparse.ArgumentTypeError(f"must be at most {RATE_MAX} frames a second, not {value}")
    return value


def _size(text):
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must be WIDTHxHEIGHT, not {text!r}") from None
    if width < 16 or height < 16:
        raise argparse.ArgumentTypeError(f"size must be at least 16x16, not {text!r}")
    if width > SIDE_MAX or height > SIDE_MAX or width * height > PIXELS_MAX:
        raise argparse.ArgumentTypeError(f"size must be at most {SIDE_MAX} a side and "
                                         f"{PIXELS_MAX // 1_000_000} megapixels, not {text!r}")
    return width, height


def _progress_bar(total, description, quiet):
    """A tqdm bar on a terminal; nothing when stderr is not one (or with --quiet)."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    return tqdm(total=total, desc=description, unit="frame", file=sys.stderr, leave=False)


# -- stack ---------------------------------------------------------------------------------------

def _add_stack_parser(sub):
    p = sub.add_parser(
        "stack", help="stack a folder of photos into star trails",
        description="Stack a folder of night-sky photos into star trails: per pixel and channel, "
                    "buf = max(buf * a, w * frame), frames in file-name order. Reads PNG, JPEG "
                    "and TIFF, 8 and 16 bits per channel, and camera RAW files (.dng .nef .cr2 "
                    ".cr3 .arw .raf .orf .rw2, as 16-bit RGB); PNG and TIFF output keep the "
                    "input's depth.",
        epilog=f"Engines: model (default) is the float64 rule, decoded and stacked on every core; "
               f"fixed is the bit-exact model of the hardware core; rtl runs the generated "
               f"Verilog cores (the dark-frame stage and the stacker) in Icarus Verilog and gives "
               f"the same bytes as fixed. Options marked [model only] are not in the hardware and "
               f"refuse --engine fixed and rtl. {RTL_SPEED_NOTE}.")
    p.add_argument("input_dir", metavar="INPUT_DIR", type=Path, help="folder of frames")
    p.add_argument("-o", "--output", metavar="OUT", type=Path, required=True,
                   help="output image (.png, .tif or .jpg), written atomically")
    fade = p.add_mutually_exclusive_group()
    fade.add_argument("--attenuation", metavar="A", type=float,
                      help="fade per frame, in [0, 1]; 1.0 (the default) is plain lighten stacking, "
                           "0.99 gives falling-star trails")
    fade.add_argument("--half-life", metavar="N", type=float,
                      help="fade so that a trail halves in N frames (a = 0.5 ** (1/N))")
    p.add_argument("--mode", choices=("lighten", "average"), default="lighten",
                   help="lighten (default): the brightest of the frames, with the fade; average: "
                        "their mean, the low-noise sky and foreground to blend under the trails "
                        "[model only]")
    p.add_argument("--fade-in", metavar="N", type=int, default=0,
                   help="[model only] weigh the first N frames up linearly, frame k by k/N: the "
                        "trails start faint (default 0: no fade-in)")
    p.add_argument("--reverse", action="store_true", help="stack the frames in reverse order")
    p.add_argument("--glob", metavar="PATTERN",
                   help="which files to take (default: every image and RAW file)")
    p.add_argument("--order", choices=("name", "exif"), default="name",
                   help="sort by file name (default) or by EXIF capture time (DateTimeOriginal; "
                        "by name, with a warning, when a file has none)")
    p.add_argument("--first", metavar="N", type=int, default=1,
                   help="start at the N-th frame of the sorted list (from 1; before --reverse)")
    p.add_argument("--last", metavar="M", type=int, default=None,
                   help="end at the M-th frame (included; default: the last)")
    p.add_argument("--step", metavar="K", type=int, default=1, help="take every K-th frame")
    p.add_argument("--raw-mode", choices=("linear", "camera"), default="linear",
                   help="RAW files: linear light (default) or the camera's rendering curve; "
                        "white balance as shot either way")
    p.add_argument("--darks", metavar="DIR", type=Path,
                   help="folder of dark frames (lens capped, same settings): their per-pixel median "
                        "is subtracted from every frame, saturating at 0")
    p.add_argument("--hot-pixels", metavar="SIGMA", type=float,
                   help="with --darks: the master dark's hot pixels (above its median + SIGMA "
                        "robust sigmas) are replaced by their neighbours' median, in it and in "
                        "every frame, so that they leave the stack")
    p.add_argument("--video", metavar="OUT.mp4", type=Path,
                   help="also write the growing trail as an H.264 video (yuv420p), its frame k "
                        "the stack of the first k frames")
    p.add_argument("--video-every", metavar="K", type=int, default=1,
                   help="a video frame after every K-th stacked frame (and the last)")
    p.add_argument("--fps", type=float, default=24.0, help="video frames per second (default 24)")
    p.add_argument("--crf", type=int, default=18,
                   help="video quality, 0 (lossless) to 51 (default 18)")
    p.add_argument("--video-scale", metavar="WIDTH", type=int,
                   help="video width in pixels (the aspect kept; default: the frames' width)")
    p.add_argument("--video-preset", metavar="PRESET",
                   help="libx264's preset, from ultrafast (the default: the quickest) to veryslow "
                        "(the smallest file at the same --crf)")
    p.add_argument("--engine", choices=("model", "fixed", "rtl"), default="model",
                   help="how to stack (default: model)")
    p.add_argument("--reject-bright", metavar="SIGMA", type=float, nargs="?", const=5.0, default=None,
                   help="leave out the frames ruined by light (headlights, lit clouds, twilight, the "
                        "moon): those whose sky level stands more than SIGMA robust deviations (5 "
                        "without a number) above their neighbours' or the night's; each is named")
    p.add_argument("--keep", metavar="N,M", type=_numbers, default=(),
                   help="frames (counted from 1 in stacking order) --reject-bright must keep")
    p.add_argument("--remove-streaks", metavar="SIGMA", type=float, nargs="?", const=6.0, default=None,
                   help="take the aircraft, satellites and meteors out of each frame: straight lines "
                        "of light in one frame and not in the two either side, found SIGMA robust "
                        "deviations (6 without a number) above them; star trails are in the frames "
                        "either side and stay; each streak removed is named")
    p.add_argument("--keep-frames", metavar="N,M", type=_numbers, default=(),
                   help="frames (counted from 1 in stacking order) --remove-streaks leaves as they "
                        "are (a meteor is a streak too)")
    p.add_argument("--skip-bad", action="store_true",
                   help="a damaged frame is taken as a dark one, with a warning naming it, instead of "
                        "stopping the stack (the trails fade on past it)")
    p.add_argument("--fill-gaps", action="store_true",
                   help="make the dotted trails continuous: each frame's stars drawn along their arcs "
                        "about the pole to where the next frame has them (the sky's turn measured on the "
                        "stars); the foreground, which does not turn, stays")
    p.add_argument("--preview", action="store_true",
                   help="show the growing stack in a window while it runs (a few times a second; "
                        "closing it or Esc stops the stack, nothing written)")
    p.add_argument("--workers", type=_positive_int, help="threads (default: one per core)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_run_stack)


def _is_an_input(path, inputs):
    return path.exists() and any(os.path.samefile(p, path) for p in inputs)


def _check_output(output, inputs):
    """Before any stacking: the output can be written and is none of the inputs."""
    from .stack.frames import check_output_path
    check_output_path(output)
    if _is_an_input(output, inputs):
        raise InputError(f"{output}: the output is one of the input frames")


def _warn(text):
    print(f"starsweeper stack: warning: {one_line(text)}", file=sys.stderr)


def _rule(settings):
    return "the mean" if settings.mode == "average" else f"a = {settings.attenuation:.6g}"


def _stack_settings(args):
    """The stack's settings from its options, checked (:class:`StackSettings`)."""
    from .stack.pipeline import default_workers
    from .stack.settings import StackSettings
    from .stack.video import PRESET as VIDEO_PRESET, VideoSettings
    video = None
    if args.video is not None:
        video = VideoSettings(args.video, args.fps, args.crf, args.video_every, args.video_scale,
                              args.video_preset or VIDEO_PRESET)
    return StackSettings.from_options(
        attenuation=args.attenuation, half_life=args.half_life, fade_in=args.fade_in, mode=args.mode,
        engine=args.engine, workers=args.workers or default_workers(), raw_mode=args.raw_mode,
        glob=args.glob, order=args.order, first=args.first, last=args.last, step=args.step,
        reverse=args.reverse, darks=args.darks, hot_pixels=args.hot_pixels, video=video,
        skip_bad=args.skip_bad, reject_bright=args.reject_bright, keep=args.keep,
        remove_streaks=args.remove_streaks, keep_frames=args.keep_frames, fill_gaps=args.fill_gaps)


def _run_stack(args):
    from .stack.buffers import keep_freed_memory, without_huge_pages
    from .stack.darks import build_calibration
    from .stack.frames import FrameError, list_frames, order_by_time, select_frames, write_image
    from .stack.metadata import frame_metadata
    from .stack.pipeline import probe_all, stack_files
    from .stack.video import VideoWriter

    settings = _stack_settings(args)
    keep_freed_memory()
    without_huge_pages()
    if args.preview:
        from .window import display_available, no_display_message
        if not display_available():
            raise UserError(no_display_message("starsweeper stack --preview ..."))
    paths = list_frames(args.input_dir, settings.glob)
    if settings.order == "exif":
        paths = order_by_time(paths, _warn)
    paths = select_frames(paths, settings.first, settings.last, settings.step)
    if settings.reverse:
        paths = paths[::-1]
    _check_output(args.output, paths)
    video = settings.video
    if video is not None:
        _check_video_path(video.path, args.output, paths)
    skipped = []
    lock = threading.Lock()

    def on_damaged(path, error):
        with lock:
            skipped.append(path)
            _warn(f"{error}; taken as a dark frame (--skip-bad)")

    on_damaged = on_damaged if settings.skip_bad else None
    infos = probe_all(paths, settings.raw_mode, on_damaged)
    beyond = [n for n in settings.keep_frames if n > len(paths)]
    if beyond:
        raise InputError(f"--keep-frames {beyond[0]} is beyond the {len(paths)} frames found")
    untouched = {paths[n - 1] for n in settings.keep_frames}
    if settings.reject_bright is not None:
        paths, infos = _reject_bright(paths, infos, settings)
    streaks = {}

    def on_streaks(k, found):
        with lock:
            streaks[k] = found

    def on_sky(rotation, reach):
        options = " ".join(name for name, on in (("--remove-streaks", settings.remove_streaks is not None),
                                                 ("--fill-gaps", settings.fill_gaps)) if on)
        if rotation is None:
            what = []
            if settings.remove_streaks is not None:
                what.append(f"stars are taken to move at most {reach} pixels a frame")
            if settings.fill_gaps:
                what.append("the gaps are left as they are")
            _warn(f"{options}: the middle two frames do not show the sky turning (too few stars, or it does not); "
                  f"{' and '.join(what)}")
        elif not args.quiet:
            _say(f"the sky turns {math.degrees(abs(rotation.angle)):.4f} degrees a frame about "
                 f"({rotation.x:.0f}, {rotation.y:.0f}): stars move up to {reach} pixels a frame ({options})")
    first_good = next(info for info in infos if info.damage is None)
    calibration = None
    if settings.darks is not None:
        try:
            dark_paths = list_frames(settings.darks)
        except FrameError as e:
            raise InputError(f"--darks: {e}") from None
        bar = _progress_bar(len(dark_paths), "master dark", args.quiet)
        try:
            calibration = build_calibration(dark_paths, first_good, settings.hot_pixels, settings.workers,
                                            progress=bar.update if bar else None)
        finally:
            if bar:
                bar.close()
    preview = None
    if args.preview:
        from .stack.preview import StackPreview
        preview = StackPreview(infos[0].width, infos[0].height, len(paths))
    bar = _progress_bar(len(paths), "stacking", args.quiet)
    start = time.perf_counter()
    writer = VideoWriter(video, infos[0].width, infos[0].height) if video else None
    forget = None
    if writer and preview:
        from .window import at_display_lost
        forget = at_display_lost(writer.abort)    # its hidden part file goes if the display does
    if writer and video.width is None and writer.size != (infos[0].width, infos[0].height):
        _warn(f"--video: the frames are {infos[0].width}x{infos[0].height}, the video "
              f"{writer.size[0]}x{writer.size[1]}: H.264's 4:2:0 takes even sizes, so the odd last "
              f"row or column is left out")
    try:
        result = stack_files(paths, settings, progress=bar.update if bar else None,
                             calibration=calibration, infos=infos, on_damaged=on_damaged,
                             on_stack=writer.add if writer else None,
                             every=video.every if video else 1,
                             untouched=[k for k, path in enumerate(paths) if path in untouched],
                             on_streaks=on_streaks, on_sky=on_sky, preview=preview)
        if writer:
            writer.finish()
        if bar:
            bar.close()
        _report_streaks(paths, streaks)

        def summary():
            # Said before the still is named: an output that cannot take the line leaves nothing.
            if not args.quiet:
                extra = f", video of {writer.frames} frames -> {video.path}" if writer else ""
                damaged = f" ({len(skipped)} damaged, taken as dark)" if skipped else ""
                if settings.remove_streaks is not None:
                    count = sum(map(len, streaks.values()))
                    damaged += f" ({count} streak{'' if count == 1 else 's'} removed from {len(streaks)} of them)"
                _say(f"stacked {len(paths)} frames{damaged} ({result.shape[1]}x{result.shape[0]}, "
                     f"{8 * result.itemsize}-bit, {_rule(settings)}, engine {settings.engine}) "
                     f"in {time.perf_counter() - start:.2f} s -> {args.output}{extra}")
        write_image(args.output, result, before_commit=summary, metadata=frame_metadata(first_good))
        if writer:
            writer.commit()           # the video is named only once the still is
    except BaseException:
        if writer:
            writer.abort()
        raise
    finally:
        if bar:
            bar.close()
        if preview is not None:
            preview.close()
        if forget is not None:
            forget()
    return 0


def _report_streaks(paths, streaks):
    """One line a streak taken out, in stacking order: the frame, the line's ends, pixels."""
    for k in sorted(streaks):
        for streak in streaks[k]:
            _say(f"removed a streak from {paths[k].name}: ({streak.x0},{streak.y0}) to ({streak.x1},{streak.y1}), "
                 f"{streak.pixels} pixels (--remove-streaks)")


def _reject_bright(paths, infos, settings):
    """The frames but those ruined by light (each named in a warning line)."""
    from .model.night import TILES, find_bright
    from .stack.pipeline import sky_levels
    beyond = [n for n in settings.keep if n > len(paths)]
    if beyond:
        raise InputError(f"--keep {beyond[0]} is beyond the {len(paths)} frames found")
    levels = sky_levels(infos, settings.workers)
    known = [k for k, level in enumerate(levels) if level is not None]
    bright = find_bright([levels[k] for k in known], settings.reject_bright,
                         keep=[known.index(n - 1) for n in settings.keep if n - 1 in known])
    out = {known[b.index] for b in bright}
    for b in bright:
        row, col = divmod(b.tile, TILES)
        whose = "its neighbours'" if b.against == "neighbours" else "the night's"
        _warn(f"left out {paths[known[b.index]].name}: its sky at {255 * b.level:.1f} of 255 (tile {row + 1},{col + 1} "
              f"of {TILES}x{TILES}) is {b.deviations:.1f} robust deviations above {whose} {255 * b.expected:.1f} "
              f"(--reject-bright)")
    if len(out) == len(paths):
        raise InputError("--reject-bright leaves no frame")
    kept = [k for k in range(len(paths)) if k not in out]
    return [paths[k] for k in kept], [infos[k] for k in kept]


def _check_video_path(video, output, inputs):
    if video.resolve() == Path(output).resolve():
        raise InputError(f"--video {video}: the video would overwrite the output image")
    if _is_an_input(video, inputs):
        raise InputError(f"--video {video}: the video is one of the input frames")


# -- synth ---------------------------------------------------------------------------------------

def _add_synth_parser(sub):
    p = sub.add_parser(
        "synth", help="write a synthetic night-sky sequence",
        description="Write a realistic synthetic sequence: stars turning about the pole, sensor "
                    "noise, a mountain ridge with trees. Frames are frame_0001.jpg and so on.")
    p.add_argument("output_dir", metavar="OUT_DIR", type=Path)
    p.add_argument("--frames", type=_positive_int, default=60)
    p.add_argument("--size", type=_size, default=(960, 640), metavar="WxH")
    p.add_argument("--depth", type=int, choices=(8, 16), default=8)
    p.add_argument("--format", choices=("jpg", "png", "tif"), default="jpg")
    p.add_argument("--seed", type=_seed, default=1, help=f"0 to {SEED_MAX} (default 1)")
    night = p.add_argument_group("what a real night brings (each placed at random from the seed)")
    for name, what in (("headlights", "frames lit by a passing car's headlights"),
                       ("twilight", "frames of twilight at each end of the night"),
                       ("clouds", "clouds lit by a town, three frames each"),
                       ("aircraft", "aircraft: blinking lights in a dotted line, across one to three frames"),
                       ("satellites", "satellites: a steady streak in a frame each"),
                       ("meteors", "meteors: a short bright streak in a frame each")):
        night.add_argument(f"--{name}", metavar="K", type=_count, default=0, help=what)
    night.add_argument("--pole", type=_point, default=None, metavar="X,Y",
                       help="where the stars turn about, in pixels (default: above the top centre)")
    night.add_argument("--exposure", type=_share, default=0.0, metavar="F",
                       help="the share of the interval between frames the shutter is open, 0 to 1: "
                            "each star drawn along its arc for that share (default 0: points, all gap)")
    p.set_defaults(run=_run_synth)


def _run_synth(args):
    from .stack.frames import check_writable_folder
    from .stack.synth import NightEvents, write_sequence
    if args.depth == 16 and args.format == "jpg":
        raise InputError("JPEG is 8-bit only: use --format png or tif with --depth 16")
    if args.format == "jpg" and max(args.size) > JPEG_SIDE_MAX:
        raise InputError(f"JPEG takes at most {JPEG_SIDE_MAX:,} pixels a side, not {max(args.size):,}: "
                         f"use --format png or tif for a larger frame")
    width, height = args.size
    check_writable_folder(args.output_dir)
    events = NightEvents(args.headlights, args.twilight, args.clouds, args.aircraft, args.satellites, args.meteors)
    paths = write_sequence(args.output_dir, args.frames, width, height, args.depth,
                           f".{args.format}", args.seed, events=events if any(vars(events).values()) else None,
                           pole=args.pole, exposure=args.exposure)
    print(f"wrote {len(paths)} frames of {width}x{height} to {args.output_dir}")
    return 0


# -- demo ----------------------------------------------------------------------------------------

def _add_demo_parser(sub):
    p = sub.add_parser(
        "demo", help="the main job: star trails and a Minesweeper game through models and RTL",
        description="Generate a sample night-sky sequence, stack it with the float64 model, the "
                    "fixed-point model and the Verilog core in Icarus, check that they agree, "
                    "and write the star-trail PNGs; then play a short Minesweeper game on the "
                    "RTL, capture the frame it draws from the VGA pins, check it against the "
                    "reference renderer and write it as minesweeper.png.")
    p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    p.add_argument("--frames", type=_positive_int, default=30)
    p.add_argument("--size", type=_size, default=(360, 240), metavar="WxH")
    p.add_argument("--attenuation", type=float, default=0.97)
    p.set_defaults(run=_run_demo)


def _run_demo(args):
    from .demo import run
    run(args.out, args.frames, args.size, args.attenuation)
    return 0


# -- screenshot ----------------------------------------------------------------------------------

class _EpilogLater(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written, and an epilog that is a function called only when the help is
    shown: the texts of ``play``'s and ``screenshot``'s come from modules that import Amaranth
    (a quarter of a second that every other command would wait for)."""

    def add_text(self, text):
        super().add_text(text() if callable(text) else text)


def _moves_epilog():
    from .moves import __doc__ as moves_doc
    syntax = moves_doc.split("Syntax", 1)[1].split("Example", 1)[0]
    return "Moves" + syntax + 'Example: starsweeper screenshot --seed 7 --moves "@8,8 c @3,4 f" -o frame.png'


def _add_screenshot_parser(sub):
    p = sub.add_parser(
        "screenshot", help="play moves on the Minesweeper RTL and save the frame it draws",
        formatter_class=_EpilogLater,
        description="Play a move script on the Minesweeper RTL (game core and VGA display) in "
                    "Verilator (a few seconds; the model is built once and cached), capture the "
                    "next frame from the VGA pins and save it as a PNG (each channel scaled as "
                    "the board's resistor DAC scales it).",
        epilog=_moves_epilog)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="PNG",
                   help="the PNG to write (atomically)")
    p.add_argument("--seed", type=_seed, default=0,
                   help="placement seed of the first reveal (default 0); the same seed and moves "
                        "give the same board")
    p.add_argument("--moves", default="", help='the move script, e.g. "@8,8 c 2d f" (default: none)')
    p.add_argument("--switches", default="", metavar="N,N",
                   help="switches that are on, e.g. 0,7: SW0 shows the mines (debug), SW1 makes "
                        "c flag, SW7 plays beginner (9x9)")
    p.add_argument("--model", action="store_true",
                   help="write the reference renderer's frame instead of simulating the RTL")
    p.set_defaults(run=_run_screenshot)


def _run_screenshot(args):
    from .model.display import to_rgb888
    from .moves import play
    from .screenshot import model_frame, parse_switches, rtl_frame
    from .stack.frames import check_output_path, write_image

    if args.output.suffix.lower() != ".png":
        raise InputError(f"the screenshot must be a .png file, not {args.output.name!r}")
    check_output_path(args.output)
    switches = parse_switches(args.switches)
    presses, game, held = play(args.moves, seed=args.seed, switches=switches)   # bad moves fail fast
    start = time.perf_counter()
    if args.model:
        frame, source = model_frame(game, held, switches), "reference renderer"
    else:
        frame = rtl_frame(presses, args.seed, switches, log=lambda line: print(line, file=sys.stderr))
        source = "RTL in Verilator"
    write_image(args.output, to_rgb888(frame))
    print(f"{game.status.name.lower()} game, counter {game.counter}, cursor {game.cursor}: "
          f"frame from the {source} in {time.perf_counter() - start:.1f} s -> {args.output}")
    return 0


# -- play ----------------------------------------------------------------------------------------

def _play_epilog():
    from .play import KEYS
    return "Keys:\n" + "\n".join(f"  {key:13s} {what}" for key, what in KEYS)


def _add_play_parser(sub):
    p = sub.add_parser(
        "play", help="play the Minesweeper RTL in a window (Verilator)",
        formatter_class=_EpilogLater,
        description="Play Minesweeper on the real RTL, compiled by Verilator, in a window: each "
                    "frame is the one the VGA pins draw. The model is built once and cached "
                    "(about half a minute), and its frame rate on this machine is measured once; "
                    "the timer counts real seconds at that rate.",
        epilog=_play_epilog)
    p.add_argument("--seed", type=_seed, default=None,
                   help="placement seed of every first reveal (default: the free-running counter, "
                        "as on the board)")
    p.add_argument("--scale", type=int, choices=(1, 2, 3, 4), default=2,
                   help="window pixels per VGA pixel (default 2)")
    p.add_argument("--rate", type=_rate, default=None, metavar="FPS",
                   help="frames a second to build the model for and run at (default: measured "
                        "once on this machine)")
    p.add_argument("--frames", type=_positive_int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(run=_run_play)


def _run_play(args):
    from .play import frame_rate, play_model, play_parameters, run
    from .window import display_available, no_display_message

    if not display_available():
        raise UserError(no_display_message("starsweeper play"))

    def log(line):
        print(line, file=sys.stderr)

    rate = args.rate or frame_rate(log)
    parameters = play_parameters(rate)
    executable = play_model(rate, log)
    log(f"playing at {rate} frames a second; Esc quits")
    run(executable, parameters, rate, seed=args.seed, scale=args.scale, frames=args.frames)
    return 0


# -- hdl -----------------------------------------------------------------------------------------

def _add_hdl_parser(sub):
    p = sub.add_parser("hdl", help="regenerate the Verilog in hdl/ (or --check it)")
    p.add_argument("--check", action="store_true", help="only check that hdl/ is up to date")
    p.set_defaults(run=_run_hdl)


def _run_hdl(args):
    from . import hdl
    if args.check:
        stale = hdl.stale_files()
        if stale:
            raise UserError(f"hdl/ is stale: {', '.join(stale)}; run: starsweeper hdl")
        _say(f"hdl/ is up to date ({len(hdl.names())} files)")
        return 0
    hdl.emit_all()
    _say(f"wrote {len(hdl.names())} files to {hdl.HDL_DIR}")
    return 0


# -- program -------------------------------------------------------------------------------------

def _ulx3s():
    from .boards.build import BOARDS
    return BOARDS["ulx3s"]


def _add_device_argument(p):
    ulx3s = _ulx3s()
    p.add_argument("--device", choices=ulx3s.devices, default=None,
                   help=f"the ULX3S's ECP5: {', '.join(ulx3s.devices)} (default: {ulx3s.default_device})")


def _add_board_arguments(p, out_help):
    from .boards.build import BOARDS
    p.add_argument("--board", choices=list(BOARDS), default="nexys3",
                   help="nexys3 (Xilinx ISE; the default) or ulx3s (Lattice ECP5, the open toolchain)")
    _add_device_argument(p)
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help=out_help)


def _board_folder(args):
    if args.device is not None and args.board != "ulx3s":
        raise InputError(f"--device is for the ulx3s; the {args.board} has one device")
    return args.out if args.out is not None else Path("build") / args.board


def _add_program_parser(sub):
    p = sub.add_parser(
        "program", help="program the board (Nexys 3 through Digilent Adept, ULX3S through openFPGALoader)",
        description="Program a bit file into the board's FPGA. Nexys 3: Digilent Adept's djtgcfg "
                    "(djtgcfg prog -d Nexys3 -i 0 -f FILE). ULX3S: openFPGALoader -b ulx3s -m FILE "
                    "(amaranth-boards' own command). Neither waits on a question: the tool gets no "
                    "input and each call has a time limit.")
    p.add_argument("bitfile", metavar="BITFILE", type=Path, nargs="?", default=None,
                   help="the bit file (default: build/BOARD/top.bit)")
    from .boards.build import BOARDS
    p.add_argument("--board", choices=list(BOARDS), default="nexys3", help="nexys3 (default) or ulx3s")
    p.set_defaults(run=_run_program)


def _run_program(args):
    if args.board == "ulx3s":
        from .boards.openfpgaloader import program
    else:
        from .boards.adept import program
    bitfile = args.bitfile if args.bitfile is not None else Path("build") / args.board / "top.bit"
    print(program(bitfile))
    return 0


# -- build ---------------------------------------------------------------------------------------

def _add_build_parser(sub):
    p = sub.add_parser(
        "build", help="build Minesweeper for a board: the Nexys 3's ISE tree (run if ISE is here), "
                      "or the ULX3S's bit file with the open toolchain",
        description="Nexys 3: write the complete ISE build tree of the Minesweeper top level through "
                    "Amaranth's platform: Verilog, UCF (pins, I/O standards, the 100 MHz clock "
                    "constraint), XST project and script, and build_top.sh running xst, "
                    "ngdbuild, map, par and bitgen (StartUpClk:JtagClk, for JTAG download). It "
                    "runs when ISE's tools are on PATH or AMARANTH_ENV_ISE names ISE's settings "
                    "script (for example /opt/Xilinx/14.7/ISE_DS/settings64.sh); otherwise the "
                    "tree is left ready to run on a machine that has ISE. ULX3S: synthesis (Yosys), "
                    "placement and routing (nextpnr-ecp5) and ecppack, from the YoWASP packages "
                    "installed with starsweeper, to build/ulx3s/top.bit (about a minute); the build "
                    "fails when a clock misses its constraint, and prints each clock's frequency "
                    "and the placed resources.")
    _add_board_arguments(p, "the build folder (default: build/BOARD)")
    p.set_defaults(run=_run_build)


def _run_build(args):
    from .boards.build import build, build_ecp5, ise_available
    from .stack.frames import check_writable_folder

    out = _board_folder(args)
    check_writable_folder(out)
    if args.board == "ulx3s":
        from .boards.trellis import format_report, tool_environment
        tool_environment()                  # every tool is here, before the first line
        print(f"building for the ULX3S ({_ulx3s().part(args.device)}) in {out}: Yosys, nextpnr-ecp5, "
              f"ecppack (about a minute; the log is {out / 'build.log'})", file=sys.stderr)
        bitfile, report = build_ecp5(out, "ulx3s", args.device)
        print(format_report(report))
        print(f"built {bitfile}; program the board with: starsweeper program --board ulx3s {bitfile}")
        return 0
    if not ise_available(args.board):
        build(out, args.board, run=False)
        print(f"wrote the ISE build tree to {out}; ISE is not installed here (xst, ngdbuild, "
              f"map, par, bitgen not on PATH and AMARANTH_ENV_ISE not set), so no bit file: "
              f"run {out / 'build_top.sh'} where ISE is")
        return 0
    print(f"running ISE in {out} (several minutes; the log is {out / 'build.log'})",
          file=sys.stderr)
    bitfile = build(out, args.board, run=True)
    print(f"built {bitfile}; program the board with: starsweeper program {bitfile}")
    return 0


# -- report --------------------------------------------------------------------------------------

def _add_report_parser(sub):
    from .hdl import names
    p = sub.add_parser(
        "report", help="resources: each core on the XC6SLX16 (Yosys), or the placed ULX3S design (nextpnr)",
        description="Without --board: synthesise each core in hdl/ for Spartan-6 with Yosys "
                    "(synth_xilinx -family xc6s) and print its resources, as numbers and as a share "
                    "of the XC6SLX16, and its longest logic path in cells (the Minesweeper game "
                    "core takes Yosys about a minute and a half). With --board ulx3s: the placed "
                    "and routed ULX3S design's resources (LUT4s, flip-flops, block RAMs, PLLs) and "
                    "each clock's achieved frequency against its constraint, from nextpnr's report "
                    "in the build folder (built first when it is missing or out of date).")
    p.add_argument("cores", nargs="*", metavar="CORE",
                   help=f"which cores (default: all of {', '.join(names())})")
    p.add_argument("--board", choices=("ulx3s",), default=None, help="ulx3s: the placed design's report")
    _add_device_argument(p)
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="the ULX3S build folder (default: build/ulx3s)")
    p.set_defaults(run=_run_report)


def _run_report(args):
    from .boards.report import format_table, synthesize
    from .hdl import HDL_DIR, names
    if args.board == "ulx3s":
        if args.cores:
            raise InputError("--board ulx3s reports the whole placed design; name no cores")
        from .boards.build import ecp5_report
        from .boards.trellis import format_report
        from .stack.frames import check_writable_folder
        out = _board_folder(args)
        check_writable_folder(out)
        print(format_report(ecp5_report(out, "ulx3s", args.device)))
        return 0
    if args.device is not None or args.out is not None:
        raise InputError("--device and --out are for --board ulx3s")
    unknown = [name for name in args.cores if name not in names()]
    if unknown:
        raise InputError(f"unknown core {unknown[0]!r}; the cores are {', '.join(names())}")
    rows = []
    for name in args.cores or names():
        rows.append(synthesize(HDL_DIR / f"{name}.v", name))
        print(f"synthesised {name}", file=sys.stderr)
    print(format_table(rows))
    return 0


class _Version(argparse.Action):
    """``--version``: argparse's, but a version that cannot be written is an error (exit 1),
    not a silent exit 0."""

    def __init__(self, option_strings, version, dest=argparse.SUPPRESS, help="show the version and exit"):
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, help=help)
        self.version = version

    def __call__(self, parser, namespace, values, option_string=None):
        _say(self.version)
        parser.exit()


def build_parser():
    from . import __version__
    parser = OneLineParser(
        prog="starsweeper",
        description="Minesweeper and star-trail stacking in Amaranth HDL for the Digilent Nexys 3.")
    parser.add_argument("--version", action=_Version, version=f"starsweeper {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo_parser(sub)
    _add_stack_parser(sub)
    _add_synth_parser(sub)
    _add_screenshot_parser(sub)
    _add_play_parser(sub)
    _add_hdl_parser(sub)
    _add_build_parser(sub)
    _add_program_parser(sub)
    _add_report_parser(sub)
    parser.subparsers = sub.choices
    return parser


#: Commands whose outputs appear whole or not at all, so that an interruption leaves nothing.
ATOMIC_COMMANDS = ("stack", "synth", "screenshot")


def _os_error_text(error):
    """An OSError as one line: the file it concerns and the system's words."""
    what = error.strerror or str(error) or type(error).__name__
    return f"{error.filename}: {what}" if error.filename else what


class Terminated(KeyboardInterrupt):
    """SIGTERM: the command stops as it does on Ctrl-C, cleaning up the same way."""


def _on_signal(signum, frame):
    """The first SIGINT or SIGTERM stops the command; the clean-up that follows (threads ending
    at their next frame, hidden files removed, children ended) is not interrupted again, and
    Amaranth's warnings about what an interrupted elaboration left unused are not shown."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    warnings.simplefilter("ignore")
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _flush_stdout(text=None):
    """``text`` (if given) and a line break on standard output, flushed: a full or closed output
    is a :class:`UserError` now (and what is left of it dropped), not a traceback at exit."""
    try:
        if text is not None:
            print(text)
        sys.stdout.flush()
    except OSError as e:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass
        raise UserError(f"cannot write to the standard output: {e.strerror or e}") from None


def _say(text):
    """A line on standard output, flushed (:func:`_flush_stdout`)."""
    _flush_stdout(text)


def main(argv=None):
    handlers = None
    if threading.current_thread() is threading.main_thread():
        handlers = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    command = None
    try:
        parser = build_parser()
        try:
            args, unknown = parser.parse_known_args(argv)
        except SystemExit as done:            # --help, --version, or a command line that does not parse
            if not done.code:
                _flush_stdout()
            raise done
        command = args.command
        if unknown:
            parser.subparsers[command].error(f"unrecognized arguments: {' '.join(unknown)}")
        from .tools import c_lines_silenced
        with c_lines_silenced():
            code = args.run(args)
        _flush_stdout()
        return code
    except UserError as e:
        print(f"starsweeper{f' {command}' if command else ''}: error: {one_line(e)}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"starsweeper{f' {command}' if command else ''}: error: {one_line(_os_error_text(e))}",
              file=sys.stderr)
        return 1
    except MemoryError:
        print(f"starsweeper{f' {command}' if command else ''}: error: not enough memory "
              f"(a smaller size, fewer frames or fewer --workers need less)", file=sys.stderr)
        return 1
    except KeyboardInterrupt as stop:
        handlers = None         # the signals stay ignored to the end: the process is stopping
        from .window import WindowClosed
        how, code = ("terminated", 143) if isinstance(stop, Terminated) else \
            ("stopped: its window was closed", 130) if isinstance(stop, WindowClosed) else ("interrupted", 130)
        done = "nothing was written" if command in ATOMIC_COMMANDS else "stopped"
        print(f"starsweeper{f' {command}' if command else ''}: {how}; {done}", file=sys.stderr)
        return code
    finally:
        if handlers is not None:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
