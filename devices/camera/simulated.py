"""``SimulatedCamera``: frames from an image, a video file, a scripted list, or a synthetic
scene — the demo-mode camera and the tests' camera.

Options (TOML-friendly): ``source`` (an image or video file; None = synthetic), ``scene``
for synthetic frames:

==============  =================================================================================
``page``        an A4 page (text lines, a table, a red seal) lying slightly rotated on a dark
                高拍仪 mat — what the document camera sees (``page_corners`` holds the truth)
``page_qr``     the same page with a QR code (``qr_text``) printed in its lower-right corner
``qr``          a phone held up showing a QR code (``qr_text``)
``face``        the face-like test pattern in front of a wall — what the citizen camera sees
``desk``        the empty mat
==============  =================================================================================

Every frame gets fresh-looking sensor noise (``noise`` grey levels; 0 = identical frames,
which ``self_test`` reports as frozen): one signed 8-bit noise field a little wider than the
frame, a different window of it added to each frame (the simulator holds the clean frame and
the field, ≈ 2 frames of memory; four pre-noised frames made the demo's document camera hold
11 MB during a preview, bench/bench_memory.py). ``set_frames([...])`` scripts an exact
sequence (a page arriving, moving, settling). A ``FaultScript`` (``faults``) scripts
``unplug`` / ``replug``, ``fail_next``, ``go_silent`` and ``delay`` exactly like the other
simulated devices; an unplugged camera fails its reads, so the port raises "摄像头连接中断" after
``max_failed_reads`` and recovers on ``open()`` after ``replug()``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Any, ClassVar

import cv2
import numpy as np

from devices.base import FaultScript
from devices.camera.base import Camera, Frame
from kiosk.errors import DeviceUnavailableError

log = logging.getLogger(__name__)

SCENES = ("page", "page_qr", "qr", "face", "desk")
VIDEO_EXTENSIONS = (".avi", ".mp4", ".mkv", ".mov", ".webm", ".m4v")


# -- scene rendering (also used by the tests' synthetic data) ---------------------------------
def render_face_pattern(face_width: int, background: int = 60) -> np.ndarray:
    """A drawn, face-like BGR test pattern (hair, oval, brows, eyes, nose, mouth, shoulders)
    about ``face_width`` pixels wide on a ``background`` grey surround, 1.4 × as tall. It is
    not a person: OpenCV's frontal-face Haar cascade fires on it (tests check that), which is
    all the demo and the tests need."""
    bgr, alpha = face_pattern_with_mask(face_width)
    out = np.full(bgr.shape, background, np.uint8)
    return cv2.blendLinear(bgr, out, alpha, 1 - alpha)


def face_pattern_with_mask(face_width: int) -> tuple[np.ndarray, np.ndarray]:
    """The face-like pattern and its float32 alpha mask (1 on the person), for compositing
    onto any background."""
    s = max(24, int(face_width))
    img = np.full((int(s * 1.4), int(s * 1.2)), 0, np.uint8)
    mask = np.zeros(img.shape, np.float32)
    cx, cy = img.shape[1] // 2, img.shape[0] // 2
    for canvas, value in ((img, 50), (mask, 1.0)):
        cv2.ellipse(canvas, (cx, img.shape[0] + int(0.1 * s)), (int(0.6 * s), int(0.35 * s)), 0,
                    0, 360, value, -1)  # shoulders
    for canvas, value in ((img, 35), (mask, 1.0)):
        cv2.ellipse(canvas, (cx, cy - int(0.12 * s)), (int(0.46 * s), int(0.58 * s)), 0, 0, 360,
                    value, -1)  # hair
    cv2.ellipse(img, (cx, cy), (int(0.40 * s), int(0.52 * s)), 0, 0, 360, 175, -1)
    cv2.ellipse(mask, (cx, cy), (int(0.40 * s), int(0.52 * s)), 0, 0, 360, 1.0, -1)
    ey, ex = cy - int(0.10 * s), int(0.17 * s)
    for side in (-1, 1):
        x = cx + side * ex
        cv2.ellipse(img, (x, ey - int(0.09 * s)), (int(0.10 * s), max(1, int(0.025 * s))), 0, 0,
                    360, 60, -1)
        cv2.ellipse(img, (x, ey), (int(0.08 * s), int(0.04 * s)), 0, 0, 360, 70, -1)
        cv2.circle(img, (x, ey), max(1, int(0.03 * s)), 20, -1)
    cv2.ellipse(img, (cx, cy + int(0.10 * s)), (int(0.06 * s), int(0.03 * s)), 0, 0, 360, 120, -1)
    cv2.ellipse(img, (cx, cy + int(0.25 * s)), (int(0.14 * s), int(0.035 * s)), 0, 0, 360, 80, -1)
    soft = cv2.GaussianBlur(img, (0, 0), s / 150)
    alpha = cv2.GaussianBlur(mask, (0, 0), s / 150)
    bgr = cv2.cvtColor(soft, cv2.COLOR_GRAY2BGR).astype(np.float32)
    skin = soft > 140
    bgr[skin] *= np.array([0.85, 0.95, 1.1], np.float32)  # a warm tint on the face only
    return np.clip(bgr, 0, 255).astype(np.uint8), alpha


def render_qr(text: str, module_px: int = 6) -> np.ndarray:
    """A QR code (UTF-8, OpenCV's encoder) as a grey image with a 4-module quiet zone."""
    code = cv2.QRCodeEncoder.create().encode(text)
    code = np.pad(code, 4, constant_values=255)
    return cv2.resize(code, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)


def _page_image(pw: int, ph: int, qr_text: str | None) -> np.ndarray:
    page = np.full((ph, pw, 3), (244, 247, 248), np.uint8)
    ink = (35, 35, 35)
    m = pw // 10
    cv2.rectangle(page, (pw // 4, m), (3 * pw // 4, m + ph // 45), ink, -1)
    rng = np.random.default_rng(7)
    y = m + ph // 12
    line = max(4, ph // 50)
    while y < ph - 3 * m:
        x = m
        end = pw - m - (int(rng.integers(0, pw // 3)) if rng.random() < 0.2 else 0)
        while x < end:
            word = int(line * rng.uniform(1.0, 4.0))
            cv2.rectangle(page, (x, y), (min(end, x + word), y + line - 2), ink, -1)
            x += word + line // 2
        y += int(line * 1.9)
    cv2.circle(page, (int(pw * 0.3), int(ph * 0.85)), pw // 11, (40, 40, 205), max(2, pw // 110),
               cv2.LINE_AA)
    if qr_text:
        q = cv2.cvtColor(render_qr(qr_text, max(2, pw // 110)), cv2.COLOR_GRAY2BGR)
        qs = min(q.shape[0], pw // 3)
        q = cv2.resize(q, (qs, qs), interpolation=cv2.INTER_NEAREST)
        page[ph - m - qs:ph - m, pw - m - qs:pw - m] = q
    return page


def render_scene(scene: str, width: int, height: int, qr_text: str = "") -> tuple[
        np.ndarray, np.ndarray | None]:
    """A noiseless synthetic frame and, for page scenes, the page corners (tl, tr, br, bl)."""
    if scene not in SCENES:
        raise ValueError(f"scene must be one of {', '.join(SCENES)}, not {scene!r}")
    w, h = width, height
    yy = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    if scene == "face":
        wall = np.array([150, 160, 165], np.float32) * (1.05 - 0.25 * yy)
        img = np.broadcast_to(wall, (h, w, 3)).astype(np.uint8).copy()
        patt, alpha = face_pattern_with_mask(int(0.33 * w))
        ph_, pw_ = patt.shape[:2]
        x0, y0 = (w - pw_) // 2, max(0, h - ph_)
        crop, a = patt[: h - y0, : w - x0], alpha[: h - y0, : w - x0]
        roi = img[y0:y0 + crop.shape[0], x0:x0 + crop.shape[1]]
        roi[:] = cv2.blendLinear(crop, roi, a, 1 - a)
        return img, None
    mat = np.array([52, 50, 46], np.float32) * (1.1 - 0.2 * yy)
    img = np.broadcast_to(mat, (h, w, 3)).astype(np.uint8).copy()
    if scene == "desk":
        return img, None
    if scene == "qr":
        pw_, ph_ = int(0.28 * h), int(0.56 * h)
        x0, y0 = (w - pw_) // 2, (h - ph_) // 2
        cv2.rectangle(img, (x0, y0), (x0 + pw_, y0 + ph_), (20, 20, 22), -1)
        sx0, sy0, sw_ = x0 + pw_ // 12, y0 + ph_ // 8, pw_ - pw_ // 6
        cv2.rectangle(img, (sx0, sy0), (sx0 + sw_, sy0 + int(sw_ * 1.6)), (250, 250, 250), -1)
        q = cv2.cvtColor(render_qr(qr_text or "demo"), cv2.COLOR_GRAY2BGR)
        q = cv2.resize(q, (sw_, sw_), interpolation=cv2.INTER_NEAREST)
        img[sy0 + sw_ // 3:sy0 + sw_ // 3 + sw_, sx0:sx0 + sw_] = q
        return img, None
    ph_ = int(0.82 * h)
    pw_ = int(ph_ / np.sqrt(2))
    page = _page_image(pw_ * 2, ph_ * 2, qr_text if scene == "page_qr" else None)
    src = np.array([[0, 0], [pw_ * 2, 0], [pw_ * 2, ph_ * 2], [0, ph_ * 2]], np.float32)
    centre = np.array([w / 2, h / 2])
    ang = np.deg2rad(4.0)
    rot = np.array([[np.cos(ang), np.sin(ang)], [-np.sin(ang), np.cos(ang)]])
    base = np.array([[-pw_ / 2, -ph_ / 2], [pw_ / 2, -ph_ / 2], [pw_ / 2, ph_ / 2],
                     [-pw_ / 2, ph_ / 2]])
    base[:2, 0] *= 0.96  # a little keystone: the camera looks down at a slight angle
    dst = (base @ rot + centre).astype(np.float32)
    # warp and blend only within the page's bounding box (the mat elsewhere is untouched):
    # the same pixels as over the whole frame, with a third of the working memory
    bx, by, bw, bh = cv2.boundingRect(dst)
    x0, y0 = max(0, bx - 2), max(0, by - 2)
    x1, y1 = min(w, bx + bw + 2), min(h, by + bh + 2)
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
    mtx = shift @ cv2.getPerspectiveTransform(src, dst)
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpPerspective(page, mtx, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones(page.shape[:2], np.float32), mtx, size)
    roi = img[y0:y1, x0:x1]
    roi[:] = cv2.blendLinear(warped, roi, mask, 1 - mask)
    return img, dst


#: the noise field is this many columns wider than the frame; each frame's window starts
#: NOISE_STEP columns on from the previous one
NOISE_SHIFTS = 17
NOISE_STEP = 5


class SimulatedCamera(Camera):
    backend: ClassVar[str] = "simulated"
    label_zh: ClassVar[str] = "模拟摄像头"

    def __init__(self, source: str | None = None, width: int = 1280, height: int = 720,
                 fps: float = 15.0, scene: str = "page", qr_text: str = "YY:20261122-0042",
                 noise: float = 2.0, seed: int = 0, loop: bool = True,
                 faults: FaultScript | None = None, max_failed_reads: int = 3) -> None:
        super().__init__(max_failed_reads=max_failed_reads, retry_delay_s=0.0,
                         still_flush_frames=0)
        if scene not in SCENES:
            raise ValueError(f"scene must be one of {', '.join(SCENES)}, not {scene!r}")
        self.source = source
        self.width, self.height, self.fps = int(width), int(height), float(fps)
        self.scene, self.qr_text = scene, qr_text
        self.noise, self.seed, self.loop = float(noise), int(seed), loop
        self.faults = faults or FaultScript()
        self.page_corners: np.ndarray | None = None
        self._still: Frame | None = None
        self._noise: np.ndarray | None = None
        self._script: list[Frame] | None = None
        self._video: Any = None
        self._index = 0
        self._lock = threading.Lock()

    def location(self) -> str:
        return self.source or f"scene:{self.scene}"

    # -- test / demo controls --------------------------------------------------------------
    def set_frames(self, frames: Sequence[Frame] | None) -> None:
        """Script the exact frames to return next (in order; looped if ``loop``), or None to
        go back to the source / scene."""
        with self._lock:
            self._script = [np.ascontiguousarray(f) for f in frames] if frames else None
            self._index = 0

    # -- hooks -----------------------------------------------------------------------------
    def _open(self) -> None:
        self.faults.check("open")
        src = self.source
        if src is not None and not os.path.exists(src):
            raise DeviceUnavailableError(f"{src}: no such file")
        if src is not None and src.lower().endswith(VIDEO_EXTENSIONS):
            cap = cv2.VideoCapture(src)
            if not cap.isOpened():
                raise DeviceUnavailableError(f"{src}: cannot be decoded")
            self._video = cap
            return
        if src is not None:
            still = cv2.imread(src, cv2.IMREAD_COLOR)
            if still is None:
                raise DeviceUnavailableError(f"{src}: not an image")
        else:
            still, self.page_corners = render_scene(self.scene, self.width, self.height,
                                                    self.qr_text)
        self._still = np.ascontiguousarray(still)
        self._noise = self._noise_field(still) if self.noise > 0 else None

    def _noise_field(self, still: Frame) -> np.ndarray:
        """Gaussian noise (σ = ``noise``) as int8, ``NOISE_SHIFTS`` columns wider than the
        frame; built one row band at a time, so the int16 working copy stays small."""
        cv2.setRNGSeed(self.seed)
        h, w = still.shape[:2]
        channels = still.shape[2] if still.ndim == 3 else 1
        field = np.empty((h, w + NOISE_SHIFTS, channels), np.int8)
        band = np.empty((min(h, 64), w + NOISE_SHIFTS, channels), np.int16)
        for y in range(0, h, band.shape[0]):
            rows = band[:min(band.shape[0], h - y)]
            cv2.randn(rows, np.zeros(channels), np.full(channels, self.noise))
            np.clip(rows, -127, 127, out=field[y:y + rows.shape[0]], casting="unsafe")
        return field if still.ndim == 3 else field[:, :, 0]

    def _close(self) -> None:
        video, self._video = self._video, None
        if video is not None:
            video.release()
        self._still = self._noise = None

    def _read_raw(self) -> Frame | None:
        self.faults.check("read", timeout_s=0.05)
        with self._lock:
            if self._script is not None:
                if self._index >= len(self._script):
                    if not self.loop:
                        return None
                    self._index = 0
                frame = self._script[self._index]
                self._index += 1
                return frame.copy()
            if self._video is not None:
                ok, frame = self._video.read()
                if not ok and self.loop:
                    self._video.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    ok, frame = self._video.read()
                return frame if ok else None
            if self._still is None:
                return None
            index, self._index = self._index, self._index + 1
            if self._noise is None:
                return self._still.copy()
            # consecutive frames take windows NOISE_STEP columns apart: never the same twice
            # in a row, NOISE_SHIFTS // gcd distinct frames in a cycle
            x = (index * NOISE_STEP) % NOISE_SHIFTS
            window = self._noise[:, x:x + self._still.shape[1]]
            return cv2.add(self._still, window, dtype=cv2.CV_8U)

    def _info(self) -> dict[str, Any]:
        size: list[int] | None = [self.width, self.height]
        if self._still is not None:
            size = [self._still.shape[1], self._still.shape[0]]
        elif self._video is not None:
            size = [int(self._video.get(cv2.CAP_PROP_FRAME_WIDTH)),
                    int(self._video.get(cv2.CAP_PROP_FRAME_HEIGHT))]
        return {"source": self.location(), "resolution": size, "fps": self.fps,
                "scene": None if self.source else self.scene}
