"""帮办代办: staff log-in, the hand-off of a citizen's draft, and this terminal's queue.

``StaffViewModel`` is the ``staff`` property of the app's view-model. Its ``panel`` is what
the staff layer of Main.qml shows above the citizen screens: ``""`` (nothing), ``"login"``
(staff card + PIN, or staff ID + PIN where ``staff.allow_pin_only``) or ``"desk"`` (本机办件:
the queue of this terminal).

Hand-off: a citizen stuck mid-journey presses 呼叫 (the help screen) and staff log in on
that screen; the citizen's draft is kept, the journey goes on where it was, and from then
on every form field typed is attributed to the staff member (``CitizenSession.actor``
becomes ``staff:<id>``; the draft's ``entered_by`` carries it sealed to the platform) and
the application goes as ``assisted`` with the staff ID. Log-out (explicit, idle timeout,
staff card pulled) turns attribution back to the citizen.

The desk lists this terminal's applications (masked values only) with state, reason and
history, filtered by state and searched by number or service; a dead letter can be put
back in the queue (重新上报), any receipt still on the kiosk reprinted (补打), a case the
platform returned as 需补正 reopened and resubmitted under the same case
(``Outbox.submit_correction``), and the day's summary (日终汇总, counts by service and
state, items still undelivered) printed as A4 or saved. Every staff action is audited
with the staff ID as actor. Blocking work (card and scrypt in log-in, SQLite, printing)
runs through ``BackgroundRunner``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.catalogue import Catalogue
from kiosk.config import Config
from kiosk.errors import KioskError
from printing.model import CHINA_TZ, format_time
from ui.bridge import BackgroundRunner
from ui.devices import KioskDevices
from ui.session import CitizenSession

if TYPE_CHECKING:
    from kiosk.staffauth import StaffAuth, StaffSession
    from sync.outbox import ApplicationView
    from sync.service import SyncStack

log = logging.getLogger(__name__)

#: the desk's state filter: label → states
FILTERS: dict[str, tuple[str, ...]] = {
    "all": (),
    "undelivered": ("pending", "sending", "retry_scheduled"),
    "dead_letter": ("dead_letter",),
    "needs_correction": ("needs_correction",),
    "done": ("submitted", "accepted", "refused", "completed"),
}
MSG_NO_QUEUE = "本机未启用办件队列，无法使用帮办功能"
MSG_NO_READER = "本机没有读卡器，请使用工号和密码登录"
MSG_PIN_FORMAT = "请输入4至12位数字密码"
MSG_LOGGED_OUT = {"idle": "长时间未操作，工作人员已自动退出",
                  "card_removed": "工作证已拔出，工作人员已退出",
                  "explicit": "工作人员已退出", "replaced": "工作人员已切换"}


def _fmt(ts: float | None) -> str:
    """China Standard Time, like the receipts (the kiosk's own clock zone may be UTC)."""
    return "" if ts is None else format_time(ts)


def day_start(now: float) -> float:
    """Midnight (China Standard Time) of the day of ``now``."""
    d = dt.datetime.fromtimestamp(now, tz=CHINA_TZ)
    return d.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def summary_sections(views: Sequence[ApplicationView], *, now: float) -> list[Any]:
    """日终汇总 as report sections: totals, counts by service and state, undelivered items."""
    from printing.report import Section

    by_state: Counter[str] = Counter(v.state.label for v in views)
    undelivered = [v for v in views if v.state.value in
                   ("pending", "sending", "retry_scheduled", "dead_letter")]
    totals = [("办件总数", str(len(views))),
              ("已上报平台", str(len(views) - len(undelivered))),
              ("尚未上报", str(len(undelivered))),
              ("帮办（工作人员协助）", str(sum(v.channel_kind == "assisted" for v in views))),
              ("代办", str(sum(bool(v.proxy) for v in views)))]
    states = sorted(by_state)
    services: dict[tuple[str, str], Counter[str]] = {}
    for v in views:
        services.setdefault((v.service_code, v.service_name), Counter())[v.state.label] += 1
    table: list[list[str]] = [["事项", *states, "合计"]]
    for (code, name), counts in sorted(services.items()):
        table.append([f"{name}（{code}）", *[str(counts.get(s, 0)) for s in states],
                      str(sum(counts.values()))])
    table.append(["合计", *[str(by_state[s]) for s in states], str(len(views))])
    sections = [Section("汇总", pairs=totals)]
    if views:
        sections.append(Section("按事项与状态", table=table,
                                widths=[4.0] + [1.2] * len(states) + [1.0]))
    if undelivered:
        rows = [["临时受理编号", "事项", "状态", "原因", "受理时间"]]
        rows += [[v.provisional_no, v.service_name, v.state.label, v.reason_zh or "",
                  _fmt(v.created_at)] for v in undelivered]
        sections.append(Section("尚未上报的办件", table=rows, widths=[3.2, 3, 1.3, 3, 2.2],
                                paragraphs=["以上办件保存在本机，联网后自动上报；"
                                            "上报失败的办件请在“本机办件”中重新上报或联系技术人员。"]))
    else:
        sections.append(Section("尚未上报的办件",
                                paragraphs=["无：本日办件均已上报政务服务平台。"]))
    return sections


class StaffViewModel(QObject):
    changed = Signal()
    queueChanged = Signal()

    def __init__(self, config: Config, catalogue: Catalogue, citizen: CitizenSession,
                 sync: SyncStack | None, devices: KioskDevices, runner: BackgroundRunner,
                 auth: StaffAuth | None, *, clock: Callable[[], float] = time.time,
                 on_correction: Callable[[Any], None] | None = None) -> None:
        super().__init__()
        self._config = config
        self._catalogue = catalogue
        self._citizen = citizen
        self._sync = sync
        self._devices = devices
        self._runner = runner
        self._auth = auth
        self._clock = clock
        self._on_correction = on_correction
        self._panel = ""
        self._session: StaffSession | None = None
        self._busy = False
        self._error = ""
        self._message = ""
        self._filter = "all"
        self._search = ""
        self._rows: list[dict[str, Any]] = []
        self._detail: dict[str, Any] = {}
        self._summary_file = ""
        self._ended: list[tuple[Any, str]] = []  # from the reader's thread, handled in tick
        if auth is not None:
            auth.add_session_listener(lambda session, reason: self._ended.append(
                (session, reason)))
            reader = devices.smartcard
            if reader is not None and hasattr(reader, "add_listener"):
                reader.add_listener(auth.card_listener)

    # -- properties -----------------------------------------------------------------------
    panel = Property(str, lambda s: s._panel, notify=changed, final=True)
    available = Property(bool, lambda s: s._auth is not None and s._sync is not None,
                         notify=changed, final=True)
    loggedIn = Property(bool, lambda s: s._session is not None, notify=changed, final=True)
    staffId = Property(str, lambda s: s._session.staff_id if s._session else "",
                       notify=changed, final=True)
    staffName = Property(str, lambda s: s._session.display_name if s._session else "",
                         notify=changed, final=True)
    pinOnly = Property(bool, lambda s: bool(s._auth and s._auth.allow_pin_only),
                       notify=changed, final=True)
    cardLogin = Property(bool, lambda s: s._devices.smartcard is not None, notify=changed,
                         final=True)
    busy = Property(bool, lambda s: s._busy, notify=changed, final=True)
    error = Property(str, lambda s: s._error, notify=changed, final=True)
    message = Property(str, lambda s: s._message, notify=changed, final=True)
    stateFilter = Property(str, lambda s: s._filter, notify=queueChanged, final=True)
    searchText = Property(str, lambda s: s._search, notify=queueChanged, final=True)
    rows = Property(list, lambda s: s._rows, notify=queueChanged, final=True)
    detail = Property(dict, lambda s: s._detail, notify=queueChanged, final=True)
    summaryFile = Property(str, lambda s: s._summary_file, notify=changed, final=True)
    demo = Property(bool, lambda s: s._config.mode == "demo"
                    and getattr(s._devices.smartcard, "backend", "") == "simulated",
                    notify=changed, final=True)

    @property
    def session(self) -> StaffSession | None:
        return self._session

    @property
    def actor(self) -> str:
        return f"staff:{self._session.staff_id}" if self._session else "citizen"

    def _set(self, *, error: str | None = None, message: str | None = None,
             busy: bool | None = None) -> None:
        if error is not None:
            self._error = error
        if message is not None:
            self._message = message
        if busy is not None:
            self._busy = busy
        self.changed.emit()

    def _audit(self, action: str, detail: dict[str, Any]) -> None:
        if self._sync is not None and self._session is not None:
            self._sync.audit.record(self._session.staff_id, action, detail)

    # -- log-in and log-out ------------------------------------------------------------
    @Slot()
    def openLogin(self) -> None:
        if self._auth is None or self._sync is None:
            self._panel = "login"
            self._set(error=MSG_NO_QUEUE, message="")
            return
        self._panel = "desk" if self._session is not None else "login"
        self._set(error="", message="")
        if self._panel == "desk":
            self.refresh()

    @Slot()
    def closePanel(self) -> None:
        self._panel = ""
        self._detail = {}
        self._set(error="", message="")
        self.queueChanged.emit()

    def _pin_ok(self, pin: str) -> bool:
        if not (pin.isdigit() and 4 <= len(pin) <= 12):
            self._set(error=MSG_PIN_FORMAT)
            return False
        return True

    @Slot()
    def simulateInsertStaffCard(self) -> None:
        """Demo only: put the demo staff card in the simulated reader (docs/staff.md)."""
        reader = self._devices.smartcard
        if self._config.mode == "demo" and reader is not None and hasattr(reader, "insert"):
            from devices.smartcard.simulated import SimulatedStaffCard

            reader.insert(SimulatedStaffCard.demo())

    @Slot(str)
    def loginCard(self, pin: str) -> None:
        """Staff card in the reader + PIN."""
        auth, reader = self._auth, self._devices.smartcard
        if auth is None or self._busy or not self._pin_ok(pin):
            return
        if reader is None:
            self._set(error=MSG_NO_READER)
            return
        self._set(busy=True, error="", message="正在核验工作证…")
        self._runner.run("staff-login", lambda: auth.login_with_card(reader, pin),
                         self._logged_in, self._login_failed)

    @Slot(str, str)
    def loginPin(self, staff_id: str, pin: str) -> None:
        auth = self._auth
        if auth is None or self._busy or not self._pin_ok(pin):
            return
        self._set(busy=True, error="", message="正在核验…")
        self._runner.run("staff-login", lambda: auth.login_with_pin(staff_id.strip(), pin),
                         self._logged_in, self._login_failed)

    def _logged_in(self, session: StaffSession) -> None:
        self._session = session
        self._citizen.actor = self.actor
        self._panel = ""  # back to the citizen's screen: the hand-off goes on there
        self._set(busy=False, error="", message="")

    def _login_failed(self, err: BaseException) -> None:
        msg = getattr(err, "user_message", "") if isinstance(err, KioskError) else ""
        self._set(busy=False, message="", error=msg or "登录失败，请重试")

    @Slot()
    def logout(self) -> None:
        if self._auth is not None:
            self._auth.logout()
        self.tick()

    def tick(self) -> None:
        """From the app's timer: idle time-out, and ends reported by the reader's thread."""
        if self._auth is not None and self._session is not None:
            self._auth.check_idle()
        while self._ended:
            session, reason = self._ended.pop(0)
            if session is self._session:
                self._session = None
                self._citizen.actor = "citizen"
                if self._panel == "desk":
                    self._panel = ""
                    self._detail = {}
                    self.queueChanged.emit()
                self._set(message=MSG_LOGGED_OUT.get(reason, "工作人员已退出"), error="")

    def activity(self) -> None:
        if self._auth is not None and self._session is not None:
            self._auth.touch()

    # -- the desk: this terminal's queue ---------------------------------------------------
    @Slot()
    def openDesk(self) -> None:
        if self._session is None:
            self.openLogin()
            return
        self._panel = "desk"
        self._set(error="", message="")
        self.refresh()

    @Slot(str)
    def setStateFilter(self, name: str) -> None:
        if name in FILTERS and name != self._filter:
            self._filter = name
            self.refresh()

    @Slot(str)
    def setSearch(self, text: str) -> None:
        if text != self._search:
            self._search = text
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        if self._sync is None or self._session is None:
            return
        outbox = self._sync.outbox
        states = FILTERS[self._filter] or None
        views = outbox.list_applications(states=states, text=self._search, limit=200)
        self._rows = [self._row(v) for v in views]
        if self._detail:
            key = self._detail.get("key", "")
            view = outbox.application(key)
            self._detail = self._detail_of(view) if view is not None else {}
        self.queueChanged.emit()

    @staticmethod
    def _row(v: ApplicationView) -> dict[str, Any]:
        return {"key": v.key, "provisionalNo": v.provisional_no, "caseNo": v.case_no or "",
                "serviceName": v.service_name, "serviceCode": v.service_code,
                "maskedName": v.masked_name, "state": v.state.value,
                "stateLabel": v.state.label, "reason": v.reason_zh or "",
                "created": _fmt(v.created_at), "assisted": v.channel_kind == "assisted",
                "proxy": bool(v.proxy)}

    def _detail_of(self, v: ApplicationView) -> dict[str, Any]:
        out = self._row(v)
        correction = v.correction if v.state.value == "needs_correction" else None
        out.update({
            "maskedId": v.masked_id, "updated": _fmt(v.last_updated),
            "attempts": v.attempts,
            "materials": [f"{name}（{m.trust_level}级）" for m, name in zip(
                v.materials, self._material_labels(v.service_code,
                                                   [m.material_id for m in v.materials]),
                strict=True)],
            "history": [{"at": _fmt(h.at), "label": h.label, "reason": h.reason_zh}
                        for h in reversed(v.history)],
            "canRetry": v.state.value == "dead_letter",
            "canCorrect": correction is not None and not v.superseded_by,
            "correctionNote": correction.note_zh if correction else "",
            "correctionFields": self._field_labels(v.service_code, correction.fields)
            if correction else [],
            "correctionMaterials": self._material_labels(v.service_code,
                                                         correction.materials)
            if correction else [],
            "supersedes": v.supersedes or "",
        })
        return out

    def _field_labels(self, code: str, ids: Sequence[str]) -> list[str]:
        try:
            fields = {f.id: f.label for f in self._catalogue.service(code).fields}
        except LookupError:
            fields = {}
        return [fields.get(i, i) for i in ids]

    def _material_labels(self, code: str, ids: Sequence[str]) -> list[str]:
        try:
            mats = {m.id: m.name for m in self._catalogue.service(code).materials}
        except LookupError:
            mats = {}
        return [mats.get(i, i) for i in ids]

    @Slot(str)
    def select(self, key: str) -> None:
        if self._sync is None or self._session is None:
            return
        view = self._sync.outbox.application(key) if key else None
        self._detail = self._detail_of(view) if view is not None else {}
        self.queueChanged.emit()

    @Slot(str)
    def retry(self, key: str) -> None:
        """重新上报 a dead letter (audited), then wake the worker."""
        sync = self._sync
        if sync is None or self._session is None:
            return
        n = sync.outbox.retry_dead_letters([key])
        view = sync.outbox.application(key)
        self._audit("queue_retry", {"receipt_no": view.provisional_no if view else "",
                                    "requeued": n})
        sync.worker.wake()
        self._set(message="已重新加入上报队列" if n else "该办件不需要重新上报", error="")
        self.refresh()

    @Slot(str, str)
    def reprint(self, key: str, document: str) -> None:
        """补打 the receipt (or ``notice`` / ``materials`` on the A4 printer)."""
        sync, session = self._sync, self._session
        if sync is None or session is None or self._busy:
            return
        view = sync.outbox.application(key)
        if view is None:
            return
        from printing.reprint import Reprinter

        reprinter = Reprinter(sync.outbox, self._config.kiosk, catalogue=self._catalogue,
                              receipt_printer=self._devices.receipt_printer,
                              a4_printer=self._devices.a4_printer, audit=sync.audit)
        number, actor = view.provisional_no, session.staff_id
        self._set(busy=True, error="", message="正在补打…")
        self._runner.run("reprint", lambda: reprinter.reprint(number, actor=actor,
                                                              document=document or "receipt"),
                         self._reprinted, self._action_failed)

    def _reprinted(self, result: Any) -> None:
        ok = result.outcome.printed
        self._set(busy=False, message="补打完成，请取走" if ok else "",
                  error="" if ok else (result.outcome.message_zh or "打印失败"))

    def _action_failed(self, err: BaseException) -> None:
        msg = getattr(err, "user_message", "") if isinstance(err, KioskError) else ""
        log.warning("staff action failed: %r", err)
        self._set(busy=False, message="", error=msg or "操作失败，请重试")

    @Slot(str)
    def startCorrection(self, key: str) -> None:
        """需补正: reopen the case for the citizen in front of the desk (the journey starts
        at identification; the application goes as a correction of this case)."""
        if self._sync is None or self._session is None:
            return
        view = self._sync.outbox.application(key)
        if view is None or not self._detail_of(view)["canCorrect"]:
            self._set(error="该办件当前不需要补正")
            return
        self._audit("correction_opened", {"receipt_no": view.provisional_no,
                                          "case_no": view.case_no or ""})
        self._panel = ""
        self._detail = {}
        self._set(error="", message="")
        self.queueChanged.emit()
        if self._on_correction is not None:
            self._on_correction(view)

    # -- 日终汇总 ---------------------------------------------------------------------------
    @Slot()
    def printSummary(self) -> None:
        sync, session = self._sync, self._session
        if sync is None or session is None or self._busy:
            return
        now = self._clock()
        outbox, kiosk, a4 = sync.outbox, self._config.kiosk, self._devices.a4_printer
        out_dir = self._config.data_dir / "reports"
        staff_id = session.staff_id

        def job() -> tuple[str, bool, str]:
            from printing.report import render_report

            views = outbox.list_applications(since=day_start(now), limit=100_000)
            local = dt.datetime.fromtimestamp(now, tz=CHINA_TZ)
            day = local.strftime("%Y年%m月%d日")
            pdf = render_report(f"{day}办件日终汇总", summary_sections(views, now=now),
                                hall_name=kiosk.hall_name, kiosk_code=kiosk.code,
                                subtitle=f"工作人员 {staff_id}", printed_at=now)
            out_dir.mkdir(parents=True, exist_ok=True)
            path = out_dir / f"day-summary-{local:%Y%m%d-%H%M%S}.pdf"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pdf)
            tmp.replace(path)
            printed, detail = False, "本机未配置A4打印机，汇总已保存"
            if a4 is not None:
                outcome = a4.print_pdf(pdf, title="day-summary", number=path.stem)
                printed = outcome.printed
                detail = "" if printed else (outcome.message_zh or "打印失败，汇总已保存")
            sync.audit.record(staff_id, "day_summary", {"applications": len(views),
                                                         "printed": printed})
            return str(path), printed, detail

        self._set(busy=True, error="", message="正在生成日终汇总…")
        self._runner.run("day-summary", job, self._summary_done, self._action_failed)

    def _summary_done(self, result: tuple[str, bool, str]) -> None:
        path, printed, detail = result
        self._summary_file = path
        self._set(busy=False, message="日终汇总已打印，请到A4打印机取件" if printed else detail,
                  error="")
