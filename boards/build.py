"""``starsweeper build``: a board's build tree of the Minesweeper top level, and its run.

* **Nexys 3** (Xilinx ISE): Amaranth's ``XilinxPlatform`` writes the tree: the top level's
  Verilog, the UCF (every pin, its I/O standard and the 100 MHz clock's period), the XST project
  and script, and ``build_<name>.sh``, which runs xst, ngdbuild, map, par and bitgen. It runs
  when ISE's tools are on PATH or ``AMARANTH_ENV_ISE`` names ISE's settings script; otherwise the
  tree stays ready for a machine that has ISE.
* **ULX3S** (Lattice ECP5, the open flow of :mod:`.trellis`): amaranth-boards' platform writes
  the tree (RTLIL, the LPF with pins and clock constraints, the script running Yosys,
  nextpnr-ecp5 and ecppack), the flow runs, and the build is checked: the bit file's header and
  IDCODE, and every clock's achieved frequency against its constraint (a clock that misses
  fails the build, and its bit file is removed).
"""

from dataclasses import dataclass, replace
import os
from pathlib import Path
import shutil

from starsweeper.errors import ToolError
from starsweeper.tools import ToolTimeout, last_line, limit_of, run_tool, time_limit

__all__ = ["BOARDS", "Board", "BuildError", "board", "prepare", "write_tree", "ise_available",
           "run_tree", "build", "build_ecp5", "ecp5_report"]

NAME = "top"


@dataclass(frozen=True)
class Board:
    """A board: its platform class for each device (``None`` where there is one device), the
    default device, the top level, and the toolchain (``"ise"`` or ``"trellis"``)."""

    name: str
    platforms: dict
    top: str
    toolchain: str
    default_device: str = None

    @property
    def devices(self):
        return [device for device in self.platforms if device is not None]

    def platform(self, device=None):
        device = self.default_device if device is None else device
        if device not in self.platforms:
            if not self.devices:
                raise BuildError(f"the {self.name} has one device; --device is for "
                                 f"{', '.join(b.name for b in BOARDS.values() if b.devices)}")
            raise BuildError(f"unknown {self.name} device {device!r}; the devices are {', '.join(self.devices)}")
        return _load(self.platforms[device])()

    def part(self, device=None):
        """The FPGA of ``device`` (the default one when None), as its platform names it."""
        return self.platform(device).device

    def top_level(self, **parameters):
        return _load(self.top)(**parameters)


#: The boards, their platforms and top levels (imported when used).
BOARDS = {
    "nexys3": Board("nexys3", {None: "starsweeper.boards.nexys3:Nexys3Platform"},
                    "starsweeper.boards.minesweeper_top:MinesweeperTop", "ise"),
    "ulx3s": Board("ulx3s", {device: f"amaranth_boards.ulx3s:ULX3S_{device}_Platform"
                             for device in ("12F", "25F", "45F", "85F")},
                   "starsweeper.boards.ulx3s_minesweeper_top:Ulx3sMinesweeperTop", "trellis", "85F"),
}


class BuildError(ToolError):
    """The build failed; the message says where and names the log."""


def _load(spec):
    import importlib
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


def board(name):
    """The :class:`Board` called ``name``; BuildError naming the boards otherwise."""
    if name not in BOARDS:
        raise BuildError(f"unknown board {name!r}; the boards are {', '.join(BOARDS)}")
    return BOARDS[name]


def _platform(board_name, device=None):
    b = board(board_name)
    return b.platform(device), b.top_level


def prepare(board_name="nexys3", name=NAME, device=None, top=None, **overrides):
    """Amaranth's build plan of ``board_name``'s top level (or ``top``), named ``name`` (no
    source locations, so its Verilog is byte-reproducible). ECP5 plans run nextpnr with its
    JSON report and let this module judge the timing."""
    platform, top_level = _platform(board_name, device)
    if board(board_name).toolchain == "trellis":
        from .trellis import NEXTPNR_OPTIONS
        overrides.setdefault("nextpnr_opts", NEXTPNR_OPTIONS.format(name=name))
    return platform.prepare(top if top is not None else top_level(), name=name, emit_src=False, **overrides)


def write_tree(folder, board_name="nexys3", device=None, top=None):
    """Write the build tree into ``folder``: into a hidden folder beside it first, whose files
    then replace the folder's one by one, so that a full disk leaves the folder as it was and
    says which folder it could not write."""
    import os
    import shutil
    import tempfile
    plan = prepare(board_name, device=device, top=top)
    folder = Path(folder).absolute()
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=folder.parent))
    try:
        try:
            plan.extract(scratch)
        except OSError as e:
            raise BuildError(f"{folder}: cannot write the build tree ({e.strerror or e})") from None
        folder.mkdir(exist_ok=True)
        # A bit file (and a report) from an earlier run no longer match the tree: never leave
        # one to be programmed by mistake.
        for product in (f"{NAME}.bit", f"{NAME}.report.json"):
            (folder / product).unlink(missing_ok=True)
        for path in sorted(scratch.rglob("*")):
            if path.is_file():
                target = folder / path.relative_to(scratch)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def ise_available(board="nexys3"):
    """ISE can run here: AMARANTH_ENV_ISE names a settings script, or every tool is on PATH.
    An empty AMARANTH_ENV_ISE names nothing (Amaranth alone would count it as set); one that
    names a missing file is an error."""
    platform, _ = _platform(board)
    script = os.environ.get("AMARANTH_ENV_ISE")
    if script is not None and not script.strip():
        return all(shutil.which(tool) for tool in platform.required_tools)
    if script is not None and not Path(script).is_file():
        raise BuildError(f"AMARANTH_ENV_ISE names {script!r}, which is not a file "
                         "(ISE's settings script, for example /opt/Xilinx/14.7/ISE_DS/settings64.sh)")
    return platform.has_required_tools()


def run_tree(folder, toolchain="ISE", env=None, timeout=None, limit=""):
    """Run Amaranth's build script in ``folder`` (its output in ``build.log`` there), in a
    process group of its own that is ended on Ctrl-C, and within ``timeout`` seconds if one is
    given (``limit`` says what sets it); returns the bit file. BuildError, in one line naming
    the log, when the script fails (its last ``ERROR`` line, else its last line), runs out of
    time, or ends without the bit file."""
    folder = Path(folder)
    log = folder / "build.log"
    with open(log, "wb") as out:
        try:
            code, _ = run_tool(["bash", f"build_{NAME}.sh"], timeout=timeout, cwd=folder, env=env, stdout=out)
        except ToolTimeout:
            raise BuildError(f"the {toolchain} build gave no result in {timeout:g} s{limit}; see {log}") from None
    if code:
        last = last_line(log.read_bytes(), prefer=lambda line: line.startswith("ERROR"))
        raise BuildError(f"the {toolchain} build failed (exit status {code}): {last}; see {log}")
    bitfile = folder / f"{NAME}.bit"
    if not bitfile.exists():
        raise BuildError(f"the {toolchain} build ended without {bitfile.name}; see {log}")
    return bitfile


def build(folder, board="nexys3", run=None):
    """Write the Nexys 3 tree; run it if ``run`` (default: when ISE is available), within the
    time limit of ``STARSWEEPER_ISE_TIMEOUT``. Returns the bit file, or None when ISE did not
    run."""
    run = ise_available(board) if run is None else run
    timeout, variable = limit_of("ise")
    write_tree(folder, board)
    return run_tree(folder, timeout=timeout, limit=f" ({variable} sets the limit)") if run else None


def build_ecp5(folder, board_name="ulx3s", device=None, top=None, timeout=None, require_timing=True):
    """Write and run the ECP5 tree in ``folder``, then check it: the bit file's header and
    IDCODE, and (with ``require_timing``) every clock's timing. Returns (bit file,
    :class:`~.trellis.PnrReport` with its part)."""
    from . import trellis
    platform = board(board_name).platform(device)
    env = trellis.tool_environment()               # every tool is here, before any work
    timeout = time_limit(trellis.TIMEOUT_VARIABLE, trellis.TIMEOUT_SECONDS) if timeout is None else timeout
    write_tree(folder, board_name, device, top)
    bitfile = run_tree(folder, "ECP5", env, timeout, f" ({trellis.TIMEOUT_VARIABLE} sets the limit)")
    trellis.check_bitstream(bitfile, platform.device)
    report = replace(trellis.parse_report(Path(folder) / f"{NAME}.report.json"), part=platform.device)
    try:
        if require_timing:
            trellis.check_timing(report, Path(folder) / f"{NAME}.tim")
    except trellis.TrellisError:
        bitfile.unlink(missing_ok=True)            # a bit file that misses timing is not left
        raise
    return bitfile, report


def ecp5_report(folder, board_name="ulx3s", device=None):
    """The placed design's :class:`~.trellis.PnrReport` from ``folder``: the one there when it
    was built from the same tree (its RTLIL and constraints unchanged), else a new build's."""
    from . import trellis
    plan = prepare(board_name, device=device)
    folder = Path(folder)
    current = all((folder / path).is_file() and (folder / path).read_bytes() == _bytes(content)
                  for path, content in plan.files.items() if path.endswith((".il", ".lpf", ".sh")))
    if current and (folder / f"{NAME}.report.json").is_file():
        return replace(trellis.parse_report(folder / f"{NAME}.report.json"),
                       part=board(board_name).part(device))
    return build_ecp5(folder, board_name, device)[1]


def _bytes(content):
    return content.encode() if isinstance(content, str) else content
