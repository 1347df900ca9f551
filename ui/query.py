"""办件查询 and 一键呼叫.

**Query** by a receipt number (provisional or official, typed or scanned from the receipt)
or by the ID card. Online the platform's answer is shown (``PlatformClient.lookup``);
when the platform cannot be reached, or does not know the number yet (not delivered), the
kiosk's own record is shown (``Outbox.lookup``) with "本机记录" and when it was last
updated. By card, the kiosk's applications of that person are listed
(``Outbox.lookup_by_id``: a salted digest of the ID number, so two people who share the
masked name and number never see each other's records), each refreshed from the
platform when it answers. Lookups run as background jobs: a slow platform never freezes
the screen.

**Help** (一键呼叫): a ``help_request`` event with the screen the citizen was on, queued
like everything else; the screen says help is on its way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.config import Config
from kiosk.errors import KioskError
from ui.bridge import BackgroundRunner
from ui.capture import FrameProvider, Preview, to_qimage
from ui.session import CitizenSession
from ui.texts import say

if TYPE_CHECKING:
    from sync.service import SyncStack

log = logging.getLogger(__name__)

STATE_LABELS = {"pending": "待上报", "sending": "上报中", "retry_scheduled": "待上报",
                "dead_letter": "上报失败，工作人员处理中", "submitted": "已上报",
                "accepted": "已受理", "needs_correction": "需补正", "refused": "不予受理",
                "completed": "已办结"}
MSG_NOT_FOUND = "未查询到该办件，请核对编号；仅能查询在本机提交的申请"
MSG_NONE_BY_CARD = "未查询到您在本机提交的申请"


def _fmt_time(value: Any) -> str:
    try:
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value).strftime("%Y-%m-%d %H:%M")
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError, OverflowError):
        return ""


def _local_row(view: Any) -> dict[str, Any]:
    return {"serviceName": view.service_name, "serviceCode": view.service_code,
            "provisionalNo": view.provisional_no,
            "caseNo": view.case_no or "", "state": view.state.value,
            "stateLabel": STATE_LABELS.get(view.state.value, view.state_label),
            "reason": view.reason_zh or "", "updated": _fmt_time(view.last_updated),
            "source": "local", "maskedName": view.masked_name}


def _platform_row(found: dict[str, Any], local: Any) -> dict[str, Any]:
    state = str(found.get("state", ""))
    return {"serviceName": local.service_name if local is not None else
            str(found.get("service_code", "")),
            "serviceCode": str(found.get("service_code", "")),
            "provisionalNo": str(found.get("provisional_no", "")),
            "caseNo": str(found.get("case_no") or ""), "state": state,
            "stateLabel": STATE_LABELS.get(state, state),
            "reason": str(found.get("reason") or ""),
            "updated": _fmt_time(found.get("updated_at")), "source": "platform",
            "maskedName": local.masked_name if local is not None else ""}


class QueryViewModel(QObject):
    changed = Signal()
    scanChanged = Signal()

    def __init__(self, session: CitizenSession, sync: SyncStack | None,
                 runner: BackgroundRunner, online: Callable[[], bool], *,
                 camera: Any = None, provider: FrameProvider | None = None,
                 faults: dict[str, str] | None = None,
                 language: Callable[[], str] = lambda: "zh_CN",
                 english_name: Callable[[str], str | None] = lambda code: None) -> None:
        super().__init__()
        self._language = language
        self._english_name = english_name  # a service code's English name (catalogue)
        self._session = session
        self._sync = sync
        self._runner = runner
        self._online = online
        self._provider = provider
        self._faults = faults if faults is not None else {}
        self._preview = (Preview(camera, self._on_frame, self._on_camera_error, max_width=960)
                         if camera is not None and provider is not None else None)
        self._serial = 0
        self._scan_message = ""
        self._reset()

    # -- scanning the receipt's QR code with the citizen camera ----------------------------
    canScan = Property(bool, lambda s: s._preview is not None and "camera" not in s._faults,
                       notify=scanChanged, final=True)
    scanning = Property(bool, lambda s: s._preview is not None and s._preview.running,
                        notify=scanChanged, final=True)
    scanMessage = Property(str, lambda s: say(s._language(), s._scan_message),
                           notify=scanChanged, final=True)
    previewSource = Property(str, lambda s: f"image://kiosk/qr/{s._serial}" if s._serial
                             else "", notify=scanChanged, final=True)

    @Slot()
    def startScan(self) -> None:
        if self._preview is None or "camera" in self._faults:
            return
        from devices.camera.qr import scan

        self._scan_message = "请将回执上的二维码对准摄像头"
        self._preview.start(scan)
        self.scanChanged.emit()

    @Slot()
    def stopScan(self) -> None:
        if self._preview is not None:
            self._preview.stop()
        if self._provider is not None:
            self._provider.drop("qr")
        self._serial = 0
        self.scanChanged.emit()

    def _on_frame(self, image: Any, payloads: Any) -> None:
        if self._provider is None:
            return
        self._provider.put("qr", to_qimage(image))
        self._serial += 1
        for payload in payloads or ():
            if payload.kind == "receipt":
                self._scan_message = ""
                self.stopScan()
                self.setNumber(payload.value)
                self.search()
                return
            self._scan_message = f"这不是回执上的二维码（{payload.kind_zh}），请换一个"
        self.scanChanged.emit()

    def _on_camera_error(self, message: str) -> None:
        log.warning("citizen camera: %s", message)
        self._faults["camera"] = message
        self.stopScan()
        self._scan_message = message + "；请手动输入编号"
        self.scanChanged.emit()

    def _reset(self) -> None:
        self._number = ""
        self._busy = False
        self._rows: list[dict[str, Any]] = []
        self._message = ""
        self._searched = False
        self._generation = getattr(self, "_generation", 0) + 1

    number = Property(str, lambda s: s._number, notify=changed, final=True)
    busy = Property(bool, lambda s: s._busy, notify=changed, final=True)
    def _results(self) -> list[dict[str, Any]]:
        en = self._language() == "en"
        return [dict(r, stateLabel=say(self._language(), r["stateLabel"]),
                     serviceName=(en and self._english_name(r.get("serviceCode", "")))
                     or r["serviceName"])
                for r in self._rows]

    results = Property(list, _results, notify=changed, final=True)
    message = Property(str, lambda s: say(s._language(), s._message), notify=changed,
                       final=True)
    searched = Property(bool, lambda s: s._searched, notify=changed, final=True)
    hasCard = Property(bool, lambda s: s._session.identity is not None, notify=changed,
                       final=True)

    @Slot(str)
    def setNumber(self, text: str) -> None:
        self._number = text.strip().upper()
        self.changed.emit()

    @Slot()
    def search(self) -> None:
        number = self._number
        if not number:
            self._message = "请输入回执上的受理编号或办件编号"
            self.changed.emit()
            return
        if self._sync is None:
            self._message = "本机暂不能查询，请到窗口咨询"
            self.changed.emit()
            return
        outbox, client, online = self._sync.outbox, self._sync.client, self._online()

        def job() -> list[dict[str, Any]]:
            local = outbox.lookup(number)
            if online:
                try:
                    found = client.lookup(number)
                except KioskError as err:  # unreachable now: fall back to our record
                    log.info("platform lookup failed: %s", err.detail)
                    found = None
                if found is not None:
                    return [_platform_row(found, local)]
            return [_local_row(local)] if local is not None else []

        self._start(job, MSG_NOT_FOUND)

    @Slot()
    def searchByCard(self) -> None:
        ident = self._session.identity
        if ident is None:
            self._message = "请将身份证放在阅读区"
            self.changed.emit()
            return
        if self._sync is None:
            return
        outbox, client, online = self._sync.outbox, self._sync.client, self._online()
        id_number = ident.id_number

        def job() -> list[dict[str, Any]]:
            rows = []
            reachable = online
            for view in outbox.lookup_by_id(id_number):
                found = None
                if reachable:
                    try:
                        found = client.lookup(view.case_no or view.provisional_no)
                    except KioskError as err:  # one failure is enough: local records
                        log.info("platform lookup failed: %s", err.detail)
                        reachable = False
                rows.append(_platform_row(found, view) if found else _local_row(view))
            return rows

        self._start(job, MSG_NONE_BY_CARD)

    def _start(self, job: Callable[[], list[dict[str, Any]]], not_found: str) -> None:
        self._busy = True
        self._message = "正在查询…"
        self._rows = []
        self.changed.emit()
        generation = self._generation

        def done(rows: list[dict[str, Any]]) -> None:
            if generation != self._generation:
                return
            self._busy, self._searched, self._rows = False, True, rows
            self._message = "" if rows else not_found
            self.changed.emit()

        def failed(err: BaseException) -> None:
            if generation != self._generation:
                return
            log.warning("query failed: %r", err)
            self._busy, self._searched = False, True
            self._message = "查询暂时失败，请稍后再试"
            self.changed.emit()

        self._runner.run("query", job, done, failed)

    def card_read(self) -> None:
        """An ID card was read while the query screen is shown: search by it."""
        self.changed.emit()
        if self._session.identity is not None and not self._busy:
            self.searchByCard()

    def wipe(self) -> None:
        self.stopScan()
        self._scan_message = ""
        self._reset()
        self.changed.emit()


class HelpViewModel(QObject):
    changed = Signal()

    def __init__(self, config: Config, sync: SyncStack | None,
                 runner: BackgroundRunner) -> None:
        super().__init__()
        self._config = config
        self._sync = sync
        self._runner = runner
        self._state = "idle"  # idle sending sent failed
        self._generation = 0

    state = Property(str, lambda s: s._state, notify=changed, final=True)

    def requested(self, screen: str, service_code: str | None) -> None:
        """The citizen pressed 一键呼叫 on ``screen``: queue the request for hall staff."""
        if self._sync is None:
            self._state = "failed"
            self.changed.emit()
            return
        body = {"screen": screen, "service_code": service_code or "",
                "hall_name": self._config.kiosk.hall_name}
        outbox, worker = self._sync.outbox, self._sync.worker
        self._state = "sending"
        self.changed.emit()
        generation = self._generation

        def job() -> str:
            key = outbox.enqueue_event("help_request", body)
            try:
                worker.run_once()  # deliver it now if the platform answers
            except Exception as err:  # it is queued: the worker delivers it later
                log.warning("sync pass after help request failed: %r", err)
            return key

        def done(_key: str) -> None:
            if generation == self._generation:
                self._state = "sent"
                self.changed.emit()

        def failed(err: BaseException) -> None:
            log.error("help request not stored: %r", err)
            if generation == self._generation:
                self._state = "failed"
                self.changed.emit()

        self._runner.run("help-request", job, done, failed)

    def wipe(self) -> None:
        self._generation += 1
        self._state = "idle"
        self.changed.emit()
