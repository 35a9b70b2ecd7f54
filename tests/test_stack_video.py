"""`starsweeper stack --video`: the growing trail as H.264, decoded back and compared with the
stills of the first k frames."""

import signal

import numpy as np
import pytest

from starsweeper.stack.frames import list_frames
from starsweeper.stack.pipeline import stack_files
from starsweeper.stack.settings import StackSettings
from starsweeper.stack.synth import write_sequence
from starsweeper.stack.running import scaled_rgb
from starsweeper.stack.video import video_size

ATTENUATION = 0.95


@pytest.fixture(scope="module")
def sky(tmp_path_factory):
    d = tmp_path_factory.mktemp("sky")
    write_sequence(d, 12, 160, 96, 8, ".jpg", seed=5, degrees_per_frame=1.5)
    return d


def decode(path):
    import av
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255 ** 2 / mse)


@pytest.mark.parametrize("every, scale", [(1, None), (5, None), (1, 64)])
def test_video_frame_k_is_the_still_of_the_first_k_frames(sky, tmp_path, cli, every, scale):
    out, video = tmp_path / "trails.png", tmp_path / "trails.mp4"
    argv = ["stack", sky, "-o", out, "--attenuation", ATTENUATION, "--video", video,
            "--video-every", every, "--crf", "12", "-q"]
    if scale:
        argv += ["--video-scale", scale]
    assert cli(argv)[0] == 0
    frames = decode(video)
    paths = list_frames(sky)
    ks = [k for k in range(1, len(paths) + 1) if k % every == 0 or k == len(paths)]
    assert len(frames) == len(ks)
    size = video_size(160, 96, scale)
    assert frames[0].shape == (size[1], size[0], 3)
    stills = {k: scaled_rgb(stack_files(paths[:k], StackSettings(attenuation=ATTENUATION)), size)
              for k in range(1, len(paths) + 1)}
    for frame, k in zip(frames, ks):
        assert psnr(frame, stills[k]) > 35, f"video frame after {k} stacked frames"
        for other in (k - every, k + every):   # and nearer its own still than its neighbours'
            if other in stills and other != k:
                assert psnr(frame, stills[k]) > psnr(frame, stills[other]) + 3
    assert np.array_equal(stills[len(paths)],
                          scaled_rgb(stack_files(paths, StackSettings(attenuation=ATTENUATION, workers=2)), size))


@pytest.mark.parametrize("preset, cabac", [(None, 0), ("veryfast", 1)])
def test_the_preset_reaches_the_encoder(sky, tmp_path, cli, preset, cabac):
    """libx264 writes its settings into the stream: ultrafast (the default) has no CABAC, the
    slower presets have it."""
    video = tmp_path / "v.mp4"
    argv = ["stack", sky, "-o", tmp_path / "o.png", "--video", video, "-q"]
    assert cli(argv + (["--video-preset", preset] if preset else []))[0] == 0
    options = video.read_bytes().split(b"options: ")[1].split(b"\x00")[0].decode()
    assert f"cabac={cabac}" in options.split()
    assert len(decode(video)) == len(list_frames(sky))


def test_sizes_are_even_and_never_scaled_up():
    assert video_size(4000, 3000, 1920) == (1920, 1440)
    assert video_size(101, 75) == (100, 74)
    assert video_size(640, 480, 4000) == (640, 480)


@pytest.mark.parametrize("argv, message", [
    (["--video", "{tmp}/missing/v.mp4"], "folder {tmp}/missing does not exist"),
    (["--video", "{tmp}/v.gif"], "unknown video format (use .mp4, .mov or .mkv)"),
    (["--video", "{tmp}/v.mp4", "--crf", "99"], "--crf must be a whole number from 0 (lossless) to 51, not 99"),
    (["--video", "{tmp}/v.mp4", "--fps", "0"], "--fps must be a number of frames per second"),
    (["--video", "{tmp}/v.mp4", "--video-every", "0"], "--video-every must be a whole number of at least 1"),
    (["--video", "{tmp}/v.mp4", "--video-scale", "1"], "--video-scale must be a width of at least 2"),
    (["--video", "{tmp}/v.mp4", "--video-preset", "placebo"], "--video-preset must be one of ultrafast, "),
])
def test_bad_video_settings_are_one_line_and_write_nothing(sky, tmp_path, cli, argv, message):
    out = tmp_path / "o.png"
    argv = [a.format(tmp=tmp_path) for a in argv]
    code, _, err = cli(["stack", sky, "-o", out, "-q", *argv])
    assert code == 1
    assert len(err.splitlines()) == 1 and message.format(tmp=tmp_path) in err
    assert list(tmp_path.iterdir()) == []


def test_video_equal_to_the_output_or_an_input(sky, tmp_path, cli):
    code, _, err = cli(["stack", sky, "-o", tmp_path / "o.mp4", "--video", tmp_path / "o.mp4", "-q"])
    assert code == 1 and "unknown output format" in err
    linked = tmp_path / "in"
    linked.mkdir()
    for p in sorted(sky.iterdir())[:3]:
        (linked / p.name).write_bytes(p.read_bytes())
    (linked / "clip.mp4").write_bytes(b"not a video")
    code, _, err = cli(["stack", linked, "--glob", "*", "-o", tmp_path / "o.png", "--video", linked / "clip.mp4", "-q"])
    assert code == 1 and err.splitlines() == [f"starsweeper stack: error: --video {linked / 'clip.mp4'}: "
                                              f"the video is one of the input frames"]


def test_an_interrupted_run_leaves_neither_still_nor_video(sky, tmp_path, cli, monkeypatch):
    import starsweeper.stack.pipeline as pipeline
    real = pipeline.FixedStacker.add
    calls = []

    def add(self, frame):
        calls.append(1)
        if len(calls) == 6:
            raise KeyboardInterrupt
        return real(self, frame)

    monkeypatch.setattr(pipeline.FixedStacker, "add", add)
    out, video = tmp_path / "o.png", tmp_path / "v.mp4"
    handler = signal.getsignal(signal.SIGINT)
    try:
        code, _, err = cli(["stack", sky, "-o", out, "--video", video, "--engine", "fixed", "-q"])
    finally:
        # main() ignores further Ctrl-C after the first; this process's children must not inherit it
        signal.signal(signal.SIGINT, handler)
    assert code == 130 and "interrupted; nothing was written" in err
    assert list(tmp_path.iterdir()) == []


def test_a_still_that_cannot_be_written_takes_the_video_with_it(sky, tmp_path, cli, monkeypatch):
    import starsweeper.stack.frames as frames

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(frames, "_encode", refuse)
    video = tmp_path / "v.mp4"
    video.write_bytes(b"last night's video")
    code, _, err = cli(["stack", sky, "-o", tmp_path / "o.png", "--video", video, "-q"])
    assert code == 1 and "No space left on device" in err
    assert video.read_bytes() == b"last night's video"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.mp4"]


def bt709_limited(rgb):
    """Y', Cb, Cr of 8-bit RGB by BT.709's matrix in limited range (16-235, 16-240), as floats."""
    r, g, b = (rgb[..., k].astype(np.float64) / 255 for k in range(3))
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 16 + 219 * y, 128 + 224 * (b - y) / 1.8556, 128 + 224 * (r - y) / 1.5748


def test_the_video_is_bt709_limited_range_tagged_and_its_colours_are_the_stills(tmp_path, cli):
    """Blocks of pure and mixed colours (8x8, so that 4:2:0's halved colour planes hold each
    block's colour whole); lossless (crf 0) so that only the conversion's rounding remains:
    every decoded Y' within 1 of BT.709's, and Cb, Cr within 1 at each block's inside. BT.601's
    matrix would put pure green's Y' 28 levels lower."""
    import av
    from starsweeper.stack.frames import write_image
    rng = np.random.default_rng(709)
    colours = np.array([[0, 255, 0], [255, 0, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0],
                        *rng.integers(0, 256, (11, 3))], dtype=np.uint8)
    frame = np.kron(colours.reshape(4, 4, 3), np.ones((8, 8, 1), np.uint8)).astype(np.uint8)
    frames = tmp_path / "frames"
    frames.mkdir()
    write_image(frames / "f1.png", frame)
    video = tmp_path / "v.mp4"
    assert cli(["stack", frames, "-o", tmp_path / "o.png", "--video", video, "--crf", "0", "-q"])[0] == 0
    with av.open(str(video)) as container:
        codec = container.streams.video[0].codec_context
        assert (int(codec.colorspace), int(codec.color_range), int(codec.color_primaries),
                int(codec.color_trc)) == (1, 1, 1, 1)            # BT.709, limited ("MPEG"), BT.709, BT.709
        decoded = next(container.decode(video=0))
        planes = decoded.to_ndarray(format="yuv420p")            # Y' rows, then Cb and Cr at half size
    height = frame.shape[0]
    y = planes[:height].astype(np.float64)
    chroma = planes[height:].reshape(2, height // 2, frame.shape[1] // 2).astype(np.float64)
    want_y, want_cb, want_cr = bt709_limited(frame)
    assert np.abs(y - want_y).max() <= 1
    inside = np.kron(np.ones((4, 4)), np.pad(np.ones((2, 2)), 1)).astype(bool)   # away from block edges
    for got, want in ((chroma[0], want_cb[::2, ::2]), (chroma[1], want_cr[::2, ::2])):
        assert np.abs(got - want)[inside].max() <= 1


def test_an_odd_size_is_cropped_with_one_warning(tmp_path, capsys):
    from starsweeper.cli import main
    from starsweeper.stack.frames import write_image
    frames = tmp_path / "frames"
    frames.mkdir()
    for k in range(3):
        write_image(frames / f"f{k}.png", np.full((21, 33, 3), 40 * k, np.uint8))
    assert main([str(a) for a in ["stack", frames, "-o", tmp_path / "o.png", "--video", tmp_path / "v.mp4", "-q"]]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the frames are 33x21, the video 32x20" in err
    assert decode(tmp_path / "v.mp4")[0].shape == (20, 32, 3)
