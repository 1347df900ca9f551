from __future__ import annotations

import numpy as np
import pytest

from devices.camera.qr import classify_payload, decode_qr, scan
from devices.camera.simulated import render_scene
from tests.devices.camera import synth

CHINESE = "办件编号:2026-0001 政务服务一体机"


@pytest.mark.parametrize(("angle", "box", "tilt"), [
    (0, 8, 0.0), (15, 8, 0.0), (30, 6, 0.05), (45, 10, 0.0), (-20, 5, 0.1), (90, 12, 0.0),
    (10, 16, 0.08),
])
def test_decode_qr_reads_chinese_utf8_at_angles_and_scales(angle: float, box: int,
                                                         tilt: float) -> None:
    frame = synth.qr_frame([CHINESE], box=box, angle=angle, tilt=tilt, seed=box)
    assert decode_qr(frame) == [CHINESE]


def test_decode_qr_reads_several_codes_in_one_frame() -> None:
    texts = ["YY:20261122-0042", "BJ:DEMO0001-20261122-000017-3", "电子证照 DZZZ:44010019"]
    frame = synth.qr_frame(texts, box=6, angle=8)
    assert sorted(decode_qr(frame)) == sorted(texts)


def test_decode_qr_finds_a_small_code_on_a_large_frame() -> None:
    frame = synth.qr_frame(["EID:a1b2c3"], w=2592, h=1944, box=4)
    assert decode_qr(frame) == ["EID:a1b2c3"]


@pytest.mark.parametrize("frame", [
    np.full((720, 1280, 3), 120, np.uint8),
    synth.page_photo(2, 1280, 720).image,
    synth.face_frame(),
    np.zeros((0, 0, 3), np.uint8),
])
def test_decode_qr_returns_empty_without_a_code(frame: np.ndarray) -> None:
    assert decode_qr(frame) == []


def test_simulated_scenes_carry_their_qr_text() -> None:
    for scene in ("qr", "page_qr"):
        frame, _ = render_scene(scene, 1280, 720, "YY:预约-0042")
        assert [(p.kind, p.value) for p in scan(frame)] == [("appointment", "预约-0042")]


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("EID:Zm9vYmFy", "e_id", "Zm9vYmFy"),
    ("ctid: 123", "e_id", "123"),
    ("YY:20261122-0042", "appointment", "20261122-0042"),
    ("APPT:A-17", "appointment", "A-17"),
    ("DZZZ:44010019-粤-营业执照", "e_licence", "44010019-粤-营业执照"),
    ("LIC:1", "e_licence", "1"),
    ("BJ:DEMO0001-20261122-000017-3", "receipt", "DEMO0001-20261122-000017-3"),
    ("demo0001-20261122-000017-3", "receipt", "DEMO0001-20261122-000017-3"),
    ("https://zwfw.example.gov.cn/q?id=1", "url", "https://zwfw.example.gov.cn/q?id=1"),
    ("办件编号:2026-0001", "unknown", "办件编号:2026-0001"),
])
def test_classify_payload_by_prefix(text: str, kind: str, value: str) -> None:
    payload = classify_payload(text)
    assert (payload.kind, payload.value, payload.text) == (kind, value, text)
    assert payload.kind_zh
