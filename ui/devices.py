"""The devices the citizen journey uses, built from ``config.devices`` through the registry.

In demo mode every entry defaults to its ``simulated`` backend, so the same code path runs
with fakes and with hardware. A device that cannot be built (missing vendor library, bad
option, no such backend) or is disabled is ``None`` here and its reason is kept in
``problems``: the screens then hide or disable the methods that need it (issue 6,
"Degradation"), and the kiosk still starts.

Lifetime: ``start(idcard_listener, smartcard_listener)`` starts the ID-card poller and the
smart-card monitor (their threads report through ``ui.bridge``); ``stop()`` stops and
closes everything, idempotently. The UI owns this object and calls ``stop()`` when its
window closes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from devices import registry
from devices.idcard import IdCardListener, IdCardPoller, IdCardReader
from devices.smartcard import CardListener, SmartCardReader
from kiosk.config import Config
from kiosk.errors import ConfigError, DeviceError

log = logging.getLogger(__name__)

KINDS = ("idcard", "smartcard", "receipt_printer", "a4_printer", "camera", "document_camera")
#: what the journey builds by default
JOURNEY_KINDS = KINDS
#: options a simulated backend gets unless the configuration says otherwise: the citizen
#: camera of the demo shows a face, the document camera a page (its own default)
SIMULATED_DEFAULTS: dict[str, dict[str, Any]] = {"camera": {"scene": "face"}}


@dataclass
class KioskDevices:
    idcard: IdCardReader | None = None
    smartcard: SmartCardReader | None = None
    receipt_printer: Any = None  # printing.escpos.ReceiptPrinter
    a4_printer: Any = None  # printing.cups.A4Printer
    camera: Any = None  # devices.camera.Camera
    document_camera: Any = None
    problems: dict[str, str] = field(default_factory=dict)  # kind -> why it is missing
    faults: dict[str, str] = field(default_factory=dict)  # kind -> last error (Chinese)
    demo: bool = False
    _poller: IdCardPoller | None = field(default=None, repr=False)
    _smartcard_listener: CardListener | None = field(default=None, repr=False)
    _started: bool = field(default=False, repr=False)

    @classmethod
    def from_config(cls, config: Config, *,
                    kinds: tuple[str, ...] = JOURNEY_KINDS) -> KioskDevices:
        out = cls(demo=config.mode == "demo")
        for kind in kinds:
            entry = getattr(config.devices, kind)
            if not entry.enabled:
                out.problems[kind] = "disabled in the configuration"
                continue
            options = dict(entry.options)
            if entry.backend == "simulated":
                options = {**SIMULATED_DEFAULTS.get(kind, {}), **options}
            try:
                device = registry.create(kind, entry.backend, **options)
            except (DeviceError, ConfigError) as err:
                log.warning("device %s unavailable: %s", kind, err)
                out.problems[kind] = str(err)
                continue
            setattr(out, kind, device)
        return out

    def apply_catalogue(self, print_templates: Mapping[str, Any] | None) -> None:
        """Give both printers the catalogue's ``print_templates`` overlay. An invalid overlay
        is logged and kept out (the printers go on with the templates they had): a citizen
        still gets a receipt."""
        for kind in ("receipt_printer", "a4_printer"):
            printer = getattr(self, kind)
            if printer is None or not hasattr(printer, "use_catalogue_templates"):
                continue
            try:
                printer.use_catalogue_templates(print_templates)
            except ConfigError as err:
                log.error("catalogue print templates not used for %s: %s", kind, err)
                self.faults[kind] = "回执模板无效，已使用默认模板"

    @property
    def simulated(self) -> bool:
        """True when the ID-card reader is an in-process fake (demo buttons may drive it)."""
        return getattr(self.idcard, "backend", "") == "simulated"

    def start(self, idcard_listener: IdCardListener | None = None,
              smartcard_listener: CardListener | None = None) -> None:
        if self._started:
            return
        self._started = True
        if self.idcard is not None and idcard_listener is not None:
            self._poller = self.idcard.start_polling(idcard_listener)
        if self.smartcard is not None and smartcard_listener is not None:
            self._smartcard_listener = smartcard_listener
            self.smartcard.add_listener(smartcard_listener)
            self.smartcard.start_monitoring()

    def stop(self) -> None:
        """Stop the pollers and close every device (idempotent, never raises)."""
        if self._poller is not None:
            self._poller.stop()
            self._poller = None
        if self.smartcard is not None and self._smartcard_listener is not None:
            self.smartcard.remove_listener(self._smartcard_listener)
            self._smartcard_listener = None
        for kind in KINDS:
            device = getattr(self, kind)
            if device is None:
                continue
            try:
                device.close()
            except Exception as err:  # closing must never take the shutdown down
                log.warning("closing %s: %s", kind, err)
        self._started = False

    def health(self) -> dict[str, str]:
        """For heartbeats and maintenance: "ok", "missing" or "fault" per kind."""
        out: dict[str, str] = {}
        for kind in KINDS:
            out[kind] = "missing" if getattr(self, kind) is None else "ok"
        for kind in self.faults:
            out[kind] = "fault"
        return out
