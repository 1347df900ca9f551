from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from devices import registry
from devices.base import FaultScript
from devices.camera.base import Camera, PreviewFrame
from devices.camera.document import DocumentCapture, DocumentPhase, DocumentUpdate
from devices.camera.opencv import OpenCvCamera, parse_source
from devices.camera.simulated import SimulatedCamera, render_scene
from kiosk.errors import DeviceError, DeviceUnavailableError

FRAMES = 12
SIZE = (320, 240)


def numbered_frame(i: int, size: tuple[int, int] = SIZE) -> np.ndarray:
    """A frame whose top-left patch brightness encodes its index (robust to MJPG)."""
    w, h = size
    rng = np.random.default_rng(i)
    img = rng.integers(60, 200, (h, w, 3), dtype=np.uint8)
    img[:60, :60] = 10 + 15 * i
    return img


def frame_index(frame: np.ndarray) -> int:
    return round((float(frame[10:50, 10:50].mean()) - 10) / 15)


def write_video(path: Path, count: int = FRAMES) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10, SIZE)
    assert writer.isOpened()
    for i in range(count):
        writer.write(numbered_frame(i))
    writer.release()
    return path


def write_sequence(folder: Path, count: int = FRAMES) -> str:
    for i in range(count):
        cv2.imwrite(str(folder / f"f_{i:03d}.png"), numbered_frame(i))
    return str(folder / "f_%03d.png")


@pytest.fixture
def video(tmp_path: Path) -> Path:
    return write_video(tmp_path / "clip.avi")


def wait_until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.005)


# -- the contract, against every backend that runs here ---------------------------------
@pytest.fixture(params=["opencv-video", "opencv-sequence", "simulated-scene", "simulated-video"])
def camera(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Camera]:
    kind = request.param
    cam: Camera
    if kind == "opencv-video":
        cam = OpenCvCamera(str(write_video(tmp_path / "c.avi")))
    elif kind == "opencv-sequence":
        cam = OpenCvCamera(write_sequence(tmp_path))
    elif kind == "simulated-scene":
        cam = SimulatedCamera(scene="page", width=640, height=360)
    else:
        cam = SimulatedCamera(source=str(write_video(tmp_path / "s.avi")))
    yield cam
    cam.close()


class TestCameraContract:
    def test_lifetime_is_idempotent_and_readable(self, camera: Camera) -> None:
        with pytest.raises(DeviceUnavailableError) as info:
            camera.read_frame()
        assert info.value.user_message == "摄像头未打开，请联系工作人员"
        with camera:
            camera.open()
            frame = camera.read_frame()
            assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
            still = camera.capture_still()
            assert still.shape == frame.shape
        camera.close()
        assert not camera.is_open
        assert str(camera).startswith(camera.label_zh)

    def test_describe_reports_resolution_fps_backend_and_source(self, camera: Camera) -> None:
        with camera:
            camera.read_frame()
            info = camera.describe()
        assert info["kind"] == "camera" and info["backend"] in ("opencv", "simulated")
        assert info["source"] and info["resolution"][0] > 0 and info["resolution"][1] > 0
        assert "fps" in info and info["frames_read"] >= 1

    def test_self_test_passes_and_leaves_a_closed_camera_closed(self, camera: Camera) -> None:
        result = camera.self_test()
        assert result.ok, result.as_dict()
        assert set(result.checks) == {"open", "read", "not_black", "not_frozen"}
        assert not camera.is_open


# -- OpenCvCamera -----------------------------------------------------------------------
def test_parse_source_chooses_v4l2_for_devices_and_images_for_patterns() -> None:
    assert parse_source("0")[2] == "index" and parse_source("0")[0] == 0
    assert parse_source("/dev/video2")[1] == cv2.CAP_V4L2
    assert parse_source("rtsp://10.0.0.5/stream")[1] == cv2.CAP_FFMPEG
    assert parse_source("/tmp/f_%03d.png")[1] == cv2.CAP_IMAGES
    assert parse_source("clip.avi")[2] == "file"


def test_opencv_camera_reads_an_mjpg_video_in_order_then_reports_the_loss(video: Path) -> None:
    with OpenCvCamera(str(video), max_failed_reads=3) as cam:
        assert isinstance(cam, OpenCvCamera)
        seen = [frame_index(cam.read_frame()) for _ in range(FRAMES)]
        assert seen == list(range(FRAMES))
        assert cam.describe()["resolution"] == list(SIZE)
        with pytest.raises(DeviceUnavailableError) as info:
            cam.read_frame()  # end of the file: the "camera" is gone
        assert info.value.user_message == "摄像头连接中断，请联系工作人员"
        assert "3 failed reads" in info.value.detail
        assert not cam.is_open
        cam.open()  # recovery
        assert frame_index(cam.read_frame()) == 0


def test_opencv_camera_loses_an_image_sequence_deleted_mid_stream_and_recovers(
        tmp_path: Path) -> None:
    pattern = write_sequence(tmp_path)
    cam = OpenCvCamera(pattern, max_failed_reads=2)
    with cam:
        assert [frame_index(cam.read_frame()) for _ in range(3)] == [0, 1, 2]
        for path in sorted(tmp_path.glob("f_*.png"))[3:]:
            path.unlink()  # the camera disappears
        with pytest.raises(DeviceUnavailableError, match="failed reads"):
            cam.read_frame()
        assert not cam.is_open
        write_sequence(tmp_path)  # it comes back
        cam.open()
        assert frame_index(cam.read_frame()) == 0


def test_opencv_camera_stops_cleanly_on_a_truncated_video(video: Path) -> None:
    data = video.read_bytes()
    video.write_bytes(data[: len(data) // 2])
    with OpenCvCamera(str(video), max_failed_reads=2) as cam:
        read = 0
        with pytest.raises(DeviceUnavailableError):
            for _ in range(FRAMES + 1):
                cam.read_frame()
                read += 1
        assert 0 < read < FRAMES


def test_opencv_camera_reports_a_missing_source(tmp_path: Path) -> None:
    cam = OpenCvCamera(str(tmp_path / "nothing.avi"))
    with pytest.raises(DeviceUnavailableError) as info:
        cam.open()
    assert info.value.user_message == "摄像头无法打开，请联系工作人员"
    result = cam.self_test()
    assert not result.ok and "无法使用" in result.summary_zh and "open" in result.checks
    with pytest.raises(DeviceUnavailableError):
        OpenCvCamera("/dev/video99").open()
    with pytest.raises(ValueError):
        OpenCvCamera("0", fourcc="MJPEG")
    with pytest.raises(ValueError):
        OpenCvCamera("0", width=1920)


def test_registry_builds_both_backends_for_both_camera_kinds(video: Path) -> None:
    cam = registry.create("document_camera", "opencv", source=str(video), width=320,
                          height=240, fourcc="MJPG", fps=10, warmup_frames=0)
    assert isinstance(cam, OpenCvCamera)
    sim = registry.create("camera", "simulated", scene="face", width=640, height=480)
    assert isinstance(sim, SimulatedCamera)
    with sim:
        assert sim.read_frame().shape == (480, 640, 3)


# -- SimulatedCamera + FaultScript -------------------------------------------------------
def test_simulated_camera_unplugged_mid_stream_raises_then_recovers_on_reopen() -> None:
    faults = FaultScript()
    cam = SimulatedCamera(scene="desk", width=320, height=240, faults=faults,
                          max_failed_reads=3)
    with cam:
        cam.read_frame()
        faults.unplug()
        with pytest.raises(DeviceUnavailableError) as info:
            cam.read_frame()
        assert info.value.user_message == "摄像头连接中断，请联系工作人员"
        assert not cam.is_open
        with pytest.raises(DeviceUnavailableError):
            cam.open()  # still unplugged
        faults.replug()
        cam.open()
        assert cam.read_frame().shape == (240, 320, 3)


def test_simulated_camera_retries_a_glitch_shorter_than_the_limit() -> None:
    faults = FaultScript()
    with SimulatedCamera(scene="desk", width=160, height=120, faults=faults,
                         max_failed_reads=3) as cam:
        faults.fail_next(DeviceError("usb glitch"), times=2)
        assert cam.read_frame() is not None and cam.is_open
        faults.fail_next(DeviceError("usb glitch"), times=3)
        with pytest.raises(DeviceUnavailableError, match="usb glitch"):
            cam.read_frame()


def test_simulated_camera_plays_scripted_frames_and_images(tmp_path: Path) -> None:
    frames = [numbered_frame(i) for i in range(3)]
    with SimulatedCamera(scene="desk", loop=False, noise=0) as cam:
        assert isinstance(cam, SimulatedCamera)
        cam.set_frames(frames)
        assert [frame_index(cam.read_frame()) for _ in range(3)] == [0, 1, 2]
        with pytest.raises(DeviceUnavailableError):
            cam.read_frame()
    image = tmp_path / "still.png"
    cv2.imwrite(str(image), numbered_frame(4))
    with SimulatedCamera(source=str(image)) as cam:
        assert frame_index(cam.read_frame()) == 4


def test_simulated_noise_is_fresh_per_frame_and_held_in_two_frames_of_memory() -> None:
    """Each frame is the clean scene plus a window of one int8 noise field: no two
    consecutive frames alike, σ ≈ ``noise``, the mean unchanged, and the simulator holds
    about two frames (it held four noisy copies before)."""
    with SimulatedCamera(scene="page", width=320, height=180, noise=2.0) as cam:
        assert isinstance(cam, SimulatedCamera)
        clean, _ = render_scene("page", 320, 180)
        frames = [cam.read_frame() for _ in range(40)]
        assert all(f.shape == clean.shape and f.dtype == np.uint8 for f in frames)
        assert not any(np.array_equal(a, b) for a, b in itertools.pairwise(frames))
        assert len({f.tobytes() for f in frames}) >= 10
        residual = frames[0].astype(np.int16) - clean.astype(np.int16)
        assert 1.5 < float(residual.std()) < 2.5 and abs(float(residual.mean())) < 0.2
        held = sum(a.nbytes for a in (cam._still, cam._noise) if a is not None)
        assert held <= 2.2 * clean.nbytes
    assert cam._still is None and cam._noise is None  # closed: nothing kept


def test_self_test_flags_black_and_frozen_pictures(tmp_path: Path) -> None:
    black = tmp_path / "black.png"
    cv2.imwrite(str(black), np.zeros((120, 160, 3), np.uint8))
    result = SimulatedCamera(source=str(black)).self_test()
    assert not result.ok and "全黑" in result.summary_zh
    frozen = SimulatedCamera(scene="page", width=320, height=180, noise=0).self_test()
    assert not frozen.ok and "静止" in frozen.summary_zh


# -- the preview stream --------------------------------------------------------------------
def test_preview_drops_frames_for_a_slow_consumer_and_hands_out_the_newest() -> None:
    cam = SimulatedCamera(scene="desk", width=640, height=360)
    ready = threading.Event()
    taken: list[tuple[PreviewFrame, int]] = []
    notifications: list[int] = []

    def on_frame() -> None:
        notifications.append(1)
        ready.set()

    with cam:
        stream = cam.start_preview(on_frame, max_fps=500, max_width=320)
        for _ in range(5):
            assert ready.wait(10)
            ready.clear()
            # a slow consumer: it comes back only after three more frames were produced
            target = stream.produced + 3
            wait_until(lambda t=target: stream.produced >= t)  # type: ignore[misc]
            produced_before = stream.produced
            frame = stream.take()
            assert frame is not None
            taken.append((frame, produced_before))
        stream.stop()
        assert not stream.running
    stats = stream.stats
    delivered, dropped, produced = stats.delivered, stats.dropped, stats.produced
    pending = stream.take() is not None
    assert delivered == 5 < produced
    assert dropped >= 5 * 3  # every cycle, three frames overwrote an untaken one
    assert produced == delivered + dropped + pending  # nothing queued anywhere else
    for frame, produced_before in taken:
        # latency bounded by construction: never older than the newest frame at take time
        assert frame.seq >= produced_before
        assert frame.image.shape == (180, 320, 3) and frame.scale == 0.5
    # edge-triggered: one notification per delivered frame at most (+1 pending)
    assert len(notifications) <= stats.delivered + 1


def test_preview_reopens_a_camera_that_came_back() -> None:
    faults = FaultScript()
    errors: list[Exception] = []
    cam = SimulatedCamera(scene="desk", width=320, height=180, faults=faults,
                          max_failed_reads=2)
    with cam:
        stream = cam.start_preview(max_fps=200, on_error=errors.append,
                                   reopen_interval_s=0.01)
        wait_until(lambda: stream.produced >= 2)
        faults.unplug()
        wait_until(lambda: any(isinstance(e, DeviceUnavailableError) for e in errors))
        wait_until(lambda: not cam.is_open)
        assert any(e.user_message == "摄像头连接中断，请联系工作人员" for e in errors
                   if isinstance(e, DeviceUnavailableError))
        faults.replug()
        before = stream.produced
        wait_until(lambda: stream.produced > before + 2)
        assert cam.is_open and stream.running
    assert not stream.running  # close() stopped it


def test_preview_process_hook_runs_document_capture_to_a_result() -> None:
    cam = SimulatedCamera(scene="page", width=1280, height=720)
    capture = DocumentCapture(cam.capture_still, stable_frames=3)
    done = threading.Event()
    updates: list[DocumentUpdate] = []

    def process(image: np.ndarray) -> DocumentUpdate:
        update = capture.feed(image)
        updates.append(update)
        if update.phase is DocumentPhase.DONE:
            done.set()
        return update

    with cam:
        stream = cam.start_preview(max_fps=100, max_width=640, process=process)
        assert done.wait(20)
        stream.stop()
        frame = stream.take()
    assert frame is not None and isinstance(frame.analysis, DocumentUpdate)
    result = capture.result
    assert result is not None and result.still_size == (1280, 720)  # the still is full size
    assert cam.page_corners is not None
    assert np.abs(result.quad.points - cam.page_corners).max() < 3
    assert [u.phase for u in updates[:3]] == [DocumentPhase.FOUND, DocumentPhase.FOUND,
                                              DocumentPhase.DONE]


def test_closing_the_camera_from_a_preview_callback_does_not_deadlock() -> None:
    cam = SimulatedCamera(scene="desk", width=160, height=120)
    closed = threading.Event()

    def on_frame() -> None:
        cam.close()
        closed.set()

    cam.open()
    stream = cam.start_preview(on_frame, max_fps=100)
    assert closed.wait(10)
    wait_until(lambda: not stream.running)
    assert not cam.is_open
