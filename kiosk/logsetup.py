"""Process-wide logging set-up: a private rotating file, stderr, and redaction on both.

:func:`configure_logging` installs, on the *root* logger:

- a size-rotating file handler writing ``kiosk.log`` in ``log_dir`` (directory created with
  mode 0o700, every log file opened with mode 0o600; ``log_dir=None`` means no file);
- a stderr handler (``console=True``);

each with a :class:`~kiosk.redaction.RedactingFilter`. Filters sit on the handlers, not on
loggers, because logger filters only see records logged *on that logger*: records propagated
from ``urllib3.connectionpool`` or ``sqlalchemy.engine`` would bypass a filter on the root
logger but cannot bypass one on the handler that writes them. (A third-party logger with
``propagate=False`` and its own handlers is outside this guarantee; we configure none.)

Calling :func:`configure_logging` again replaces the handlers it installed earlier (never
duplicates them) and leaves handlers installed by others alone. :func:`shutdown_logging`
removes and closes them (tests, orderly exit).
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import sys
import threading
from pathlib import Path
from typing import cast

from kiosk.errors import ConfigError
from kiosk.redaction import RedactingFilter

__all__ = [
    "LOG_FILE_NAME",
    "LOG_FORMAT",
    "PrivateRotatingFileHandler",
    "configure_logging",
    "shutdown_logging",
]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FILE_NAME = "kiosk.log"
_DIR_MODE = 0o700
_FILE_MODE = 0o600

_lock = threading.Lock()
_installed: list[logging.Handler] = []


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A :class:`RotatingFileHandler` whose files are created (and kept) with mode 0o600.

    ``open()`` would honour the umask, typically giving 0o644; rotation renames files, so
    backups keep the mode of the file they were.
    """

    def _open(self) -> io.TextIOWrapper:
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in self.mode else os.O_TRUNC)
        fd = os.open(self.baseFilename, flags, _FILE_MODE)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, _FILE_MODE)  # an existing file created by an older version
        except OSError:
            pass  # not our file (e.g. pre-created by the installer); keep its mode
        # self.mode is a text mode ("a" or "w"), so open() returns a TextIOWrapper
        return cast(
            io.TextIOWrapper, open(fd, self.mode, encoding=self.encoding, errors=self.errors)
        )


def _level(level: str) -> int:
    value = logging.getLevelNamesMapping().get(str(level).strip().upper())
    if value is None:
        raise ConfigError(f"unknown log level {level!r}", key="logging.level")
    return value


def _make_log_dir(log_dir: Path) -> None:
    existed = log_dir.is_dir()
    log_dir.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
    if not existed:
        os.chmod(log_dir, _DIR_MODE)  # mkdir's mode is filtered through the umask


def configure_logging(
    log_dir: Path | None,
    level: str = "INFO",
    *,
    console: bool = True,
    max_bytes: int = 5_000_000,
    backup_count: int = 10,
) -> None:
    """Install the kiosk's redacting log handlers on the root logger (idempotent).

    ``level`` is a level name (``"DEBUG"``, ``"INFO"``…) applied to the root logger; an
    unknown name raises :class:`~kiosk.errors.ConfigError`. Files rotate at ``max_bytes``
    keeping ``backup_count`` old files (``kiosk.log.1`` … ``kiosk.log.N``).
    """
    numeric_level = _level(level)
    formatter = logging.Formatter(LOG_FORMAT)
    redacting = RedactingFilter()
    handlers: list[logging.Handler] = []
    try:
        if log_dir is not None:
            log_dir = Path(log_dir)
            _make_log_dir(log_dir)
            handlers.append(
                PrivateRotatingFileHandler(
                    log_dir / LOG_FILE_NAME,
                    maxBytes=max_bytes,
                    backupCount=backup_count,
                    encoding="utf-8",
                )
            )
        if console:
            handlers.append(logging.StreamHandler(sys.stderr))
    except Exception:
        for handler in handlers:
            handler.close()
        raise
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(redacting)

    root = logging.getLogger()
    with _lock:
        _remove_installed(root)
        for handler in handlers:
            root.addHandler(handler)
        _installed.extend(handlers)
        root.setLevel(numeric_level)


def shutdown_logging() -> None:
    """Remove and close the handlers installed by :func:`configure_logging`."""
    with _lock:
        _remove_installed(logging.getLogger())


def _remove_installed(root: logging.Logger) -> None:
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
