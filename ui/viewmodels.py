"""View-models: the only objects QML talks to.

QML renders their properties and calls their slots, which are named after what
the person did (``openService``, ``goBack``). The rules live in
``kiosk.journey``; this module only adapts it to Qt: properties emit only on
change, a ``QTimer`` ticks the inactivity logic, and an application-wide event
filter turns every touch or key press into ``Journey.activity()``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QEvent, QObject, QTimer, Signal, Slot

from kiosk.catalogue import Catalogue, Service
from kiosk.config import Config
from kiosk.journey import Journey, SessionEnd, State
from kiosk.offline import Availability, service_availability
from ui.bridge import SyncBridge

if TYPE_CHECKING:
    from sync.service import SyncStack
from ui.models import BundleListModel, DepartmentListModel, ServiceListModel, pick

TRUST_LEVELS = {
    "A": "A级·电子证照",
    "B": "B级·工作人员核验原件",
    "C": "C级·自行上传，窗口核验原件",
    "D": "D级·告知承诺",
}
FORM_NAMES = {"original": "原件", "copy": "复印件", "electronic": "电子件"}
IDENTIFY_NAMES = {"idcard": "居民身份证", "sscard": "社会保障卡", "qr": "电子证照/预约二维码"}


def _time_limit(service: Service) -> str:
    def days(n: int) -> str:
        return "当场办结" if n == 0 else f"{n}个工作日"

    legal, promised = service.time_limit_legal_days, service.time_limit_promised_days
    if legal == promised:
        return days(legal)
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
            self._data = {
                "code": service.code,
                "name": pick(language, service.name, service.name_en),
                "summary": service.summary,
                "department": pick(language, dept.name, dept.name_en),
                "kindName": service.kind_name,
                "conditions": list(service.conditions),
                "materials": [
                    {
                        "name": m.name,
                        "forms": "、".join(FORM_NAMES.get(f, f) for f in m.forms),
                        "count": m.count,
                        "required": m.required,
                        "condition": m.condition or "",
                        "trust": TRUST_LEVELS.get(m.trust_level, m.trust_level),
                        "trustLevel": m.trust_level,
                        "note": m.note,
                        "eLicence": m.e_licence or "",
                    }
                    for m in service.materials
                ],
                "legalBasis": list(service.legal_basis),
                "timeLimit": _time_limit(service),
                "fee": service.fee,
                "channels": list(service.channels),
                "resultCollection": service.result_collection,
                "faq": [{"q": q, "a": a} for q, a in service.faq],
                "offlineAllowed": service.offline_allowed,
                "availableNow": availability.available,
                "availability": availability.reason_zh,
                "needsFace": service.needs_face,
                "identifyMethods": "、".join(IDENTIFY_NAMES.get(i, i)
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
                 sync: SyncStack | None = None) -> None:
        super().__init__()
        self._config = config
        self._sync = sync
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

    # -- slots: what the person did --------------------------------------------
    @Slot()
    def wake(self) -> None:
        if self._journey.state == State.ATTRACT:
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

    @Slot(str)
    def setLanguage(self, language: str) -> None:
        if language != self._journey.session.language:
            self._journey.set_language(language)
            self._relabel()
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
        self._journey.tick()
        left = self._journey.seconds_left()
        visible = self._journey.countdown_visible()
        seconds = 0 if math.isinf(left) else math.ceil(left)
        if (visible, seconds) != (self._countdown_visible, self._countdown_seconds):
            self._countdown_visible, self._countdown_seconds = visible, seconds
            self.countdownChanged.emit()

    def user_activity(self) -> None:
        self._journey.activity()
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
            if self._journey.state == State.GUIDE:
                self._relabel()

    # -- journey callbacks -------------------------------------------------------
    def _on_state(self, old: State, new: State) -> None:
        self._relabel()
        self.screenChanged.emit()
        self.navChanged.emit()
        self.tick()

    def _on_session_end(self, reason: SessionEnd) -> None:
        self._services.set_rows([])
        self._guide.show(None, self._catalogue, "zh_CN")
        self._title = ""
        self.sessionChanged.emit()

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
