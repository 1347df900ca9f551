"""Cameras: the citizen-facing camera (``camera``) and the 高拍仪 (``document_camera``).

* ``base``      — the ``Camera`` port, ``PreviewStream`` (latest-frame slot, drops frames)
* ``opencv``    — ``OpenCvCamera`` (V4L2 index / device node, file, image sequence, URL)
* ``simulated`` — ``SimulatedCamera`` (image / video / synthetic scenes, ``FaultScript``)
* ``document``  — page detection, stability, rectification, enhancement, JPEG budget,
  ``DocumentCapture`` (pure numpy / OpenCV)
* ``qr``        — ``decode_qr`` and payload classification
* ``face``      — ``FaceCheck``: placement / lighting / sharpness guidance (no face data kept)
* ``diag``      — ``kiosk diag camera``

Importing this package imports neither OpenCV nor a backend; the registry loads
``devices.camera.opencv`` / ``devices.camera.simulated`` lazily. See docs/devices/camera.md.
"""

from __future__ import annotations

from devices.camera.base import Camera, PreviewFrame, PreviewStats, PreviewStream

__all__ = ["Camera", "PreviewFrame", "PreviewStats", "PreviewStream"]
