"""Technician maintenance mode (issue 7): the view-model behind ``Maint*.qml``.

A full-window layer above the citizen screens, reachable only from the attract screen
(no citizen session in progress) with a hidden gesture: five taps within three seconds on
the top-right corner (``cornerTap()``). ``panel`` says what shows: ``""`` (nothing),
``"login"`` or ``"main"`` (the tabs, under a red 维护模式 banner).

Log-in is ``kiosk.staffauth.StaffAuth``: technician card + PIN or technician ID + TOTP code +
PIN, on a background thread (card I/O, scrypt). The PIN and the code are typed on the
layer's own keypad and never leave this object as text. The session ends on 退出维护, after
``staff.maintenance_idle_timeout_s`` without a touch (``tick()`` from the app's timer
calls ``StaffAuth.check_idle``; ``activity()`` from the app's event filter calls
``touch``), when the card it was opened with is pulled, or when another log-in replaces
it; every end closes the layer.

Tabs (``tab``): ``devices`` (self-tests, card reads shown masked, test pages, printer
status, camera preview with frame rate and sharpness), ``queue`` (link, depth, oldest
undelivered, dead letters, 立即同步, 重试失败项), ``export`` (sneakernet bundle to a removable
drive), ``config`` (catalogue, versions, effective configuration, a few editable settings),
``logs`` (log files and the readiness PDF to the drive), ``audit`` (latest entries, chain
verification). Everything slow runs through ``BackgroundRunner``; every action is recorded
in the audit log with the technician's ID as the actor (detail: codes and counts only).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import time
import tomllib
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.catalogue import Catalogue
from kiosk.config import Config, load_config
from kiosk.errors import ConfigError, KioskError, LockedOutError
from kiosk.journey import Journey, State
from kiosk.staffauth import MSG_LOCKED, StaffAuth, StaffSession
from sync.fsutil import atomic_write
from sync.receipts import CHINA_TZ
from ui.bridge import BackgroundRunner, SmartCardBridge
from ui.capture import FrameProvider, Preview, to_qimage
from ui.devices import KINDS, KioskDevices

if TYPE_CHECKING:
    import numpy as np

    from sync.service import SyncStack

log = logging.getLogger(__name__)

APP_VERSION = "0.1.0"
TAPS_NEEDED = 5
TAP_WINDOW_S = 3.0
LOGIN_IDLE_S = 90.0  # an abandoned log-in panel closes by itself
PREVIEW_NAME = "maint-preview"
MEDIA_ROOTS = (Path("/media"), Path("/run/media"))
TABS = ("devices", "queue", "export", "config", "logs", "audit")

DEVICE_NAMES = {
    "idcard": "身份证阅读器", "smartcard": "社保卡读卡器", "receipt_printer": "回执打印机",
    "a4_printer": "A4打印机", "camera": "人像摄像头", "document_camera": "高拍仪",
}
#: settings a technician may change on site: (key, Chinese label)
EDITABLE = (
    ("kiosk.hall_name", "大厅名称"),
    ("ui.inactivity_timeout_s", "无操作超时（秒）"),
    ("ui.countdown_s", "超时提醒倒计时（秒）"),
    ("offline.max_hours_since_contact", "离线受理最长时间（小时）"),
    ("offline.max_queued_items", "离线最多排队件数"),
    ("offline.max_catalogue_age_hours", "目录最长有效时间（小时）"),
)
KIND_NAMES = {"application": "申请", "rating": "好差评", "help_request": "呼叫请求",
              "heartbeat": "心跳", "audit": "审计记录"}
_SECRET = re.compile(r"secret|token|password|passwd|private|pin_hash", re.IGNORECASE)

MSG_NO_AUTH = "本机无法进行维护人员登录（人员名单或审计日志不可用），请查看日志"
MSG_NO_SYNC = "本机未启用同步，无法执行此操作"
MSG_NO_TARGET = "请先选择导出位置"
MSG_MISSING = "未找到导出位置，请插入U盘后重试"  # as sync.export says it
MSG_NO_CARD = "未检测到身份证，请将身份证放在阅读区"


class LogAudit:
    """Audit sink when there is no queue (no sync stack): the log file only."""

    def record(self, actor: str, action: str, detail: Mapping[str, Any]) -> str:
        log.warning("audit (no queue): %s %s %s", actor, action, dict(detail))
        return ""


# -- helpers ------------------------------------------------------------------------------

def _fmt_time(ts: float | None) -> str:
    if ts is None:
        return "从未"
    return datetime.fromtimestamp(ts, tz=CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def _fmt_age(seconds: float | None) -> str:
    if seconds is None:
        return "无"
    s = int(seconds)
    if s < 60:
        return f"{s} 秒"
    if s < 3600:
        return f"{s // 60} 分钟"
    if s < 86400:
        return f"{s // 3600} 小时 {s % 3600 // 60} 分钟"
    return f"{s // 86400} 天 {s % 86400 // 3600} 小时"


def _fmt_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"  # pragma: no cover


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Path):
        return "" if value == Path() else str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def flatten_config(config: Config) -> list[tuple[str, str]]:
    """``(dotted key, shown value)`` for every setting; secrets are not shown."""
    out: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
            if not value and prefix:
                out.append((prefix, "{}"))
            return
        if _SECRET.search(prefix.rsplit(".", 1)[-1]):
            shown = "（已隐藏）" if value not in ("", None) else ""
        else:
            shown = json.dumps(value, ensure_ascii=False)  # TOML-like: "text", true, 1.5
        out.append((prefix, shown))

    walk("", _plain(config))
    return out


def _get(config: Config, key: str) -> Any:
    value: Any = config
    for part in key.split("."):
        value = getattr(value, part)
    return value


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise ConfigError(f"cannot write {value!r} to TOML")


def dump_toml(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> str:
    """A small TOML writer for configuration files (tables, scalars, arrays)."""
    lines: list[str] = []
    tables: list[tuple[str, Mapping[str, Any]]] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            tables.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in tables:
        path = (*prefix, key)
        if lines or prefix or any(not isinstance(v, Mapping) for v in value.values()):
            lines.append("")
            lines.append("[" + ".".join(_toml_key(p) for p in path) + "]")
        body = dump_toml(value, path)
        if body:
            lines.append(body)
    return "\n".join(lines).strip("\n") if not prefix else "\n".join(lines)


def render_readiness_pdf(title: str, sections: Sequence[tuple[str, Sequence[tuple[str, str]]]],
                         *, hall_name: str, kiosk_code: str) -> bytes:
    """A4 PDF: a title, then per section a heading and a ``label | value`` table, in the
    layout of the staff reports (``printing.report``)."""
    from printing.report import Section, render_report

    return render_report(title, [Section(heading, pairs=rows) for heading, rows in sections],
                         hall_name=hall_name, kiosk_code=kiosk_code)


def removable_targets(roots: Sequence[Path] = MEDIA_ROOTS) -> list[Path]:
    """Mounted drives under ``/media`` and ``/run/media`` (``<root>/<user>/<label>`` or
    ``<root>/<label>``)."""
    found: list[Path] = []
    for root in roots:
        try:
            first = sorted(p for p in root.iterdir() if p.is_dir())
        except OSError:
            continue
        for entry in first:
            if os.path.ismount(entry):
                found.append(entry)
                continue
            try:
                found.extend(sorted(p for p in entry.iterdir()
                                    if p.is_dir() and os.path.ismount(p)))
            except OSError:
                continue
    return found


def dead_letters(sync: SyncStack, limit: int = 50) -> list[dict[str, Any]]:
    """Dead-lettered outbox items, oldest first, with the Chinese reason they stopped."""
    from sqlalchemy import select

    from sync.models import Application, ItemState, OutboxItem, Transition

    out: list[dict[str, Any]] = []
    with sync.outbox.db.read() as s:
        items = s.execute(
            select(OutboxItem.key, OutboxItem.kind, OutboxItem.updated_at,
                   OutboxItem.last_error, Application.provisional_no)
            .outerjoin(Application, Application.key == OutboxItem.key)
            .where(OutboxItem.state == ItemState.DEAD_LETTER.value)
            .order_by(OutboxItem.seq).limit(limit)).all()
        for key, kind, updated_at, last_error, provisional_no in items:
            reason = s.scalar(select(Transition.reason_zh)
                              .where(Transition.key == key,
                                     Transition.to_state == ItemState.DEAD_LETTER.value)
                              .order_by(Transition.id.desc()).limit(1))
            out.append({"key": key, "kind": KIND_NAMES.get(kind, kind),
                        "number": provisional_no or key[:8],
                        "reason": reason or "上报失败", "detail": (last_error or "")[:120],
                        "at": _fmt_time(updated_at)})
    return out


# -- the view-model -----------------------------------------------------------------------

class MaintenanceViewModel(QObject):
    """See the module docstring."""

    changed = Signal()
    loginChanged = Signal()
    devicesChanged = Signal()
    previewChanged = Signal()
    queueChanged = Signal()
    exportChanged = Signal()
    configChanged = Signal()
    logsChanged = Signal()
    auditChanged = Signal()
    _sessionEnded = Signal(str)  # from whatever thread ended the session

    def __init__(self, config: Config, catalogue: Catalogue, sync: SyncStack | None,
                 devices: KioskDevices, runner: BackgroundRunner, journey: Journey,
                 staff_auth: StaffAuth | None, audit: Any, frames: FrameProvider, *,
                 config_path: Path | None = None,
                 media_roots: Sequence[Path] = MEDIA_ROOTS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._config = config
        self._catalogue = catalogue
        self._sync = sync
        self._devices = devices
        self._runner = runner
        self._journey = journey
        self._auth = staff_auth
        self._audit = audit if audit is not None else LogAudit()
        self._frames = frames
        self._config_path = config_path or config.data_dir / "kiosk.toml"
        self._media_roots = tuple(media_roots)
        self._mono = monotonic
        self._taps: deque[float] = deque(maxlen=TAPS_NEEDED)
        self._panel = ""
        self._tab = "devices"
        self._technician = ""
        self._busy = ""  # what is running, for the screen ("" = idle)
        self._message = ("", "info")
        # log-in
        self._method = "totp"
        self._field = "id"
        self._staff_id = ""
        self._code = ""
        self._pin = ""
        self._login_message = ""
        self._locked_until: float | None = None  # a lock-out of ``_locked_for`` (an ID
        self._locked_for = ""                     # or "card"): other IDs may still try
        self._attempt_for = ""
        self._login_seen = 0.0
        # tabs
        self._device_rows: list[dict[str, Any]] = []
        self._printer_rows: list[dict[str, Any]] = []
        self._card_rows: list[dict[str, Any]] = []
        self._preview: Preview | None = None
        self._preview_kind = ""
        self._preview_serial = 0
        self._preview_times: deque[float] = deque(maxlen=30)
        self._preview_fps = 0.0
        self._preview_sharpness = -1.0
        self._preview_message = ""
        self._queue: dict[str, Any] = {}
        self._targets: list[dict[str, Any]] = []
        self._target = ""
        self._export_result: dict[str, Any] = {}
        self._catalogue_info: dict[str, Any] = {}
        self._config_rows: list[dict[str, Any]] = []
        self._logs_result: dict[str, Any] = {}
        self._audit_rows: list[dict[str, Any]] = []
        self._audit_verify: dict[str, Any] = {}
        self._sessionEnded.connect(self._on_session_ended)
        if staff_auth is not None:
            staff_auth.add_session_listener(self._session_listener)
        # card presence from the reader's monitor (events, never a poll on the GUI thread)
        self._card_in = False
        self._demo_cards: list[Any] = []  # demo mode: simulated cards put in by the panel
        self._card_bridge: SmartCardBridge | None = None
        reader = devices.smartcard
        if reader is not None and hasattr(reader, "add_listener"):
            self._card_bridge = SmartCardBridge()
            self._card_bridge.inserted.connect(lambda: self._card_event(True))
            self._card_bridge.removed.connect(lambda: self._card_event(False))
            reader.add_listener(self._card_bridge)

    # -- properties ---------------------------------------------------------------------
    panel = Property(str, lambda s: s._panel, notify=changed, final=True)
    tab = Property(str, lambda s: s._tab, notify=changed, final=True)
    technician = Property(str, lambda s: s._technician, notify=changed, final=True)
    busy = Property(bool, lambda s: bool(s._busy), notify=changed, final=True)
    busyText = Property(str, lambda s: s._busy, notify=changed, final=True)
    message = Property(str, lambda s: s._message[0], notify=changed, final=True)
    messageKind = Property(str, lambda s: s._message[1], notify=changed, final=True)
    demo = Property(bool, lambda s: s._devices.demo, constant=True, final=True)
    kioskCode = Property(str, lambda s: s._config.kiosk.code, constant=True, final=True)

    loginMethod = Property(str, lambda s: s._method, notify=loginChanged, final=True)
    loginField = Property(str, lambda s: s._field, notify=loginChanged, final=True)
    staffId = Property(str, lambda s: s._staff_id, notify=loginChanged, final=True)
    code = Property(str, lambda s: s._code, notify=loginChanged, final=True)
    pinLength = Property(int, lambda s: len(s._pin), notify=loginChanged, final=True)
    loginMessage = Property(str, lambda s: s._login_message, notify=loginChanged, final=True)
    lockoutSeconds = Property(int, lambda s: s._lock_left(), notify=loginChanged, final=True)
    cardPresent = Property(bool, lambda s: s._card_present(), notify=loginChanged, final=True)

    deviceRows = Property(list, lambda s: s._device_rows, notify=devicesChanged, final=True)
    printerRows = Property(list, lambda s: s._printer_rows, notify=devicesChanged, final=True)
    cardRows = Property(list, lambda s: s._card_rows, notify=devicesChanged, final=True)
    previewKind = Property(str, lambda s: s._preview_kind, notify=previewChanged, final=True)
    previewSource = Property(str, lambda s: f"image://kiosk/{PREVIEW_NAME}/{s._preview_serial}"
                             if s._preview_kind else "", notify=previewChanged, final=True)
    previewFps = Property(float, lambda s: s._preview_fps, notify=previewChanged, final=True)
    previewSharpness = Property(float, lambda s: s._preview_sharpness, notify=previewChanged,
                                final=True)
    previewMessage = Property(str, lambda s: s._preview_message, notify=previewChanged,
                              final=True)

    queue = Property(dict, lambda s: s._queue, notify=queueChanged, final=True)
    targets = Property(list, lambda s: s._targets, notify=exportChanged, final=True)
    target = Property(str, lambda s: s._target, notify=exportChanged, final=True)
    exportResult = Property(dict, lambda s: s._export_result, notify=exportChanged,
                            final=True)
    catalogueInfo = Property(dict, lambda s: s._catalogue_info, notify=configChanged,
                             final=True)
    configRows = Property(list, lambda s: s._config_rows, notify=configChanged, final=True)
    editableRows = Property(list, lambda s: s._editable_rows(), notify=configChanged,
                            final=True)
    logsResult = Property(dict, lambda s: s._logs_result, notify=logsChanged,
                          final=True)
    auditRows = Property(list, lambda s: s._audit_rows, notify=auditChanged, final=True)
    auditVerify = Property(dict, lambda s: s._audit_verify, notify=auditChanged,
                           final=True)

    @property
    def active(self) -> bool:
        """The layer is showing: the citizen screens beneath take no input."""
        return self._panel != ""

    # -- entry ----------------------------------------------------------------------------
    @Slot()
    def cornerTap(self) -> None:
        """The hidden corner of the attract screen: five taps within three seconds."""
        if self._panel or self._journey.state != State.ATTRACT:
            self._taps.clear()
            return
        now = self._mono()
        self._taps.append(now)
        if len(self._taps) == TAPS_NEEDED and now - self._taps[0] <= TAP_WINDOW_S:
            self._taps.clear()
            self._open_login()

    def _open_login(self) -> None:
        self._panel = "login"
        self._method = "card" if self._card_present() else "totp"
        self._field = "pin" if self._method == "card" else "id"
        self._staff_id = self._code = self._pin = ""
        self._login_message = ""
        self._login_seen = self._mono()
        log.info("maintenance log-in panel opened")
        self.loginChanged.emit()
        self.changed.emit()

    @Slot()
    def cancelLogin(self) -> None:
        if self._panel == "login":
            self._remove_demo_cards()
            self._pin = self._code = ""
            self._panel = ""
            self.loginChanged.emit()
            self.changed.emit()

    @Slot(str)
    def setLoginMethod(self, method: str) -> None:
        if method in ("card", "totp") and method != self._method:
            self._method = method
            self._field = "pin" if method == "card" else "id"
            self._code = self._pin = ""
            self._login_message = ""
            self.loginChanged.emit()

    @Slot(str)
    def setLoginField(self, name: str) -> None:
        if name in ("id", "code", "pin") and name != self._field:
            self._field = name
            self.loginChanged.emit()

    @Slot(str)
    def setStaffId(self, text: str) -> None:
        text = text.strip().upper()[:32]
        if text != self._staff_id:
            self._staff_id = text
            self.loginChanged.emit()

    @Slot(str)
    def pressKey(self, key: str) -> None:
        """The layer's keypad: a digit, ``"back"`` or ``"clear"`` for the field in focus."""
        self._login_seen = self._mono()
        field = self._field
        value = {"id": self._staff_id, "code": self._code, "pin": self._pin}[field]
        if key == "back":
            value = value[:-1]
        elif key == "clear":
            value = ""
        elif len(key) == 1 and (key.isdigit() or (field == "id" and key.isalnum())):
            limit = {"id": 32, "code": 6, "pin": 12}[field]
            if len(value) < limit:
                value += key
            if field == "code" and len(value) == 6:
                self._field = "pin"
        else:
            return
        if field == "id":
            self._staff_id = value
        elif field == "code":
            self._code = value
        else:
            self._pin = value
        self.loginChanged.emit()

    @Slot()
    def simulateTechnicianCard(self) -> None:
        """Demo only: put the demo roster's technician card in the simulated reader."""
        reader = self._devices.smartcard
        if not self._devices.demo or reader is None or not hasattr(reader, "insert"):
            return
        from devices.smartcard.simulated import demo_card

        card = demo_card("technician")
        if card is not None:
            reader.insert(card)
            self._demo_cards.append(card)
        self.setLoginMethod("card")
        self.loginChanged.emit()

    @Slot()
    def submitLogin(self) -> None:
        if self._panel != "login" or self._busy or self._lock_left() > 0:
            return
        pin, code, staff_id, method = self._pin, self._code, self._staff_id, self._method
        self._pin = self._code = ""
        auth = self._auth
        if auth is None:
            self._login_failed(MSG_NO_AUTH)
            return
        if method == "card":
            reader = self._devices.smartcard
            if reader is None:
                self._login_failed("本机没有可用的读卡器，请使用工号和动态验证码登录")
                return

            def login() -> StaffSession:
                return auth.maintenance_login_card(reader, pin)
        else:
            if not staff_id or len(code) != 6:
                self._login_failed("请输入工号和6位动态验证码")
                return

            def login() -> StaffSession:
                return auth.maintenance_login_totp(staff_id, code, pin)
        self._attempt_for = staff_id if method == "totp" else "card"
        self._login_message = ""
        self.loginChanged.emit()
        self._start("正在验证身份…", "login", login, self._logged_in, self._login_error)

    def _logged_in(self, session: StaffSession) -> None:
        if self._panel != "login" or not session.maintenance:
            if self._auth is not None:
                self._auth.logout("explicit")
            return
        self._technician = session.staff_id
        self._panel = "main"
        self._tab = "devices"
        self._staff_id = ""
        self._login_message = ""
        self._message = ("", "info")
        self.loginChanged.emit()
        self.changed.emit()
        self._enter_tab("devices")

    def _login_error(self, err: BaseException) -> None:
        if isinstance(err, LockedOutError):
            self._locked_until = self._mono() + err.retry_after_s
            self._locked_for = self._attempt_for
        message = err.user_message if isinstance(err, KioskError) else "登录失败，请重试"
        self._login_failed(message)

    def _login_failed(self, message: str) -> None:
        self._login_message = message
        self._pin = ""
        self._field = "pin" if self._method == "card" else self._field
        self.loginChanged.emit()

    def _lock_left(self) -> int:
        """Seconds before the ID (or card) now on the panel may try again."""
        if self._locked_until is None:
            return 0
        if (self._staff_id if self._method == "totp" else "card") != self._locked_for:
            return 0
        left = self._locked_until - self._mono()
        return max(0, int(left + 0.999))

    def _card_present(self) -> bool:
        return self._card_in

    def _card_event(self, inserted: bool) -> None:
        self._card_in = inserted
        if inserted and self._panel == "login" and not self._busy:
            self.setLoginMethod("card")  # a card in the reader: that is how they log in
        self.loginChanged.emit()

    # -- session ---------------------------------------------------------------------------
    @Slot()
    def exitMaintenance(self) -> None:
        """退出维护: end the technician's session (audited by StaffAuth) and close."""
        if self._panel == "main":
            if self._auth is not None:
                self._auth.logout("explicit")  # the session listener closes the layer
            if self._panel:
                self._close("")

    def _session_listener(self, session: StaffSession, reason: str) -> None:  # any thread
        if session.maintenance:
            self._sessionEnded.emit(reason)

    @Slot(str)
    def _on_session_ended(self, reason: str) -> None:
        if self._panel == "main":
            notes = {"idle": "长时间无操作，已自动退出维护模式",
                     "card_removed": "维护人员卡已拔出，已退出维护模式"}
            self._close(notes.get(reason, ""))

    def _close(self, note: str) -> None:
        self.stopPreview()
        self._remove_demo_cards()
        self._panel = ""
        self._technician = ""
        self._card_rows = []
        self._export_result = {}
        self._logs_result = {}
        self._message = (note, "info")
        log.info("maintenance mode closed %s", note)
        self.devicesChanged.emit()
        self.exportChanged.emit()
        self.logsChanged.emit()
        self.changed.emit()

    def tick(self) -> None:
        """From the app's timer: the idle timeout, the lock-out countdown."""
        if self._panel == "main":
            current = None
            if self._auth is not None:
                self._auth.check_idle()  # an end closes the layer through the listener
                current = self._auth.current
            if self._panel == "main" and (current is None
                                          or current.staff_id != self._technician):
                self._close("维护会话已结束")
        elif self._panel == "login":
            if self._locked_until is not None:
                if self._mono() >= self._locked_until:
                    self._locked_until = None
                    self._login_message = ""
                elif self._lock_left() > 0:
                    self._login_message = MSG_LOCKED.format(n=self._lock_left())
                elif self._login_message.startswith(MSG_LOCKED[:6]):
                    self._login_message = ""  # another ID on the panel now
                self.loginChanged.emit()
            if not self._busy and self._mono() - self._login_seen > LOGIN_IDLE_S:
                self.cancelLogin()

    def activity(self) -> None:
        """A touch anywhere: keeps the maintenance session (and the log-in panel) alive."""
        if self._panel == "main" and self._auth is not None:
            self._auth.touch()
        elif self._panel == "login":
            self._login_seen = self._mono()

    # -- plumbing ---------------------------------------------------------------------------
    def _start(self, text: str, name: str, fn: Callable[[], Any],
               done: Callable[[Any], None],
               failed: Callable[[BaseException], None] | None = None) -> bool:
        if self._busy:
            return False
        self._busy = text
        self.changed.emit()
        # a result that arrives after the session ended is not shown to whoever is next
        # (the log-in job always answers: its session must be ended if nobody waits)
        technician = self._technician

        def finish_ok(result: Any) -> None:
            self._busy = ""
            self.changed.emit()
            if name == "login" or (self._panel == "main" and self._technician == technician):
                done(result)

        def finish_err(err: BaseException) -> None:
            self._busy = ""
            self.changed.emit()
            if name != "login" and not (self._panel == "main"
                                        and self._technician == technician):
                log.info("maintenance job %s ended after the session: %r", name, err)
            elif failed is not None:
                failed(err)
            else:
                self._say(self._error_text(err), "error")

        self._runner.run(f"maint-{name}", fn, finish_ok, finish_err)
        return True

    @staticmethod
    def _error_text(err: BaseException) -> str:
        if isinstance(err, KioskError):
            return err.user_message
        return f"操作失败：{type(err).__name__}"

    def _say(self, text: str, kind: str = "info") -> None:
        self._message = (text, kind)
        self.changed.emit()

    def _record(self, action: str, **detail: Any) -> None:
        """Audit one maintenance action (worker thread or GUI thread)."""
        self._audit.record(self._technician or "unknown", action, detail)

    def _in_main(self) -> bool:
        return self._panel == "main" and bool(self._technician)

    @Slot(str)
    def setTab(self, tab: str) -> None:
        if tab in TABS and tab != self._tab and self._panel == "main":
            if self._tab == "devices":
                self.stopPreview()
            self._tab = tab
            self._message = ("", "info")
            self.changed.emit()
            self._enter_tab(tab)

    def _enter_tab(self, tab: str) -> None:
        if tab == "devices":
            self.refreshPrinters()
        elif tab == "queue":
            self.refreshQueue()
        elif tab in ("export", "logs"):
            self.refreshTargets()
        elif tab == "config":
            self._load_config_tab()
        elif tab == "audit":
            self.refreshAudit()

    # -- devices -----------------------------------------------------------------------------
    @Slot()
    def runSelfTests(self) -> None:
        if not self._in_main():
            return
        self._start("正在自检全部设备…", "selftest", self._self_tests, self._self_tests_done)

    def _self_tests(self) -> list[dict[str, Any]]:
        rows = []
        for kind in KINDS:
            device = getattr(self._devices, kind)
            row: dict[str, Any] = {"kind": kind, "name": DEVICE_NAMES[kind]}
            if device is None:
                row.update(ok=False, state="missing", summary="未配置或无法使用",
                           checks=self._devices.problems.get(kind, ""))
            else:
                try:
                    result = device.self_test()
                    row.update(ok=result.ok, state="ok" if result.ok else "fault",
                               summary=result.summary_zh,
                               checks=" · ".join(f"{k}: {v}" for k, v in result.checks.items()))
                except Exception as err:  # a self-test must report, never raise
                    row.update(ok=False, state="fault", summary="自检出错",
                               checks=f"{type(err).__name__}: {err}"[:200])
            rows.append(row)
        self._record("maint_self_test", ok=sum(r["ok"] for r in rows),
                     failed=[r["kind"] for r in rows if not r["ok"]])
        return rows

    def _self_tests_done(self, rows: list[dict[str, Any]]) -> None:
        self._device_rows = rows
        self.devicesChanged.emit()
        failed = [r["name"] for r in rows if not r["ok"]]
        self._say("全部设备自检通过" if not failed else "自检未通过：" + "、".join(failed),
                  "ok" if not failed else "error")
        self.refreshPrinters()

    @Slot()
    def refreshPrinters(self) -> None:
        if not self._in_main():
            return

        def statuses() -> list[dict[str, Any]]:
            rows = []
            for kind in ("receipt_printer", "a4_printer"):
                printer = getattr(self._devices, kind)
                if printer is None:
                    rows.append({"kind": kind, "name": DEVICE_NAMES[kind], "state": "missing",
                                 "label": "未配置", "ok": False})
                    continue
                try:
                    st = printer.status()
                    rows.append({"kind": kind, "name": DEVICE_NAMES[kind],
                                 "state": st.state.value, "label": st.label_zh,
                                 "ok": st.can_print})
                except Exception as err:
                    rows.append({"kind": kind, "name": DEVICE_NAMES[kind], "state": "unknown",
                                 "label": f"状态读取失败（{type(err).__name__}）", "ok": False})
            return rows

        def done(rows: list[dict[str, Any]]) -> None:
            self._printer_rows = rows
            self.devicesChanged.emit()

        self._runner.run("maint-printers", statuses, done,
                         lambda err: log.warning("printer status: %r", err))

    @Slot(str)
    def printTestPage(self, kind: str) -> None:
        if not self._in_main() or kind not in ("receipt_printer", "a4_printer"):
            return
        printer = getattr(self._devices, kind)
        if printer is None:
            self._say(f"{DEVICE_NAMES[kind]}未配置", "error")
            return

        def run() -> Any:
            if kind == "receipt_printer":
                outcome = printer.print_test_page()
            else:
                pdf = render_readiness_pdf(
                    "A4 打印测试页 / Test page",
                    [("终端", [("终端编号", self._config.kiosk.code),
                               ("大厅", self._config.kiosk.hall_name),
                               ("时间", _fmt_time(time.time()))])],
                    hall_name=self._config.kiosk.hall_name, kiosk_code=self._config.kiosk.code)
                outcome = printer.print_pdf(pdf, title="A4 测试页", number="TEST-PAGE")
            self._record("maint_test_page", printer=kind, result=outcome.result.value)
            return outcome

        def done(outcome: Any) -> None:
            name = DEVICE_NAMES[kind]
            if outcome.printed:
                self._say(f"{name}测试页已打印", "ok")
            else:
                self._say(f"{name}测试页未打印：{outcome.status_before.label_zh}", "error")
            self.refreshPrinters()

        self._start("正在打印测试页…", "testpage", run, done)

    @Slot(str)
    def readCard(self, kind: str) -> None:
        """读卡: an ID card or a 社保卡; only masked values are shown."""
        if not self._in_main() or kind not in ("idcard", "sscard"):
            return
        reader: Any = self._devices.idcard if kind == "idcard" else self._devices.smartcard
        if reader is None:
            self._say(f"{DEVICE_NAMES['idcard' if kind == 'idcard' else 'smartcard']}未配置",
                      "error")
            return

        def run() -> list[dict[str, str]]:
            try:
                if kind == "idcard":
                    card = reader.read_card()
                    if card is None:
                        raise KioskError("no card", user_message=MSG_NO_CARD)
                    m = card.masked()
                    rows = [("证件类型", str(m.get("card_type_zh") or "")),
                            ("姓名", str(m.get("name") or "")),
                            ("证件号码", str(m.get("id_number") or "")),
                            ("出生日期", str(m.get("birth") or "")),
                            ("住址", str(m.get("address") or "")),
                            ("有效期至", str(m.get("valid_to") or ""))]
                else:
                    sscard = reader.read_social_security_card()
                    rows = [(k, v) for k, v in sscard.masked().items()
                            if k in ("社保卡号", "姓名", "社会保障号码", "统筹区", "有效期至",
                                     "规范版本")]
            except KioskError as err:
                self._record("maint_card_read", card=kind, ok=False,
                             error=type(err).__name__)
                raise
            self._record("maint_card_read", card=kind, ok=True)
            return [{"label": k, "value": v} for k, v in rows]

        def done(rows: list[dict[str, str]]) -> None:
            self._card_rows = rows
            self.devicesChanged.emit()
            self._say("读卡成功（仅显示部分信息）", "ok")

        def failed(err: BaseException) -> None:
            self._card_rows = []
            self.devicesChanged.emit()
            self._say(self._error_text(err), "error")

        self._start("正在读卡…", "readcard", run, done, failed)

    @Slot()
    def simulateCards(self) -> None:
        """Demo only: a sample ID card and 社保卡 in the simulated readers."""
        if not self._devices.demo:
            return
        idcard, smartcard = self._devices.idcard, self._devices.smartcard
        if idcard is not None and hasattr(idcard, "place"):
            from devices.idcard.simulated import sample_card

            sample = sample_card("resident")
            idcard.place(sample)
            self._demo_cards.append(sample)
        # not over a technician card: pulling it would end a card log-in (card_removed)
        if smartcard is not None and hasattr(smartcard, "insert") and not self._card_in:
            from devices.smartcard.simulated import demo_card

            card = demo_card("social_security")
            if card is not None:
                smartcard.insert(card)
                self._demo_cards.append(card)

    def _remove_demo_cards(self) -> None:
        """Demo cards put in the simulated readers here leave with the technician."""
        cards, self._demo_cards = self._demo_cards, []
        idcard: Any = self._devices.idcard
        smartcard: Any = self._devices.smartcard
        for card in cards:
            if smartcard is not None and getattr(smartcard, "card", None) is card:
                smartcard.remove()
            elif idcard is not None and getattr(idcard, "_card", None) is card:
                idcard.remove()

    @Slot(str)
    def startPreview(self, kind: str) -> None:
        if not self._in_main() or kind not in ("camera", "document_camera"):
            return
        camera = getattr(self._devices, kind)
        self.stopPreview()
        if camera is None:
            self._preview_message = f"{DEVICE_NAMES[kind]}未配置"
            self.previewChanged.emit()
            return
        self._preview_kind = kind
        self._preview_times.clear()
        self._preview_fps, self._preview_sharpness = 0.0, -1.0
        self._preview_message = ""
        self._preview = Preview(camera, self._on_preview_frame, self._on_preview_error,
                                max_fps=15.0, max_width=960)
        from devices.camera.document import sharpness  # OpenCV: loaded when first needed

        try:
            self._preview.start(process=sharpness)
        except KioskError as err:
            self._preview = None
            self._preview_kind = ""
            self._preview_message = err.user_message
        else:
            self._record("maint_camera_preview", camera=kind)
        self.previewChanged.emit()

    @Slot()
    def stopPreview(self) -> None:
        preview, self._preview = self._preview, None
        if preview is not None:
            preview.stop()
        if self._preview_kind:
            self._preview_kind = ""
            self._frames.drop(PREVIEW_NAME)
            self.previewChanged.emit()

    def _on_preview_frame(self, image: np.ndarray, analysis: Any) -> None:
        if self._preview is None:
            return
        now = self._mono()
        self._preview_times.append(now)
        if len(self._preview_times) >= 2:
            span = self._preview_times[-1] - self._preview_times[0]
            self._preview_fps = (len(self._preview_times) - 1) / span if span > 0 else 0.0
        if isinstance(analysis, float):
            self._preview_sharpness = analysis
        self._frames.put(PREVIEW_NAME, to_qimage(image))
        self._preview_serial += 1
        self.previewChanged.emit()

    def _on_preview_error(self, message: str) -> None:
        self.stopPreview()
        self._preview_message = message
        self.previewChanged.emit()

    # -- link and queue ------------------------------------------------------------------------
    @Slot()
    def refreshQueue(self) -> None:
        if not self._in_main():
            return
        sync = self._sync
        if sync is None:
            self._queue = {"available": False}
            self.queueChanged.emit()
            return

        def read() -> dict[str, Any]:
            from sync.models import ItemState

            now = time.time()
            stats = sync.outbox.stats(now)
            status = sync.worker.status
            depth = []
            for state in ItemState:
                n = stats.depth.get(state.value, 0)
                if n:
                    depth.append({"state": state.value, "label": state.label, "count": n})
            last = status.last_contact_at or stats.last_contact_at
            return {
                "available": True,
                "link": status.link.value, "linkLabel": status.link.label,
                "lastContact": _fmt_time(last),
                "lastContactAge": _fmt_age(now - last) if last else "",
                "lastError": (status.last_error or "")[:160],
                "depth": depth, "undelivered": stats.undelivered,
                "oldestAge": _fmt_age(stats.oldest_undelivered_age_s),
                "queuedBytes": _fmt_bytes(stats.queued_bytes),
                "deadCount": stats.dead_letters,
                "deadLetters": dead_letters(sync),
            }

        def done(data: dict[str, Any]) -> None:
            self._queue = data
            self.queueChanged.emit()

        self._runner.run("maint-queue", read, done,
                         lambda err: self._say(self._error_text(err), "error"))

    @Slot()
    def syncNow(self) -> None:
        """立即同步: one delivery pass now (the worker's own thread is woken if it runs)."""
        sync = self._sync
        if not self._in_main():
            return
        if sync is None:
            self._say(MSG_NO_SYNC, "error")
            return

        def run() -> Any:
            self._record("maint_sync_now")
            return sync.worker.run_once(pull_status=True)

        def done(report: Any) -> None:
            if report.error:
                self._say(f"同步未完成：{sync.worker.status.link.label}", "error")
            else:
                self._say(f"同步完成：送达 {report.delivered} 项，待重试 {report.retried} 项，"
                          f"失败 {report.dead_lettered} 项", "ok")
            self.refreshQueue()

        self._start("正在同步…", "sync", run, done)

    @Slot()
    def retryDeadLetters(self) -> None:
        """重试失败项: every dead letter back to pending (audited with the technician)."""
        sync = self._sync
        if not self._in_main():
            return
        if sync is None:
            self._say(MSG_NO_SYNC, "error")
            return
        tech = self._technician

        def done(n: int) -> None:
            self._say(f"已重新安排上报 {n} 项" if n else "没有上报失败的项目", "ok")
            self.refreshQueue()

        self._start("正在重新安排…", "retry", lambda: sync.retry_dead_letters(actor=tech), done)

    # -- export ---------------------------------------------------------------------------------
    @Slot()
    def refreshTargets(self) -> None:
        paths = removable_targets(self._media_roots)
        if self._devices.demo:
            paths.append(self._config.data_dir / "export-demo")
        if self._target and Path(self._target) not in paths:
            paths.insert(0, Path(self._target))
        rows = []
        for p in paths:
            demo = p == self._config.data_dir / "export-demo"
            where = p.parent if demo and not p.exists() else p  # the demo one is made on use
            try:
                free = _fmt_bytes(shutil.disk_usage(where).free) if where.exists() else ""
            except OSError:
                free = ""
            rows.append({"path": str(p), "label": "演示目录（模拟U盘）" if demo else p.name,
                         "free": f"可用 {free}" if free else "目录不存在"})
        self._targets = rows
        if not self._target and len(rows) == 1:
            self._target = rows[0]["path"]
        self.exportChanged.emit()

    @Slot(str)
    def chooseTarget(self, path: str) -> None:
        if path != self._target:
            self._target = path
            self.refreshTargets()

    @Slot()
    def exportQueue(self) -> None:
        sync = self._sync
        if not self._in_main():
            return
        if sync is None:
            self._say(MSG_NO_SYNC, "error")
            return
        if not self._target:
            self._say(MSG_NO_TARGET, "error")
            return
        target, tech = Path(self._target), self._technician
        demo = target == self._config.data_dir / "export-demo"

        def run() -> Any:
            if demo:
                target.mkdir(mode=0o700, exist_ok=True)
            return sync.export_to(target, actor=tech)

        def done(result: Any) -> None:
            self._export_result = {"ok": True, "file": result.path.name,
                                   "path": str(result.path), "items": result.items,
                                   "applications": result.applications,
                                   "events": result.events, "attachments": result.attachments,
                                   "size": _fmt_bytes(result.size), "sha256": result.sha256}
            self.exportChanged.emit()
            self._say(f"已导出 {result.items} 项到 {result.path.name}", "ok")
            self.refreshTargets()

        def failed(err: BaseException) -> None:
            text = self._error_text(err)
            self._export_result = {"ok": False, "error": text}
            self.exportChanged.emit()
            self._say(text, "error")

        self._start("正在导出…", "export", run, done, failed)

    # -- catalogue and configuration -----------------------------------------------------------
    def _load_config_tab(self) -> None:
        cached = self._sync.catalogue.catalogue if self._sync is not None else self._catalogue
        self._catalogue_info = {
            "version": self._catalogue.version, "issuedAt": self._catalogue.issued_at,
            "cached": cached.version, "services": len(self._catalogue.services),
            "appVersion": APP_VERSION, "configFile": self._config_path.name,
        }
        self._config_rows = [{"key": k, "value": v} for k, v in flatten_config(self._config)]
        self.configChanged.emit()

    def _editable_rows(self) -> list[dict[str, Any]]:
        saved = self._saved_settings()
        rows = []
        for key, label in EDITABLE:
            value = _get(self._config, key)
            pending = saved.get(key)
            rows.append({"key": key, "label": label, "value": str(value),
                         "saved": "" if pending is None or pending == value else str(pending)})
        return rows

    def _saved_settings(self) -> dict[str, Any]:
        try:
            data = tomllib.loads(self._config_path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            return {}
        out = {}
        for key, _label in EDITABLE:
            value: Any = data
            for part in key.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value is not None:
                out[key] = value
        return out

    @Slot()
    def refreshCatalogue(self) -> None:
        sync = self._sync
        if not self._in_main():
            return
        if sync is None:
            self._say(MSG_NO_SYNC, "error")
            return

        def run() -> Any:
            result = sync.catalogue.refresh(sync.client)
            self._record("maint_catalogue_refresh", outcome=result.outcome,
                         version=result.version)
            return result

        def done(result: Any) -> None:
            if result.outcome == "updated" and result.version != self._catalogue.version:
                self._say(f"已下载新目录 {result.version}，重启后生效", "ok")
            elif result.outcome in ("updated", "unchanged"):
                self._say(f"目录已是最新版本 {result.version}", "ok")
            else:
                self._say(f"新目录未通过校验，继续使用 {result.version}", "error")
            self._load_config_tab()

        self._start("正在刷新目录…", "catalogue", run, done)

    @Slot(str, str)
    def saveSetting(self, key: str, text: str) -> None:
        """Validate one allow-listed setting through ``kiosk.config`` and write it to the
        configuration file (atomically; audited). Takes effect after a restart."""
        if not self._in_main() or key not in dict(EDITABLE):
            return
        text = text.strip()

        def run() -> Any:
            candidate = self.validate_setting(key, text)
            value = _get(candidate, key)
            self.write_setting(key, value)
            self._record("maint_config_set", key=key, restart=True)
            return value

        def done(value: Any) -> None:
            self._say(f"{dict(EDITABLE)[key]}已保存为 {value}，需要重启生效", "ok")
            self.configChanged.emit()

        def failed(err: BaseException) -> None:
            detail = err.detail if isinstance(err, ConfigError) else self._error_text(err)
            self._say(f"设置无效：{detail}", "error")

        self._start("正在保存设置…", "config", run, done, failed)

    def validate_setting(self, key: str, text: str) -> Config:
        """The effective configuration with ``key`` set to ``text``, validated by
        ``kiosk.config`` (``ConfigError`` names the key and the bad value)."""
        plain = _plain(self._config)
        plain.pop("mode", None)
        section, name = key.split(".", 1)
        plain[section][name] = text
        return load_config(None, mode=self._config.mode, env={}, overrides=plain)

    def write_setting(self, key: str, value: Any) -> None:
        path = self._config_path
        data: dict[str, Any] = {}
        if path.exists():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as err:
                raise ConfigError(f"{path.name}: {err}", key="--config") from err
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
        text = dump_toml(data) + "\n"
        tomllib.loads(text)  # never write what cannot be read back
        atomic_write(path, text.encode("utf-8"))

    # -- logs and readiness report ----------------------------------------------------------
    def _chosen_target(self) -> Path | None:
        """The drive chosen for an export, or None (and the message why) when there is none."""
        if not self._in_main():
            return None
        if not self._target:
            self._say(MSG_NO_TARGET, "error")
            return None
        return Path(self._target)

    def _ready(self, target: Path) -> None:
        """Worker thread: the demo directory is made on first use; a drive that went away
        is an error with the Chinese message."""
        if target == self._config.data_dir / "export-demo":
            target.mkdir(mode=0o700, exist_ok=True)
        if not target.is_dir():
            raise KioskError(f"{target} missing", user_message=MSG_MISSING)

    @Slot()
    def exportLogs(self) -> None:
        target = self._chosen_target()
        if target is None:
            return

        def run() -> dict[str, Any]:
            self._ready(target)
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            dest = target / f"{self._config.kiosk.code}-logs-{stamp}"
            dest.mkdir()
            files, size = 0, 0
            log_dir = self._config.log_dir
            for src in sorted(log_dir.glob("*.log*")) if log_dir.is_dir() else []:
                shutil.copyfile(src, dest / src.name)
                files += 1
                size += src.stat().st_size
            self._record("maint_logs_export", files=files, bytes=size)
            return {"ok": True, "logs": dest.name, "logFiles": files, "logSize": _fmt_bytes(size)}

        def done(result: dict[str, Any]) -> None:
            self._logs_result = {**self._logs_result, **result}
            self.logsChanged.emit()
            self._say(f"已导出 {result['logFiles']} 个日志文件到 {result['logs']}", "ok")

        self._start("正在导出日志…", "logs", run, done)

    @Slot()
    def exportReport(self) -> None:
        target = self._chosen_target()
        if target is None:
            return

        def run() -> dict[str, Any]:
            self._ready(target)
            pdf = self.readiness_pdf(self._self_tests())
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            path = target / f"{self._config.kiosk.code}-readiness-{stamp}.pdf"
            atomic_write(path, pdf, mode=0o644)
            import hashlib

            digest = hashlib.sha256(pdf).hexdigest()
            self._record("maint_readiness_report", sha256=digest, bytes=len(pdf))
            return {"ok": True, "report": path.name, "reportPath": str(path),
                    "reportSha256": digest}

        def done(result: dict[str, Any]) -> None:
            self._logs_result = {**self._logs_result, **result}
            self.logsChanged.emit()
            self._say(f"就绪报告已导出：{result['report']}", "ok")

        self._start("正在生成就绪报告…", "report", run, done)

    def readiness_pdf(self, device_rows: list[dict[str, Any]]) -> bytes:
        """终端就绪报告: devices with their self-test, link, queue, versions, disk."""
        cfg = self._config
        now = time.time()
        devices = [(r["name"], ("通过" if r["ok"] else "未通过") + "　" + r["summary"])
                   for r in device_rows]
        link: list[tuple[str, str]] = [("同步", "未启用")]
        queue: list[tuple[str, str]] = []
        if self._sync is not None:
            status = self._sync.worker.status
            stats = self._sync.outbox.stats(now)
            last = status.last_contact_at or stats.last_contact_at
            link = [("链路状态", status.link.label), ("最近联系", _fmt_time(last))]
            queue = [("待上报", str(stats.undelivered)),
                     ("最早未上报", _fmt_age(stats.oldest_undelivered_age_s)),
                     ("上报失败", str(stats.dead_letters)),
                     ("排队数据量", _fmt_bytes(stats.queued_bytes))]
        disk = shutil.disk_usage(cfg.data_dir)
        ready = all(r["ok"] for r in device_rows) and (
            self._sync is None or self._sync.outbox.stats(now).dead_letters == 0)
        sections = [
            ("结论", [("就绪状态", "就绪" if ready else "未就绪，请处理下列问题"),
                      ("维护人员", self._technician or "-"), ("生成时间", _fmt_time(now))]),
            ("终端", [("终端编号", cfg.kiosk.code), ("大厅", cfg.kiosk.hall_name),
                      ("区划代码", cfg.kiosk.region_code), ("运行模式", cfg.mode)]),
            ("设备自检", devices),
            ("链路", link),
            ("队列", queue or [("队列", "未启用")]),
            ("版本", [("程序版本", APP_VERSION),
                      ("服务目录", f"{self._catalogue.version}（{self._catalogue.issued_at}）")]),
            ("磁盘", [("可用空间", _fmt_bytes(disk.free)), ("总容量", _fmt_bytes(disk.total))]),
        ]
        return render_readiness_pdf(f"终端就绪报告 · {cfg.kiosk.code}", sections,
                                    hall_name=cfg.kiosk.hall_name, kiosk_code=cfg.kiosk.code)

    # -- audit -------------------------------------------------------------------------------
    @Slot()
    def refreshAudit(self) -> None:
        audit = self._audit
        if not self._in_main():
            return
        if not hasattr(audit, "entries"):
            self._audit_rows = []
            self.auditChanged.emit()
            return

        def read() -> list[dict[str, Any]]:
            return [{"seq": e.seq, "at": e.at_iso.replace("T", " ")[:19], "actor": e.actor,
                     "action": e.action,
                     "detail": json.dumps(e.detail, ensure_ascii=False,
                                          separators=(",", ":"))[:160]}
                    for e in audit.entries(limit=30)]

        def done(rows: list[dict[str, Any]]) -> None:
            self._audit_rows = rows
            self.auditChanged.emit()

        self._runner.run("maint-audit", read, done,
                         lambda err: self._say(self._error_text(err), "error"))

    @Slot()
    def verifyAudit(self) -> None:
        audit = self._audit
        if not self._in_main():
            return
        if not hasattr(audit, "verify"):
            self._say("本机未启用审计日志（无同步）", "error")
            return

        def run() -> Any:
            report = audit.verify()
            self._record("maint_audit_verify", ok=report.ok, checked=report.checked,
                         bad_seq=report.bad_seq or 0)
            return report

        def done(report: Any) -> None:
            self._audit_verify = {"ok": report.ok, "checked": report.checked,
                                  "text": report.message_zh, "badSeq": report.bad_seq or 0,
                                  "detail": report.detail}
            self.auditChanged.emit()
            self._say(f"审计链校验通过，共 {report.checked} 条" if report.ok
                      else report.message_zh, "ok" if report.ok else "error")
            self.refreshAudit()

        self._start("正在校验审计链…", "verify", run, done)

    def shutdown(self) -> None:
        self.stopPreview()
        reader = self._devices.smartcard
        if self._card_bridge is not None and reader is not None:
            reader.remove_listener(self._card_bridge)
            self._card_bridge = None
