"""Wiring of the sync stack for one kiosk: identity, enrollment, outbox, client, worker,
catalogue cache and heartbeats.

Files in the data directory::

    keys/kiosk_ed25519      this kiosk's Ed25519 private key (0600), created on first use
    enrollment.json         platform URL and the platform's public keys pinned at enrollment
    queue.sqlite3           the outbox (sync/outbox.py); attachments/ beside it
    catalogue/              the last good, verified catalogue (sync/catalogue_sync.py)

The private key in a file is the software fallback; a deployment that needs 密评 keeps it
in a certified module (UKey, crypto card, TPCM) behind the same ``SigningKeyPair`` use.
Pinned keys from the configuration (``platform.signing_public_key`` /
``encryption_public_key``), when set, must match what enrollment recorded.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.crypto import SigningKeyPair
from kiosk.errors import ConfigError
from kiosk.offline import Situation
from sync.audit import AuditLog
from sync.backoff import BackoffPolicy
from sync.catalogue_sync import CatalogueCache
from sync.client import PlatformClient, enroll
from sync.export import ExportResult, export_bundle
from sync.fsutil import atomic_write
from sync.outbox import Outbox
from sync.worker import Link, PeriodicTask, SyncWorker

log = logging.getLogger(__name__)

VERSION = "0.1.0"
HEARTBEAT_EVERY_S = 300.0
CATALOGUE_EVERY_S = 1800.0


@dataclass(frozen=True)
class Enrollment:
    kiosk_id: str
    platform_url: str
    platform_signing_key: str
    platform_encryption_key: str
    enrolled_at: float


def key_path(config: Config) -> Path:
    return config.data_dir / "keys" / "kiosk_ed25519"


def load_or_create_key(config: Config) -> SigningKeyPair:
    path = key_path(config)
    if path.exists():
        return SigningKeyPair.from_private_b64(path.read_text(encoding="ascii").strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    key = SigningKeyPair.generate()
    atomic_write(path, (key.private_b64() + "\n").encode("ascii"))
    log.info("created this kiosk's signing key")
    return key


def load_enrollment(config: Config) -> Enrollment | None:
    path = config.data_dir / "enrollment.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        enr = Enrollment(**data)
    except (ValueError, TypeError) as err:
        raise ConfigError(f"{path}: unreadable enrollment record: {err}",
                          key="enrollment") from err
    _check_pins(config, enr)
    return enr


def _check_pins(config: Config, enr: Enrollment) -> None:
    for name, have in (("signing_public_key", enr.platform_signing_key),
                       ("encryption_public_key", enr.platform_encryption_key)):
        pinned = getattr(config.platform, name)
        if pinned and pinned != have:
            raise ConfigError(f"platform.{name}: the configured key does not match the key "
                              f"recorded at enrollment", key=f"platform.{name}")


def enroll_kiosk(config: Config, token: str, *, url: str | None = None) -> Enrollment:
    """Register this kiosk's key with the platform and pin the platform's keys."""
    key = load_or_create_key(config)
    base = url or config.platform.url
    answer = enroll(base, kiosk_id=config.kiosk.code, region_code=config.kiosk.region_code,
                    hall_name=config.kiosk.hall_name, public_key_b64=key.public_b64(),
                    token=token)
    enr = Enrollment(kiosk_id=config.kiosk.code, platform_url=base,
                     platform_signing_key=str(answer["platform_signing_key"]),
                     platform_encryption_key=str(answer["platform_encryption_key"]),
                     enrolled_at=time.time())
    _check_pins(config, enr)
    atomic_write(config.data_dir / "enrollment.json",
                 json.dumps(asdict(enr), ensure_ascii=False, indent=1).encode("utf-8"))
    log.info("kiosk %s enrolled with %s", enr.kiosk_id, base)
    return enr


class SyncStack:
    """Everything the kiosk needs to talk to the platform; start()/stop() the worker."""

    def __init__(self, config: Config, enrollment: Enrollment, *,
                 policy: BackoffPolicy | None = None,
                 device_health: Callable[[], dict[str, str]] | None = None) -> None:
        self.config = config
        self.enrollment = enrollment
        self.outbox = Outbox.open(config.db_path,
                                  config.data_dir / "attachments",
                                  kiosk_code=config.kiosk.code,
                                  platform_encryption_key=enrollment.platform_encryption_key,
                                  limits=config.offline)
        self.audit = AuditLog(self.outbox)  # the kiosk-wide audit log (sync/audit.py)
        self.client = PlatformClient(enrollment.platform_url, config.kiosk.code,
                                     load_or_create_key(config),
                                     connect_timeout_s=config.platform.connect_timeout_s,
                                     read_timeout_s=config.platform.read_timeout_s)
        self.catalogue = CatalogueCache(config.data_dir / "catalogue",
                                        enrollment.platform_signing_key)
        self._device_health = device_health or (lambda: {})
        self._device_faults: dict[str, str] = {}
        self.worker = SyncWorker(self.outbox, self.client, policy=policy, tasks=[
            PeriodicTask("heartbeat", HEARTBEAT_EVERY_S, self.enqueue_heartbeat,
                         needs_link=False),
            PeriodicTask("catalogue", CATALOGUE_EVERY_S,
                         lambda: self.catalogue.refresh(self.client)),
        ])
        report = self.outbox.open_report
        if report is not None and getattr(report, "quarantined_path", None):
            log.error("queue database was damaged and quarantined at %s",
                      report.quarantined_path)

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()
        self.client.close()
        self.outbox.close()

    def report_device(self, name: str, state: str) -> str | None:
        """A device's health changed (``"ok"`` or a fault such as ``"paper_end"``). A new
        fault alerts maintenance at once with an immediate heartbeat through the queue,
        rather than waiting for the next periodic one. Returns the heartbeat key, if sent."""
        previous = self._device_faults.get(name, "ok")
        if state == "ok":
            self._device_faults.pop(name, None)
        else:
            self._device_faults[name] = state
        if state != previous and state != "ok":
            log.warning("device %s reports %s; maintenance alerted", name, state)
            key = self.enqueue_heartbeat()
            self.worker.wake()
            return key
        return None

    def retry_dead_letters(self, *, actor: str) -> int:
        """Staff decision: put every dead letter back in the queue (audited)."""
        requeued = self.outbox.retry_dead_letters()
        self.audit.record(actor, "retry_dead_letters", {"requeued": requeued})
        self.worker.wake()
        return requeued

    def export_to(self, target_dir: Path | str, *, actor: str) -> ExportResult:
        """Sneakernet: the undelivered queue as one signed, encrypted bundle on a removable
        drive (sync/export.py; audited). Raises ``ExportError`` with a Chinese message."""
        return export_bundle(self.outbox, target_dir, signing_key=load_or_create_key(self.config),
                             platform_encryption_key=self.enrollment.platform_encryption_key,
                             audit=self.audit, actor=actor)

    def enqueue_heartbeat(self) -> str:
        stats = self.outbox.stats()
        body: dict[str, Any] = {
            "queue_depth": stats.depth,
            "oldest_unsent_age_s": stats.oldest_undelivered_age_s,
            "dead_letters": stats.dead_letters,  # the platform's operators see stuck items
            "devices": {**self._device_health(), **self._device_faults},
            "version": VERSION,
            "catalogue_version": self.catalogue.catalogue.version,
            "free_disk_bytes": shutil.disk_usage(self.config.data_dir).free,
        }
        return self.outbox.enqueue_event("heartbeat", body)

    def situation(self) -> Situation:
        """What the offline policy needs, gathered now."""
        now = time.time()
        stats = self.outbox.stats(now)
        return Situation(
            online=self.worker.status.link == Link.UP,
            hours_since_contact=stats.hours_since_contact(now),
            queued_items=stats.undelivered,
            queued_bytes=stats.queued_bytes,
            catalogue_age_hours=self.catalogue.age_hours(now),
            free_disk_bytes=shutil.disk_usage(self.config.data_dir).free,
        )
