"""The citizen journey as a state machine, free of Qt (PRODUCT.md §3).

::

    ATTRACT ──touch──▶ HOME ◀──────────── home() from anywhere (not while BUSY)
                        │ ├─▶ SEARCH ─┐
                        │ ├─▶ DEPARTMENT ─┤
                        │ ├─▶ BUNDLE ─────┤
                        │ ├─▶ QUERY       │
                        │ └─▶ HELP        ▼
                        └──────────────▶ GUIDE ──start──▶ IDENTIFY ▶ FORM ▶ [MATERIALS]
                                  ▶ [FACE] ▶ SIGNATURE ▶ CONSENT ▶ REVIEW ▶ SUBMITTING
                                  ▶ RESULT ▶ RECEIPT ▶ RATING ▶ FAREWELL ▶ ATTRACT

``back()`` pops the navigation history (返回); ``home()`` clears it (首页). The
application steps are derived from the service (materials only when it asks for
any, face only when it needs one). Inactivity: after ``timeout - countdown``
seconds without activity the machine raises a visible warning; when the
countdown runs out the session is wiped and ATTRACT returns. While in
``BUSY_STATES`` (a submission in flight) the timer is held. The clock is
injected, so tests drive time explicitly.

Listeners receive ``(old_state, new_state)`` after every transition and are
told when the session ends (``on_session_end(reason)``), which is where
every trace of the citizen is wiped.
"""

from __future__ import annotations

import enum
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.catalogue import Catalogue, Service


class State(enum.Enum):
    ATTRACT = "attract"
    HOME = "home"
    SEARCH = "search"
    DEPARTMENT = "department"
    BUNDLE = "bundle"
    QUERY = "query"
    HELP = "help"
    GUIDE = "guide"
    IDENTIFY = "identify"
    FORM = "form"
    MATERIALS = "materials"
    FACE = "face"
    SIGNATURE = "signature"
    CONSENT = "consent"
    REVIEW = "review"
    SUBMITTING = "submitting"
    RESULT = "result"
    RECEIPT = "receipt"
    RATING = "rating"
    FAREWELL = "farewell"


BROWSE_STATES = frozenset({State.HOME, State.SEARCH, State.DEPARTMENT, State.BUNDLE,
                           State.QUERY, State.HELP, State.GUIDE})
APPLICATION_STATES = frozenset({State.IDENTIFY, State.FORM, State.MATERIALS, State.FACE,
                                State.SIGNATURE, State.CONSENT, State.REVIEW})
#: the inactivity timer is held here: a submission must finish or fail on its own.
BUSY_STATES = frozenset({State.SUBMITTING})
#: after submission there is no way back into the form (the application is stored).
POST_SUBMIT_STATES = frozenset({State.RESULT, State.RECEIPT, State.RATING, State.FAREWELL})


class SessionEnd(enum.Enum):
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    FINISHED = "finished"
    CARD_REMOVED = "card_removed"


class JourneyError(RuntimeError):
    """A transition that the current state does not allow (a programming error)."""


def application_steps(service: Service) -> list[State]:
    steps = [State.IDENTIFY, State.FORM]
    if service.materials:
        steps.append(State.MATERIALS)
    if service.needs_face:
        steps.append(State.FACE)
    steps += [State.SIGNATURE, State.CONSENT, State.REVIEW]
    return steps


@dataclass
class Session:
    """What the journey knows about the citizen in front of the machine."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    elder_mode: bool = False
    language: str = "zh_CN"
    department_id: str | None = None
    bundle_id: str | None = None
    search_text: str = ""
    service_code: str | None = None


Listener = Callable[[State, State], None]
EndListener = Callable[[SessionEnd], None]


class Journey:
    """Drives one kiosk's screens. Not thread-safe: call it from one thread (the GUI's)."""

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        inactivity_timeout_s: float = 90.0,
        countdown_s: float = 30.0,
        elder_timeout_factor: float = 2.0,
        default_language: str = "zh_CN",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if countdown_s < 20 or inactivity_timeout_s <= countdown_s:
            raise ValueError("countdown must be >= 20 s and shorter than the timeout")
        self.catalogue = catalogue
        self._timeout = inactivity_timeout_s
        self._countdown = countdown_s
        self._elder_factor = elder_timeout_factor
        self._default_language = default_language
        self._clock = clock
        self.state = State.ATTRACT
        self.session = Session(language=default_language)
        self._history: list[State] = []
        self._last_activity = clock()
        self._listeners: list[Listener] = []
        self._end_listeners: list[EndListener] = []

    # -- listeners ---------------------------------------------------------
    def add_listener(self, fn: Listener) -> None:
        self._listeners.append(fn)

    def add_end_listener(self, fn: EndListener) -> None:
        self._end_listeners.append(fn)

    # -- queries -----------------------------------------------------------
    def now(self) -> float:
        """The journey's (injected) clock: what anything timed within a session uses."""
        return self._clock()

    @property
    def service(self) -> Service | None:
        code = self.session.service_code
        return self.catalogue.service(code) if code else None

    @property
    def can_go_back(self) -> bool:
        return bool(self._history) and self.state not in BUSY_STATES | POST_SUBMIT_STATES

    @property
    def can_go_home(self) -> bool:
        return self.state not in BUSY_STATES | {State.ATTRACT, State.HOME}

    @property
    def steps(self) -> list[State]:
        svc = self.service
        return application_steps(svc) if svc else []

    @property
    def timeout_s(self) -> float:
        return self._timeout * (self._elder_factor if self.session.elder_mode else 1.0)

    def seconds_left(self) -> float:
        """Seconds until the session is wiped for inactivity (inf on the attract screen)."""
        if self.state == State.ATTRACT or self.state in BUSY_STATES:
            return float("inf")
        return max(0.0, self.timeout_s - (self._clock() - self._last_activity))

    def countdown_visible(self) -> bool:
        return self.seconds_left() <= self._countdown

    # -- events --------------------------------------------------------------
    def activity(self) -> None:
        """Any touch or key press: restarts the inactivity timer and hides the countdown."""
        self._last_activity = self._clock()

    def tick(self) -> bool:
        """Call periodically; ends the session when the countdown has run out."""
        if self.seconds_left() <= 0:
            self.end_session(SessionEnd.TIMEOUT)
            return True
        return False

    def wake(self) -> None:
        self._require(State.ATTRACT)
        self.session = Session(language=self._default_language)
        self.activity()
        self._go(State.HOME, remember=False)

    def set_elder_mode(self, on: bool) -> None:
        self.session.elder_mode = on
        self.activity()

    def set_language(self, language: str) -> None:
        if language not in ("zh_CN", "en"):
            raise ValueError(f"unsupported language {language!r}")
        self.session.language = language
        self.activity()

    def search(self, text: str) -> None:
        self._require_browsing()
        self.session.search_text = text
        if self.state != State.SEARCH:
            self._go(State.SEARCH)
        self.activity()

    def open_department(self, department_id: str) -> None:
        self._require_browsing()
        self.catalogue.department(department_id)  # KeyError on unknown
        self.session.department_id = department_id
        self._go(State.DEPARTMENT)

    def open_bundle(self, bundle_id: str) -> None:
        self._require_browsing()
        self.catalogue.bundle(bundle_id)
        self.session.bundle_id = bundle_id
        self._go(State.BUNDLE)

    def open_service(self, code: str) -> None:
        self._require_browsing()
        self.catalogue.service(code)
        self.session.service_code = code
        self._go(State.GUIDE)

    def open_query(self) -> None:
        self._require_browsing()
        self._go(State.QUERY)

    def call_help(self) -> None:
        if self.state == State.ATTRACT or self.state in BUSY_STATES:
            raise JourneyError(f"cannot call for help from {self.state.value}")
        self._go(State.HELP)

    def start_application(self) -> None:
        self._require(State.GUIDE)
        self._go(self.steps[0])

    def next_step(self) -> None:
        """Advance one step of the application (the view-model validated the current one)."""
        if self.state in APPLICATION_STATES:
            steps = self.steps
            i = steps.index(self.state)
            self._go(steps[i + 1] if i + 1 < len(steps) else State.SUBMITTING)
        elif self.state == State.SUBMITTING:
            raise JourneyError("submission ends with submitted() or submission_failed()")
        elif self.state == State.RESULT:
            self._go(State.RECEIPT, remember=False)
        elif self.state == State.RECEIPT:
            self._go(State.RATING, remember=False)
        elif self.state == State.RATING:
            self._go(State.FAREWELL, remember=False)
        elif self.state == State.FAREWELL:
            self.end_session(SessionEnd.FINISHED)
        else:
            raise JourneyError(f"no next step from {self.state.value}")

    def submitted(self) -> None:
        self._require(State.SUBMITTING)
        self._history.clear()
        self._go(State.RESULT, remember=False)

    def submission_failed(self) -> None:
        """Storing failed (disk full…): back to review, nothing the citizen entered is lost."""
        self._require(State.SUBMITTING)
        self._go(State.REVIEW, remember=False)

    def back(self) -> None:
        if not self.can_go_back:
            raise JourneyError(f"cannot go back from {self.state.value}")
        self.activity()
        self._go(self._history.pop(), remember=False)

    def home(self) -> None:
        if self.state in BUSY_STATES or self.state == State.ATTRACT:
            raise JourneyError(f"cannot go home from {self.state.value}")
        if self.state in POST_SUBMIT_STATES:
            # the application is stored; leaving now ends this citizen's session
            self.end_session(SessionEnd.FINISHED)
            return
        self._history.clear()
        self.session.service_code = None
        self.session.department_id = None
        self.session.bundle_id = None
        self.session.search_text = ""
        self.activity()
        self._go(State.HOME, remember=False)

    def end_session(self, reason: SessionEnd) -> None:
        """Wipe the citizen's session and return to the attract screen."""
        for fn in list(self._end_listeners):
            fn(reason)
        self._history.clear()
        self.session = Session(language=self._default_language)
        self._go(State.ATTRACT, remember=False)

    # -- internals -------------------------------------------------------------
    def _require(self, *states: State) -> None:
        if self.state not in states:
            raise JourneyError(f"not allowed in {self.state.value}")

    def _require_browsing(self) -> None:
        if self.state not in BROWSE_STATES:
            raise JourneyError(f"not allowed in {self.state.value}")

    def _go(self, new: State, *, remember: bool = True) -> None:
        old = self.state
        if remember and old != new:
            self._history.append(old)
        self.state = new
        self.activity()
        for fn in list(self._listeners):
            fn(old, new)
