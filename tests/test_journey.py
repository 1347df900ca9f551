"""The journey state machine, driven without any UI and with an explicit clock."""

from __future__ import annotations

import pytest

from kiosk.catalogue import Catalogue, Service, load_catalogue
from kiosk.journey import (
    APPLICATION_STATES,
    Journey,
    JourneyError,
    SessionEnd,
    State,
    application_steps,
)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journey(catalogue: Catalogue, clock: Clock) -> Journey:
    return Journey(catalogue, inactivity_timeout_s=90, countdown_s=30, clock=clock)


def a_service(catalogue: Catalogue, *, face: bool | None = None,
              materials: bool | None = None) -> Service:
    for s in catalogue.services:
        if face is not None and s.needs_face != face:
            continue
        if materials is not None and bool(s.materials) != materials:
            continue
        return s
    raise LookupError("no such service in the sample catalogue")


def test_touch_on_attract_opens_home_with_a_fresh_session(journey: Journey) -> None:
    old_session = journey.session.id
    journey.wake()
    assert journey.state == State.HOME
    assert journey.session.id != old_session
    assert not journey.can_go_back and not journey.can_go_home


def test_browse_department_then_guide_and_back(journey: Journey, catalogue: Catalogue) -> None:
    dept = catalogue.departments[0]
    svc = catalogue.services_in(dept.id)[0]
    journey.wake()
    journey.open_department(dept.id)
    journey.open_service(svc.code)
    assert journey.state == State.GUIDE and journey.service == svc
    journey.back()
    assert journey.state == State.DEPARTMENT
    journey.back()
    assert journey.state == State.HOME
    assert not journey.can_go_back


def test_home_clears_history_and_selection(journey: Journey, catalogue: Catalogue) -> None:
    b = catalogue.bundles[0]
    journey.wake()
    journey.open_bundle(b.id)
    journey.open_service(b.service_codes[0])
    journey.home()
    assert journey.state == State.HOME
    assert journey.session.service_code is None and journey.session.bundle_id is None
    assert not journey.can_go_back


def test_search_stays_on_one_screen_while_typing(journey: Journey) -> None:
    journey.wake()
    journey.search("h")
    journey.search("hk")
    journey.search("hkqc")
    assert journey.state == State.SEARCH
    assert journey.session.search_text == "hkqc"
    journey.back()
    assert journey.state == State.HOME


def test_unknown_service_is_rejected_and_state_kept(journey: Journey) -> None:
    journey.wake()
    with pytest.raises(KeyError):
        journey.open_service("XK99999999")
    assert journey.state == State.HOME


def test_application_steps_follow_the_service(catalogue: Catalogue) -> None:
    face = a_service(catalogue, face=True)
    no_face = a_service(catalogue, face=False, materials=True)
    assert State.FACE in application_steps(face)
    assert State.FACE not in application_steps(no_face)
    assert State.MATERIALS in application_steps(no_face)
    for steps in (application_steps(face), application_steps(no_face)):
        assert steps[0] == State.IDENTIFY and steps[-1] == State.REVIEW


def test_full_journey_reaches_attract_and_wipes(journey: Journey, catalogue: Catalogue) -> None:
    svc = a_service(catalogue, face=True)
    ended: list[SessionEnd] = []
    journey.add_end_listener(ended.append)
    journey.wake()
    journey.set_elder_mode(True)
    journey.open_service(svc.code)
    journey.start_application()
    visited = []
    while journey.state in APPLICATION_STATES:
        visited.append(journey.state)
        journey.next_step()
    assert visited == application_steps(svc)
    assert journey.state == State.SUBMITTING
    assert not journey.can_go_back and not journey.can_go_home
    journey.submitted()
    assert journey.state == State.RESULT and not journey.can_go_back
    for expected in (State.RECEIPT, State.RATING, State.FAREWELL):
        journey.next_step()
        assert journey.state == expected
    journey.next_step()
    assert journey.state == State.ATTRACT
    assert ended == [SessionEnd.FINISHED]
    assert journey.session.service_code is None and not journey.session.elder_mode


def test_failed_submission_returns_to_review(journey: Journey, catalogue: Catalogue) -> None:
    journey.wake()
    journey.open_service(catalogue.services[0].code)
    journey.start_application()
    while journey.state != State.SUBMITTING:
        journey.next_step()
    journey.submission_failed()
    assert journey.state == State.REVIEW
    assert journey.session.service_code == catalogue.services[0].code


def test_home_after_submission_ends_the_session(journey: Journey, catalogue: Catalogue) -> None:
    ended: list[SessionEnd] = []
    journey.add_end_listener(ended.append)
    journey.wake()
    journey.open_service(catalogue.services[0].code)
    journey.start_application()
    while journey.state != State.SUBMITTING:
        journey.next_step()
    journey.submitted()
    journey.home()
    assert journey.state == State.ATTRACT and ended == [SessionEnd.FINISHED]


def test_countdown_appears_then_timeout_wipes(journey: Journey, clock: Clock,
                                              catalogue: Catalogue) -> None:
    ended: list[SessionEnd] = []
    journey.add_end_listener(ended.append)
    journey.wake()
    journey.open_service(catalogue.services[0].code)
    clock.advance(59)
    assert not journey.countdown_visible() and not journey.tick()
    clock.advance(1)
    assert journey.countdown_visible()
    assert journey.seconds_left() == pytest.approx(30)
    clock.advance(29.9)
    assert not journey.tick() and journey.state == State.GUIDE
    clock.advance(0.1)
    assert journey.tick()
    assert journey.state == State.ATTRACT and ended == [SessionEnd.TIMEOUT]


def test_activity_hides_the_countdown(journey: Journey, clock: Clock) -> None:
    journey.wake()
    clock.advance(70)
    assert journey.countdown_visible()
    journey.activity()
    assert not journey.countdown_visible()
    assert journey.seconds_left() == pytest.approx(90)


def test_elder_mode_gets_more_time(journey: Journey, clock: Clock) -> None:
    journey.wake()
    journey.set_elder_mode(True)
    clock.advance(140)  # a standard session would have ended at 90 s
    assert not journey.tick() and not journey.countdown_visible()
    clock.advance(10)
    assert journey.countdown_visible()
    clock.advance(30)
    assert journey.tick()


def test_no_timeout_on_attract_or_while_submitting(journey: Journey, clock: Clock,
                                                   catalogue: Catalogue) -> None:
    clock.advance(10_000)
    assert not journey.tick() and journey.state == State.ATTRACT
    journey.wake()
    journey.open_service(catalogue.services[0].code)
    journey.start_application()
    while journey.state != State.SUBMITTING:
        journey.next_step()
    clock.advance(10_000)
    assert not journey.tick() and journey.state == State.SUBMITTING


def test_countdown_shorter_than_twenty_seconds_is_refused(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError):
        Journey(catalogue, inactivity_timeout_s=60, countdown_s=10)


def test_illegal_transitions_raise(journey: Journey) -> None:
    with pytest.raises(JourneyError):
        journey.start_application()
    with pytest.raises(JourneyError):
        journey.home()
    with pytest.raises(JourneyError):
        journey.open_query()
    journey.wake()
    with pytest.raises(JourneyError):
        journey.next_step()


def test_listeners_see_every_transition(journey: Journey, catalogue: Catalogue) -> None:
    seen: list[tuple[State, State]] = []
    journey.add_listener(lambda a, b: seen.append((a, b)))
    journey.wake()
    journey.open_service(catalogue.services[0].code)
    journey.back()
    assert seen == [(State.ATTRACT, State.HOME), (State.HOME, State.GUIDE),
                    (State.GUIDE, State.HOME)]


def test_language_switch_is_per_session(journey: Journey) -> None:
    journey.wake()
    journey.set_language("en")
    assert journey.session.language == "en"
    journey.end_session(SessionEnd.CANCELLED)
    journey.wake()
    assert journey.session.language == "zh_CN"
    with pytest.raises(ValueError):
        journey.set_language("fr")
