"""Synthetic photographs for camera tests and the document benchmark.

Everything is seeded (``numpy.random.default_rng``), so a failing case can be re-made from its
seed. What is generated:

* ``page_photo(rng)`` — a page (white / cream / pale paper with text-like lines, a table, a
  red seal, sometimes a photo box) photographed on a desk: random backgrounds (dark mat,
  wood grain, tiles, cloth noise, gradients, fairly light desks), perspective, any rotation in
  ±35°, blur, a soft shadow, a lighting gradient, sensor noise, JPEG artefacts and sometimes a
  small distractor (a card or a pen). The ground-truth corners (tl, tr, br, bl in frame pixels)
  are the homography image of the page's corners.
* ``negative_photo(rng)`` — the same desks without a page (hard negatives: cards, pens, a
  keyboard-like grid, a phone).
* ``qr_frame(texts, …)`` — QR codes (``qrcode`` package, UTF-8) rendered at an angle / scale.
* ``face_frame(…)`` — the face-like test pattern of ``devices.camera.simulated`` (OpenCV's
  Haar cascade fires on it; the tests check that) placed, sized, blurred or darkened at will.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import qrcode

from devices.camera.simulated import face_pattern_with_mask

Image = np.ndarray
A4 = 297.0 / 210.0


@dataclass
class Photo:
    image: Image
    corners: np.ndarray | None  # (4, 2) float32: tl, tr, br, bl — None for negatives
    seed: int = 0
    label: str = ""


# -- backgrounds -----------------------------------------------------------------------------
def background(rng: np.random.Generator, w: int, h: int) -> tuple[Image, str]:
    img, kind = _background(rng, w // 2, h // 2)  # textures at half size: 4 × faster
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR), kind


def _background(rng: np.random.Generator, w: int, h: int) -> tuple[Image, str]:
    kind = str(rng.choice(["mat", "wood", "tiles", "cloth", "gradient", "light"],
                          p=[0.25, 0.2, 0.12, 0.18, 0.13, 0.12]))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img: np.ndarray
    if kind == "mat":  # the dark base of a 高拍仪
        base = rng.uniform(15, 70, 3)
        img = np.ones((h, w, 3), np.float32) * base
    elif kind == "wood":
        tint = np.array([40, 80, 130], np.float32) * rng.uniform(0.6, 1.2)
        ang = rng.uniform(0, np.pi)
        t = xx * np.cos(ang) + yy * np.sin(ang)
        warp = 4 * np.sin(yy / rng.uniform(20, 60) + xx / rng.uniform(75, 200))
        grain = 0.5 + 0.5 * np.sin((t + warp) / rng.uniform(2, 7))
        img = tint[None, None, :] * (0.75 + 0.35 * grain[..., None])
    elif kind == "tiles":
        cell = int(rng.integers(30, 100))
        a, b = rng.uniform(30, 140, 3), rng.uniform(30, 140, 3)
        chk = ((xx // cell + yy // cell) % 2).astype(np.float32)[..., None]
        img = a * chk + b * (1 - chk)
        img[(xx % cell < 2) | (yy % cell < 2)] *= 0.6
    elif kind == "cloth":
        base = rng.uniform(40, 160, 3)
        small = rng.normal(0, 1, (h // 8 + 1, w // 8 + 1, 3)).astype(np.float32)
        blob = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        img = base + 25 * blob
    elif kind == "gradient":
        a, b = rng.uniform(20, 150, 3), rng.uniform(20, 150, 3)
        t = (xx / w * rng.uniform(0.3, 1) + yy / h * rng.uniform(0.3, 1))[..., None]
        t = t / max(float(t.max()), 1e-6)
        img = a * (1 - t) + b * t
    else:  # light grey / beige desk: low contrast with the paper
        img = np.ones((h, w, 3), np.float32) * rng.uniform(120, 175) * rng.uniform(0.9, 1.1, 3)
    img = img + rng.normal(0, 4, (1, 1, 3)).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8), kind


def distractor(rng: np.random.Generator, img: Image, avoid: np.ndarray | None = None) -> None:
    """A small card, a pen or a phone somewhere on the desk (drawn in place)."""
    h, w = img.shape[:2]
    what = rng.choice(["card", "pen", "phone", "grid"])
    cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
    half_diag = 0.5 * float(np.hypot(0.14 * w, 0.1 * w))
    if avoid is not None and cv2.pointPolygonTest(avoid.astype(np.float32), (cx, cy),
                                                  True) > -half_diag:
        return  # would touch the page: occlusion is not what this set measures
    ang = rng.uniform(0, 180)
    colour = tuple(float(c) for c in rng.uniform(0, 255, 3))
    if what == "card":
        size = (rng.uniform(0.08, 0.14) * w, rng.uniform(0.05, 0.09) * w)
    elif what == "pen":
        size = (rng.uniform(0.1, 0.2) * w, 0.008 * w)
    elif what == "phone":
        size = (0.05 * w, 0.1 * w)
        colour = (20.0, 20.0, 25.0)
    else:
        size = (0.15 * w, 0.06 * w)
    box = cv2.boxPoints(((cx, cy), size, ang)).astype(np.int32)
    cv2.fillConvexPoly(img, box, colour, cv2.LINE_AA)
    if what == "grid":
        for i in range(1, 8):  # key rows
            p = box[0] + (box[1] - box[0]) * i / 8
            q = box[3] + (box[2] - box[3]) * i / 8
            cv2.line(img, (int(p[0]), int(p[1])), (int(q[0]), int(q[1])), (0, 0, 0), 2)


# -- the page --------------------------------------------------------------------------------
def page_content(rng: np.random.Generator, pw: int, ph: int) -> Image:
    paper = np.array(rng.choice([[250, 250, 250], [238, 246, 250], [235, 240, 242],
                                 [225, 240, 245], [245, 235, 235]]), np.float32)
    paper = paper * rng.uniform(0.92, 1.0)
    page = np.ones((ph, pw, 3), np.float32) * paper
    page = np.clip(page, 0, 255).astype(np.uint8)
    ink = (int(rng.integers(0, 60)),) * 3
    margin = int(pw * rng.uniform(0.07, 0.12))
    y = margin
    # title
    tw = int(pw * rng.uniform(0.3, 0.6))
    cv2.rectangle(page, ((pw - tw) // 2, y), ((pw + tw) // 2, y + int(ph * 0.02)), ink, -1)
    y += int(ph * 0.06)
    line_h = max(6, int(ph * rng.uniform(0.018, 0.028)))
    while y < ph - margin:
        if rng.random() < 0.08:  # a table
            rows, cols = int(rng.integers(3, 7)), int(rng.integers(2, 5))
            th = rows * line_h * 2
            if y + th > ph - margin:
                break
            for r in range(rows + 1):
                cv2.line(page, (margin, y + r * line_h * 2), (pw - margin, y + r * line_h * 2),
                         ink, 1)
            for c in range(cols + 1):
                x = margin + (pw - 2 * margin) * c // cols
                cv2.line(page, (x, y), (x, y + th), ink, 1)
            y += th + line_h
            continue
        x = margin + (int(line_h * 2) if rng.random() < 0.2 else 0)
        end = pw - margin - (int(rng.uniform(0, 0.5) * pw) if rng.random() < 0.25 else 0)
        while x < end:
            word = int(line_h * rng.uniform(0.8, 4.5))
            cv2.rectangle(page, (x, y + line_h // 5), (min(x + word, end), y + line_h - 1),
                          ink, -1)
            x += word + int(line_h * 0.5)
        y += int(line_h * rng.uniform(1.6, 2.2))
    if rng.random() < 0.6:  # a red seal (公章)
        seal = (int(pw * rng.uniform(0.55, 0.8)), int(ph * rng.uniform(0.7, 0.88)))
        radius = int(pw * 0.09)
        cv2.circle(page, seal, radius, (40, 40, 210), max(2, radius // 12), cv2.LINE_AA)
        cv2.circle(page, seal, radius // 4, (40, 40, 210), -1, cv2.LINE_AA)
    if rng.random() < 0.3:  # a photo box
        x0, y0 = pw - margin - int(pw * 0.2), margin + int(ph * 0.08)
        cv2.rectangle(page, (x0, y0), (x0 + int(pw * 0.2), y0 + int(pw * 0.27)),
                      tuple(int(v) for v in rng.uniform(60, 200, 3)), -1)
    return page


def random_quad(rng: np.random.Generator, w: int, h: int, aspect: float) -> np.ndarray:
    """Page corners in the frame: area 18–65 % of the frame, rotation ±35°, perspective."""
    for _ in range(200):
        area = rng.uniform(0.18, 0.65) * w * h
        pw = float(np.sqrt(area / aspect))
        ph = pw * aspect
        ang = np.deg2rad(rng.uniform(-35, 35))
        if rng.random() < 0.2:
            ang += np.pi / 2  # landscape on the desk
        c, s = np.cos(ang), np.sin(ang)
        base = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2],
                         [-pw / 2, ph / 2]])
        pts = base @ np.array([[c, s], [-s, c]])
        # keystone / perspective: move the corners independently by up to 7 % of the size
        pts = pts + rng.uniform(-0.07, 0.07, (4, 2)) * max(pw, ph)
        centre = np.array([rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * h])
        pts = pts + centre
        m = 0.02 * min(w, h)
        if (pts[:, 0].min() > m and pts[:, 0].max() < w - m and pts[:, 1].min() > m
                and pts[:, 1].max() < h - m):
            # order as tl, tr, br, bl of the page itself (it may be upside down on the desk)
            return pts.astype(np.float32)
    raise RuntimeError("could not place a page")


def order_corners(pts: np.ndarray) -> np.ndarray:
    """The image-space order detect_page uses: tl is the corner nearest the top-left, then
    clockwise (same convention as ``devices.camera.document.order_corners``)."""
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    cw = pts[np.argsort(ang)]  # clockwise in image coordinates (y down)
    start = int(np.argmin(cw.sum(axis=1)))
    return np.roll(cw, -start, axis=0).astype(np.float32)


def shade(rng: np.random.Generator, img: Image) -> Image:
    """Lighting gradient, vignette and sometimes a soft shadow: a smooth gain map computed
    at 1/8 size and applied once."""
    h, w = img.shape[:2]
    sw, sh = w // 8, h // 8
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    gx, gy = rng.uniform(-0.35, 0.35, 2)
    gain = 1 + gx * (xx / sw - 0.5) + gy * (yy / sh - 0.5)
    r2 = ((xx - sw / 2) / sw) ** 2 + ((yy - sh / 2) / sh) ** 2
    gain *= (1 - rng.uniform(0, 0.5) * r2) * rng.uniform(0.75, 1.1)
    if rng.random() < 0.5:  # a soft shadow (a hand, the camera arm)
        poly = np.array([[rng.uniform(0, sw), rng.uniform(0, sh)] for _ in range(4)], np.int32)
        mask = np.zeros((sh, sw), np.float32)
        cv2.fillPoly(mask, [cv2.convexHull(poly)], 1.0)
        mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(15, 60) / 8)
        gain *= 1 - rng.uniform(0.2, 0.45) * mask
    gain8 = np.clip(gain * 128, 0, 255).astype(np.uint8)
    big = cv2.resize(cv2.merge([gain8, gain8, gain8]), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.multiply(img, big, scale=1 / 128)


def degrade(rng: np.random.Generator, img: Image) -> Image:
    sigma = rng.choice([0, rng.uniform(0.5, 1.5), rng.uniform(1.5, 3.0)], p=[0.3, 0.5, 0.2])
    if sigma > 0:
        img = cv2.GaussianBlur(img, (0, 0), float(sigma))
    noise = rng.uniform(0, 9)
    if noise > 0.5:
        h, w = img.shape[:2]
        field = _noise_field(h, w)
        y = int(rng.integers(0, field.shape[0] - h + 1))
        x = int(rng.integers(0, field.shape[1] - w + 1))
        img = cv2.addWeighted(img, 1.0, field[y:y + h, x:x + w], noise / 16.0, 0.0,
                              dtype=cv2.CV_8U)
    if rng.random() < 0.5:
        _, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(55, 92))])
        img = np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR))
    return img


_NOISE: dict[tuple[int, int], Image] = {}


def _noise_field(h: int, w: int) -> Image:
    """A cached Gaussian noise field (σ = 16) a little larger than the frame; each photo takes
    a seeded random window of it (generating fresh noise per frame dominated the cost)."""
    key = (h, w)
    if key not in _NOISE:
        field = np.empty((h + 64, w + 64, 3), np.int16)
        cv2.setRNGSeed(12345)
        cv2.randn(field, np.zeros(3), np.full(3, 16.0))
        _NOISE[key] = field
    return _NOISE[key]


def page_photo(seed: int, w: int = 1920, h: int = 1080) -> Photo:
    rng = np.random.default_rng(seed)
    bg, kind = background(rng, w, h)
    aspect = float(rng.choice([A4, A4, A4, 1.29, 1.5]))
    ph = 1000
    pw = round(ph / aspect)
    page = page_content(rng, pw, ph)
    quad = random_quad(rng, w, h, aspect)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad)
    warped = cv2.warpPerspective(page, m, (w, h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones((ph, pw), np.float32), m, (w, h), flags=cv2.INTER_LINEAR)
    img = cv2.blendLinear(warped, bg, mask, 1 - mask)
    if rng.random() < 0.35:
        distractor(rng, img, quad)
    img = degrade(rng, shade(rng, img))
    return Photo(img, order_corners(quad), seed, kind)


def negative_photo(seed: int, w: int = 1920, h: int = 1080) -> Photo:
    rng = np.random.default_rng(10_000_000 + seed)
    bg, kind = background(rng, w, h)
    for _ in range(int(rng.integers(0, 4))):
        distractor(rng, bg)
    return Photo(degrade(rng, shade(rng, bg)), None, seed, kind)


def flat_page(w: int = 1240, h: int = 1754) -> Image:
    """A deterministic A4 page (150 dpi) with coloured markers at known relative positions
    (see ``MARKERS``) for the rectify round trip."""
    page = page_content(np.random.default_rng(1), w, h)
    for (fx, fy), colour in MARKERS.items():
        cx, cy = int(fx * w), int(fy * h)
        r = int(0.025 * w)
        cv2.circle(page, (cx, cy), r, colour, -1, cv2.LINE_AA)
    return page


def pinhole_quad(w: int, h: int, *, focal: float, tilt_x: float, tilt_y: float, spin: float,
                 distance: float, size_mm: tuple[float, float] = (210.0, 297.0)) -> np.ndarray:
    """Corners (tl, tr, br, bl) of a ``size_mm`` page seen by a pinhole camera (principal
    point at the frame centre, focal length in pixels) tilted by ``tilt_x`` / ``tilt_y`` and
    spun by ``spin`` radians at ``distance`` mm — a physically possible perspective, unlike
    random corner jitter."""
    k = np.array([[focal, 0, w / 2], [0, focal, h / 2], [0, 0, 1.0]])
    tilt, _ = cv2.Rodrigues(np.array([tilt_x, tilt_y, 0.0]))
    rot, _ = cv2.Rodrigues(np.array([0.0, 0.0, spin]))
    pw, ph = size_mm
    pts = np.array([[-pw / 2, -ph / 2, 0], [pw / 2, -ph / 2, 0], [pw / 2, ph / 2, 0],
                    [-pw / 2, ph / 2, 0]])
    cam = (tilt @ rot @ pts.T).T + np.array([0.0, 0.0, distance])
    img = (k @ cam.T).T
    return (img[:, :2] / img[:, 2:]).astype(np.float32)


MARKERS: dict[tuple[float, float], tuple[int, int, int]] = {
    (0.12, 0.1): (255, 0, 0), (0.88, 0.1): (0, 200, 0), (0.88, 0.9): (0, 0, 255),
    (0.12, 0.9): (255, 0, 255), (0.5, 0.5): (0, 200, 200),
}


# -- QR codes --------------------------------------------------------------------------------
def qr_module_image(text: str, box: int = 8) -> Image:
    q = qrcode.QRCode(box_size=box, border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    q.add_data(text.encode("utf-8"))
    q.make(fit=True)
    return np.array(q.make_image(fill_color="black", back_color="white").convert("L"))


def qr_frame(texts: list[str], *, w: int = 1920, h: int = 1080, box: int = 8,
             angle: float = 0.0, tilt: float = 0.0, seed: int = 0) -> Image:
    """QR codes side by side on a grey desk, each rotated by ``angle`` degrees and
    keystoned by ``tilt`` (fraction of its size)."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 110, np.uint8)
    img[:] = (np.full((h, w, 3), 110) + rng.normal(0, 3, (h, w, 3))).clip(0, 255).astype(np.uint8)
    n = max(1, len(texts))
    for i, text in enumerate(texts):
        q = qr_module_image(text, box)
        qs = q.shape[0]
        src = np.array([[0, 0], [qs, 0], [qs, qs], [0, qs]], np.float32)
        cx, cy = w * (i + 0.5) / n, h / 2
        a = np.deg2rad(angle)
        rot = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
        dst = (src - qs / 2) @ rot
        dst[0] += (tilt * qs, 0)
        dst[1] -= (tilt * qs, 0)
        dst = (dst + np.array([cx, cy])).astype(np.float32)
        m = cv2.getPerspectiveTransform(src, dst)
        warped = cv2.warpPerspective(cv2.cvtColor(q, cv2.COLOR_GRAY2BGR), m, (w, h),
                                     flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.ones((qs, qs), np.float32), m, (w, h))
        img = (img * (1 - mask[..., None]) + warped * mask[..., None]).astype(np.uint8)
    return img


# -- faces -----------------------------------------------------------------------------------
def face_frame(*, w: int = 640, h: int = 480, face_width: float = 0.4,
               centre: tuple[float, float] = (0.5, 0.5), blur: float = 0.0, gain: float = 1.0,
               face_gain: float = 1.0, faces: int = 1, seed: int = 0) -> Image:
    """A kiosk-camera frame with ``faces`` face-like patterns; ``face_width`` is the pattern's
    face width as a fraction of the frame width, ``centre`` its centre (fractions); ``gain``
    scales the whole frame, ``face_gain`` the face only (a back-lit citizen)."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 95, np.float32) + rng.normal(0, 3, (h, w, 3)).astype(np.float32)
    img[: h // 3] *= 1.15  # a lighter wall behind
    img = np.clip(img, 0, 255).astype(np.uint8)
    for k in range(faces):
        fw = int(face_width * w)
        patt, alpha = face_pattern_with_mask(fw)
        if face_gain != 1.0:
            patt = np.clip(patt.astype(np.float32) * face_gain, 0, 255).astype(np.uint8)
        ph_, pw_ = patt.shape[:2]
        cx = centre[0] * w + (k - (faces - 1) / 2) * (fw * 1.6)
        x0, y0 = int(cx - pw_ / 2), int(centre[1] * h - ph_ / 2)
        xs, ys = max(0, x0), max(0, y0)
        xe, ye = min(w, x0 + pw_), min(h, y0 + ph_)
        if xe > xs and ye > ys:
            a = np.ascontiguousarray(alpha[ys - y0:ye - y0, xs - x0:xe - x0])
            p = np.ascontiguousarray(patt[ys - y0:ye - y0, xs - x0:xe - x0])
            roi = img[ys:ye, xs:xe]
            roi[:] = cv2.blendLinear(p, np.ascontiguousarray(roi), a, 1 - a)
    if blur > 0:
        img = np.asarray(cv2.GaussianBlur(img, (0, 0), blur))
    if gain != 1.0:
        img = np.clip(img.astype(np.float32) * gain, 0, 255).astype(np.uint8)
    return img
