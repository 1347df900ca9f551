"""Composition of the core (no Qt): configuration in, ready-to-use services out.

``build(config)`` creates the data directory, configures logging with redaction,
loads the catalogue and creates the journey. The UI (``ui.app``) and the CLI
sub-commands take what they need from the returned ``Core``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from kiosk.catalogue import Catalogue, load_catalogue
from kiosk.config import Config
from kiosk.journey import Journey
from kiosk.logsetup import configure_logging

log = logging.getLogger(__name__)


@dataclass
class Core:
    config: Config
    catalogue: Catalogue
    journey: Journey


def prepare_data_dir(config: Config) -> None:
    """The data directory holds personal data (encrypted): owner-only permissions."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(config.data_dir, 0o700)


def build(config: Config, *, console_log: bool = True) -> Core:
    prepare_data_dir(config)
    configure_logging(config.log_dir, config.log_level, console=console_log)
    catalogue = load_catalogue()
    log.info("catalogue %s loaded: %d services, %d departments, %d bundles",
             catalogue.version, len(catalogue.services), len(catalogue.departments),
             len(catalogue.bundles))
    journey = Journey(
        catalogue,
        inactivity_timeout_s=config.ui.inactivity_timeout_s,
        countdown_s=config.ui.countdown_s,
        elder_timeout_factor=config.ui.elder_timeout_factor,
        default_language=config.ui.language,
    )
    return Core(config=config, catalogue=catalogue, journey=journey)
