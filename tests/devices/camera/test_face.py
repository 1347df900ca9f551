"""Face checks on a drawn face-like pattern (no real face image ships with any installed
package: OpenCV's samples are not in the wheel and scikit-image is not installed). The first
test proves the Haar cascade really fires on the pattern, so the others test FaceCheck's
logic and not an always-empty detector."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest

from devices.camera.face import FaceCheck, FaceStatus
from devices.camera.simulated import render_face_pattern, render_scene
from tests.devices.camera import synth


@pytest.fixture(scope="module")
def check() -> FaceCheck:
    fc = FaceCheck()
    assert fc.available, fc.unavailable_reason
    return fc


def run(fc: FaceCheck, **kwargs: Any) -> FaceStatus:
    fc.reset()
    return fc.check(synth.face_frame(**kwargs)).status


def test_haar_cascade_fires_on_the_synthetic_face_pattern(check: FaceCheck) -> None:
    for width in (70, 150, 250):
        for background in (40, 120, 200, 230):
            canvas = np.full((480, 640, 3), background, np.uint8)
            patt = render_face_pattern(width, background)
            canvas[40:40 + patt.shape[0], 100:100 + patt.shape[1]] = patt
            boxes = check.detect(canvas)
            assert len(boxes) == 1, (width, background, boxes)
            assert abs(boxes[0][2] / width - 1) < 0.3


def test_a_well_placed_face_passes(check: FaceCheck) -> None:
    check.reset()
    result = check.check(synth.face_frame())
    assert result.ok and result.instruction_zh == "很好，请保持"
    assert result.faces == 1 and result.box is not None
    assert 0.35 < result.metrics["face_width_frac"] < 0.5
    frame, _ = render_scene("face", 1280, 720)
    check.reset()
    assert check.check(frame).ok  # the demo camera's scene is usable too


@pytest.mark.parametrize(("frame", "why"), [
    (np.full((480, 640, 3), 110, np.uint8), "empty wall"),
    (synth.page_photo(4, 640, 480).image, "a page"),
    (synth.negative_photo(4, 640, 480).image, "a desk"),
])
def test_no_face_asks_the_citizen_to_face_the_camera(check: FaceCheck, frame: np.ndarray,
                                                      why: str) -> None:
    check.reset()
    result = check.check(frame)
    assert result.status in (FaceStatus.NO_FACE, FaceStatus.TOO_DARK), why
    if result.status is FaceStatus.NO_FACE:
        assert result.instruction_zh == "请正对摄像头"


@pytest.mark.parametrize(("kwargs", "status", "instruction"), [
    ({"face_width": 0.1}, FaceStatus.TOO_SMALL, "请靠近一些"),
    ({"face_width": 0.75, "h": 720}, FaceStatus.TOO_LARGE, "请离远一些"),
    ({"centre": (0.78, 0.5), "face_width": 0.3}, FaceStatus.OFF_CENTRE, "请将面部移到画面中央"),
    ({"centre": (0.5, 0.8), "face_width": 0.25}, FaceStatus.OFF_CENTRE, "请将面部移到画面中央"),
    ({"blur": 4.0}, FaceStatus.BLURRED, "请保持不动"),
    ({"gain": 0.35}, FaceStatus.TOO_DARK, "光线太暗"),            # a dark hall
    ({"face_gain": 0.25, "gain": 1.2}, FaceStatus.TOO_DARK, "光线太暗"),  # back-lit citizen
    ({"gain": 2.2}, FaceStatus.TOO_BRIGHT, "光线太强"),
    ({"faces": 2, "face_width": 0.25}, FaceStatus.MULTIPLE, "请确保画面中只有您一人"),
])
def test_each_problem_gets_its_own_instruction(check: FaceCheck, kwargs: dict[str, Any],
                                               status: FaceStatus, instruction: str) -> None:
    check.reset()
    result = check.check(synth.face_frame(**kwargs))
    assert result.status is status, result.as_dict()
    assert result.instruction_zh == instruction and not result.ok


def test_a_slight_blur_is_still_acceptable(check: FaceCheck) -> None:
    assert run(check, blur=1.0) is FaceStatus.OK


def test_moving_between_frames_asks_to_hold_still(check: FaceCheck) -> None:
    frame = synth.face_frame()
    check.reset()
    assert check.check(frame).ok
    moved = cv2.warpAffine(frame, np.float32([[1, 0, 60], [0, 1, 0]]), (640, 480),
                           borderMode=cv2.BORDER_REPLICATE)
    assert check.check(moved).status is FaceStatus.MOVING


def test_face_check_keeps_no_image_data(check: FaceCheck) -> None:
    check.reset()
    check.check(synth.face_frame())
    kept = [name for name, value in vars(check).items() if isinstance(value, np.ndarray)]
    assert kept == []
    assert check._last_box is not None and len(check._last_box) == 4  # geometry only


def test_reports_unavailable_without_cascade_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(cv2, "CascadeClassifier")  # what OpenCV 5 wheels look like
    fc = FaceCheck()
    assert not fc.available and "CascadeClassifier" in fc.unavailable_reason
    result = fc.check(synth.face_frame())
    assert result.status is FaceStatus.UNAVAILABLE
    assert result.instruction_zh == "人脸检测暂不可用，请联系工作人员"
    assert fc.detect(synth.face_frame()) == []


def test_reports_unavailable_with_a_missing_cascade_file(tmp_path: Any) -> None:
    fc = FaceCheck(cascade_path=str(tmp_path / "none.xml"))
    assert not fc.available and fc.check(synth.face_frame()).status is FaceStatus.UNAVAILABLE
