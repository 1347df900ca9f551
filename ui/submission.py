"""提交 → 结果 → 回执 → 好差评 → 请取回您的证件: everything after 核对提交.

**Submit** (REVIEW → SUBMITTING): the draft is built on the GUI thread from the
:class:`~ui.session.CitizenSession` and stored by ``Outbox.submit_application`` on a
background job (``client_ref`` = the draft id, so pressing 提交 again after a failure never
creates a second application). Right after it is stored, one sync pass runs (another job);
the result screen shows the official case number if the platform answered within
``SYNC_WAIT_MS``, otherwise the provisional number and a plain explanation. A
``StorageError`` (disk full, queue limits) or ``ValidationError`` goes back to REVIEW with
its Chinese message; nothing the citizen entered is lost.

**Receipt**: printed on entering RECEIPT (a job: the printer may take seconds), then the
citizen confirms "回执是否已打印？". A printer that is out of paper, offline or could not
confirm the job leads to the fallbacks of ``PrintOutcome``: the QR code on screen (always)
and the A4 notice when an A4 printer exists.

**保存到手机** (online only): the same 受理通知书 the A4 printer prints is rendered and
uploaded to the platform on a background job (``PlatformClient.upload_notice``); the
short-lived download link comes back and is shown as a QR code for the citizen's phone.
Offline, the button is disabled with the reason and the other fallbacks stay. The link is a
bearer credential: it is never logged, and the session wipe drops it with its QR code.

**好差评**: five levels, reasons for a low rating, one rating per application, enqueued as a
``rating`` event (no personal data in it). **Farewell**: "请取回您的证件"; taking the card
away, 完成, or ``FAREWELL_S`` seconds end the session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import qrcode
from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

from kiosk.catalogue import Catalogue, Service
from kiosk.config import Config
from kiosk.errors import KioskError
from kiosk.journey import Journey, State
from ui.bridge import BackgroundRunner
from ui.devices import KioskDevices
from ui.models import pick
from ui.session import CitizenSession
from ui.steps import material_inputs, received_materials
from ui.texts import say

if TYPE_CHECKING:
    from sync.service import SyncStack

log = logging.getLogger(__name__)

SYNC_WAIT_MS = 8000
FAREWELL_S = 20.0
MSG_SUBMIT_FAILED = "提交没有成功，您填写的信息都还在，请再试一次或联系工作人员"
MSG_NO_QUEUE = "本机暂时无法保存申请，请联系工作人员"
MSG_NOT_TAKEN = "没关系，您的申请已保存。请扫描下方二维码记下受理编号，或打印A4受理通知书。"
MSG_NO_PRINTER = "本机暂时无法打印回执，您的申请已保存。请扫描屏幕上的二维码记下受理编号"
MSG_NOTICE_UPLOADING = "正在生成受理通知书下载二维码，请稍候…"
MSG_NOTICE_READY = "请用手机扫码下载受理通知书（24小时内有效）"
MSG_NOTICE_OFFLINE = "当前无法连接政务服务平台，暂时不能保存到手机；请取走回执或记下受理编号"
MSG_NOTICE_UNREACHABLE = "网络暂时不通，未能保存到手机，请稍后再试，或取走回执、记下受理编号"
MSG_NOTICE_NOT_YET = "您的申请正在上报政务服务平台，请稍后再点“保存到手机”"
MSG_NOTICE_FAILED = "暂时无法保存到手机，请取走回执或记下受理编号"

RATING_LEVELS = [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]
LOW_RATING_REASONS = ["办理流程复杂", "材料要求不清楚", "等待时间长", "操作界面不好用",
                      "设备故障", "工作人员服务", "其他"]

EXPLAIN_OFFICIAL = ("您的申请已上报政务服务平台并取得办件编号。可凭办件编号或身份证在本机"
                    "“办件查询”中查看进度，办理结果也会短信通知您。")
EXPLAIN_PROVISIONAL = ("当前暂时无法连接政务服务平台。您的申请已安全保存在本机，并取得临时受理"
                       "编号，与正式受理具有同等效力。网络恢复后，本机会自动上报，您无需再跑"
                       "一趟；上报后可凭临时受理编号或身份证在本机查询办件编号和进度。")
EXPLAIN_PENDING_ONLINE = ("您的申请已保存在本机，正在上报政务服务平台，请凭临时受理编号查询"
                          "进度；上报成功后会生成正式办件编号。")


def qr_matrix(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return [list(map(bool, row)) for row in code.get_matrix()]


class SubmissionViewModel(QObject):
    changed = Signal()
    printChanged = Signal()
    ratingChanged = Signal()
    noticeChanged = Signal()

    def __init__(self, session: CitizenSession, journey: Journey, config: Config,
                 catalogue: Catalogue, sync: SyncStack | None, devices: KioskDevices,
                 runner: BackgroundRunner, *, review_error: Callable[[str], None],
                 after_store: Callable[[], None] | None = None,
                 language: Callable[[], str] = lambda: "zh_CN",
                 online: Callable[[], bool] = lambda: False) -> None:
        super().__init__()
        self._session = session
        self._journey = journey
        self._config = config
        self._catalogue = catalogue
        self._sync = sync
        self._devices = devices
        self._runner = runner
        self._review_error = review_error
        self._after_store = after_store
        self._language = language
        self._online = online  # the platform link is up (保存到手机 needs it)
        self._generation = 0  # answers of an earlier session's jobs are dropped
        self._state_label = ""
        self._delivered = False
        self._explanation = ""
        self._online_when_stored = False
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._sync_deadline)
        self._reset_print()
        self._reset_notice()
        self._reset_rating()
        self._farewell_since: float | None = None

    def _reset_print(self) -> None:
        self._print_state = "idle"  # idle printing printed not_printed uncertain
        self._print_message = ""
        self._ask_confirm = False
        self._fallback = False
        self._a4_state = "idle"  # idle printing printed failed
        self._a4_message = ""
        self._qr: list[list[bool]] = []

    def _reset_notice(self) -> None:
        self._notice_state = "idle"  # idle uploading ready failed
        self._notice_message = ""
        self._notice_url = ""  # a bearer link: never logged
        self._notice_qr: list[list[bool]] = []

    def _reset_rating(self) -> None:
        self._level = 0
        self._reasons: list[str] = []
        self._rating_error = ""

    # -- result properties --------------------------------------------------------------------
    def _receipt_attr(self, name: str) -> str:
        receipt = self._session.receipt
        return str(getattr(receipt, name, "") or "") if receipt is not None else ""

    provisionalNo = Property(str, lambda s: s._receipt_attr("provisional_no"),
                             notify=changed, final=True)
    caseNo = Property(str, lambda s: s._session.case_no or "", notify=changed, final=True)
    number = Property(str, lambda s: s._session.case_no or s._receipt_attr("provisional_no"),
                      notify=changed, final=True)
    numberLabel = Property(str, lambda s: s._say("办件编号" if s._session.case_no
                                                 else "临时受理编号"),
                           notify=changed, final=True)
    delivered = Property(bool, lambda s: s._delivered, notify=changed, final=True)
    stateLabel = Property(str, lambda s: s._say(s._state_label), notify=changed, final=True)
    explanation = Property(str, lambda s: s._say(s._explanation), notify=changed, final=True)
    maskedName = Property(str, lambda s: s._receipt_attr("masked_name"), notify=changed,
                          final=True)
    serviceName = Property(str, lambda s: s._service_name(), notify=changed, final=True)

    # -- receipt properties -------------------------------------------------------------------
    printState = Property(str, lambda s: s._print_state, notify=printChanged, final=True)
    printMessage = Property(str, lambda s: s._say(s._print_message), notify=printChanged,
                            final=True)
    askConfirm = Property(bool, lambda s: s._ask_confirm, notify=printChanged, final=True)
    fallback = Property(bool, lambda s: s._fallback, notify=printChanged, final=True)
    a4Available = Property(bool, lambda s: s._devices.a4_printer is not None,
                           notify=printChanged, final=True)
    a4State = Property(str, lambda s: s._a4_state, notify=printChanged, final=True)
    a4Message = Property(str, lambda s: s._say(s._a4_message), notify=printChanged,
                         final=True)
    qrSize = Property(int, lambda s: len(s._qr), notify=printChanged, final=True)
    qrModules = Property(list, lambda s: [v for row in s._qr for v in row],
                         notify=printChanged, final=True)

    # -- 保存到手机 properties ---------------------------------------------------------------
    noticeOffered = Property(bool, lambda s: s._notice_offered(), notify=noticeChanged,
                             final=True)
    noticeAvailable = Property(bool, lambda s: s._notice_offered() and s._online(),
                               notify=noticeChanged, final=True)
    noticeState = Property(str, lambda s: s._notice_state, notify=noticeChanged, final=True)
    noticeMessage = Property(str, lambda s: s._say(s._notice_text()), notify=noticeChanged,
                             final=True)
    noticeUrl = Property(str, lambda s: s._notice_url, notify=noticeChanged, final=True)
    noticeQrSize = Property(int, lambda s: len(s._notice_qr), notify=noticeChanged,
                            final=True)
    noticeQrModules = Property(list, lambda s: [v for row in s._notice_qr for v in row],
                               notify=noticeChanged, final=True)

    # -- rating properties ----------------------------------------------------------------------
    levels = Property(list, lambda s: [{"level": n, "label": s._say(t)}
                                       for n, t in RATING_LEVELS],
                      notify=ratingChanged, final=True)
    level = Property(int, lambda s: s._level, notify=ratingChanged, final=True)
    lowRating = Property(bool, lambda s: 0 < s._level <= 2, notify=ratingChanged, final=True)
    reasonOptions = Property(list, lambda s: [{"key": r, "label": s._say(r)}
                                              for r in LOW_RATING_REASONS],
                             notify=ratingChanged, final=True)
    reasons = Property(list, lambda s: list(s._reasons), notify=ratingChanged, final=True)
    ratingError = Property(str, lambda s: s._say(s._rating_error), notify=ratingChanged,
                           final=True)

    def _say(self, text: str) -> str:
        return say(self._language(), text)

    def _service_name(self) -> str:
        """The receipt keeps the Chinese name (official); the screen follows the language."""
        name = self._receipt_attr("service_name")
        try:
            service = self._catalogue.service(self._receipt_attr("service_code"))
        except KeyError:
            return name
        return pick(self._language(), name, service.name_en)

    def relabel(self) -> None:
        self.changed.emit()
        self.printChanged.emit()
        self.ratingChanged.emit()
        self.noticeChanged.emit()

    # -- submit ---------------------------------------------------------------------------------
    def _service(self) -> Service | None:
        return self._journey.service

    @Slot()
    def submit(self) -> None:
        """提交 on the review screen."""
        service = self._service()
        if self._journey.state != State.REVIEW or service is None:
            return
        if self._sync is None:
            self._review_error(MSG_NO_QUEUE)
            return
        try:
            draft = self._draft(service)
        except KioskError as err:
            self._review_error(err.user_message)
            return
        self._review_error("")
        self._journey.next_step()  # → SUBMITTING (the inactivity timer is held there)
        outbox = self._sync.outbox
        ref = self._session.draft_id
        generation = self._generation
        self._online_when_stored = self._sync.worker.status.link.value == "up"
        original = self._session.correction_of
        if original is not None:  # 需补正: the same case, a new record (Outbox docstring)
            def store() -> Any:
                return outbox.submit_correction(original, draft, client_ref=ref)
        else:
            def store() -> Any:
                return outbox.submit_application(draft, client_ref=ref)
        self._runner.run("submit", store,
                         lambda receipt: self._stored(generation, receipt),
                         lambda err: self._store_failed(generation, err))

    def _channel(self) -> Any:
        """帮办 (assisted, with the staff ID) and 代办 (the agent, sealed)."""
        from sync.outbox import Channel, Person

        s = self._session
        if not s.actor.startswith("staff:"):
            return Channel()
        staff_id = s.actor.partition(":")[2]
        agent = s.agent
        if agent is None:
            return Channel(kind="assisted", staff_id=staff_id)
        from ui.proxy import LETTER_ID

        extra: dict[str, Any] = {"sex": agent.sex, "card": agent.card_label,
                                 "identified_by": agent.source}
        if agent.birth is not None:
            extra["birth"] = agent.birth.isoformat()
        return Channel(kind="assisted", staff_id=staff_id,
                       proxy_relationship=s.proxy_relationship or None,
                       agent=Person(name=agent.name, id_number=agent.id_number,
                                    address=agent.address, extra=extra),
                       authorisation_material_id=LETTER_ID,
                       agent_signature=s.agent_signature_png)

    def _draft(self, service: Service) -> Any:
        from sync.outbox import ApplicationDraft, Consent, MaterialInput, Person

        s = self._session
        ident = s.identity
        if ident is None:
            raise KioskError("no identity", user_message="请先读取身份证")
        from ui.proxy import for_session

        with_letter = for_session(service, s)  # 代办: the 授权委托书 is a material
        form = dict(s.form)
        phone = next((form[f.id] for f in service.fields if f.kind == "phone"
                      and form.get(f.id)), "")
        address = ident.address or next((form[f.id] for f in service.fields
                                         if f.kind == "address" and form.get(f.id)), "")
        extra: dict[str, Any] = {"sex": ident.sex, "card": ident.card_label,
                                 "identified_by": ident.source}
        if ident.birth is not None:
            extra["birth"] = ident.birth.isoformat()
        return ApplicationDraft(
            service_code=service.code, service_name=service.name,
            catalogue_version=self._catalogue.version,
            applicant=Person(name=ident.name, id_number=ident.id_number, phone=phone,
                             address=address, extra=extra),
            form=form,
            materials=[MaterialInput(*m) for m in material_inputs(s, with_letter)],
            consent=Consent(personal_info=s.consent_personal,
                            sensitive_info=s.consent_sensitive, face=s.face_consent,
                            commitment=s.consent_commitment),
            face_status=s.face_status if service.needs_face else "not_required",  # type: ignore[arg-type]
            signature=s.signature_png,
            channel=self._channel(),
            entered_by={k: v for k, v in s.entered_by.items() if k in form})

    def _stored(self, generation: int, receipt: Any) -> None:
        if generation != self._generation:
            return
        self._session.receipt = receipt
        self._session.forget_after_store()
        if self._after_store is not None:
            self._after_store()
        self._state_label = receipt.state_label
        assert self._sync is not None
        worker, outbox, key = self._sync.worker, self._sync.outbox, receipt.key

        def one_pass() -> Any:
            worker.run_once()
            return outbox.application(key)

        self._deadline.start(SYNC_WAIT_MS)
        self._runner.run("sync-after-submit", one_pass,
                         lambda view: self._synced(generation, view),
                         lambda err: self._sync_failed(generation, err))
        self.changed.emit()

    def _store_failed(self, generation: int, err: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(err, KioskError):
            message = err.user_message
            log.warning("submission not stored: %s", err.detail)
        else:
            message = MSG_SUBMIT_FAILED
            log.error("submission not stored: %r", err)
        if self._journey.state == State.SUBMITTING:
            self._journey.submission_failed()
        self._review_error(message or MSG_SUBMIT_FAILED)

    def _synced(self, generation: int, view: Any) -> None:
        if generation != self._generation:
            return
        self._apply_view(view)
        self._show_result()

    def _sync_failed(self, generation: int, err: BaseException) -> None:
        if generation != self._generation:
            return
        log.warning("sync pass after submission failed: %r", err)
        self._show_result()

    def _sync_deadline(self) -> None:
        log.info("platform did not answer within %d ms: showing the provisional number",
                 SYNC_WAIT_MS)
        self._show_result()

    def _apply_view(self, view: Any) -> None:
        if view is None:
            return
        if view.case_no:
            self._session.case_no = view.case_no
        self._delivered = view.state.value in ("submitted", "accepted", "needs_correction",
                                               "refused", "completed")
        self._state_label = view.state_label
        self._explain()
        self.changed.emit()

    def _explain(self) -> None:
        if self._session.case_no:
            self._explanation = EXPLAIN_OFFICIAL
        elif self._sync is not None and self._sync.worker.status.link.value == "up":
            self._explanation = EXPLAIN_PENDING_ONLINE
        else:
            self._explanation = EXPLAIN_PROVISIONAL

    def _show_result(self) -> None:
        self._deadline.stop()
        if self._journey.state != State.SUBMITTING:
            return
        self._explain()
        self._journey.submitted()
        self.changed.emit()

    # -- receipt ----------------------------------------------------------------------------
    def entered_receipt(self) -> None:
        self._reset_print()
        self._reset_notice()
        self.noticeChanged.emit()
        receipt = self._session.receipt
        if receipt is not None:
            self._qr = qr_matrix(self._qr_payload())
        printer = self._devices.receipt_printer
        if printer is None or receipt is None:
            self._print_state = "not_printed"
            self._print_message = MSG_NO_PRINTER
            self._fallback = True
            self.printChanged.emit()
            return
        self._print_state = "printing"
        self._print_message = "正在打印回执，请稍候…"
        self.printChanged.emit()
        data = self._receipt_data()
        generation = self._generation
        self._runner.run("print-receipt", lambda: printer.print_receipt(data),
                         lambda outcome: self._printed(generation, outcome),
                         lambda err: self._print_failed(generation, err))

    def _qr_payload(self) -> str:
        from printing.model import qr_payload_for

        return qr_payload_for(self._receipt_attr("provisional_no"))

    def _receipt_data(self) -> Any:
        from printing.model import build_receipt

        service = self._service()
        source: Any = self._session.receipt
        if self._sync is not None and source is not None:
            view = self._sync.outbox.application(source.key)
            source = view if view is not None else source
        dept = self._catalogue.department(service.department_id).name if service else ""
        from ui.proxy import for_session

        materials = received_materials(self._session, for_session(service, self._session)) \
            if service else []
        return build_receipt(source, service, self._config.kiosk, materials=materials,
                             department_name=dept)

    def _printed(self, generation: int, outcome: Any) -> None:
        self._report_printer(outcome)
        if generation != self._generation:
            return
        if outcome.paper_low:
            self._devices.faults["receipt_printer"] = "纸将用完"
        if outcome.printed:
            self._print_state = "printed"
            self._print_message = outcome.message_zh
            self._ask_confirm = True
        elif outcome.check_with_citizen:
            self._print_state = "uncertain"
            self._print_message = outcome.message_zh
            self._ask_confirm = True
            self._devices.faults["receipt_printer"] = outcome.detail
        else:
            self._print_state = "not_printed"
            self._print_message = outcome.message_zh
            self._fallback = True
            self._devices.faults["receipt_printer"] = outcome.detail
        self.printChanged.emit()

    def _report_printer(self, outcome: Any) -> None:
        """Tell maintenance (a heartbeat through the queue, at once for a new fault)."""
        if self._sync is None:
            return
        last = outcome.status_after or outcome.status_before
        state = "ok" if outcome.printed and not outcome.paper_low else last.state.value
        self._report_state("receipt_printer", state)

    def _report_state(self, device: str, state: str) -> None:
        if self._sync is None:
            return
        sync = self._sync
        self._runner.run(f"report-{device}", lambda: sync.report_device(device, state),
                         lambda _key: None,
                         lambda err: log.warning("%s state not reported: %r", device, err))

    def _print_failed(self, generation: int, err: BaseException) -> None:
        if generation != self._generation:
            return
        log.error("receipt printing failed: %r", err)
        self._print_state = "not_printed"
        self._print_message = MSG_NO_PRINTER
        self._fallback = True
        self.printChanged.emit()

    @Slot(bool)
    def confirmReceipt(self, taken: bool) -> None:
        """回执是否已打印？ — yes: go on; no: the fallbacks."""
        self._ask_confirm = False
        if taken:
            self.printChanged.emit()
            self._journey.next_step()  # → RATING
        else:
            # the printer said "printed" but no slip came out (jam, empty roll the sensor
            # missed): a fault for maintenance, at once, like paper-out
            self._fallback = True
            self._print_message = MSG_NOT_TAKEN
            self._devices.faults["receipt_printer"] = "市民反映回执未打出"
            self._report_state("receipt_printer", "not_delivered")
            self.printChanged.emit()

    @Slot()
    def printA4(self) -> None:
        a4 = self._devices.a4_printer
        if a4 is None or self._session.receipt is None or self._a4_state == "printing":
            return
        self._a4_state = "printing"
        self._a4_message = "正在打印A4受理通知书…"
        self.printChanged.emit()
        data = self._receipt_data()
        generation = self._generation

        def done(outcome: Any) -> None:
            if generation != self._generation:
                return
            self._a4_state = "printed" if outcome.printed else "failed"
            self._a4_message = ("A4受理通知书已打印，请在打印机出纸口取走" if outcome.printed
                                else "A4打印机暂时无法使用，请扫描二维码记下受理编号")
            self.printChanged.emit()

        def failed(err: BaseException) -> None:
            if generation != self._generation:
                return
            self._a4_state = "failed"
            self._a4_message = "A4打印机暂时无法使用，请扫描二维码记下受理编号"
            self.printChanged.emit()

        self._runner.run("print-a4", lambda: a4.print_notice(data), done, failed)

    # -- 保存到手机 -------------------------------------------------------------------------
    def _notice_offered(self) -> bool:
        return self._sync is not None and self._session.receipt is not None

    def _notice_text(self) -> str:
        if self._notice_offered() and not self._online() \
                and self._notice_state not in ("ready", "uploading"):
            return MSG_NOTICE_OFFLINE
        return self._notice_message

    def link_changed(self) -> None:
        """The platform link went up or down: the button follows (a QR code already shown
        stays: the link works without the kiosk)."""
        self.noticeChanged.emit()

    @Slot()
    def saveToPhone(self) -> None:
        """保存到手机: render the 受理通知书, upload it, show the download link's QR code."""
        if not self._notice_offered() or not self._online() \
                or self._notice_state in ("uploading", "ready"):
            self.noticeChanged.emit()
            return
        assert self._sync is not None
        data = self._receipt_data()
        a4 = self._devices.a4_printer
        templates = getattr(a4, "templates", None)
        template = templates.get("notice", data.service_code) if templates is not None \
            else None
        client, outbox, worker = self._sync.client, self._sync.outbox, self._sync.worker
        key, number = self._session.receipt.key, data.provisional_no
        generation = self._generation

        def upload() -> Any:
            from printing.notice import render_notice

            pdf = render_notice(data, template)
            view = outbox.application(key)
            if view is not None and view.state.value not in ("submitted", "accepted",
                                                             "needs_correction", "refused",
                                                             "completed"):
                worker.run_once()  # the platform keeps notices of received applications only
            return client.upload_notice(number, pdf)

        self._notice_state = "uploading"
        self._notice_message = MSG_NOTICE_UPLOADING
        self.noticeChanged.emit()
        self._runner.run("notice-upload", upload,
                         lambda link: self._notice_uploaded(generation, link),
                         lambda err: self._notice_failed(generation, err))

    def _notice_uploaded(self, generation: int, link: Any) -> None:
        if generation != self._generation:
            return  # the session ended meanwhile: the link is not shown to anyone
        self._notice_url = link.url
        self._notice_qr = qr_matrix(link.url)
        self._notice_state = "ready"
        self._notice_message = MSG_NOTICE_READY
        self.noticeChanged.emit()

    def _notice_failed(self, generation: int, err: BaseException) -> None:
        if generation != self._generation:
            return
        from kiosk.errors import SyncRejectedError, SyncTransportError

        if isinstance(err, SyncTransportError):
            message = MSG_NOTICE_UNREACHABLE
        elif isinstance(err, SyncRejectedError) and "404" in err.detail:
            message = MSG_NOTICE_NOT_YET
        else:
            message = MSG_NOTICE_FAILED
        log.warning("notice not saved for the phone: %s", type(err).__name__)
        self._notice_state = "failed"
        self._notice_message = message
        self.noticeChanged.emit()

    @Slot()
    def receiptDone(self) -> None:
        """下一步 from the fallback: the citizen has the number."""
        if self._journey.state == State.RECEIPT:
            self._journey.next_step()

    # -- rating ---------------------------------------------------------------------------
    @Slot(int)
    def rate(self, level: int) -> None:
        if 1 <= level <= 5:
            self._level = level
            if level > 2:
                self._reasons = []
            self._rating_error = ""
            self.ratingChanged.emit()

    @Slot(str)
    def toggleReason(self, reason: str) -> None:
        if reason in self._reasons:
            self._reasons.remove(reason)
        elif reason in LOW_RATING_REASONS:
            self._reasons.append(reason)
        self._rating_error = ""
        self.ratingChanged.emit()

    @Slot()
    def sendRating(self) -> None:
        if self._level == 0:
            self._rating_error = "请选择一个评价"
        elif self._level <= 2 and not self._reasons:
            self._rating_error = "请选择不满意的原因，帮助我们改进"
        if self._rating_error:
            self.ratingChanged.emit()
            return
        if not self._session.rated and self._sync is not None \
                and self._session.receipt is not None:
            self._session.rated = True  # 一次一评
            body = {"provisional_no": self._receipt_attr("provisional_no"),
                    "service_code": self._receipt_attr("service_code"),
                    "level": self._level, "reasons": list(self._reasons), "comment": "",
                    "channel": "self_service_terminal"}
            outbox = self._sync.outbox
            self._runner.run("rating", lambda: outbox.enqueue_event("rating", body),
                             lambda _key: None,
                             lambda err: log.warning("rating not stored: %r", err))
        self._journey.next_step()  # → FAREWELL

    @Slot()
    def skipRating(self) -> None:
        if self._journey.state == State.RATING:
            self._journey.next_step()

    # -- farewell ---------------------------------------------------------------------------
    def entered_farewell(self) -> None:
        self._farewell_since = self._journey.now()

    @Slot()
    def finish(self) -> None:
        if self._journey.state == State.FAREWELL:
            self._journey.next_step()  # → ends the session (FINISHED)

    def tick(self) -> None:
        if self._journey.state == State.FAREWELL and self._farewell_since is not None \
                and self._journey.now() - self._farewell_since >= FAREWELL_S:
            self.finish()

    def wipe(self) -> None:
        self._generation += 1
        self._deadline.stop()
        self._state_label = ""
        self._delivered = False
        self._explanation = ""
        self._farewell_since = None
        self._reset_print()
        self._reset_notice()
        self._reset_rating()
        self.changed.emit()
        self.printChanged.emit()
        self.ratingChanged.emit()
        self.noticeChanged.emit()
