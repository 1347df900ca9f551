"""Benchmark: document-camera page detection and the full-resolution capture pipeline.

Single core (``cv2.setNumThreads(1)``), on seeded synthetic photographs of pages on desks
(``tests/devices/camera/synth.py``: random backgrounds, perspective, rotation, blur, shadows,
noise, JPEG artefacts; ground-truth corners known).

* ``detect_page`` frames/s on 1920×1080 frames (target ≥ 25 fps), with and without the
  full-resolution corner refinement, next to the **same-run baseline**: a bare
  ``cv2.cvtColor`` + ``cv2.resize`` to the 640 px work size of the same frames — the
  unavoidable cost of looking at a frame at all. Each frame is timed baseline-then-detect,
  interleaved, so machine noise hits both alike.
* accuracy: share of pages found, worst-corner error per page (median / p95 / max px), and
  false pages on the same desks without a page.
* full-resolution ``rectify`` + ``enhance`` + ``encode_jpeg`` (≤ 300 kB) per captured page on
  1920×1080 and 2592×1944 (5 MP) stills.

    python bench/bench_document.py [--pages 200] [--negatives 100] [--stills 20]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np

from devices.camera.document import detect_page, encode_jpeg, enhance, rectify
from tests.devices.camera import synth

T = TypeVar("T")
TARGET_FPS = 25.0
WORK = (640, 360)


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    t0 = time.perf_counter_ns()
    out = fn()
    return (time.perf_counter_ns() - t0) / 1e6, out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def corner_error(found: np.ndarray, truth: np.ndarray) -> float:
    return min(float(np.linalg.norm(np.roll(found, k, axis=0) - truth, axis=1).max())
               for k in range(4))


def baseline(image: np.ndarray) -> np.ndarray:
    """The least any detector must do: grey conversion and the downscale to the work size."""
    return np.asarray(cv2.resize(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), WORK,
                                 interpolation=cv2.INTER_AREA))


def bare_warp_and_encode(image: np.ndarray, quad: np.ndarray, size: tuple[int, int]) -> bytes:
    """The least a capture must do: one perspective warp and one JPEG encode (quality 85)."""
    w, h = size
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    page = cv2.warpPerspective(image, cv2.getPerspectiveTransform(quad, dst), (w, h))
    return cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()


def bench_detection(pages: int, negatives: int) -> None:
    t0 = time.perf_counter()
    photos = [synth.page_photo(seed, 1920, 1080) for seed in range(pages)]
    desks = [synth.negative_photo(seed, 1920, 1080) for seed in range(negatives)]
    print(f"generated {pages} page + {negatives} desk frames 1920x1080 in "
          f"{time.perf_counter() - t0:.1f} s (not timed below)")
    for p in photos[:5]:  # warm-up (allocations, code paths)
        detect_page(p.image)
    base_ms: list[float] = []
    det_ms: list[float] = []
    coarse_ms: list[float] = []
    errors: list[float] = []
    found = 0
    for p in photos:
        ms, _ = timed(functools.partial(baseline, p.image))
        base_ms.append(ms)
        ms, quad = timed(functools.partial(detect_page, p.image))
        det_ms.append(ms)
        ms, _ = timed(functools.partial(detect_page, p.image, refine=False))
        coarse_ms.append(ms)
        if quad is not None and p.corners is not None:
            found += 1
            errors.append(corner_error(quad.points, p.corners))
    false = sum(detect_page(d.image) is not None for d in desks)

    def line(name: str, ms: list[float]) -> str:
        mean = statistics.fmean(ms)
        return (f"{name:34s} p50 {pct(ms, 50):6.2f} ms  p95 {pct(ms, 95):6.2f} ms  "
                f"mean {mean:6.2f} ms  = {1000 / mean:6.1f} fps")

    print(line("detect_page (refined, default)", det_ms))
    print(line("detect_page (refine=False, preview)", coarse_ms))
    print(line("baseline cvtColor+resize to 640", base_ms))
    ratio = pct(det_ms, 50) / pct(base_ms, 50)
    fps = 1000 / statistics.fmean(det_ms)
    print(f"detect/baseline p50 ratio {ratio:.1f}x; target >= {TARGET_FPS:.0f} fps: "
          f"{'met' if fps >= TARGET_FPS else 'NOT met'}")
    print(f"accuracy: found {found}/{pages} ({found / pages:.1%}); worst-corner error "
          f"median {pct(errors, 50):.2f} px, p95 {pct(errors, 95):.2f} px, "
          f"max {max(errors):.2f} px; false pages on empty desks {false}/{negatives}")


def bench_pipeline(width: int, height: int, stills: int) -> None:
    photos = [synth.page_photo(1000 + i, width, height) for i in range(stills)]
    rect_ms: list[float] = []
    enh_ms: list[float] = []
    enc_ms: list[float] = []
    tot_ms: list[float] = []
    base_ms: list[float] = []
    sizes: list[tuple[int, int]] = []
    bytes_: list[int] = []
    for p in photos:
        quad = detect_page(p.image)
        if quad is None:
            continue
        a, page = timed(functools.partial(rectify, p.image, quad))
        b, better = timed(functools.partial(enhance, page))
        c, data = timed(functools.partial(encode_jpeg, better, 300_000))
        rect_ms.append(a)
        enh_ms.append(b)
        enc_ms.append(c)
        tot_ms.append(a + b + c)
        sizes.append((page.shape[0], page.shape[1]))
        bytes_.append(len(data))
        d, _ = timed(functools.partial(bare_warp_and_encode, p.image, quad.points,
                                       (page.shape[1], page.shape[0])))
        base_ms.append(d)
    mpix = statistics.median(h * w for h, w in sizes) / 1e6
    print(f"{width}x{height} still -> page median {mpix:.2f} MP ({len(tot_ms)} stills): "
          f"rectify p50 {pct(rect_ms, 50):.1f} ms, enhance p50 {pct(enh_ms, 50):.1f} ms, "
          f"encode<=300kB p50 {pct(enc_ms, 50):.1f} ms; total p50 {pct(tot_ms, 50):.1f} ms "
          f"p95 {pct(tot_ms, 95):.1f} ms | baseline bare warp + one imencode q85 p50 "
          f"{pct(base_ms, 50):.1f} ms; ratio {pct(tot_ms, 50) / pct(base_ms, 50):.1f}x; "
          f"JPEG max {max(bytes_) / 1000:.0f} kB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--negatives", type=int, default=100)
    parser.add_argument("--stills", type=int, default=20)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    print(f"OpenCV {cv2.__version__}, numpy {np.__version__}, cv2 threads "
          f"{cv2.getNumThreads()}")
    bench_detection(args.pages, args.negatives)
    bench_pipeline(1920, 1080, args.stills)
    bench_pipeline(2592, 1944, args.stills)


if __name__ == "__main__":
    main()
