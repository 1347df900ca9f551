"""``kiosk diag camera``: technician diagnostics for a camera, printing one JSON object.

::

    kiosk diag camera --source SRC [--backend opencv|simulated] [--width W --height H]
                      [--fourcc MJPG] [--frames N] [--document OUT.jpg] [--qr]

Opens the camera, reads ``--frames`` frames (default 30) and reports the resolution, the
measured frame rate (frames / wall time — for a file this is the decode speed), the mean
brightness and a sharpness score (variance of the Laplacian on a ≤ 1000 px grey copy: compare
it before / after cleaning or focusing the lens). ``--document`` takes a still, detects the
page (prints its corners, tl/tr/br/bl in still pixels) and saves the rectified, enhanced JPEG
(≤ 300 kB); ``--qr`` prints the decoded QR texts and their kinds. Exit status: 0 ok, 1 device
error or nothing found for a requested ``--document`` / ``--qr``, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.errors import DeviceError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk diag camera",
                                description="camera diagnostics (prints JSON)")
    p.add_argument("--source", default="0",
                   help="device index, /dev/videoN, video/image file, pattern_%%03d.png or URL "
                        "(simulated backend: image/video file or scene:NAME)")
    p.add_argument("--backend", choices=("opencv", "simulated"), default="opencv")
    p.add_argument("--width", type=int)
    p.add_argument("--height", type=int)
    p.add_argument("--fourcc", help="e.g. MJPG (live devices only)")
    p.add_argument("--frames", type=int, default=30, metavar="N",
                   help="frames to read for the fps and sharpness figures (default 30)")
    p.add_argument("--document", type=Path, metavar="OUT.jpg",
                   help="detect the page in a still and save the rectified JPEG here")
    p.add_argument("--qr", action="store_true", help="decode QR codes")
    return p


def _camera(args: argparse.Namespace) -> Any:
    if args.backend == "simulated":
        from devices.camera.simulated import SimulatedCamera

        if args.source.startswith("scene:"):
            kw: dict[str, Any] = {"scene": args.source.split(":", 1)[1]}
            if args.width and args.height:
                kw.update(width=args.width, height=args.height)
            return SimulatedCamera(**kw)
        return SimulatedCamera(source=args.source)
    from devices.camera.opencv import OpenCvCamera

    return OpenCvCamera(args.source, width=args.width, height=args.height, fourcc=args.fourcc)


def run(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.frames < 1:
        parser.print_usage(sys.stderr)
        return 2
    report: dict[str, Any] = {"device": "camera", "source": args.source, "ok": False}
    status = 1
    try:
        report.update(_diagnose(args))
        status = 0 if report["ok"] else 1
    except DeviceError as err:
        report["error"] = {"type": type(err).__name__, "user_message": err.user_message,
                           "detail": err.detail}
    except ValueError as err:  # bad option values (fourcc, scene…)
        report["error"] = {"type": "ValueError", "detail": str(err)}
        status = 2
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return status


def _diagnose(args: argparse.Namespace) -> dict[str, Any]:
    import cv2

    from devices.camera.document import DocumentCapture, sharpness

    out: dict[str, Any] = {}
    with _camera(args) as cam:
        frames = []
        t0 = time.perf_counter()
        for _ in range(args.frames):
            try:
                frames.append(cam.read_frame())
            except DeviceError:
                if not frames:
                    raise
                break  # a short file: report what was read
        elapsed = time.perf_counter() - t0
        last = frames[-1]
        out["camera"] = cam.describe()
        out["resolution"] = [int(last.shape[1]), int(last.shape[0])]
        out["frames_read"] = len(frames)
        out["measured_fps"] = round(len(frames) / elapsed, 1) if elapsed > 0 else None
        out["brightness"] = round(float(cv2.cvtColor(last, cv2.COLOR_BGR2GRAY).mean()), 1)
        out["sharpness"] = round(sharpness(last), 1)
        try:
            still = cam.capture_still() if (args.document or args.qr) else last
        except DeviceError:
            still = last  # a file that has ended: use the last frame read
        ok = True
        if args.document:
            result = DocumentCapture().process_still(still)
            doc: dict[str, Any] = {"found": result is not None}
            if result is not None:
                args.document.write_bytes(result.jpeg)
                doc.update(corners=result.quad.as_list(), edge_support=round(result.quad.score, 2),
                           output=str(args.document), bytes=len(result.jpeg),
                           size=[int(result.image.shape[1]), int(result.image.shape[0])])
            ok = ok and result is not None
            out["document"] = doc
        if args.qr:
            from devices.camera.qr import classify_payload, decode_qr

            texts = decode_qr(still)
            if not texts:  # the still may be blurred: try the frames we already have
                for frame in reversed(frames[-5:]):
                    texts = decode_qr(frame)
                    if texts:
                        break
            out["qr"] = [{"text": t, "kind": classify_payload(t).kind} for t in texts]
            ok = ok and bool(texts)
        out["ok"] = ok
    return out
