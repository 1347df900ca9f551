from __future__ import annotations

import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.errors import ConfigError
from kiosk.logsetup import LOG_FILE_NAME, configure_logging, shutdown_logging
from kiosk.redaction import RedactingFilter, clear_sensitive, sensitive_values

ID = "11010519491231002X"
ID_MASKED = "110***********002X"
ID2 = "440524188001010014"
ID2_MASKED = "440***********0014"
USCC = "91350100M000100Y43"
USCC_MASKED = "91************0Y43"
PHONE = "13812345678"
PHONE_MASKED = "138****5678"
RAW_VALUES = (ID, ID2, USCC, PHONE, "张三", "欧阳娜娜")

log = logging.getLogger("kiosk.test_logsetup")


@pytest.fixture(autouse=True)
def _clean_logging() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    shutdown_logging()
    clear_sensitive()
    root.setLevel(level)
    assert root.handlers == handlers, "test leaked logging handlers"


def _ours() -> list[logging.Handler]:
    return [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactingFilter) for f in h.filters)
    ]


def _read_log(log_dir: Path) -> str:
    for handler in _ours():
        handler.flush()
    return "".join(p.read_text(encoding="utf-8") for p in sorted(log_dir.glob(LOG_FILE_NAME + "*")))


def _assert_clean(text: str) -> None:
    for raw in RAW_VALUES:
        assert raw not in text


def test_messages_are_redacted_in_the_log_file(tmp_path: Path) -> None:
    configure_logging(tmp_path / "logs", console=False)
    log.info("card read: id %s, phone %s", ID, PHONE)
    log.info("enterprise %s applied", USCC)
    log.info("applicant %s", {"name": "欧阳娜娜", "id_number": ID2})
    log.warning("姓名：张三，身份证号%s已核验", ID)

    text = _read_log(tmp_path / "logs")
    _assert_clean(text)
    for masked in (ID_MASKED, ID2_MASKED, USCC_MASKED, PHONE_MASKED, "欧阳**", "姓名：张*"):
        assert masked in text
    first = text.splitlines()[0]
    assert first.endswith(
        f"INFO kiosk.test_logsetup: card read: id {ID_MASKED}, phone {PHONE_MASKED}"
    )


def test_exceptions_and_tracebacks_are_redacted(tmp_path: Path) -> None:
    configure_logging(tmp_path, console=False)
    try:
        try:
            raise KeyError(f"no application for {ID2}")
        except KeyError as err:
            raise ValueError(f"ID number {ID} rejected, phone {PHONE}") from err
    except ValueError:
        log.exception("submission failed for %s", USCC)

    text = _read_log(tmp_path)
    _assert_clean(text)
    assert "Traceback (most recent call last)" in text
    assert f"ValueError: ID number {ID_MASKED} rejected, phone {PHONE_MASKED}" in text
    assert f"KeyError: 'no application for {ID2_MASKED}'" in text
    assert f"submission failed for {USCC_MASKED}" in text


def test_stack_info_is_redacted(tmp_path: Path) -> None:
    configure_logging(tmp_path, console=False)
    # The stack shows this source line, literal ID number included.
    log.warning("checking", stack_info=True, extra={"unused": "11010519491231002X"})

    text = _read_log(tmp_path)
    assert "Stack (most recent call last)" in text
    assert ID not in text and ID_MASKED in text


@pytest.mark.parametrize("name", ["urllib3.connectionpool", "sqlalchemy.engine.Engine"])
def test_third_party_loggers_are_redacted(tmp_path: Path, name: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    configure_logging(tmp_path, "DEBUG", console=False)
    # a library may have raised its own level at import (SQLAlchemy sets WARN): let the
    # record through so the test sees what the handlers do with it
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        logger = logging.getLogger(".".join(parts[:i]))
        monkeypatch.setattr(logger, "level", logging.NOTSET)
        monkeypatch.setattr(logger, "disabled", False)
    logging.getLogger(name).manager._clear_cache()
    logging.getLogger(name).debug(
        'https://platform.example:443 "GET /api/v1/people?id=%s&mobile=%s HTTP/1.1" 200 17',
        ID,
        PHONE,
    )
    text = _read_log(tmp_path)
    _assert_clean(text)
    assert f"DEBUG {name}: " in text
    assert f"id={ID_MASKED}&mobile={PHONE_MASKED}" in text


def test_console_output_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(None)
    log.error("user %s phone %s", ID, PHONE)
    err = capsys.readouterr().err
    assert f"ERROR kiosk.test_logsetup: user {ID_MASKED} phone {PHONE_MASKED}" in err
    assert ID not in err and PHONE not in err


def test_registered_citizen_name_is_redacted_for_the_session(tmp_path: Path) -> None:
    configure_logging(tmp_path, console=False)
    with sensitive_values("张三"):
        log.info("citizen %s confirmed the form", "张三")
    log.info("session ended")
    text = _read_log(tmp_path)
    assert "张三" not in text
    assert "citizen 张* confirmed the form" in text


def test_configure_logging_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(tmp_path)
    configure_logging(tmp_path, "DEBUG")
    assert len(_ours()) == 2
    assert logging.getLogger().level == logging.DEBUG
    log.info("once %s", PHONE)
    assert _read_log(tmp_path).count("once ") == 1
    assert capsys.readouterr().err.count("once ") == 1


def test_shutdown_logging_removes_and_closes_handlers(tmp_path: Path) -> None:
    configure_logging(tmp_path, console=False)
    (handler,) = _ours()
    shutdown_logging()
    assert _ours() == []
    assert isinstance(handler, logging.FileHandler) and handler.stream is None
    shutdown_logging()  # harmless when nothing is installed


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_log_directory_and_files_are_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        log_dir = tmp_path / "var" / "log" / "kiosk"
        configure_logging(log_dir, console=False, max_bytes=2_000, backup_count=3)
        for i in range(100):
            log.info("record %03d for %s with phone %s and name=张三", i, ID, PHONE)
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700
    files = sorted(log_dir.glob(LOG_FILE_NAME + "*"))
    assert [p.name for p in files] == [LOG_FILE_NAME] + [f"{LOG_FILE_NAME}.{i}" for i in (1, 2, 3)]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = _read_log(log_dir)
    _assert_clean(text)
    assert "record 099" in text and text.count("name=张*") >= 4


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_existing_log_file_is_tightened_to_0600(tmp_path: Path) -> None:
    path = tmp_path / LOG_FILE_NAME
    path.write_text("old line\n", encoding="utf-8")
    path.chmod(0o644)
    configure_logging(tmp_path, console=False)
    log.info("new line")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _read_log(tmp_path).splitlines()[0] == "old line"


def test_unknown_level_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        configure_logging(tmp_path, "LOUD", console=False)
    assert info.value.key == "logging.level"
    assert _ours() == []
