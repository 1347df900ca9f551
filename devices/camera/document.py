"""Document capture for the 高拍仪 (document camera): pure numpy / OpenCV, no I/O.

Pipeline (``docs/devices/camera.md`` has the figures)::

    preview frame ──detect_page──▶ Quad ──StabilityTracker──▶ stable? ──capture_still──▶
    full frame ──detect_page (refined)──▶ rectify ──▶ enhance ──▶ encode_jpeg (≤ 300 kB)

* ``detect_page(frame)`` works on a copy downscaled to ``work_size`` pixels on the long side.
  Candidates come from two independent cues — adaptive Canny edges (thresholds from the
  frame's own gradient statistics) and a bright-paper mask (Otsu on the smallest colour
  channel, so white / cream paper stands out from wood, cloth and dark mats). Each outer
  contour becomes a quadrilateral (``approxPolyDP`` on its convex hull; ``minAreaRect`` when
  no 4-gon fits but the contour is rectangular enough); candidates are kept only if convex,
  large enough and with sane corner angles, and ranked by *edge support* (the share of the
  outline that lies on a real intensity step). The winner is refined on the full-resolution
  frame: each side is re-located along its normal (sub-pixel peak of the intensity step,
  24 samples per side), a robust line is fitted per side, and the corners are the line
  intersections — so the corners are accurate to the full frame, not to the work copy.
* Corner order is image-space: ``tl`` is the corner nearest the image's top-left, then
  clockwise (``tr``, ``br``, ``bl``). ``rectify`` makes ``tl→tr`` the top edge.
* ``StabilityTracker``: the page is "stable" after ``frames`` consecutive detections whose
  corners all stay within ``tolerance`` × frame diagonal of the previous detection.
* ``rectify`` maps the quad to an upright rectangle whose aspect is the *physical* one
  (``page_aspect``: Zhang & He's focal-length-from-the-quad method, so a strongly tilted
  camera does not squash the page); when that aspect is within ``a4_tolerance`` of A4 (√2)
  it snaps to exact A4 proportions. A residual skew of the content
  (page printed crooked, a slightly-off corner) up to ±4° is measured on a small preview of
  the warp (projection profiles of the ink) and folded into the same homography, so the full
  frame is warped once.
* ``enhance`` corrects uneven lighting (divides by a smooth paper-white estimate), then
  applies CLAHE to the lightness only — colour stays (seals, photos). ``mode="scan"`` gives
  the black-and-white "scanned" look (adaptive threshold).
* ``encode_jpeg`` steps quality down (85 → 40) and then the size down until the budget is
  met; it always returns something within ``max_bytes``.
* ``DocumentCapture`` strings these together for the UI: feed it preview frames, read its
  phase (searching / found / stable / done) and Chinese hint, get a ``DocumentResult``.

Privacy: nothing here writes to disk or keeps frames beyond the current call, except the
``DocumentResult`` the caller asked for.
"""

from __future__ import annotations

import enum
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

log = logging.getLogger(__name__)

Image = np.ndarray
SUPPORT_STEP = 24.0  # Sobel units on the 5×5-blurred work copy: a step of ~8 grey levels
A4_ASPECT = math.sqrt(2.0)  # 297 / 210 = 1.414…

__all__ = [
    "A4_ASPECT",
    "DocumentCapture",
    "DocumentPhase",
    "DocumentResult",
    "DocumentUpdate",
    "Quad",
    "StabilityTracker",
    "detect_page",
    "encode_jpeg",
    "enhance",
    "estimate_skew",
    "order_corners",
    "page_aspect",
    "rectify",
    "sharpness",
]


# -- the quadrilateral ---------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Quad:
    """Four page corners in pixels of the frame they were found in: tl, tr, br, bl."""

    points: np.ndarray  # (4, 2) float32
    score: float = 0.0  # edge support 0…1 (share of the outline on a real intensity step)

    def scaled(self, factor: float) -> Quad:
        return Quad((self.points * np.float32(factor)).astype(np.float32), self.score)

    def area(self) -> float:
        return float(abs(cv2.contourArea(self.points.astype(np.float32))))

    def as_list(self) -> list[list[float]]:
        return [[round(float(x), 1), round(float(y), 1)] for x, y in self.points]

    def max_shift(self, other: Quad) -> float:
        """Largest corner displacement between two quads (same order)."""
        return float(np.linalg.norm(self.points - other.points, axis=1).max())


def order_corners(pts: np.ndarray) -> np.ndarray:
    """tl (nearest the image's top-left), then clockwise. Works at any rotation, unlike the
    usual sum / difference trick which breaks at 45°."""
    pts = np.asarray(pts, np.float32).reshape(4, 2)
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    cw = pts[np.argsort(ang)]
    start = int(np.argmin(cw.sum(axis=1)))
    return np.roll(cw, -start, axis=0).astype(np.float32)


# -- helpers ---------------------------------------------------------------------------------
def _gray(image: Image) -> Image:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image


def _downscale(image: Image, long_side: int) -> tuple[Image, float]:
    h, w = image.shape[:2]
    r = long_side / max(h, w)
    if r >= 1.0:
        return image, 1.0
    size = (max(1, round(w * r)), max(1, round(h * r)))
    # INTER_AREA: the anti-aliased downscale (fast for integer factors: 1920 → 640 is 1/3).
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return small, size[0] / w


def sharpness(image: Image, long_side: int = 1000) -> float:
    """Variance of the Laplacian on a grey copy at most ``long_side`` wide (scale-stable
    enough to compare frames of one camera; higher is sharper)."""
    small, _ = _downscale(_gray(image), long_side)
    return float(cv2.Laplacian(small, cv2.CV_64F).var())


# -- detection ---------------------------------------------------------------------------------
def _interior_angles(q: np.ndarray) -> np.ndarray:
    out = []
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        v1, v2 = a - b, c - b
        cosang = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        out.append(math.degrees(math.acos(max(-1.0, min(1.0, cosang)))))
    return np.array(out)


def _quad_from_contour(contour: np.ndarray) -> np.ndarray | None:
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.015, 0.02, 0.03, 0.045, 0.06):
        ap = cv2.approxPolyDP(hull, eps * peri, True)
        if len(ap) == 4:
            return ap.reshape(4, 2).astype(np.float32)
        if len(ap) < 4:
            break
    # minAreaRect fallback: only when the blob really is rectangular
    rect = cv2.minAreaRect(contour)
    rw, rh = rect[1]
    if rw * rh > 0 and cv2.contourArea(hull) / (rw * rh) > 0.9:
        return cv2.boxPoints(rect).astype(np.float32)
    return None


_T_SUPPORT = np.linspace(0.08, 0.92, 16, dtype=np.float32)
_N_SUPPORT = np.arange(-2, 3, dtype=np.float32)


def _edge_support(gx: Image, gy: Image, q: np.ndarray, thresh: float) -> np.ndarray:
    """Per side, the share of 16 points along it that sit (within ±2 px along the normal) on an
    intensity step *across* the side: gradient component along the normal above ``thresh``
    and at least twice the component along the side. Texture and text pass this by chance
    at a low rate; a real page border passes almost everywhere."""
    h, w = gx.shape[:2]
    p, r = q, np.roll(q, -1, axis=0)
    d = r - p
    t = d / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-6)
    n = np.stack([-t[:, 1], t[:, 0]], axis=1)
    pts = p[:, None, :] + d[:, None, :] * _T_SUPPORT[None, :, None]              # (4, S, 2)
    pts = pts[:, :, None, :] + _N_SUPPORT[None, None, :, None] * n[:, None, None, :]
    xs = np.clip(np.rint(pts[..., 0]).astype(np.int32), 0, w - 1)
    ys = np.clip(np.rint(pts[..., 1]).astype(np.int32), 0, h - 1)
    sx, sy = gx[ys, xs], gy[ys, xs]                                              # (4, S, 5)
    across = np.abs(sx * n[:, None, None, 0] + sy * n[:, None, None, 1])
    along = np.abs(sx * t[:, None, None, 0] + sy * t[:, None, None, 1])
    hit = (across > thresh) & (across > 2 * along)
    return hit.any(axis=2).mean(axis=1)


def _candidates(small: Image) -> tuple[list[np.ndarray], Image, Image]:
    gray = cv2.GaussianBlur(_gray(small), (5, 5), 0)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    # Adaptive Canny: thresholds from this frame's gradient distribution (a textured desk
    # raises them, a pale page on a pale desk lowers them).
    mag = cv2.convertScaleAbs(cv2.magnitude(gx, gy), alpha=0.25)  # 0…255 ≈ grey-level steps
    hist = cv2.calcHist([mag], [0], None, [256], [0, 256]).ravel().cumsum()
    p90 = float(np.searchsorted(hist, 0.9 * hist[-1])) * 4.0
    contours: list[np.ndarray] = []
    # Two levels: the adaptive one and a low one for a pale page on a pale desk (text on
    # the page raises the adaptive level above the page border's own step).
    for hi in (float(np.clip(p90 * 2.0, 40, 200)), float(np.clip(p90 * 0.6, 20, 60))):
        edges = cv2.Canny(gray, 0.4 * hi, hi, L2gradient=True)
        edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
        contours += cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    # Paper cue: bright in every channel. Otsu on the per-pixel minimum channel.
    if small.ndim == 3:
        b, g, r = cv2.split(small)
        minch = cv2.min(cv2.min(b, g), r)
    else:
        minch = small
    minch = cv2.GaussianBlur(minch, (5, 5), 0)
    _, mask = cv2.threshold(minch, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    contours += cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    quads = []
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:10]:
        q = _quad_from_contour(c)
        if q is not None:
            quads.append(order_corners(q))
    return quads, gx, gy


def detect_page(frame: Image, *, work_size: int = 640, min_area: float = 0.08,
                max_area: float = 0.97, refine: bool = True) -> Quad | None:
    """The page in ``frame`` (BGR or grey) as a ``Quad`` in ``frame`` pixels, or None.

    ``min_area`` / ``max_area`` bound the page's share of the frame; ``refine`` re-locates the
    sides on the full-resolution frame (cheap: ~100 samples)."""
    if frame is None or frame.size == 0:
        return None
    small, r = _downscale(frame, work_size)
    sh, sw = small.shape[:2]
    quads, gx, gy = _candidates(small)
    best: tuple[float, np.ndarray, float] | None = None  # score, quad, edge support
    frame_area = float(sh * sw)
    for q in quads:
        area = abs(cv2.contourArea(q)) / frame_area
        if not min_area <= area <= max_area:
            continue
        if not cv2.isContourConvex(q.reshape(-1, 1, 2)):
            continue
        angles = _interior_angles(q)
        if angles.min() < 45 or angles.max() > 135:
            continue
        # a side lying on the frame border is the frame, not a page edge
        edge_bits = ((q[:, 0] < 3) * 1 | (q[:, 0] > sw - 4) * 2 | (q[:, 1] < 3) * 4
                     | (q[:, 1] > sh - 4) * 8)
        if (edge_bits & np.roll(edge_bits, -1)).any():
            continue
        sides = _edge_support(gx, gy, q, SUPPORT_STEP)
        support = float(sides.mean())
        if support < 0.6 or float(sides.min()) < 0.4:
            continue
        score = support + 0.15 * area
        if best is None or score > best[0]:
            best = (score, q, support)
    if best is None:
        return None
    pts = best[1] / np.float32(r)
    if refine:
        pts = _refine(frame, pts, search=max(4.0, 3.0 / r))
    return Quad(order_corners(pts), best[2])


def _refine(frame: Image, pts: np.ndarray, *, search: float, samples: int = 24) -> np.ndarray:
    """Move each side to the strongest intensity step along its normal within ±search px and
    intersect robust line fits. Keeps a corner that would move implausibly far."""
    img = frame  # remap samples the uint8 frame directly: no full-frame conversion
    offs = np.arange(-search, search + 1.0, 1.0, dtype=np.float32)
    lines: list[tuple[np.ndarray, np.ndarray]] = []  # (point, unit direction)
    for i in range(4):
        p, q = pts[i], pts[(i + 1) % 4]
        d = q - p
        length = float(np.linalg.norm(d))
        if length < 8:
            return pts
        t = d / length
        n = np.array([-t[1], t[0]], np.float32)
        ts = np.linspace(0.1, 0.9, samples, dtype=np.float32)
        base = p[None, :] + ts[:, None] * d[None, :]
        grid = base[:, None, :] + offs[None, :, None] * n[None, None, :]
        prof = cv2.remap(img, grid[..., 0].copy(), grid[..., 1].copy(), cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
        prof = prof.astype(np.float32)
        if prof.ndim == 3:
            prof = prof.mean(axis=2)
        prof = cv2.GaussianBlur(prof, (1, 5), 0) if prof.shape[1] >= 5 else prof
        der = np.abs(np.diff(prof, axis=1))
        k = der.argmax(axis=1)
        peak = der[np.arange(samples), k]
        good = peak > max(4.0, 0.35 * float(np.median(peak)))
        # sub-pixel: parabola through the peak and its neighbours
        km = np.clip(k, 1, der.shape[1] - 2)
        a, b, c = (der[np.arange(samples), km - 1], der[np.arange(samples), km],
                   der[np.arange(samples), km + 1])
        denom = a - 2 * b + c
        delta = np.where(np.abs(denom) > 1e-6, 0.5 * (a - c) / denom, 0.0)
        delta = np.where(k == km, np.clip(delta, -0.5, 0.5), 0.0)
        off = offs[0] + k + 0.5 + delta
        edge_pts = base + off[:, None] * n[None, :]
        edge_pts = edge_pts[good]
        if len(edge_pts) < samples // 3:
            lines.append((p, t))
            continue
        vx, vy, x0, y0 = cv2.fitLine(edge_pts.astype(np.float32), cv2.DIST_HUBER, 0, 0.01,
                                     0.01).ravel()
        lines.append((np.array([x0, y0], np.float32), np.array([vx, vy], np.float32)))
    out = pts.copy()
    for i in range(4):
        (p1, d1), (p2, d2) = lines[i - 1], lines[i]  # side i-1 ends at corner i
        m = np.array([[d1[0], -d2[0]], [d1[1], -d2[1]]], np.float64)
        if abs(np.linalg.det(m)) < 1e-6:
            continue
        s = np.linalg.solve(m, (p2 - p1).astype(np.float64))
        corner = p1 + d1 * np.float32(s[0])
        if np.linalg.norm(corner - pts[i]) <= 2.5 * search:
            out[i] = corner
    return out


# -- stability ---------------------------------------------------------------------------------
class StabilityTracker:
    """Counts consecutive detections that stay put. ``update(quad, frame_shape)`` returns
    True once ``frames`` consecutive quads each moved less than ``tolerance`` × the frame
    diagonal from the previous one; ``None`` (no page) resets the count."""

    def __init__(self, frames: int = 8, tolerance: float = 0.01) -> None:
        self.frames = max(1, frames)
        self.tolerance = tolerance
        self._last: Quad | None = None
        self.count = 0

    def reset(self) -> None:
        self._last = None
        self.count = 0

    def update(self, quad: Quad | None, frame_shape: tuple[int, ...]) -> bool:
        if quad is None:
            self.reset()
            return False
        diag = math.hypot(frame_shape[0], frame_shape[1])
        if self._last is not None and quad.max_shift(self._last) <= self.tolerance * diag:
            self.count += 1
        else:
            self.count = 1
        self._last = quad
        return self.count >= self.frames

    @property
    def stable(self) -> bool:
        return self.count >= self.frames


# -- rectification ---------------------------------------------------------------------------
def page_aspect(quad: Quad | np.ndarray, frame_shape: tuple[int, ...]) -> float:
    """Height / width of the physical rectangle imaged as ``quad``.

    Zhang & He ("Whiteboard scanning and image enhancement", 2007): with the principal
    point at the frame centre, the quad alone fixes the focal length and hence the true
    aspect, however strong the perspective. When that is degenerate (no perspective: f is
    unbounded — then the affine ratio is exact) or implausible (noisy corners), the ratio of
    the mean opposite side lengths is used instead."""
    q = (quad.points if isinstance(quad, Quad) else np.asarray(quad, np.float32)).reshape(4, 2)
    tl, tr, br, bl = (np.array([p[0], p[1], 1.0]) for p in q.astype(np.float64))
    heights = float(np.linalg.norm(bl - tl) + np.linalg.norm(br - tr))
    widths = float(np.linalg.norm(tr - tl) + np.linalg.norm(br - bl))
    side = heights / max(1e-9, widths)
    h, w = frame_shape[:2]
    u0, v0 = w / 2.0, h / 2.0
    d2, d3 = float(np.dot(np.cross(tr, br), bl)), float(np.dot(np.cross(bl, br), tr))
    if abs(d2) < 1e-9 or abs(d3) < 1e-9:  # three corners on a line
        return side
    k2 = float(np.dot(np.cross(tl, br), bl)) / d2
    k3 = float(np.dot(np.cross(tl, br), tr)) / d3
    n2, n3 = k2 * tr - tl, k3 * bl - tl
    (a1, a2, a3), (b1, b2, b3) = n2, n3
    if abs(a3 * b3) < 1e-12:
        ratio = math.sqrt((b1 ** 2 + b2 ** 2) / max(1e-12, a1 ** 2 + a2 ** 2))
    else:
        f2 = -((a1 * b1 - (a1 * b3 + a3 * b1) * u0 + a3 * b3 * u0 * u0)
               + (a2 * b2 - (a2 * b3 + a3 * b2) * v0 + a3 * b3 * v0 * v0)) / (a3 * b3)
        if f2 <= 0:
            return side
        f = math.sqrt(f2)
        k_inv = np.linalg.inv(np.array([[f, 0, u0], [0, f, v0], [0, 0, 1.0]]))
        b = k_inv.T @ k_inv
        ratio = math.sqrt(float(n3 @ b @ n3) / max(1e-12, float(n2 @ b @ n2)))
    if not math.isfinite(ratio) or abs(ratio / side - 1) > 0.35:
        return side
    return ratio


def _target_size(q: np.ndarray, frame_shape: tuple[int, ...],
                 a4_tolerance: float) -> tuple[int, int]:
    tl, tr, br, bl = q
    w = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    h = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    aspect = page_aspect(q, frame_shape)
    if abs(aspect / A4_ASPECT - 1) <= a4_tolerance:  # portrait A4
        aspect = A4_ASPECT
    elif abs(aspect * A4_ASPECT - 1) <= a4_tolerance:  # landscape A4
        aspect = 1 / A4_ASPECT
    # keep the longer measured side's resolution; derive the other from the aspect
    if h >= w:
        w = h / aspect
    else:
        h = w * aspect
    return max(8, round(w)), max(8, round(h))


def estimate_skew(image: Image, max_angle: float = 4.0, step: float = 0.25) -> float:
    """The rotation in degrees (OpenCV's convention, positive = counter-clockwise, as for
    ``cv2.getRotationMatrix2D``) that makes the text lines horizontal, found by maximising
    the variance of the row projection of ink pixels on a ≤ 500 px copy. 0.0 when the page
    has no clear line structure."""
    small, _ = _downscale(_gray(image), 500)
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                15, 10).astype(np.float32)
    h, w = ink.shape
    if ink.mean() < 0.005:
        return 0.0
    centre = (w / 2, h / 2)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rot = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST)
        return float(np.var(rot.sum(axis=1)))

    # coarse (1°) then fine (``step``) around the best: 15 rotations instead of 33
    zero_score = score(0.0)
    coarse = [float(a) for a in np.arange(-math.floor(max_angle), math.floor(max_angle) + 1)]
    scores = {a: (zero_score if a == 0 else score(a)) for a in coarse}
    best_angle = max(scores, key=scores.__getitem__)
    for k in (-3, -2, -1, 1, 2, 3):
        a = best_angle + k * step
        if abs(a) <= max_angle:
            scores[a] = score(a)
    best_angle = max(scores, key=scores.__getitem__)
    best_score = scores[best_angle]
    # demand a clear winner, or photos and blank pages would be "deskewed" at random
    if best_score < 1.15 * zero_score:
        return 0.0
    return best_angle


def rectify(full_frame: Image, quad: Quad | np.ndarray, *, a4_tolerance: float = 0.1,
            deskew: bool = True) -> Image:
    """The page, perspective-corrected to an upright rectangle (A4-proportioned when close).

    ``quad`` is in ``full_frame`` pixels (tl, tr, br, bl). Output resolution follows the
    longest measured side, so nothing is upsampled needlessly."""
    q = (quad.points if isinstance(quad, Quad) else np.asarray(quad, np.float32)).reshape(4, 2)
    q = q.astype(np.float32)
    w, h = _target_size(q, full_frame.shape, a4_tolerance)
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(q, dst)
    if deskew:
        f = min(1.0, 500.0 / max(w, h))
        preview = cv2.warpPerspective(full_frame, np.diag([f, f, 1.0]) @ m,
                                      (max(1, int(w * f)), max(1, int(h * f))),
                                      flags=cv2.INTER_AREA)
        angle = estimate_skew(preview)
        if abs(angle) >= 0.3:
            rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            m = np.vstack([rot, [0, 0, 1]]) @ m
    return cv2.warpPerspective(full_frame, m, (w, h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


# -- enhancement -----------------------------------------------------------------------------
def _paper_white(lightness: Image) -> Image:
    """Smooth estimate of the paper brightness (text removed by a closing on a small copy)."""
    h, w = lightness.shape[:2]
    small, _ = _downscale(lightness, 256)
    k = max(3, (min(small.shape[:2]) // 12) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE,
                          cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), k / 2)
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)


def enhance(image: Image, mode: str = "colour", *, clahe_clip: float = 2.0) -> Image:
    """Legibility for a rectified page.

    ``"colour"`` (default, for documents with seals or photos): shading correction of the
    lightness channel (L of Lab divided by a smooth paper-white estimate), then a mild CLAHE;
    hue and saturation untouched. ``"scan"``: the black-and-white scanner look — grey,
    shading-corrected, adaptive threshold — returned as a 3-channel image."""
    if mode not in ("colour", "color", "scan"):
        raise ValueError(f"enhance mode must be 'colour' or 'scan', not {mode!r}")
    if mode == "scan":
        gray = _gray(image)
        flat = cv2.divide(gray, np.maximum(_paper_white(gray), 1), scale=245)
        bw = cv2.adaptiveThreshold(flat, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                   cv2.THRESH_BINARY, 31, 15)
        return cv2.cvtColor(bw, cv2.COLOR_GRAY2BGR)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    lab = cv2.cvtColor(image, cv2.COLOR_BGR2LAB)
    lightness = lab[..., 0]
    flat = cv2.divide(lightness, np.maximum(_paper_white(lightness), 1), scale=245)
    tiles = max(2, min(8, min(image.shape[:2]) // 128))
    lab[..., 0] = cv2.createCLAHE(clipLimit=clahe_clip, tileGridSize=(tiles, tiles)).apply(flat)
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


# -- encoding ----------------------------------------------------------------------------------
def encode_jpeg(image: Image, max_bytes: int = 300_000, *, quality: int = 85,
                min_quality: int = 40) -> bytes:
    """JPEG bytes no larger than ``max_bytes``: quality steps 85, 75, … down to
    ``min_quality``, then the image shrinks by 0.8 per step (quality reset) until it fits."""
    if max_bytes < 2_000:
        raise ValueError("max_bytes below 2000 cannot hold a legible page")
    img = image
    while True:
        q = quality
        while True:
            ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q,
                                                 cv2.IMWRITE_JPEG_OPTIMIZE, 1])
            if not ok:
                raise ValueError("JPEG encoding failed")
            if buf.size <= max_bytes:
                if img is not image or q != quality:
                    log.debug("jpeg budget %d: quality %d, %dx%d, %d bytes", max_bytes, q,
                              img.shape[1], img.shape[0], buf.size)
                return buf.tobytes()
            if q <= min_quality:
                break
            # jump closer when far over budget: size is roughly linear in quality here
            q = max(min_quality, q - (20 if buf.size > 2 * max_bytes else 10))
        h, w = img.shape[:2]
        if max(h, w) <= 64:
            raise ValueError("cannot meet the JPEG budget")  # unreachable for max_bytes ≥ 2000
        shrink = 0.8 if buf.size < 2 * max_bytes else 0.6
        img = cv2.resize(img, (max(1, int(w * shrink)), max(1, int(h * shrink))),
                         interpolation=cv2.INTER_AREA)


# -- the capture flow for the UI ---------------------------------------------------------------
class DocumentPhase(enum.Enum):
    SEARCHING = "searching"  # no page in view
    FOUND = "found"          # a page, not yet steady
    STABLE = "stable"        # steady: the still is being taken
    DONE = "done"            # result ready; feed() ignores frames until reset()


HINTS_ZH = {
    DocumentPhase.SEARCHING: "请将材料平放在拍摄区域内",
    DocumentPhase.FOUND: "已识别到材料，请保持不动",
    DocumentPhase.STABLE: "正在拍摄，请勿移动",
    DocumentPhase.DONE: "拍摄完成",
}


@dataclass(frozen=True)
class DocumentResult:
    jpeg: bytes
    image: Image               # rectified + enhanced page (for the on-screen check)
    quad: Quad                 # in still-frame pixels
    still_size: tuple[int, int]  # (width, height) of the still


@dataclass(frozen=True)
class DocumentUpdate:
    phase: DocumentPhase
    quad: Quad | None          # in the fed frame's pixels, for the overlay
    progress: float            # 0…1 towards "stable"
    hint_zh: str
    result: DocumentResult | None = None


class DocumentCapture:
    """Feed preview frames; it finds the page, waits until it holds still, takes the still
    (``take_still``, e.g. ``camera.capture_still``; default: the fed frame itself), and
    returns rectified, enhanced, budgeted JPEG. Not thread-safe: feed it from one thread
    (the preview worker's ``process`` hook does)."""

    def __init__(self, take_still: Callable[[], Image] | None = None, *,
                 stable_frames: int = 8, tolerance: float = 0.01, mode: str = "colour",
                 max_bytes: int = 300_000, work_size: int = 640) -> None:
        self._take_still = take_still
        self._tracker = StabilityTracker(stable_frames, tolerance)
        self.mode = mode
        self.max_bytes = max_bytes
        self.work_size = work_size
        self.phase = DocumentPhase.SEARCHING
        self.result: DocumentResult | None = None

    def reset(self) -> None:
        self._tracker.reset()
        self.phase = DocumentPhase.SEARCHING
        self.result = None

    def feed(self, frame: Image) -> DocumentUpdate:
        if self.phase is DocumentPhase.DONE:
            return DocumentUpdate(self.phase, None, 1.0, HINTS_ZH[self.phase], self.result)
        quad = detect_page(frame, work_size=self.work_size, refine=False)
        stable = self._tracker.update(quad, frame.shape)
        progress = min(1.0, self._tracker.count / self._tracker.frames)
        if quad is None:
            self.phase = DocumentPhase.SEARCHING
            return DocumentUpdate(self.phase, None, 0.0, HINTS_ZH[self.phase])
        if not stable:
            self.phase = DocumentPhase.FOUND
            return DocumentUpdate(self.phase, quad, progress, HINTS_ZH[self.phase])
        self.phase = DocumentPhase.STABLE
        still = self._take_still() if self._take_still is not None else frame
        self.result = self.process_still(still, fallback=quad.scaled(
            still.shape[1] / frame.shape[1]))
        if self.result is None:  # the page left between the preview and the still
            self._tracker.reset()
            self.phase = DocumentPhase.SEARCHING
            return DocumentUpdate(self.phase, None, 0.0, HINTS_ZH[self.phase])
        self.phase = DocumentPhase.DONE
        return DocumentUpdate(self.phase, quad, 1.0, HINTS_ZH[self.phase], self.result)

    def process_still(self, still: Image, fallback: Quad | None = None) -> DocumentResult | None:
        """Detect (refined) on the full still, rectify, enhance, encode."""
        quad = detect_page(still, work_size=self.work_size) or fallback
        if quad is None:
            return None
        page = enhance(rectify(still, quad), self.mode)
        return DocumentResult(encode_jpeg(page, self.max_bytes), page, quad,
                              (still.shape[1], still.shape[0]))
