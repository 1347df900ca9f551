"""View-models: the only objects QML talks to.

QML renders their properties and calls their slots, which are named after what
the person did (``openService``, ``goBack``). The rules live in
``kiosk.journey``; this module only adapts it to Qt: properties emit only on
change, a ``QTimer`` ticks the inactivity logic, and an application-wide event
filter turns every touch or key press into ``Journey.activity()``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication

from kiosk.catalogue import Catalogue, Service
from kiosk.config import Config
from kiosk.errors import KioskError
from kiosk.journey import APPLICATION_STATES, Journey, JourneyError, SessionEnd, State
from kiosk.offline import Availability, service_availability
from ui import proxy
from ui.bridge import BackgroundRunner, SyncBridge
from ui.capture import FrameProvider
from ui.devices import KioskDevices
from ui.form import FormViewModel
from ui.identify import IdentifyViewModel
from ui.maintenance import MaintenanceViewModel
from ui.models import BundleListModel, DepartmentListModel, ServiceListModel, pick, pick_list
from ui.query import HelpViewModel, QueryViewModel
from ui.session import CitizenSession
from ui.staff import StaffViewModel
from ui.steps import (
    ConsentViewModel,
    FaceViewModel,
    MaterialsViewModel,
    ReviewViewModel,
    SignatureViewModel,
    received_materials,
)
from ui.submission import SubmissionViewModel
from ui.texts import say
from ui.voice import VoiceGuide

if TYPE_CHECKING:
    from sync.service import SyncStack

log = logging.getLogger(__name__)
BROWSE_STATES_ALLOWING_QUERY = frozenset({State.HOME, State.SEARCH, State.DEPARTMENT,
                                          State.BUNDLE, State.GUIDE})
BROWSE_TITLES = frozenset({State.ATTRACT, State.HOME, State.SEARCH, State.DEPARTMENT,
                           State.BUNDLE, State.QUERY, State.HELP})

TRUST_LEVELS = {
    "A": "A级·电子证照",
    "B": "B级·工作人员核验原件",
    "C": "C级·自行上传，窗口核验原件",
    "D": "D级·告知承诺",
}
FORM_NAMES = {"original": "原件", "copy": "复印件", "electronic": "电子件"}
IDENTIFY_NAMES = {"idcard": "居民身份证", "sscard": "社会保障卡", "qr": "电子证照/预约二维码"}
TRUST_LEVELS_EN = {
    "A": "A: e-licence",
    "B": "B: original checked by staff",
    "C": "C: uploaded, original checked at the window",
    "D": "D: self-declared",
}
FORM_NAMES_EN = {"original": "original", "copy": "copy", "electronic": "electronic"}
IDENTIFY_NAMES_EN = {"idcard": "ID card", "sscard": "social security card",
                     "qr": "e-ID or appointment QR code"}
STEP_NAMES = {
    State.IDENTIFY: ("身份核验", "Identify"), State.FORM: ("填写信息", "Form"),
    State.MATERIALS: ("提交材料", "Materials"), State.FACE: ("人脸采集", "Face"),
    State.SIGNATURE: ("签名", "Sign"), State.CONSENT: ("授权确认", "Consent"),
    State.REVIEW: ("核对提交", "Review"),
}


def _time_limit(service: Service, language: str = "zh_CN") -> str:
    en = language == "en"

    def days(n: int) -> str:
        if en:
            return "same day" if n == 0 else f"{n} working day{'s' if n > 1 else ''}"
        return "当场办结" if n == 0 else f"{n}个工作日"

    legal, promised = service.time_limit_legal_days, service.time_limit_promised_days
    if legal == promised:
        text = days(legal)
        return text[:1].upper() + text[1:] if en else text
    if en:
        return f"{days(legal)} by law; we promise {days(promised)}".capitalize()
    return f"法定{days(legal)}，承诺{days(promised)}"


class GuideViewModel(QObject):
    """一次性告知: everything about one service, ready for display."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._data: dict[str, Any] = {}

    def show(self, service: Service | None, catalogue: Catalogue, language: str,
             availability: Availability | None = None) -> None:
        if service is None:
            self._data = {}
        else:
            availability = availability or Availability(True)
            dept = catalogue.department(service.department_id)
            en = language == "en"
            sep = ", " if en else "、"
            forms = FORM_NAMES_EN if en else FORM_NAMES
            trust = TRUST_LEVELS_EN if en else TRUST_LEVELS
            identify = IDENTIFY_NAMES_EN if en else IDENTIFY_NAMES
            faq = service.faq_en if en and len(service.faq_en) == len(service.faq) \
                else service.faq
            channels = pick_list(language, service.channels, service.channels_en)
            self._data = {
                "code": service.code,
                "name": pick(language, service.name, service.name_en),
                "summary": pick(language, service.summary, service.summary_en),
                "department": pick(language, dept.name, dept.name_en),
                "kindName": pick(language, service.kind_name, service.kind_name_en),
                "conditions": pick_list(language, service.conditions, service.conditions_en),
                "materials": [
                    {
                        "name": pick(language, m.name, m.name_en),
                        "forms": sep.join(forms.get(f, f) for f in m.forms),
                        "count": m.count,
                        "required": m.required,
                        "condition": pick(language, m.condition or "", m.condition_en or ""),
                        "trust": trust.get(m.trust_level, m.trust_level),
                        "trustLevel": m.trust_level,
                        "note": pick(language, m.note, m.note_en),
                        "eLicence": pick(language, m.e_licence or "", m.e_licence_en or ""),
                    }
                    for m in service.materials
                ],
                "legalBasis": pick_list(language, service.legal_basis, service.legal_basis_en),
                "timeLimit": _time_limit(service, language),
                "fee": pick(language, service.fee, service.fee_en),
                "channels": channels,
                "channelsText": sep.join(channels),
                "resultCollection": pick(language, service.result_collection,
                                         service.result_collection_en),
                "faq": [{"q": q, "a": a} for q, a in faq],
                "offlineAllowed": service.offline_allowed,
                "availableNow": availability.available,
                "availability": say(language, availability.reason_zh),
                "needsFace": service.needs_face,
                "identifyMethods": sep.join(identify.get(i, i)
                                            for i in service.identify_methods),
            }
        self.changed.emit()

    def _get(self, key: str, default: Any) -> Any:
        return self._data.get(key, default)

    code = Property(str, lambda s: s._get("code", ""), notify=changed, final=True)
    name = Property(str, lambda s: s._get("name", ""), notify=changed, final=True)
    summary = Property(str, lambda s: s._get("summary", ""), notify=changed, final=True)
    department = Property(str, lambda s: s._get("department", ""), notify=changed, final=True)
    kindName = Property(str, lambda s: s._get("kindName", ""), notify=changed,
                        final=True)
    conditions = Property(list, lambda s: s._get("conditions", []), notify=changed, final=True)
    materials = Property(list, lambda s: s._get("materials", []), notify=changed, final=True)
    legalBasis = Property(list, lambda s: s._get("legalBasis", []), notify=changed,
                          final=True)
    timeLimit = Property(str, lambda s: s._get("timeLimit", ""), notify=changed,
                         final=True)
    fee = Property(str, lambda s: s._get("fee", ""), notify=changed, final=True)
    channels = Property(list, lambda s: s._get("channels", []), notify=changed, final=True)
    channelsText = Property(str, lambda s: s._get("channelsText", ""), notify=changed,
                            final=True)
    resultCollection = Property(str, lambda s: s._get("resultCollection", ""),
                                notify=changed, final=True)
    faq = Property(list, lambda s: s._get("faq", []), notify=changed, final=True)
    offlineAllowed = Property(bool, lambda s: s._get("offlineAllowed", False),
                              notify=changed, final=True)
    availableNow = Property(bool, lambda s: s._get("availableNow", True), notify=changed,
                            final=True)
    availability = Property(str, lambda s: s._get("availability", ""), notify=changed,
                            final=True)
    needsFace = Property(bool, lambda s: s._get("needsFace", False), notify=changed,
                         final=True)
    identifyMethods = Property(str, lambda s: s._get("identifyMethods", ""),
                               notify=changed, final=True)


class AppViewModel(QObject):
    """The kiosk shell: current screen, navigation, session settings, inactivity countdown."""

    screenChanged = Signal()
    navChanged = Signal()
    sessionChanged = Signal()
    countdownChanged = Signal()
    titleChanged = Signal()
    linkChanged = Signal()

    TICK_MS = 250

    def __init__(self, config: Config, catalogue: Catalogue, journey: Journey,
                 sync: SyncStack | None = None, devices: KioskDevices | None = None,
                 voice: VoiceGuide | None = None,
                 demo_identity_token: Callable[[], str] | None = None,
                 config_path: Path | None = None) -> None:
        """``config_path``: the ``--config`` file the kiosk was started with; maintenance
        writes its setting changes there (default ``<data_dir>/kiosk.toml``)."""
        super().__init__()
        self._config = config
        self._sync = sync
        self._devices = devices if devices is not None else KioskDevices()
        self._card_grace_until: float | None = None  # 社保卡 pulled: put it back before this
        self._devices.apply_catalogue(catalogue.print_templates)
        self._runner = BackgroundRunner()
        self._voice = voice if voice is not None else VoiceGuide("")
        self._voice.setParent(self)
        self._citizen = CitizenSession()
        self._link = ("unknown", "") if sync is None else (sync.worker.status.link.value,
                                                           sync.worker.status.link.label)
        self._bridge = SyncBridge(sync.worker) if sync is not None else None
        if self._bridge is not None:
            self._bridge.statusChanged.connect(self._on_link)
        self._catalogue = catalogue
        self._journey = journey
        lang = lambda: self._journey.session.language  # noqa: E731
        self._departments = DepartmentListModel(catalogue, lang)
        self._bundles = BundleListModel(catalogue, lang)
        self._popular = ServiceListModel(catalogue, lang)
        self._services = ServiceListModel(catalogue, lang)
        self._guide = GuideViewModel()
        self._frames = FrameProvider()
        self._identify = IdentifyViewModel(
            self._citizen, self._devices, self._runner, demo=config.mode == "demo",
            # a staff card in the reader during staff log-in is not a citizen's 社保卡
            accepting=lambda: self._journey.state not in (State.ATTRACT, State.FAREWELL)
            and self._staff.panel != "login",
            service=lambda: self._journey.service,
            on_removed_after_read=self._card_taken, on_sscard_pulled=self._sscard_pulled,
            on_sscard_back=self._sscard_back, language=lang,
            platform=sync.client if sync is not None else None,
            online=lambda: self._link[0] == "up", provider=self._frames,
            demo_token=demo_identity_token,
            staff_active=lambda: self._staff.session is not None)
        self._form = FormViewModel(self._citizen, lang)
        self._materials = MaterialsViewModel(self._citizen, lang,
                                             camera=self._devices.document_camera,
                                             provider=self._frames,
                                             faults=self._devices.faults,
                                             runner=self._runner,
                                             platform=sync.client if sync is not None
                                             else None)
        self._face = FaceViewModel(self._citizen, camera=self._devices.camera,
                                   demo=config.mode == "demo", provider=self._frames,
                                   faults=self._devices.faults, language=lang)
        self._signature = SignatureViewModel(self._citizen)
        self._consent = ConsentViewModel(self._citizen, lang)
        self._review = ReviewViewModel(self._citizen, lang, journey.now)
        self._submission = SubmissionViewModel(
            self._citizen, journey, config, catalogue, sync, self._devices, self._runner,
            review_error=self._review.set_error, after_store=self._forget_stored,
            language=lang, online=lambda: self._link[0] == "up")
        self._query = QueryViewModel(self._citizen, sync, self._runner,
                                     online=lambda: self._link[0] == "up",
                                     camera=self._devices.camera, provider=self._frames,
                                     faults=self._devices.faults, language=lang,
                                     english_name=self._english_service_name)
        self._help = HelpViewModel(config, sync, self._runner)
        self._staff_auth = _staff_auth(config, sync)
        self._staff = StaffViewModel(config, catalogue, self._citizen, sync, self._devices,
                                     self._runner, self._staff_auth,
                                     on_correction=self._start_correction)
        self._maintenance = MaintenanceViewModel(
            config, catalogue, sync, self._devices, self._runner, journey, self._staff_auth,
            sync.audit if sync is not None else None, self._frames, config_path=config_path)
        self._identify.changed.connect(self._identity_changed)
        self._step_vms: list[Any] = [self._query, self._help, self._identify, self._form,
                                     self._materials, self._face, self._signature,
                                     self._consent, self._review, self._submission]
        self._departments.set_rows(catalogue.departments)
        self._bundles.set_rows(catalogue.bundles)
        self._popular.set_rows(catalogue.popular(8))
        self._countdown_visible = False
        self._countdown_seconds = 0
        self._title = ""
        journey.add_listener(self._on_state)
        journey.add_end_listener(self._on_session_end)
        self._timer = QTimer(self)
        self._timer.setInterval(self.TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    # -- properties ----------------------------------------------------------
    screen = Property(str, lambda s: s._journey.state.value, notify=screenChanged, final=True)
    canGoBack = Property(bool, lambda s: s._journey.can_go_back,
                         notify=navChanged, final=True)
    canGoHome = Property(bool, lambda s: s._journey.can_go_home,
                         notify=navChanged, final=True)
    elderMode = Property(bool, lambda s: s._journey.session.elder_mode,
                         notify=sessionChanged, final=True)
    language = Property(str, lambda s: s._journey.session.language,
                        notify=sessionChanged, final=True)
    searchText = Property(str, lambda s: s._journey.session.search_text,
                          notify=sessionChanged, final=True)
    countdownVisible = Property(bool, lambda s: s._countdown_visible,
                                notify=countdownChanged, final=True)
    #: why the countdown shows: "idle" (no touch for a while) or "card" (社保卡 pulled)
    countdownReason = Property(str, lambda s: "card" if s._card_grace_until is not None
                               else "idle", notify=countdownChanged, final=True)
    countdownSeconds = Property(int, lambda s: s._countdown_seconds,
                                notify=countdownChanged, final=True)
    title = Property(str, lambda s: s._title, notify=titleChanged, final=True)
    linkState = Property(str, lambda s: s._link[0], notify=linkChanged, final=True)
    linkLabel = Property(str, lambda s: s._link[1], notify=linkChanged, final=True)
    orientation = Property(str, lambda s: s._config.ui.orientation, constant=True, final=True)
    hallName = Property(str, lambda s: s._config.kiosk.hall_name,
                        constant=True, final=True)
    hallNameEn = Property(str, lambda s: s._config.kiosk.hall_name_en,
                          constant=True, final=True)
    kioskCode = Property(str, lambda s: s._config.kiosk.code,
                         constant=True, final=True)
    demoMode = Property(bool, lambda s: s._config.mode == "demo",
                        constant=True, final=True)
    catalogueVersion = Property(str, lambda s: s._catalogue.version,
                                constant=True, final=True)
    departments = Property(QObject, lambda s: s._departments, constant=True, final=True)
    bundles = Property(QObject, lambda s: s._bundles, constant=True, final=True)
    popular = Property(QObject, lambda s: s._popular, constant=True, final=True)
    services = Property(QObject, lambda s: s._services, constant=True, final=True)
    guide = Property(QObject, lambda s: s._guide, constant=True, final=True)
    identify = Property(QObject, lambda s: s._identify, constant=True, final=True)
    form = Property(QObject, lambda s: s._form, constant=True, final=True)
    materials = Property(QObject, lambda s: s._materials, constant=True, final=True)
    face = Property(QObject, lambda s: s._face, constant=True, final=True)
    signature = Property(QObject, lambda s: s._signature, constant=True, final=True)
    consent = Property(QObject, lambda s: s._consent, constant=True, final=True)
    review = Property(QObject, lambda s: s._review, constant=True, final=True)
    submission = Property(QObject, lambda s: s._submission, constant=True, final=True)
    query = Property(QObject, lambda s: s._query, constant=True, final=True)
    help = Property(QObject, lambda s: s._help, constant=True, final=True)
    staff = Property(QObject, lambda s: s._staff, constant=True, final=True)
    maintenance = Property(QObject, lambda s: s._maintenance, constant=True, final=True)

    def _steps(self) -> list[dict[str, Any]]:
        lang = self._journey.session.language
        current = self._journey.state
        steps = self._journey.steps
        here = steps.index(current) if current in steps else len(steps)
        return [{"name": pick(lang, *STEP_NAMES[st]), "done": i < here, "current": i == here}
                for i, st in enumerate(steps)]

    steps = Property(list, _steps, notify=screenChanged, final=True)

    @property
    def voice(self) -> VoiceGuide:
        return self._voice

    @property
    def session_language(self) -> str:
        return self._journey.session.language

    @property
    def frame_provider(self) -> FrameProvider:
        """``image://kiosk/``: camera previews and captured pages (memory only)."""
        return self._frames

    @property
    def identify_vm(self) -> IdentifyViewModel:
        return self._identify

    @property
    def staff_vm(self) -> StaffViewModel:
        return self._staff

    @property
    def form_vm(self) -> FormViewModel:
        return self._form

    @property
    def materials_vm(self) -> MaterialsViewModel:
        return self._materials

    @property
    def face_vm(self) -> FaceViewModel:
        return self._face

    @property
    def signature_vm(self) -> SignatureViewModel:
        return self._signature

    @property
    def consent_vm(self) -> ConsentViewModel:
        return self._consent

    @property
    def review_vm(self) -> ReviewViewModel:
        return self._review

    @property
    def submission_vm(self) -> SubmissionViewModel:
        return self._submission

    @property
    def query_vm(self) -> QueryViewModel:
        return self._query

    @property
    def help_vm(self) -> HelpViewModel:
        return self._help

    @property
    def devices(self) -> KioskDevices:
        return self._devices

    @property
    def runner(self) -> BackgroundRunner:
        return self._runner

    @property
    def citizen(self) -> CitizenSession:
        return self._citizen

    # -- slots: what the person did --------------------------------------------
    @Slot()
    def wake(self) -> None:
        if self._journey.state == State.ATTRACT and not self._maintenance.active:
            self._journey.wake()

    @Slot()
    def goHome(self) -> None:
        if self._journey.can_go_home:
            self._journey.home()

    @Slot()
    def goBack(self) -> None:
        if self._journey.can_go_back:
            self._journey.back()

    @Slot(str)
    def openDepartment(self, department_id: str) -> None:
        self._journey.open_department(department_id)

    @Slot(str)
    def openBundle(self, bundle_id: str) -> None:
        self._journey.open_bundle(bundle_id)

    @Slot(str)
    def openService(self, code: str) -> None:
        self._journey.open_service(code)

    @Slot()
    def startApplication(self) -> None:
        """开始办理 on the guide: only when the service can be accepted right now."""
        if self._journey.state != State.GUIDE:
            return
        availability = self._availability(self._journey.service)
        if availability is not None and not availability.available:
            self._relabel()
            return
        self._journey.start_application()

    @Slot()
    def completeStep(self) -> None:
        """下一步 on an application step: its view-model checks what it holds first."""
        state = self._journey.state
        checks = {
            State.IDENTIFY: self._identify_done,
            State.FORM: self._form.complete,
            State.MATERIALS: self._materials_done,
            State.FACE: self._face.complete,
            State.SIGNATURE: self._signature.complete,
            State.CONSENT: self._consent.complete,
        }
        if state == State.REVIEW:
            self._submission.submit()
        elif state in checks and checks[state]():
            self._journey.next_step()

    @Slot()
    def nextStep(self) -> None:
        """下一步 on a step whose view-model has nothing left to check."""
        try:
            self._journey.next_step()
        except JourneyError as err:
            log.warning("next step refused: %s", err)

    @Slot()
    def openQuery(self) -> None:
        """办件查询 from the home screen."""
        if self._journey.state in BROWSE_STATES_ALLOWING_QUERY:
            self._journey.open_query()

    @Slot()
    def callHelp(self) -> None:
        """一键呼叫: from any screen but the attract screen and a running submission."""
        if self._journey.state not in (State.ATTRACT, State.SUBMITTING, State.HELP):
            self._journey.call_help()

    @Slot(str)
    def search(self, text: str) -> None:
        self._journey.search(text)
        self._services.set_rows([h.service for h in self._catalogue.search(text, limit=30)])
        self.sessionChanged.emit()

    @Slot(bool)
    def setElderMode(self, on: bool) -> None:
        if on != self._journey.session.elder_mode:
            self._journey.set_elder_mode(on)
            self.sessionChanged.emit()
            if on:  # 长辈版 starts talking at once: what to do on this screen
                self._voice.prompt(self._journey.state, elder=True,
                                   language=self._journey.session.language)

    @Slot(str)
    def setLanguage(self, language: str) -> None:
        if language != self._journey.session.language:
            self._journey.set_language(language)
            self._relabel()
            for vm in (self._identify, self._face, self._consent, self._review, self._query):
                vm.changed.emit()
            self._submission.relabel()
            self._materials.captureChanged.emit()
            if self._journey.state == State.FORM:
                self._form.relabel()
            elif self._journey.state == State.MATERIALS:
                self._materials.relabel()
            self.sessionChanged.emit()

    @Slot()
    def stayHere(self) -> None:
        """The citizen answered the countdown: keep the session."""
        self._journey.activity()
        self.tick()

    @Slot()
    def endSession(self) -> None:
        """结束办理: the citizen leaves; wipe everything now."""
        if self._journey.state != State.ATTRACT:
            self._journey.end_session(SessionEnd.CANCELLED)

    @Slot()
    def tick(self) -> None:
        if self._card_grace_until is not None and self._journey.now() >= self._card_grace_until:
            self._end_card_grace()
            self._journey.end_session(SessionEnd.CARD_REMOVED)
        self._staff.tick()
        self._maintenance.tick()
        self._journey.tick()
        self._review.tick()
        self._submission.tick()
        left = self._journey.seconds_left()
        visible = self._journey.countdown_visible()
        if self._card_grace_until is not None:
            left = min(left, max(0.0, self._card_grace_until - self._journey.now()))
            visible = True
        seconds = 0 if math.isinf(left) else math.ceil(left)
        if (visible, seconds) != (self._countdown_visible, self._countdown_seconds):
            if visible and not self._countdown_visible:
                self._voice.countdown(language=self._journey.session.language)
            self._countdown_visible, self._countdown_seconds = visible, seconds
            self.countdownChanged.emit()

    def user_activity(self) -> None:
        self._journey.activity()
        self._staff.activity()
        self._maintenance.activity()
        if self._countdown_visible:
            self.tick()

    def _availability(self, service: Service | None) -> Availability | None:
        if service is None or self._sync is None:
            return None
        return service_availability(service, self._sync.situation(), self._config.offline)

    def _on_link(self, state: str, label: str) -> None:
        if (state, label) != self._link:
            self._link = (state, label)
            self.linkChanged.emit()
            self._identify.link_changed()  # 扫码核验 and 电子证照 need the platform
            self._materials.set_online(state == "up")
            self._submission.link_changed()  # 保存到手机 needs the platform
            if self._journey.state == State.GUIDE:
                self._relabel()

    # -- journey callbacks -------------------------------------------------------
    def _on_state(self, old: State, new: State) -> None:
        if new == State.IDENTIFY:
            self._identify.entered()
        if old == State.IDENTIFY:
            self._identify.leave()  # the QR scan stops with the screen
        service = self._journey.service
        if old == State.MATERIALS and self._materials.capturing:
            self._materials.cancelCapture()  # the camera stops with the screen
        if old == State.FACE:
            self._face.leave()
        if old == State.QUERY:
            self._query.stopScan()
        if new == State.FORM and service is not None:
            self._form.open(service)
        elif new == State.MATERIALS and service is not None:
            self._materials.open(proxy.for_session(service, self._citizen),
                                 online=self._link[0] == "up")
        elif new == State.CONSENT and service is not None:
            self._consent.open(needs_commitment="commitment" in self._citizen.materials.values(),
                               face=service.needs_face)
        elif new == State.REVIEW and service is not None and old != State.SUBMITTING:
            self._review.open(service, received_materials(
                self._citizen, proxy.for_session(service, self._citizen)))
        elif new == State.RECEIPT:
            self._submission.entered_receipt()
        elif new == State.FAREWELL:
            self._submission.entered_farewell()
        elif new == State.HELP:
            self._help.requested(old.value, service.code if service else None)
        elif new == State.QUERY:
            self._query.wipe()
        if old in APPLICATION_STATES and new in (State.HOME, State.GUIDE):
            self._wipe_application()  # left the application: forget its draft
        self._relabel()
        self.screenChanged.emit()
        self.navChanged.emit()
        self.tick()
        if new == State.ATTRACT:
            self._voice.stop()
        else:
            self._voice.prompt(new, elder=self._journey.session.elder_mode,
                               language=self._journey.session.language)

    def _identity_changed(self) -> None:
        if self._journey.state == State.QUERY and self._citizen.identity is not None:
            self._query.card_read()

    def _forget_stored(self) -> None:
        """Stored and sealed: the step view-models drop their copies of what was entered."""
        for vm in (self._form, self._materials, self._signature, self._review):
            vm.wipe()

    def _english_service_name(self, code: str) -> str | None:
        try:
            return self._catalogue.service(code).name_en
        except (KeyError, LookupError):
            return None

    def _identify_done(self) -> bool:
        if self._citizen.identity is None:
            return False
        problem = proxy.identify_problem(self._citizen)  # 代办: agent and relationship
        if problem:
            self._identify.show_error(problem)
        return not problem

    def _materials_done(self) -> bool:
        problem = proxy.materials_problem(self._citizen)  # 代办: the 授权委托书
        if problem:
            self._materials.show_error(problem)
            return False
        return bool(self._materials.complete())

    def _start_correction(self, view: Any) -> None:
        """需补正 from the staff desk: a fresh session for this case's service, starting at
        identification; the submission goes as a correction of the case."""
        if self._journey.state != State.ATTRACT:
            self._journey.end_session(SessionEnd.CANCELLED)
        self._journey.wake()
        self._journey.open_service(view.service_code)
        self._journey.start_application()
        c = self._citizen
        c.correction_of = view.key
        if view.correction is not None:
            c.correction_fields = tuple(view.correction.fields)
            c.correction_materials = tuple(view.correction.materials)
            c.correction_note = view.correction.note_zh

    def _sscard_pulled(self) -> None:
        """The 社保卡 that identified the citizen left its slot. Before submission the
        citizen has a visible grace period to put it back, else the session ends and is
        wiped (``SessionEnd.CARD_REMOVED``); at the farewell it is the citizen leaving;
        between submission and farewell the receipt matters more and nothing happens."""
        state = self._journey.state
        if state == State.FAREWELL:
            self._submission.finish()
        elif state in APPLICATION_STATES:
            self._card_grace_until = self._journey.now() + max(20.0, self._config.ui.countdown_s)
            self._identify.await_return(True)
            lang = self._journey.session.language
            self._voice.speak(say(lang, "社保卡已拔出，请重新插入以继续办理"), lang)
            self.tick()

    def _sscard_back(self, same_person: bool) -> None:
        self._end_card_grace()
        if not same_person:  # someone else's card: the first citizen's session ends
            self._journey.end_session(SessionEnd.CARD_REMOVED)
        self.tick()

    def _end_card_grace(self) -> None:
        if self._card_grace_until is not None:
            self._card_grace_until = None
            self._identify.await_return(False)
            self.countdownChanged.emit()

    def _card_taken(self) -> None:
        """The ID card left the reader: at the farewell that is the citizen leaving."""
        if self._journey.state == State.FAREWELL:
            self._submission.finish()

    def _wipe_application(self) -> None:
        self._citizen.wipe()
        for vm in self._step_vms:
            vm.wipe()

    def _on_session_end(self, reason: SessionEnd) -> None:
        self._end_card_grace()
        self._wipe_application()
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()
        self._services.set_rows([])
        self._guide.show(None, self._catalogue, "zh_CN")
        self._title = ""
        self.sessionChanged.emit()

    def shutdown(self) -> None:
        """Window closing: stop the timer, wait for background jobs, forget the citizen."""
        self._timer.stop()
        self._maintenance.shutdown()
        self._runner.shutdown()
        self._wipe_application()

    def _relabel(self) -> None:
        """Refresh everything whose text depends on the state or the language."""
        j, lang = self._journey, self._journey.session.language
        s = j.session
        title = ""
        if j.state == State.DEPARTMENT and s.department_id:
            d = self._catalogue.department(s.department_id)
            title = pick(lang, d.name, d.name_en)
            self._services.set_rows(self._catalogue.services_in(d.id))
        elif j.state == State.BUNDLE and s.bundle_id:
            b = self._catalogue.bundle(s.bundle_id)
            title = pick(lang, b.name, b.name_en)
            self._services.set_rows([self._catalogue.service(c) for c in b.service_codes])
        elif j.state == State.SEARCH:
            title = "搜索结果" if lang != "en" else "Search results"
        elif j.state == State.GUIDE:
            title = "办事指南" if lang != "en" else "Service guide"
        elif j.state == State.QUERY:
            title = "办件查询" if lang != "en" else "Application status"
        elif j.state == State.HELP:
            title = "一键呼叫" if lang != "en" else "Call for help"
        elif j.service is not None and j.state not in BROWSE_TITLES:
            title = pick(lang, j.service.name, j.service.name_en)
        self._guide.show(j.service, self._catalogue, lang, self._availability(j.service))
        for m in (self._departments, self._bundles, self._popular, self._services):
            m.refresh()
        if title != self._title:
            self._title = title
            self.titleChanged.emit()


class ActivityFilter(QObject):
    """Application-wide event filter: any touch, click or key press counts as activity."""

    EVENTS = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin,
                        QEvent.Type.KeyPress, QEvent.Type.Wheel})

    def __init__(self, app_vm: AppViewModel) -> None:
        super().__init__()
        self._vm = app_vm

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in self.EVENTS:
            self._vm.user_activity()
        return False


def _staff_auth(config: Config, sync: SyncStack | None) -> Any:
    """The terminal's one ``StaffAuth`` (staff and technicians), audited through the queue;
    ``None`` without a queue or with an unusable roster (logged: the citizen journey goes
    on, staff log-in says why it cannot)."""
    if sync is None:
        return None
    from kiosk.staffauth import StaffAuth

    try:
        return StaffAuth.from_config(config, audit=sync.audit)
    except KioskError as err:
        log.error("staff log-in unavailable: %s", err)
        return None
