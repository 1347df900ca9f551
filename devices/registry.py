"""The lazy registry of device backends: ``kind → backend name → "module:Class"``.

Nothing here imports a vendor library. ``create(kind, backend, **options)`` imports the
backend's module only when asked, so a missing ``pyscard`` or ``cv2`` breaks only that
backend and surfaces as ``DeviceUnavailableError`` (with a Chinese message for the
screen), never as an ``ImportError`` at start-up. Options are the backend's constructor
keyword arguments (``[devices.<kind>.options]`` in the configuration); an unknown option
is a ``ConfigError`` naming it.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from kiosk.config import DeviceConfig
from kiosk.errors import ConfigError, DeviceUnavailableError

BACKENDS: dict[str, dict[str, str]] = {
    "idcard": {
        "serial": "devices.idcard.serial:SerialIdCardReader",
        "simulated": "devices.idcard.simulated:SimulatedIdCardReader",
    },
    "smartcard": {
        "pcsc": "devices.smartcard.pcsc:PcscCardReader",
        "simulated": "devices.smartcard.simulated:SimulatedSmartCardReader",
    },
    "camera": {
        "opencv": "devices.camera.opencv:OpenCvCamera",
        "simulated": "devices.camera.simulated:SimulatedCamera",
    },
    "document_camera": {
        "opencv": "devices.camera.opencv:OpenCvCamera",
        "simulated": "devices.camera.simulated:SimulatedCamera",
    },
    "receipt_printer": {
        "escpos_serial": "printing.escpos:SerialEscposPrinter",
        "escpos_network": "printing.escpos:NetworkEscposPrinter",
        "escpos_usb": "printing.escpos:UsbEscposPrinter",
        "escpos_file": "printing.escpos:FileEscposPrinter",
        "simulated": "printing.escpos:SimulatedReceiptPrinter",
    },
    "a4_printer": {
        "cups": "printing.cups:CupsPrinter",
        "simulated": "printing.cups:SimulatedA4Printer",
    },
}


def resolve(kind: str, backend: str) -> type:
    try:
        target = BACKENDS[kind][backend]
    except KeyError as err:
        known = ", ".join(sorted(BACKENDS.get(kind, {}))) or "none"
        raise ConfigError(f"devices.{kind}.backend: unknown backend {backend!r} "
                          f"(known: {known})", key=f"devices.{kind}.backend") from err
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise DeviceUnavailableError(
            f"backend {backend!r} for {kind} cannot be loaded: {err}") from err
    try:
        cls = getattr(module, class_name)
    except AttributeError as err:
        raise DeviceUnavailableError(f"{target}: no such class") from err
    if not isinstance(cls, type):
        raise DeviceUnavailableError(f"{target} is not a class")
    return cls


def create(kind: str, backend: str, **options: Any) -> Any:
    """Build (not open) a device; see the module docstring."""
    cls = resolve(kind, backend)
    params = inspect.signature(cls).parameters
    if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        unknown = sorted(set(options) - set(params))
        if unknown:
            raise ConfigError(f"devices.{kind}.options.{unknown[0]}: unknown option for "
                              f"backend {backend!r} (accepted: {', '.join(params) or 'none'})",
                              key=f"devices.{kind}.options.{unknown[0]}")
    try:
        return cls(**options)
    except TypeError as err:
        raise ConfigError(f"devices.{kind}.options: {err}", key=f"devices.{kind}.options") \
            from err


def from_config(kind: str, config: DeviceConfig) -> Any:
    return create(kind, config.backend, **dict(config.options))
