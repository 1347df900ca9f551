"""Composition of the kiosk: configuration in, ready-to-use services out.

``build(config)`` creates the data directory, configures logging with redaction, brings
up the sync stack (in demo mode with the reference platform embedded on loopback and the
kiosk enrolled with it automatically), takes the catalogue the sync stack verified and
creates the journey. The UI (``ui.app``) and the CLI sub-commands take what they need
from the returned ``Core`` and call ``Core.close()`` at the end. Infrastructure packages
are imported here lazily, so the domain modules never import them.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.catalogue import Catalogue, load_catalogue
from kiosk.config import Config
from kiosk.errors import ConfigError
from kiosk.journey import Journey
from kiosk.logsetup import configure_logging

if TYPE_CHECKING:
    from sync.audit import AuditLog
    from sync.service import SyncStack

log = logging.getLogger(__name__)


@dataclass
class Core:
    config: Config
    catalogue: Catalogue
    journey: Journey
    sync: SyncStack | None = None
    platform: Any = None  # the embedded reference platform in demo mode
    _closed: bool = field(default=False, repr=False)

    @property
    def audit(self) -> AuditLog | None:
        """The kiosk-wide audit log (``sync.audit.AuditLog``, one per kiosk, created with
        the sync stack); ``None`` without sync. Pass it as the ``AuditSink`` of maintenance
        services (reprints, exports, dead-letter retries)."""
        return self.sync.audit if self.sync is not None else None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.sync is not None:
            self.sync.stop()
        if self.platform is not None:
            self.platform.stop()


def prepare_data_dir(config: Config) -> None:
    """The data directory holds personal data (encrypted): owner-only permissions."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(config.data_dir, 0o700)


def start_sync(config: Config) -> tuple[SyncStack, Any]:
    """The sync stack, enrolled; in demo mode also the embedded platform it talks to."""
    from sync.service import SyncStack, enroll_kiosk, load_enrollment

    platform = None
    if config.platform.embedded:
        from refplatform.server import PlatformServer

        platform = PlatformServer(config.data_dir / "platform", port=0).start()
        enrollment = load_enrollment(config)
        if (enrollment is None or enrollment.platform_url != platform.url
                or enrollment.platform_signing_key != platform.state.signing_public_b64):
            enrollment = enroll_kiosk(config, platform.state.mint_enrollment_token(),
                                      url=platform.url)
        log.info("embedded reference platform at %s", platform.url)
    else:
        enrollment = load_enrollment(config)
        if enrollment is None:
            raise ConfigError("this kiosk is not enrolled: run `kiosk enroll --config FILE "
                              "--token TOKEN` first", key="enrollment")
    try:
        stack = SyncStack(config, enrollment)
    except BaseException:
        if platform is not None:
            platform.stop()
        raise
    return stack, platform


def build(config: Config, *, console_log: bool = True, with_sync: bool = True) -> Core:
    prepare_data_dir(config)
    configure_logging(config.log_dir, config.log_level, console=console_log)
    stack, platform = start_sync(config) if with_sync else (None, None)
    catalogue = stack.catalogue.catalogue if stack is not None else load_catalogue()
    log.info("catalogue %s: %d services, %d departments, %d bundles",
             catalogue.version, len(catalogue.services), len(catalogue.departments),
             len(catalogue.bundles))
    journey = Journey(
        catalogue,
        inactivity_timeout_s=config.ui.inactivity_timeout_s,
        countdown_s=config.ui.countdown_s,
        elder_timeout_factor=config.ui.elder_timeout_factor,
        default_language=config.ui.language,
    )
    core = Core(config=config, catalogue=catalogue, journey=journey, sync=stack,
                platform=platform)
    if stack is not None:
        stack.start()
    return core
