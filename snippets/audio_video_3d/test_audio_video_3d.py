"""The audio, video, HTML and 3D page: the files W&B wrote, their formats and captions."""

import json
import re
import subprocess
import tomllib
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch
import wandb
from imageio_ffmpeg import get_ffmpeg_exe
from PIL import Image, ImageSequence
from sklearn.datasets import load_digits
from torch.utils.data import random_split

from tested_docs import RecordedRun

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
STEP = 24  # one epoch of 24 batches: every media row sits at the step training ended on


def first_val_digits() -> tuple[np.ndarray, list[int]]:
    """The first 4 validation digits (pixels in [0, 1]) and labels, found without the script."""
    images, labels = load_digits(return_X_y=True)
    split = random_split(
        range(1797), [1500, 297], generator=torch.Generator().manual_seed(0)
    )
    indices = list(split[1].indices[:4])
    return images[indices] / 16.0, [int(labels[i]) for i in indices]


def pitch(path: Path) -> float:
    """The strongest frequency of a mono WAV file, in Hz (2 Hz resolution at 8 kHz)."""
    samples, rate = soundfile.read(path)
    assert rate == 8000 and samples.shape == (4000,)
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[spectrum.argmax()])


def red_columns(frame: np.ndarray) -> list[int]:
    """The columns where a (H, W, 3) frame is red."""
    red = (frame[..., 0] > 128) & (frame[..., 1] < 64) & (frame[..., 2] < 64)
    return sorted(set(np.nonzero(red)[1].tolist()))


def decode(path: Path) -> tuple[str, bytes]:
    """An MP4 file's stream description and its frames as raw RGB, by the ffmpeg that
    imageio-ffmpeg ships (its own reader leaves pipes open: a ResourceWarning)."""
    command = [get_ffmpeg_exe(), "-hide_banner", "-i", str(path)]
    done = subprocess.run(
        [*command, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stderr.decode(), done.stdout


def check_audio(run: RecordedRun, captions: list[str]) -> None:
    (row,) = run.rows_with("audio/predictions._type")
    assert row["audio/predictions._type"] == "audio"
    assert row["audio/predictions.count"] == 4
    assert row["audio/predictions.captions"] == captions
    assert row["audio/predictions.sampleRates"] == [8000] * 4
    assert row["audio/predictions.durations"] == [0.5] * 4
    clips = row["audio/predictions.audio"]
    # identical clips (two predictions of one digit) are stored once, listed twice
    assert len({c["path"] for c in clips}) == len({c.split(" / ")[1] for c in captions})
    for clip, caption in zip(clips, captions, strict=True):
        assert clip["_type"] == "audio-file" and clip["caption"] == caption
        assert re.fullmatch(r"media/audio/audio/predictions_\d+_\w+\.wav", clip["path"])
        wav = run.files_dir / clip["path"]
        assert wav.read_bytes()[:4] == b"RIFF"
        # the pitch says the predicted digit: 220 Hz times 2 ** (digit / 12)
        predicted = int(caption.split(" / predicted ")[1])
        assert abs(pitch(wav) - 220 * 2 ** (predicted / 12)) <= 2


def check_video(run: RecordedRun) -> None:
    (row,) = run.rows_with("video/square._type")
    assert row["video/square._type"] == "videos"
    assert row["video/square.count"] == 2
    assert row["video/square.captions"] == ["as a GIF", "as an MP4"]
    gif, mp4 = row["video/square.videos"]
    expected = [list(range(3 * i, 3 * i + 8)) for i in range(8)]
    for video, ext in [(gif, "gif"), (mp4, "mp4")]:
        assert video["_type"] == "video-file"
        assert (video["width"], video["height"]) == (32, 32)
        assert re.fullmatch(rf"media/videos/video/square_\d+_\w+\.{ext}", video["path"])
    # the GIF: 8 frames at 4 frames a second, looping, the red square exactly where it was
    with Image.open(run.files_dir / gif["path"]) as image:
        assert image.format == "GIF" and image.n_frames == 8
        assert image.info["duration"] == 250 and image.info["loop"] == 0
        frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(image)]
    assert [red_columns(f) for f in frames] == expected
    # the MP4 (H.264, lossy): 8 frames, the square within a pixel of where it was
    path = run.files_dir / mp4["path"]
    assert path.read_bytes()[4:8] == b"ftyp"
    stream, pixels = decode(path)
    assert "Video: h264" in stream and "32x32" in stream and "4 fps" in stream
    frames = np.frombuffer(pixels, dtype=np.uint8).reshape(-1, 32, 32, 3)
    assert len(frames) == 8
    for frame, columns in zip(frames, expected, strict=True):
        found = red_columns(frame)
        assert abs(found[0] - columns[0]) <= 1 and abs(found[-1] - columns[-1]) <= 1


def check_html(path: Path, labels: list[int], guesses: list[int]) -> None:
    html = path.read_text()
    # W&B injects a <base> and its stylesheet in front of the page (inject=True)
    assert html.startswith('<base target="_blank"><link rel="stylesheet"')
    cells = re.findall(r"<tr><td>(\d)</td><td>(\d)</td></tr>", html)
    assert [(int(t), int(p)) for t, p in cells] == list(
        zip(labels, guesses, strict=True)
    )
    assert html.endswith("</table>")


def check_point_clouds(
    run: RecordedRun, captions: list[str], digits: np.ndarray
) -> None:
    (row,) = run.rows_with("3d/digits._type")
    assert row["3d/digits._type"] == "object3D"
    assert row["3d/digits.count"] == 4
    objects = row["3d/digits.objects"]
    assert [o["caption"] for o in objects] == captions
    assert row["3d/digits.filenames"] == [
        o["path"].removeprefix("media/object3D/") for o in objects
    ]
    xs, ys = np.meshgrid(np.arange(8), 7 - np.arange(8))
    for obj, digit in zip(objects, digits, strict=True):
        assert obj["_type"] == "object3D-file" and obj["path"].endswith(".pts.json")
        points = np.array(json.loads((run.files_dir / obj["path"]).read_text()))
        assert points.shape == (64, 3)
        assert np.array_equal(points[:, 0], xs.flatten())
        assert np.array_equal(points[:, 1], ys.flatten())
        np.testing.assert_allclose(points[:, 2], digit * 4, rtol=1e-6)


def check_run(run: RecordedRun, namespace: dict) -> None:
    assert run.exit_code == 0
    assert run.project == "lightning-audio-video-3d"
    digits, labels = first_val_digits()
    assert namespace["labels"] == labels
    guesses = namespace["guesses"]
    assert sum(t == p for t, p in zip(labels, guesses, strict=True)) >= 3
    captions = [
        f"label {t} / predicted {p}" for t, p in zip(labels, guesses, strict=True)
    ]
    media_rows = [r for r in run.history if any(k.endswith("._type") for k in r)]
    assert len(media_rows) == 4
    assert {r["trainer/global_step"] for r in media_rows} == {STEP}
    check_audio(run, captions)
    check_video(run)
    check_point_clouds(run, captions, digits)
    (row,) = run.rows_with("html/predictions._type")
    if row["html/predictions._type"] == "html-file":  # a wandb.Html logged by the run
        check_html(run.files_dir / row["html/predictions.path"], labels, guesses)
    else:  # a list, from log_html
        assert row["html/predictions._type"] == "html"
        (html,) = row["html/predictions.html"]
        assert html["_type"] == "html-file" and "caption" not in html
        check_html(run.files_dir / html["path"], labels, guesses)


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "audio_video_3d_trainer.py")
    run = wandb_offline.run()
    check_run(run, namespace)
    assert (
        run.rows_with("html/predictions._type")[0]["html/predictions._type"]
        == "html-file"
    )
    # log_every_n_steps=8: Lightning records at the number of steps taken before the batch
    assert run.steps("train_loss") == [
        7,
        15,
        23,
    ]
    assert run.column("val_accuracy")[0] > 0.8
    assert namespace["trainer"].global_step == STEP
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "audio_video_3d_fabric.py")
    run = wandb_offline.run()
    check_run(run, namespace)
    assert (
        run.rows_with("html/predictions._type")[0]["html/predictions._type"] == "html"
    )
    assert run.steps("train_loss") == [
        8,
        16,
        24,
    ]
    assert namespace["step"] == STEP
    assert namespace["fabric"].device.type == torch_device
    # the point clouds came from tensors on the device the loop ran on
    assert namespace["x"].device.type == torch_device


def test_what_each_type_refuses():
    """The pitfalls the page names, each with the error the pinned wandb and Lightning raise."""
    from lightning.pytorch.loggers import WandbLogger
    from wandb.integration.lightning.fabric import WandbLogger as FabricWandbLogger

    points = torch.rand(64, 3)
    with pytest.raises(
        ValueError, match="data must be a numpy array, dict or a file object"
    ):
        wandb.Object3D(points)
    with pytest.raises(ValueError, match="The shape of the numpy array must be one of"):
        wandb.Object3D(torch.rand(64, 5).numpy())
    categories = torch.randint(1, 15, (64, 1)).float()
    colors = torch.randint(0, 256, (64, 3)).float()
    for array in [torch.cat([points, categories], 1), torch.cat([points, colors], 1)]:
        wandb.Object3D(array.numpy())  # (N, 4) and (N, 6) are accepted
    frames = np.zeros((8, 3, 32, 32), dtype=np.uint8)
    with pytest.raises(
        ValueError, match=re.escape("wandb.Video requires a `format` argument")
    ):
        wandb.Video(frames)
    with pytest.raises(TypeError, match="unexpected keyword argument 'caption'"):
        wandb.Html("<p>no caption</p>", caption="one")
    # keyword arguments of log_audio and log_video are lists, one entry per item: a plain
    # number fails before any run is created
    tones = [np.zeros(4000, dtype=np.float32)] * 2
    for logger in [WandbLogger(project="p"), FabricWandbLogger(project="p")]:
        with pytest.raises(TypeError, match="object of type 'int' has no len"):
            logger.log_audio(key="audio", audios=tones, sample_rate=8000)
        with pytest.raises(
            ValueError, match="Expected 2 items but only found 1 for fps"
        ):
            logger.log_video(key="video", videos=[frames, frames], fps=[4])
    assert not hasattr(WandbLogger, "log_html") and hasattr(
        FabricWandbLogger, "log_html"
    )
    assert wandb.run is None


def test_video_without_moviepy(monkeypatch):
    """The error a reader without moviepy gets. wandb remembers the optional modules that
    failed to import: this test hands it a fresh memory holding moviepy's, never the real one."""
    missing = {"moviepy.video.io.ImageSequenceClip"}
    monkeypatch.setattr(wandb.util, "_not_importable", missing)
    frames = np.zeros((8, 3, 32, 32), dtype=np.uint8)
    with pytest.raises(wandb.Error, match=re.escape("wandb.Video requires moviepy")):
        wandb.Video(frames, format="gif")


def test_float_frames_come_out_black(wandb_offline):
    """Like images, video frames are not rescaled: floats in [0, 1] become 0 and 1."""
    run = wandb.init(project="lightning-audio-video-3d")
    frames = np.zeros((8, 3, 32, 32), dtype=np.float32)
    frames[:, 0, 12:20, 12:20] = 1.0
    run.log({"floats": wandb.Video(frames, format="gif")})
    wandb.finish()
    (row,) = wandb_offline.run().rows_with("floats._type")
    with Image.open(wandb_offline.run().files_dir / row["floats.path"]) as image:
        assert np.asarray(image.convert("RGB")).max() <= 1


def test_install_line_names_what_the_project_pins():
    """The page's pip line: the packages audio and video need, each a runtime dependency of
    this project, pinned at the version these tests ran with (moviepy 1.0.3 with Pillow 13)."""
    script = (HERE / "install.sh").read_text()
    (line,) = [line for line in script.splitlines() if line.startswith("pip install")]
    packages = line.split()[2:]
    assert packages == ["soundfile", "moviepy", "imageio"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime = {re.match(r"[\w-]+", d)[0] for d in pyproject["project"]["dependencies"]}
    assert set(packages) <= runtime
    pins = (ROOT / "constraints.txt").read_text().splitlines()
    for package in [*packages, "imageio-ffmpeg"]:
        assert f"{package}=={version(package)}" in pins
    assert version("moviepy") == "1.0.3" and version("pillow").startswith("13.")
