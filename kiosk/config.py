"""Kiosk configuration: frozen dataclasses loaded from TOML, environment and CLI.

Precedence, highest first::

    1. command-line overrides   (``--set ui.orientation=landscape``, ``--data-dir``)
    2. environment              (``KIOSK_UI__ORIENTATION=landscape``; ``__`` separates levels,
                                 ``KIOSK_DATA_DIR`` for top-level keys)
    3. the TOML file            (``--config FILE``; see docs/configuration.md)
    4. defaults                 (the dataclass defaults below; demo mode uses simulated devices)

Everything is validated at load time. A bad value raises ``ConfigError`` whose
message names the dotted key and the offending value, e.g.
``ui.orientation: expected one of 'portrait', 'landscape', got 'sideways'``.
Unknown keys are errors too, so a typo never silently falls back to a default.

Device entries are ``backend`` + ``options``; the options are passed as keyword
arguments to the backend's constructor (python-can's ``Bus(interface, **kwargs)``).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kiosk.errors import ConfigError

APP_NAME = "gov-kiosk"
ENV_PREFIX = "KIOSK_"


@dataclass(frozen=True)
class KioskIdentity:
    """Who this terminal is. ``code`` goes into every provisional receipt number."""

    code: str = "DEMO0001"
    region_code: str = "520100"
    hall_name: str = "贵阳市政务服务中心（演示）"
    hall_name_en: str = "Guiyang Government Service Centre (demo)"
    assisted: bool = False  # True on township assisted terminals (帮办代办)

    def validate(self, key: str) -> None:
        if not re.fullmatch(r"[A-Z0-9]{4,12}", self.code):
            _bad(f"{key}.code", "4-12 upper-case letters or digits", self.code)
        if not re.fullmatch(r"[1-8]\d{5}", self.region_code):
            _bad(f"{key}.region_code", "a 6-digit GB/T 2260 region code", self.region_code)
        if not self.hall_name.strip():
            _bad(f"{key}.hall_name", "a non-empty name", self.hall_name)


@dataclass(frozen=True)
class DeviceConfig:
    """One device: a registered backend name plus keyword options for it."""

    backend: str = "simulated"
    options: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = True

    def validate(self, key: str) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.backend):
            _bad(f"{key}.backend", "a backend name such as 'serial' or 'simulated'", self.backend)


@dataclass(frozen=True)
class DevicesConfig:
    idcard: DeviceConfig = field(default_factory=DeviceConfig)
    smartcard: DeviceConfig = field(default_factory=DeviceConfig)
    camera: DeviceConfig = field(default_factory=DeviceConfig)
    document_camera: DeviceConfig = field(default_factory=DeviceConfig)
    receipt_printer: DeviceConfig = field(default_factory=DeviceConfig)
    a4_printer: DeviceConfig = field(default_factory=DeviceConfig)

    def validate(self, key: str) -> None:
        for f in dataclasses.fields(self):
            getattr(self, f.name).validate(f"{key}.{f.name}")

    def simulated(self) -> list[str]:
        return [f.name for f in dataclasses.fields(self)
                if getattr(self, f.name).enabled and getattr(self, f.name).backend == "simulated"]


@dataclass(frozen=True)
class PlatformConfig:
    """The provincial platform. ``embedded`` starts the reference platform in-process (demo)."""

    url: str = "http://127.0.0.1:8765"
    embedded: bool = True
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    # Ed25519 public key (base64) pinned at enrollment; verifies catalogue and config bundles.
    signing_public_key: str = ""
    # X25519 public key (base64) that wraps each application's data key.
    encryption_public_key: str = ""

    def validate(self, key: str) -> None:
        if not re.fullmatch(r"https?://[^\s/]+(:\d+)?(/\S*)?", self.url):
            _bad(f"{key}.url", "an http(s) URL", self.url)
        for name in ("connect_timeout_s", "read_timeout_s"):
            v = getattr(self, name)
            if not 0 < v <= 600:
                _bad(f"{key}.{name}", "seconds between 0 and 600", v)


@dataclass(frozen=True)
class OfflineLimits:
    """Past any limit, only the affected services are disabled (PRODUCT.md §4)."""

    max_hours_since_contact: float = 72.0
    max_queued_items: int = 500
    max_queued_bytes: int = 2_000_000_000
    max_catalogue_age_hours: float = 168.0
    min_free_disk_bytes: int = 200_000_000

    def validate(self, key: str) -> None:
        for f in dataclasses.fields(self):
            if getattr(self, f.name) <= 0:
                _bad(f"{key}.{f.name}", "a positive number", getattr(self, f.name))


@dataclass(frozen=True)
class UiConfig:
    orientation: Literal["portrait", "landscape"] = "portrait"
    language: Literal["zh_CN", "en"] = "zh_CN"
    inactivity_timeout_s: int = 90
    countdown_s: int = 30  # the visible warning before the timeout; at least 20 s
    elder_timeout_factor: float = 2.0
    fullscreen: bool = True
    screen_dpi: float = 96.0  # physical density, for the 9 mm touch-target rule

    def validate(self, key: str) -> None:
        if self.countdown_s < 20:
            _bad(f"{key}.countdown_s", "at least 20 seconds of visible warning", self.countdown_s)
        if self.inactivity_timeout_s <= self.countdown_s:
            _bad(f"{key}.inactivity_timeout_s", f"more than countdown_s ({self.countdown_s})",
                 self.inactivity_timeout_s)
        if not 1.0 <= self.elder_timeout_factor <= 5.0:
            _bad(f"{key}.elder_timeout_factor", "a factor between 1 and 5",
                 self.elder_timeout_factor)
        if not 50 <= self.screen_dpi <= 600:
            _bad(f"{key}.screen_dpi", "dots per inch between 50 and 600", self.screen_dpi)


@dataclass(frozen=True)
class StaffConfig:
    """Staff and technician log-in (kiosk.staffauth, docs/staff.md)."""

    roster: Path = Path()  # empty: <data_dir>/staff_roster.json (demo: the bundled demo roster)
    allow_pin_only: bool = False  # staff ID + PIN without a card (never for maintenance)
    staff_idle_timeout_s: int = 600
    maintenance_idle_timeout_s: int = 180
    lockout_threshold: int = 5  # consecutive failures for one staff ID
    lockout_base_delay_s: int = 30  # first lock; doubles with each further failure
    lockout_max_delay_s: int = 1800

    def validate(self, key: str) -> None:
        if not 60 <= self.staff_idle_timeout_s <= 28800:
            _bad(f"{key}.staff_idle_timeout_s", "seconds between 60 and 28800",
                 self.staff_idle_timeout_s)
        if not 30 <= self.maintenance_idle_timeout_s <= self.staff_idle_timeout_s:
            _bad(f"{key}.maintenance_idle_timeout_s",
                 f"seconds between 30 and staff_idle_timeout_s ({self.staff_idle_timeout_s})",
                 self.maintenance_idle_timeout_s)
        if not 1 <= self.lockout_threshold <= 20:
            _bad(f"{key}.lockout_threshold", "a number of failures between 1 and 20",
                 self.lockout_threshold)
        if not 1 <= self.lockout_base_delay_s <= 3600:
            _bad(f"{key}.lockout_base_delay_s", "seconds between 1 and 3600",
                 self.lockout_base_delay_s)
        if not self.lockout_base_delay_s <= self.lockout_max_delay_s <= 86400:
            _bad(f"{key}.lockout_max_delay_s",
                 f"seconds between lockout_base_delay_s ({self.lockout_base_delay_s}) and 86400",
                 self.lockout_max_delay_s)


@dataclass(frozen=True)
class Config:
    mode: Literal["demo", "run"] = "demo"
    data_dir: Path = Path()  # empty means the per-user data directory
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    allow_simulated_devices: bool = False  # only meaningful in run mode
    kiosk: KioskIdentity = field(default_factory=KioskIdentity)
    devices: DevicesConfig = field(default_factory=DevicesConfig)
    platform: PlatformConfig = field(default_factory=PlatformConfig)
    offline: OfflineLimits = field(default_factory=OfflineLimits)
    ui: UiConfig = field(default_factory=UiConfig)
    staff: StaffConfig = field(default_factory=StaffConfig)

    def validate(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if hasattr(v, "validate"):
                v.validate(f.name)
        if self.mode == "run" and not self.allow_simulated_devices:
            sims = self.devices.simulated()
            if sims:
                raise ConfigError(
                    f"devices.{sims[0]}.backend: run mode needs real devices, got 'simulated' "
                    f"(set allow_simulated_devices = true to permit it)", key=f"devices.{sims[0]}")
        if self.mode == "run" and self.platform.embedded:
            raise ConfigError("platform.embedded: run mode talks to a real platform; "
                              "set platform.embedded = false and platform.url",
                              key="platform.embedded")

    @property
    def db_path(self) -> Path:
        return self.data_dir / "queue.sqlite3"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def staff_roster_path(self) -> Path:
        """``staff.roster``, else ``<data_dir>/staff_roster.json`` (demo: the demo roster)."""
        if self.staff.roster != Path():
            return self.staff.roster
        if self.mode == "demo":
            return Path(__file__).resolve().parent / "data" / "demo_staff_roster.json"
        return self.data_dir / "staff_roster.json"

    @property
    def staff_lockout_path(self) -> Path:
        return self.data_dir / "staff_lockout.json"


def _bad(key: str, expected: str, got: Any) -> typing.NoReturn:
    raise ConfigError(f"{key}: expected {expected}, got {got!r}", key=key)


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def load_config(
    path: Path | None = None,
    *,
    mode: Literal["demo", "run"] = "demo",
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Load, merge and validate; see the module docstring for precedence."""
    merged: dict[str, Any] = {"mode": mode}
    if path is not None:
        try:
            with open(path, "rb") as fh:
                _merge(merged, tomllib.load(fh))
        except FileNotFoundError as err:
            raise ConfigError(f"config file not found: {path}", key="--config") from err
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: not valid TOML: {err}", key="--config") from err
        merged["mode"] = mode  # the sub-command decides the mode, not the file
    _merge(merged, _from_env(os.environ if env is None else env))
    for dotted, value in (overrides or {}).items():
        _merge(merged, _nest(dotted.split("."), value))
    cfg = _build(Config, merged, "")
    if cfg.data_dir == Path():
        cfg = dataclasses.replace(cfg, data_dir=default_data_dir())
    cfg.validate()
    return cfg


def parse_assignment(text: str) -> tuple[str, str]:
    """Parse a CLI ``key=value`` override."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set expects key=value, got {text!r}", key="--set")
    return key.strip(), value.strip()


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in env.items():
        if name.startswith(ENV_PREFIX):
            parts = [p.lower() for p in name[len(ENV_PREFIX):].split("__")]
            # device option names keep their case-insensitive spelling lower-cased
            _merge(out, _nest(parts, value))
    return out


def _nest(parts: list[str], value: Any) -> dict[str, Any]:
    d: Any = value
    for p in reversed(parts):
        d = {p: d}
    return d


def _merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    for k, v in new.items():
        if isinstance(v, Mapping) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        elif isinstance(v, Mapping):
            into[k] = {}
            _merge(into[k], v)
        else:
            into[k] = v


def _build(cls: type, data: Any, prefix: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{prefix or '<root>'}: expected a table, got {data!r}", key=prefix)
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for k in data:
        if k not in names:
            key = f"{prefix}{k}"
            raise ConfigError(f"{key}: unknown setting (known: {', '.join(sorted(names))})",
                              key=key)
    kwargs = {k: _coerce(hints[k], v, f"{prefix}{k}") for k, v in data.items()}
    return cls(**kwargs)


def _coerce(tp: Any, value: Any, key: str) -> Any:
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _build(tp, value, key + ".")
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            _bad(key, "one of " + ", ".join(repr(a) for a in allowed), value)
        return value
    if origin in (Mapping, dict) or tp is dict:
        if not isinstance(value, Mapping):
            _bad(key, "a table of options", value)
        return types.MappingProxyType(dict(value))
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on"):
            return True
        if isinstance(value, str) and value.lower() in ("0", "false", "no", "off"):
            return False
        _bad(key, "true or false", value)
    if tp in (int, float):
        if isinstance(value, bool):
            _bad(key, f"a number ({tp.__name__})", value)
        try:
            return tp(value)
        except (TypeError, ValueError):
            _bad(key, f"a number ({tp.__name__})", value)
    if tp is str:
        if not isinstance(value, str):
            _bad(key, "a string", value)
        return value
    if tp is Path:
        if not isinstance(value, (str, Path)):
            _bad(key, "a path", value)
        return Path(os.path.expanduser(str(value)))
    raise ConfigError(f"{key}: unsupported setting type {tp!r}", key=key)  # pragma: no cover
