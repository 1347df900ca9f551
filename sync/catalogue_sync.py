"""The catalogue the kiosk serves: downloaded, verified, kept, and aged.

``CatalogueCache`` keeps the last good catalogue in ``<dir>/catalogue.json`` with its
metadata (ETag, platform signature, when it was fetched and last confirmed) in
``<dir>/meta.json``, both written atomically. ``refresh(client)`` asks the platform with
``If-None-Match``: 304 confirms the one we have; a new body is accepted only if its
Ed25519 signature verifies against the key pinned at enrollment **and** it loads as a
valid catalogue. Anything else is rejected with a reason, and the last good catalogue
keeps serving. On start the cached file is verified again, so a file edited on disk is
refused too. Before the first download the bundled catalogue serves, with unknown age
(the offline policy then refuses offline acceptance until the platform confirms one).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.catalogue import Catalogue, load_catalogue
from kiosk.crypto import CryptoError, sha256_hex, verify_bytes
from kiosk.errors import CatalogueError
from sync.client import PlatformClient
from sync.fsutil import atomic_write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefreshResult:
    outcome: str  # "unchanged", "updated", "rejected"
    version: str
    reason: str = ""


class CatalogueCache:
    def __init__(self, directory: Path, pinned_signing_key: str, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self._key = pinned_signing_key
        self._clock = clock
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Catalogue], None]] = []
        self._meta: dict[str, object] = {}
        self._catalogue = self._load_cached() or load_catalogue()

    # -- reading ---------------------------------------------------------------------------
    @property
    def catalogue(self) -> Catalogue:
        return self._catalogue

    @property
    def etag(self) -> str | None:
        value = self._meta.get("etag")
        return value if isinstance(value, str) else None

    def age_hours(self, now: float | None = None) -> float | None:
        """Hours since the platform last confirmed the catalogue; None when it never did."""
        checked = self._meta.get("checked_at")
        if not isinstance(checked, (int, float)):
            return None
        return max(0.0, ((now if now is not None else self._clock()) - checked) / 3600.0)

    def add_listener(self, fn: Callable[[Catalogue], None]) -> None:
        """Called (from the sync thread) with the new catalogue after an update."""
        self._listeners.append(fn)

    # -- refreshing ------------------------------------------------------------------------
    def refresh(self, client: PlatformClient) -> RefreshResult:
        download = client.fetch_catalogue(self.etag)
        with self._lock:
            if download is None:
                self._meta["checked_at"] = self._clock()
                self._write_meta()
                return RefreshResult("unchanged", self._catalogue.version)
            try:
                catalogue = self._verify(download.body, download.signature)
            except (CryptoError, CatalogueError) as err:
                log.error("catalogue from the platform rejected, keeping %s: %s",
                          self._catalogue.version, err.detail)
                return RefreshResult("rejected", self._catalogue.version, err.detail)
            now = self._clock()
            self.directory.mkdir(parents=True, exist_ok=True)
            atomic_write(self.directory / "catalogue.json", download.body)
            self._meta = {"etag": download.etag or sha256_hex(download.body),
                          "signature": download.signature, "version": catalogue.version,
                          "fetched_at": now, "checked_at": now}
            self._write_meta()
            self._catalogue = catalogue
        log.info("catalogue updated to %s", catalogue.version)
        for fn in list(self._listeners):
            fn(catalogue)
        return RefreshResult("updated", catalogue.version)

    def _verify(self, body: bytes, signature: str) -> Catalogue:
        if not signature:
            raise CryptoError("catalogue has no signature")
        verify_bytes(self._key, signature, body)
        return load_catalogue(body)

    def _load_cached(self) -> Catalogue | None:
        path, meta_path = self.directory / "catalogue.json", self.directory / "meta.json"
        if not path.exists() or not meta_path.exists():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            catalogue = self._verify(path.read_bytes(), str(meta.get("signature", "")))
        except (OSError, ValueError, CryptoError, CatalogueError) as err:
            log.error("cached catalogue refused (%s); serving the bundled one", err)
            return None
        self._meta = meta
        return catalogue

    def _write_meta(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        atomic_write(self.directory / "meta.json",
                      json.dumps(self._meta, ensure_ascii=False, indent=1).encode("utf-8"))
