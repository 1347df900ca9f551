"""Staff log-in (kiosk.staffauth) through a real pcscd + vsmartcard-vpcd + pyscard: the
virtual staff card answers the challenge over PC/SC, the reader's monitor reports its
removal, and the session ends."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from devices.smartcard.base import CardEvent, CardListener
from devices.smartcard.simulated import SimulatedSocialSecurityCard, SimulatedStaffCard
from devices.smartcard.staffcard import StaffMember, StaffRoster
from kiosk.config import StaffConfig
from kiosk.errors import (
    CredentialsError,
    DeviceOperationError,
    LockedOutError,
    PermissionDeniedError,
)
from kiosk.staffauth import StaffAuth, StaffSession, hash_pin
from tests.devices.smartcard.conftest import Pcscd, Rig

PIN = "314159"
TECH_PIN = "271828"


class ListAudit:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, Any]]] = []

    def record(self, actor: str, action: str, detail: Mapping[str, Any]) -> str:
        self.events.append((actor, action, dict(detail)))
        return str(len(self.events))


class Seen(CardListener):
    def __init__(self) -> None:
        self.inserted = threading.Event()

    def on_inserted(self, event: CardEvent) -> None:
        self.inserted.set()


class Clock:
    t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def staff() -> dict[str, SimulatedStaffCard]:
    return {"S1": SimulatedStaffCard("S1"), "T1": SimulatedStaffCard("T1")}


@pytest.fixture
def auth(staff: dict[str, SimulatedStaffCard], tmp_path: Path) -> StaffAuth:
    roster = StaffRoster([
        StaffMember("S1", staff["S1"].public_key, ("staff",), "", hash_pin(PIN, n=2**10)),
        StaffMember("T1", staff["T1"].public_key, ("technician",), "",
                    hash_pin(TECH_PIN, n=2**10)),
    ])
    return StaffAuth(roster, audit=ListAudit(), config=StaffConfig(), kiosk_id="GY0001",
                     state_path=tmp_path / "staff_lockout.json", now=Clock())


def audit_of(auth: StaffAuth) -> ListAudit:
    sink = auth._audit
    assert isinstance(sink, ListAudit)
    return sink


def test_card_and_pin_through_pcscd_then_pulling_the_card_logs_out(
        pcsc_rig: Rig, pcscd: Pcscd, auth: StaffAuth,
        staff: dict[str, SimulatedStaffCard]) -> None:
    ended: list[tuple[StaffSession, str]] = []
    gone = threading.Event()

    def on_end(session: StaffSession, reason: str) -> None:
        ended.append((session, reason))
        gone.set()

    auth.add_session_listener(on_end)
    seen = Seen()
    reader = pcsc_rig.reader
    reader.add_listener(auth.card_listener)
    reader.add_listener(seen)
    pcsc_rig.insert(staff["S1"])
    reader.start_monitoring()
    assert seen.inserted.wait(5)

    session = auth.login_with_card(reader, PIN)
    assert (session.staff_id, session.role, session.method) == ("S1", "staff", "card+pin")
    assert session.reader == str(reader) and auth.current is session
    assert any(c[1] == 0x88 for c in staff["S1"].commands)  # INTERNAL AUTHENTICATE
    if pcscd.log is not None:  # the fixture's pcscd logs every APDU
        assert "80 88 01 00" in pcscd.log_text()

    pcsc_rig.remove(wait=False)
    assert gone.wait(5), "the card's removal did not end the session"
    assert ended == [(session, "card_removed")] and auth.current is None
    assert [a for _, a, _ in audit_of(auth).events] == ["staff_login_ok", "staff_logout"]
    assert audit_of(auth).events[-1][2]["reason"] == "card_removed"
    reader.stop_monitoring()


def test_technician_card_opens_maintenance_and_a_staff_card_does_not(
        pcsc_rig: Rig, auth: StaffAuth, staff: dict[str, SimulatedStaffCard]) -> None:
    pcsc_rig.insert(staff["T1"])
    session = auth.maintenance_login_card(pcsc_rig.reader, TECH_PIN)
    assert session.maintenance and session.idle_timeout_s == 180
    pcsc_rig.remove()
    pcsc_rig.insert(staff["S1"])
    with pytest.raises(PermissionDeniedError) as info:
        auth.maintenance_login_card(pcsc_rig.reader, PIN)
    assert info.value.user_message == "您不是维护人员，不能进入维护模式"


def test_wrong_pin_through_pcscd_locks_the_staff_id(
        pcsc_rig: Rig, auth: StaffAuth, staff: dict[str, SimulatedStaffCard]) -> None:
    pcsc_rig.insert(staff["S1"])
    for left in (4, 3, 2, 1):
        with pytest.raises(CredentialsError) as info:
            auth.login_with_card(pcsc_rig.reader, "000000")
        assert info.value.user_message == f"密码错误，还可尝试 {left} 次"
    with pytest.raises(LockedOutError) as locked:
        auth.login_with_card(pcsc_rig.reader, "000000")
    assert locked.value.user_message == "错误次数过多，请 30 秒后再试"
    with pytest.raises(LockedOutError):
        auth.login_with_card(pcsc_rig.reader, PIN)


def test_wrong_cards_through_pcscd(pcsc_rig: Rig, auth: StaffAuth) -> None:
    pcsc_rig.insert(SimulatedStaffCard("X9"))  # not in the roster
    with pytest.raises(CredentialsError) as info:
        auth.login_with_card(pcsc_rig.reader, PIN)
    assert info.value.reason == "unknown_card"
    assert info.value.user_message == "该工作人员卡未登记，请联系管理员"
    pcsc_rig.remove()

    pcsc_rig.insert(SimulatedStaffCard("S1"))  # S1's ID with a key the roster does not know
    with pytest.raises(CredentialsError) as info:
        auth.login_with_card(pcsc_rig.reader, PIN)
    assert info.value.reason == "card_bad_signature" and info.value.remaining_tries == 4
    pcsc_rig.remove()

    pcsc_rig.insert(SimulatedSocialSecurityCard())  # not a staff card at all
    with pytest.raises(DeviceOperationError) as card_error:
        auth.login_with_card(pcsc_rig.reader, PIN)
    assert "工作人员卡" in card_error.value.user_message
    assert auth.current is None
    assert [e[0] for e in audit_of(auth).events] == ["unknown", "S1", "unknown"]
