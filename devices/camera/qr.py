"""QR codes held up to a kiosk camera: decoding and payload classification.

``decode_qr(frame)`` downscales frames larger than ``max_side`` (QR detection cost grows with
the pixel count; a phone-screen code survives a 1000 px copy) and runs
``cv2.QRCodeDetectorAruco`` (more robust to blur and perspective), then ``cv2.QRCodeDetector``
— each with ``detectAndDecodeMulti``, falling back to the single-code ``detectAndDecode`` —
first on the small copy, then on the full frame. It stops at the first attempt that decodes
every code it *detected*, so a code that was found but too small to read on the copy is read
at full resolution. Several codes per frame are returned (merged over the attempts,
duplicates removed). Payloads are UTF-8 text (Chinese included).

Payload kinds (``classify_payload``). Prefixes are ours, case-insensitive, and the value is
what follows the prefix, stripped:

=================  ==================  =========================================================
prefix             kind                meaning
=================  ==================  =========================================================
``EID:``/``CTID:``  ``e_id``            电子身份凭证 (网证) token — opaque, verified by the platform
``YY:``/``APPT:``   ``appointment``     预约号 from the online appointment system
``DZZZ:``/``LIC:``  ``e_licence``       电子证照 reference (licence lookup by the platform)
``BJ:``/``RCPT:``   ``receipt``         办件查询码 printed on our receipts
(no prefix)        ``receipt``         a bare provisional receipt number
                                       ``KIOSK-YYYYMMDD-NNNNNN-C`` (format only; the check
                                       character is verified by ``sync.receipts``)
``http(s)://``     ``url``             a web link — reported, never opened by the kiosk
anything else      ``unknown``
=================  ==================  =========================================================
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

log = logging.getLogger(__name__)

PREFIXES: tuple[tuple[str, str], ...] = (
    ("EID:", "e_id"), ("CTID:", "e_id"),
    ("YY:", "appointment"), ("APPT:", "appointment"),
    ("DZZZ:", "e_licence"), ("LIC:", "e_licence"),
    ("BJ:", "receipt"), ("RCPT:", "receipt"),
)
RECEIPT_NUMBER = re.compile(r"[A-Z0-9]{4,12}-[0-9]{8}-[0-9]{6}-[0-9A-Z]", re.IGNORECASE)
KIND_NAMES_ZH = {"e_id": "电子身份凭证", "appointment": "预约码", "e_licence": "电子证照",
                 "receipt": "办件查询码", "url": "网址", "unknown": "无法识别的二维码"}


@dataclass(frozen=True)
class QrPayload:
    kind: str      # e_id | appointment | e_licence | receipt | url | unknown
    value: str     # the payload without its prefix
    text: str      # the payload as decoded

    @property
    def kind_zh(self) -> str:
        return KIND_NAMES_ZH[self.kind]


def classify_payload(text: str) -> QrPayload:
    stripped = text.strip()
    upper = stripped.upper()
    for prefix, kind in PREFIXES:
        if upper.startswith(prefix):
            return QrPayload(kind, stripped[len(prefix):].strip(), text)
    if RECEIPT_NUMBER.fullmatch(stripped):
        return QrPayload("receipt", stripped.upper(), text)
    if re.match(r"https?://", stripped, re.IGNORECASE):
        return QrPayload("url", stripped, text)
    return QrPayload("unknown", stripped, text)


_local = threading.local()


def _detector(name: str) -> Any:
    """One detector of each kind per thread (OpenCV's detectors keep internal state)."""
    cache = getattr(_local, "detectors", None)
    if cache is None:
        cache = _local.detectors = {}
    if name not in cache:
        cache[name] = cv2.QRCodeDetectorAruco() if name == "aruco" else cv2.QRCodeDetector()
    return cache[name]


def _attempt(name: str, image: np.ndarray) -> tuple[list[str], int]:
    """(decoded texts, number of codes detected but not decoded) for one detector."""
    det = _detector(name)
    try:
        ok, decoded, _points, _ = det.detectAndDecodeMulti(image)
        if ok:
            texts = [t for t in decoded if t]
            return texts, len(decoded) - len(texts)
        text, points, _ = det.detectAndDecode(image)
    except cv2.error as err:  # malformed codes can make the decoder throw
        log.debug("QR %s: %s", name, err)
        return [], 0
    if text:
        return [text], 0
    return [], 0 if points is None else 1


def decode_qr(frame: np.ndarray, *, max_side: int = 1000,
              full_resolution_fallback: bool = True) -> list[str]:
    """Texts of the QR codes in ``frame`` (BGR or grey), [] when there are none.

    Attempts, in order, until one decodes every code it detected: Aruco then classic
    detector on the ≤ ``max_side`` copy, then both on the full frame (only when it was
    downscaled and ``full_resolution_fallback``). Texts of all attempts are merged."""
    if frame is None or frame.size == 0:
        return []
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    h, w = gray.shape[:2]
    scale = max_side / max(h, w)
    images = [gray]
    if scale < 1.0:
        small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))),
                           interpolation=cv2.INTER_AREA)
        images = [small, gray] if full_resolution_fallback else [small]
    unique: list[str] = []
    for image in images:
        for name in ("aruco", "classic"):
            texts, undecoded = _attempt(name, image)
            unique += [t for t in texts if t not in unique]
            if texts and not undecoded:
                return unique
    return unique


def scan(frame: np.ndarray, *, max_side: int = 1000) -> list[QrPayload]:
    """``decode_qr`` + ``classify_payload``."""
    return [classify_payload(t) for t in decode_qr(frame, max_side=max_side)]
