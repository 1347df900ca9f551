from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera import diag
from devices.camera.simulated import render_scene

QR_TEXT = "BJ:DEMO0001-20261122-000017-3 政务服务"


@pytest.fixture
def page_video(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """An MJPG clip of a page with a QR code, as a document camera would stream it."""
    frame, corners = render_scene("page_qr", 1280, 720, QR_TEXT)
    assert corners is not None
    path = tmp_path / "desk.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 15, (1280, 720))
    rng = np.random.default_rng(0)
    for _ in range(8):
        noisy = np.clip(frame + rng.normal(0, 2, frame.shape), 0, 255).astype(np.uint8)
        writer.write(noisy)
    writer.release()
    return path, corners


def test_diag_on_a_video_file_prints_corners_qr_text_and_saves_the_page(
        page_video: tuple[Path, np.ndarray], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path, corners = page_video
    out = tmp_path / "page.jpg"
    code = diag.run(["--source", str(path), "--frames", "5", "--document", str(out), "--qr"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert report["ok"] and report["resolution"] == [1280, 720]
    assert report["frames_read"] == 5 and report["measured_fps"] > 0
    assert report["sharpness"] > 0 and report["camera"]["backend"] == "opencv"
    found = np.array(report["document"]["corners"], np.float32)
    assert found.shape == (4, 2) and np.abs(found - corners).max() < 3
    assert report["qr"] == [{"text": QR_TEXT, "kind": "receipt"}]
    data = out.read_bytes()
    assert 0 < len(data) <= 300_000 and report["document"]["bytes"] == len(data)
    page = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert abs(page.shape[0] / page.shape[1] - 2 ** 0.5) < 0.02


def test_diag_reads_past_the_end_of_a_short_file(page_video: tuple[Path, np.ndarray],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = page_video
    assert diag.run(["--source", str(path), "--frames", "50", "--qr"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["frames_read"] == 8 and report["qr"][0]["text"] == QR_TEXT


def test_diag_reports_a_missing_camera_as_json_with_exit_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert diag.run(["--source", str(tmp_path / "none.avi")]) == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["ok"] and report["error"]["type"] == "DeviceUnavailableError"
    assert report["error"]["user_message"] == "摄像头无法打开，请联系工作人员"


def test_diag_simulated_scene_without_a_page_says_so(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    code = diag.run(["--backend", "simulated", "--source", "scene:face", "--frames", "3",
                     "--document", str(tmp_path / "x.jpg")])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["document"] == {"found": False}
    assert not (tmp_path / "x.jpg").exists()


def test_diag_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert diag.run(["--frames", "0"]) == 2
    assert diag.run(["--bogus"]) == 2
    assert diag.run(["--backend", "simulated", "--source", "scene:nope"]) == 2
    capsys.readouterr()
