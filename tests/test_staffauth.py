"""Staff / technician log-in logic with an injected clock (kiosk.staffauth).

Cards are the simulated staff applet, driven through its raw ``handle`` (the transmit
callable) or the in-process simulated reader; the PC/SC path is in
tests/devices/smartcard/test_staff_login.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import main as kiosk_main
from devices.smartcard.base import CardEvent, CardListener
from devices.smartcard.simulated import (
    DEMO_TECHNICIAN_ID,
    SimulatedSmartCardReader,
    SimulatedStaffCard,
    demo_card,
)
from devices.smartcard.staffcard import StaffMember, StaffRoster
from kiosk import staffauth
from kiosk.config import StaffConfig, load_config
from kiosk.errors import (
    AuthError,
    ConfigError,
    CredentialsError,
    LockedOutError,
    PermissionDeniedError,
    StorageError,
    ValidationError,
)
from kiosk.staffauth import StaffAuth, StaffSession, hash_pin, totp, verify_pin

T0 = 1_700_000_000.0
STAFF_PIN, TECH_PIN = "246810", "975310"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


class ListAudit:
    """A list-backed AuditSink."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, Any]]] = []
        self.fail = False

    def record(self, actor: str, action: str, detail: Mapping[str, Any]) -> str:
        if self.fail:
            raise StorageError("audit queue full")
        self.events.append((actor, action, dict(detail)))
        return f"ev{len(self.events)}"

    def actions(self) -> list[str]:
        return [a for _, a, _ in self.events]


class Clock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def fast_hash(pin: str) -> str:
    return hash_pin(pin, n=2**10)  # the tests' roster: cheap scrypt, same code path


@pytest.fixture
def cards() -> dict[str, SimulatedStaffCard]:
    return {"S1": SimulatedStaffCard("S1"), "T1": SimulatedStaffCard("T1"),
            "X9": SimulatedStaffCard("X9")}


@pytest.fixture
def roster(cards: dict[str, SimulatedStaffCard]) -> StaffRoster:
    return StaffRoster([
        StaffMember("S1", cards["S1"].public_key, ("staff",), "王芳", fast_hash(STAFF_PIN)),
        StaffMember("T1", cards["T1"].public_key, ("technician",), "李工", fast_hash(TECH_PIN),
                    SECRET),
        StaffMember("S2", b"", ("staff",), "", fast_hash("111222")),      # no card
        StaffMember("S3", b"", ("staff",), "", fast_hash("333444"), SECRET),  # not a technician
    ])


class Rig:
    def __init__(self, roster: StaffRoster, tmp_path: Path, **settings: Any) -> None:
        self.roster = roster
        self.clock = Clock()
        self.audit = ListAudit()
        self.state = tmp_path / "staff_lockout.json"
        self.config = StaffConfig(**settings)
        self.auth = self.restart()

    def restart(self) -> StaffAuth:
        self.auth = StaffAuth(self.roster, audit=self.audit, config=self.config,
                              kiosk_id="GY0001", state_path=self.state, now=self.clock)
        return self.auth


@pytest.fixture
def rig(roster: StaffRoster, tmp_path: Path) -> Rig:
    return Rig(roster, tmp_path)


# -- primitives ------------------------------------------------------------------------

def test_pin_hash_is_salted_slow_and_checked_in_constant_time() -> None:
    first, second = hash_pin("123456"), hash_pin("123456")
    assert first != second and "123456" not in first
    assert first.startswith("scrypt$16384$8$1$")
    assert verify_pin("123456", first) and verify_pin("123456", second)
    assert not verify_pin("123457", first) and not verify_pin("", first)
    with pytest.raises(ValidationError) as info:
        hash_pin("12ab56")
    assert info.value.user_message == "密码须为 6 至 12 位数字"
    for bad in ("md5$x", "scrypt$3$8$1$AAAA$AAAA", "scrypt$1073741824$8$1$"
                + "A" * 24 + "$" + "A" * 44):
        with pytest.raises(ValueError):
            verify_pin("123456", bad)


def test_totp_matches_the_rfc_6238_sha1_vectors() -> None:
    key = b"12345678901234567890"
    for t, code in ((59, "94287082"), (1111111109, "07081804"), (1234567890, "89005924"),
                    (2000000000, "69279037")):
        assert totp(key, t // 30, digits=8) == code
    assert totp(key, 59 // 30) == "287082"


# -- card + PIN --------------------------------------------------------------------------

def test_good_card_and_pin_open_a_staff_session(rig: Rig, cards: dict[str, Any]) -> None:
    session = rig.auth.login_with_card(cards["S1"].handle, STAFF_PIN)
    assert (session.staff_id, session.role, session.method) == ("S1", "staff", "card+pin")
    assert session.started_at == T0 and not session.maintenance
    assert session.display_name == "王芳" and "王芳" not in repr(session)
    assert rig.auth.current is session
    assert rig.audit.events == [("S1", "staff_login_ok", {"mode": "staff",
                                                          "method": "card+pin"})]


def test_wrong_pin_counts_down_then_locks_with_a_growing_delay_and_recovers(
        rig: Rig, cards: dict[str, Any]) -> None:
    auth, card = rig.auth, cards["S1"].handle
    for left in (4, 3, 2, 1):
        with pytest.raises(CredentialsError) as info:
            auth.login_with_card(card, "000000")
        assert info.value.remaining_tries == left
        assert info.value.user_message == f"密码错误，还可尝试 {left} 次"
    with pytest.raises(LockedOutError) as locked:
        auth.login_with_card(card, "000000")
    assert locked.value.retry_after_s == 30
    assert locked.value.user_message == "错误次数过多，请 30 秒后再试"

    rig.clock.t += 12  # the right PIN does not help while locked
    with pytest.raises(LockedOutError) as locked:
        auth.login_with_card(card, STAFF_PIN)
    assert locked.value.retry_after_s == 18 and "请 18 秒后再试" in locked.value.user_message
    assert auth.lockout_remaining("S1") == 18

    rig.clock.t += 18  # one more failure after the delay: locked again, twice as long
    with pytest.raises(LockedOutError) as locked:
        auth.login_with_card(card, "000000")
    assert locked.value.retry_after_s == 60
    rig.clock.t += 60
    with pytest.raises(LockedOutError) as locked:
        auth.login_with_card(card, "000000")
    assert locked.value.retry_after_s == 120

    rig.clock.t += 120
    assert auth.login_with_card(card, STAFF_PIN).staff_id == "S1"
    assert auth.lockout.failures("S1") == 0 and auth.lockout_remaining("S1") == 0
    auth.logout()
    with pytest.raises(CredentialsError) as info:  # a fresh count after the success
        auth.login_with_card(card, "000000")
    assert info.value.remaining_tries == 4
    counted = [d for _, a, d in rig.audit.events if a == "staff_login_failed"]
    assert [d["locked_for_s"] for d in counted] == [0, 0, 0, 0, 30, 60, 120, 0]
    assert rig.audit.actions().count("staff_login_locked") == 1


def test_the_delay_is_capped(roster: StaffRoster, tmp_path: Path,
                             cards: dict[str, Any]) -> None:
    rig = Rig(roster, tmp_path, lockout_threshold=2, lockout_base_delay_s=30,
              lockout_max_delay_s=100)
    delays = []
    for _ in range(5):
        try:
            rig.auth.login_with_card(cards["S1"].handle, "000000")
        except LockedOutError as err:
            delays.append(err.retry_after_s)
            rig.clock.t += err.retry_after_s
        except CredentialsError:
            pass
    assert delays == [30, 60, 100, 100]


def test_a_lockout_survives_a_restart(rig: Rig, cards: dict[str, Any]) -> None:
    for _ in range(5):
        with pytest.raises(CredentialsError if _ < 4 else LockedOutError):
            rig.auth.login_with_card(cards["S1"].handle, "000000")
    state = json.loads(rig.state.read_text(encoding="utf-8"))
    assert state["ids"]["S1"]["delay"] == 30 and rig.state.stat().st_mode & 0o077 == 0
    assert STAFF_PIN not in rig.state.read_text(encoding="utf-8")

    rig.clock.t += 10
    auth = rig.restart()
    with pytest.raises(LockedOutError) as locked:
        auth.login_with_card(cards["S1"].handle, STAFF_PIN)
    assert locked.value.retry_after_s == 20
    rig.clock.t -= 3600  # the clock was set back: the delay restarts, it does not stretch
    assert rig.restart().lockout_remaining("S1") == 30
    rig.clock.t += 30
    assert rig.restart().login_with_card(cards["S1"].handle, STAFF_PIN).staff_id == "S1"


def test_a_failure_streak_is_forgotten_after_a_day_without_failures(
        rig: Rig, cards: dict[str, Any]) -> None:
    for _ in range(5):
        with contextlib.suppress(CredentialsError, LockedOutError):
            rig.auth.login_with_card(cards["S1"].handle, "000000")
    assert rig.auth.lockout_remaining("S1") == 30
    rig.clock.t += 86400
    with pytest.raises(LockedOutError):  # still within the day: the next failure doubles
        rig.auth.login_with_card(cards["S1"].handle, "000000")
    rig.clock.t += 86401
    with pytest.raises(CredentialsError) as info:
        rig.restart().login_with_card(cards["S1"].handle, "000000")
    assert info.value.remaining_tries == 4


def test_an_unreadable_state_file_starts_afresh(rig: Rig, cards: dict[str, Any]) -> None:
    rig.state.write_text("{not json", encoding="utf-8")
    assert rig.restart().login_with_card(cards["S1"].handle, STAFF_PIN).staff_id == "S1"


def test_a_card_not_in_the_roster_is_refused_and_not_counted(
        rig: Rig, cards: dict[str, Any]) -> None:
    with pytest.raises(CredentialsError) as info:
        rig.auth.login_with_card(cards["X9"].handle, STAFF_PIN)
    assert info.value.reason == "unknown_card" and info.value.remaining_tries is None
    assert info.value.user_message == "该工作人员卡未登记，请联系管理员"
    assert rig.audit.events[-1] == ("unknown", "staff_login_failed",
                                    {"mode": "staff", "method": "card+pin",
                                     "reason": "unknown_card"})
    assert rig.auth.current is None


def test_a_card_whose_key_does_not_match_the_roster_is_a_counted_failure(
        rig: Rig) -> None:
    impostor = SimulatedStaffCard("S1")  # the right ID, another key
    with pytest.raises(CredentialsError) as info:
        rig.auth.login_with_card(impostor.handle, STAFF_PIN)
    assert info.value.reason == "card_bad_signature" and info.value.remaining_tries == 4
    assert info.value.user_message == "工作人员卡验证失败，还可尝试 4 次"
    no_key = SimulatedStaffCard("S2")  # S2 has no card enrolled at all
    with pytest.raises(CredentialsError) as info:
        rig.auth.login_with_card(no_key.handle, "111222")
    assert info.value.reason == "card_bad_signature"
    assert rig.auth.current is None


def test_a_card_without_the_staff_applet_passes_the_device_error_through(rig: Rig) -> None:
    from devices.smartcard.apdu import CardStatusError
    from devices.smartcard.simulated import SimulatedSocialSecurityCard

    with pytest.raises(CardStatusError) as info:
        rig.auth.login_with_card(SimulatedSocialSecurityCard().handle, STAFF_PIN)
    assert "工作人员卡" in info.value.user_message
    assert rig.audit.events[-1][2]["reason"] == "card_read"


# -- roles, PIN only, TOTP ------------------------------------------------------------

def test_maintenance_needs_the_technician_role(rig: Rig, cards: dict[str, Any]) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        rig.auth.maintenance_login_card(cards["S1"].handle, STAFF_PIN)
    assert info.value.user_message == "您不是维护人员，不能进入维护模式"
    with pytest.raises(PermissionDeniedError) as info:
        rig.auth.login_with_card(cards["T1"].handle, TECH_PIN)
    assert info.value.reason == "role"
    with pytest.raises(PermissionDeniedError):  # right code and PIN, but not a technician
        rig.auth.maintenance_login_totp("S3", totp(SECRET, int(T0 // 30)), "333444")
    assert rig.auth.current is None
    assert rig.audit.actions() == ["staff_login_denied"] * 3

    session = rig.auth.maintenance_login_card(cards["T1"].handle, TECH_PIN)
    assert (session.role, session.maintenance, session.mode) == ("technician", True,
                                                                 "maintenance")
    assert session.idle_timeout_s == rig.config.maintenance_idle_timeout_s


def test_pin_only_is_refused_unless_the_config_allows_it(
        roster: StaffRoster, tmp_path: Path) -> None:
    rig = Rig(roster, tmp_path)
    with pytest.raises(PermissionDeniedError) as info:
        rig.auth.login_with_pin("S2", "111222")
    assert info.value.reason == "pin_only_disabled"
    assert info.value.user_message == "本终端不允许仅凭密码登录，请插入工作人员卡"
    assert rig.audit.events[-1][:2] == ("unknown", "staff_login_denied")

    rig = Rig(roster, tmp_path / "b", allow_pin_only=True)
    session = rig.auth.login_with_pin("S2", "111222")
    assert (session.staff_id, session.method, session.reader) == ("S2", "pin", "")


def test_pin_only_answers_alike_for_unknown_ids_and_counts_them(
        roster: StaffRoster, tmp_path: Path) -> None:
    rig = Rig(roster, tmp_path, allow_pin_only=True)
    messages = []
    for staff_id in ("S2", "NOBODY"):
        with pytest.raises(CredentialsError) as info:
            rig.auth.login_with_pin(staff_id, "999999")
        messages.append(info.value.user_message)
    assert messages == ["工号或密码错误，还可尝试 4 次"] * 2
    assert [e[0] for e in rig.audit.events] == ["S2", "unknown"]
    with pytest.raises(CredentialsError) as info:
        rig.auth.login_with_pin("110105194912310021 ", "999999")  # not an ID: not stored
    assert info.value.reason == "bad_staff_id"
    assert "1101051949" not in json.dumps(rig.audit.events)
    assert "1101051949" not in rig.state.read_text(encoding="utf-8")


def test_totp_good_replayed_expired_and_wrong(rig: Rig) -> None:
    auth, step = rig.auth, int(T0 // 30)
    session = auth.maintenance_login_totp("T1", totp(SECRET, step), TECH_PIN)
    assert (session.method, session.role) == ("totp+pin", "technician")
    auth.logout()

    with pytest.raises(CredentialsError) as info:  # the same code again
        auth.maintenance_login_totp("T1", totp(SECRET, step), TECH_PIN)
    assert info.value.reason == "code_replayed"
    assert info.value.user_message == "动态验证码或密码错误，还可尝试 4 次"
    with pytest.raises(CredentialsError) as info:  # an older code after a newer one
        auth.maintenance_login_totp("T1", totp(SECRET, step - 1), TECH_PIN)
    assert info.value.reason == "code_replayed"

    rig.clock.t += 30  # the previous step's code is still inside the ±1 window
    auth.maintenance_login_totp("T1", totp(SECRET, step + 1), TECH_PIN)
    auth.logout()
    rig.clock.t += 95  # three steps on: the code for step + 2 has expired
    with pytest.raises(CredentialsError) as info:
        auth.maintenance_login_totp("T1", totp(SECRET, step + 2), TECH_PIN)
    assert info.value.reason == "wrong_code"
    wrong = str((int(totp(SECRET, totp_step := int(rig.clock.t // 30))) + 1) % 10**6).zfill(6)
    with pytest.raises(CredentialsError):
        auth.maintenance_login_totp("T1", wrong, TECH_PIN)
    with pytest.raises(CredentialsError) as info:  # right code, wrong PIN
        auth.maintenance_login_totp("T1", totp(SECRET, totp_step), "000000")
    assert info.value.reason == "wrong_pin"
    with pytest.raises(CredentialsError) as info:  # malformed: still a counted failure
        auth.maintenance_login_totp("T1", "12x", TECH_PIN)
    assert info.value.remaining_tries == 1
    with pytest.raises(LockedOutError):  # the same lock-out as every other log-in
        auth.maintenance_login_totp("T1", wrong, TECH_PIN)
    with pytest.raises(LockedOutError) as locked:
        auth.maintenance_login_totp("T1", totp(SECRET, totp_step), TECH_PIN)
    assert locked.value.retry_after_s == 30


def test_a_used_totp_step_stays_used_after_a_restart(rig: Rig) -> None:
    code = totp(SECRET, int(T0 // 30))
    rig.auth.maintenance_login_totp("T1", code, TECH_PIN)
    with pytest.raises(CredentialsError) as info:
        rig.restart().maintenance_login_totp("T1", code, TECH_PIN)
    assert info.value.reason == "code_replayed"


# -- sessions ----------------------------------------------------------------------------

def test_inactivity_ends_the_session_and_touch_postpones_it(
        rig: Rig, cards: dict[str, Any]) -> None:
    ended: list[tuple[StaffSession, str]] = []
    rig.auth.add_session_listener(lambda s, r: ended.append((s, r)))
    session = rig.auth.login_with_card(cards["S1"].handle, STAFF_PIN)
    rig.clock.t += 500
    rig.auth.touch()
    rig.clock.t += 500
    assert not session.expired() and rig.auth.check_idle() is None
    assert rig.auth.current is session and session.idle_remaining_s() == 100
    rig.clock.t += 100
    assert session.expired()
    assert rig.auth.current is None  # checked lazily too
    assert session.end_reason == "idle" and ended == [(session, "idle")]
    assert rig.audit.events[-1] == ("S1", "staff_logout", {
        "mode": "staff", "method": "card+pin", "reason": "idle", "session_s": 1100})
    assert rig.auth.check_idle() is None and rig.auth.logout() is None


def test_maintenance_mode_has_its_own_shorter_timeout(rig: Rig) -> None:
    rig.auth.maintenance_login_totp("T1", totp(SECRET, int(T0 // 30)), TECH_PIN)
    rig.clock.t += 179
    assert rig.auth.current is not None
    rig.clock.t += 1
    ended = rig.auth.check_idle()
    assert ended is not None and ended.maintenance and rig.auth.current is None


def test_explicit_logout_and_a_new_login_replacing_the_old(
        rig: Rig, cards: dict[str, Any]) -> None:
    first = rig.auth.login_with_card(cards["S1"].handle, STAFF_PIN)
    second = rig.auth.maintenance_login_card(cards["T1"].handle, TECH_PIN)
    assert first.end_reason == "replaced" and rig.auth.current is second
    assert rig.auth.logout() is second and second.end_reason == "explicit"
    assert rig.audit.actions() == ["staff_login_ok", "staff_logout", "staff_login_ok",
                                   "staff_logout"]


def test_pulling_the_card_ends_a_card_session(rig: Rig, cards: dict[str, Any]) -> None:
    class Inserted(CardListener):
        def __init__(self) -> None:
            self.seen = threading.Event()

        def on_inserted(self, event: CardEvent) -> None:
            self.seen.set()

    reader = SimulatedSmartCardReader()
    gone, inserted = threading.Event(), Inserted()
    rig.auth.add_session_listener(lambda s, r: gone.set())
    reader.add_listener(rig.auth.card_listener)
    reader.add_listener(inserted)
    with reader:
        reader.insert(cards["S1"])
        reader.start_monitoring()
        assert inserted.seen.wait(5)  # the UI asks for the PIN once the card is seen
        session = rig.auth.login_with_card(reader, STAFF_PIN)
        assert session.reader == str(reader)
        reader.remove()
        assert gone.wait(5)
    assert session.end_reason == "card_removed" and rig.auth.current is None
    assert rig.audit.events[-1][2]["reason"] == "card_removed"


def test_pulling_a_card_does_not_end_a_pin_or_totp_session(
        roster: StaffRoster, tmp_path: Path, cards: dict[str, Any]) -> None:
    rig = Rig(roster, tmp_path, allow_pin_only=True)
    session = rig.auth.login_with_pin("S2", "111222")
    rig.auth._card_removed("any reader")
    assert rig.auth.current is session


def test_a_card_pulled_while_the_pin_is_checked_refuses_the_login(
        rig: Rig, cards: dict[str, Any]) -> None:
    class PulledAfterReading(SimulatedSmartCardReader):
        def read_staff_card(self, challenge: Any) -> Any:
            answer = super().read_staff_card(challenge)
            rig.auth._card_removed(str(self))  # what the monitor reports meanwhile
            return answer

    reader = PulledAfterReading()
    reader.insert(cards["S1"])
    with reader, pytest.raises(AuthError) as info:
        rig.auth.login_with_card(reader, STAFF_PIN)
    assert info.value.reason == "card_removed" and rig.auth.current is None
    assert info.value.user_message == "工作人员卡已拔出，请插卡后重新登录"


def test_no_session_without_its_audit_record(rig: Rig, cards: dict[str, Any]) -> None:
    rig.audit.fail = True
    with pytest.raises(StorageError):
        rig.auth.login_with_card(cards["S1"].handle, STAFF_PIN)
    assert rig.auth.current is None
    with pytest.raises(CredentialsError):  # a failing sink never hides a refusal
        rig.auth.login_with_card(cards["S1"].handle, "000000")


def test_audit_details_never_carry_pins_codes_secrets_or_names(
        roster: StaffRoster, tmp_path: Path, cards: dict[str, Any]) -> None:
    rig = Rig(roster, tmp_path, allow_pin_only=True)
    code = totp(SECRET, int(T0 // 30))
    for attempt in (lambda: rig.auth.login_with_card(cards["S1"].handle, "135792"),
                    lambda: rig.auth.login_with_card(cards["S1"].handle, STAFF_PIN),
                    lambda: rig.auth.login_with_pin("S2", "111222"),
                    lambda: rig.auth.maintenance_login_totp("T1", code, TECH_PIN)):
        with contextlib.suppress(AuthError):
            attempt()
    rig.auth.logout()
    text = json.dumps(rig.audit.events, ensure_ascii=False)
    for secret in ("135792", STAFF_PIN, "111222", TECH_PIN, code, SECRET, "王芳", "李工"):
        assert secret not in text
    assert rig.audit.actions() == ["staff_login_failed", "staff_login_ok", "staff_logout",
                                   "staff_login_ok", "staff_logout", "staff_login_ok",
                                   "staff_logout"]


# -- roster, configuration, demo, CLI ------------------------------------------------------

def test_roster_carries_pin_hashes_and_secrets_compatibly(roster: StaffRoster) -> None:
    again = StaffRoster.from_dict(roster.to_dict())
    member = again.get("T1")
    assert member is not None and member.totp_secret == SECRET and member.pin_hash
    assert again.get("S2") is not None and again.get("S2").public_key == b""  # type: ignore[union-attr]
    assert "pin_hash" not in repr(member) and SECRET not in repr(member)
    bad = StaffRoster([StaffMember("Z1", b"", ("staff",), "", "scrypt$1$2")])
    with pytest.raises(ConfigError, match="Z1"):
        StaffAuth(bad, audit=ListAudit(), config=StaffConfig(), kiosk_id="K1",
                  state_path=Path("unused.json"))


def test_set_pin_stores_only_a_hash_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "roster.json"
    card = SimulatedStaffCard("S7")
    path.write_text(json.dumps({"version": 1, "staff": [
        {"staff_id": "S7", "public_key": StaffRoster([StaffMember("S7", card.public_key)])
         .to_dict()["staff"][0]["public_key"], "roles": ["staff"], "display_name": "赵六"}]},
        ensure_ascii=False), encoding="utf-8")
    staffauth.set_pin(path, "S7", "581321")
    text = path.read_text(encoding="utf-8")
    assert "581321" not in text and "赵六" in text and path.stat().st_mode & 0o077 == 0
    rig = Rig(StaffRoster.load(path), tmp_path)
    assert rig.auth.login_with_card(card.handle, "581321").staff_id == "S7"
    with pytest.raises(ValidationError):
        staffauth.set_pin(path, "S7", "12")
    with pytest.raises(ConfigError, match="--add"):
        staffauth.set_pin(path, "S8", "581321")
    staffauth.set_pin(path, "S8", "581321", add_roles=("staff",), display_name="钱七")
    assert StaffRoster.load(path).get("S8") is not None


def test_cli_set_pin_reads_the_pin_from_stdin_never_argv(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "roster.json"
    monkeypatch.setattr("sys.stdin", io.StringIO("7654321\n"))
    code = kiosk_main.main(["staff", "set-pin", "--roster", str(path), "--staff-id", "N1",
                            "--add", "technician"])
    assert code == 0 and "N1" in capsys.readouterr().out
    member = StaffRoster.load(path).get("N1")
    assert member is not None and verify_pin("7654321", member.pin_hash)
    assert member.roles == ("technician",)
    assert kiosk_main.main(["staff", "new-totp", "--roster", str(path),
                            "--staff-id", "N1"]) == 0
    out = capsys.readouterr().out
    secret = StaffRoster.load(path).get("N1").totp_secret  # type: ignore[union-attr]
    assert secret in out and "otpauth://totp/" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert kiosk_main.main(["staff", "set-pin", "--roster", str(path),
                            "--staff-id", "N1"]) == 2
    with pytest.raises(SystemExit):  # there is no way to pass a PIN on the command line
        kiosk_main.main(["staff", "set-pin", "--roster", str(path), "--staff-id", "N1",
                         "--pin", "7654321"])


def test_staff_settings_load_validate_and_come_from_the_environment(tmp_path: Path) -> None:
    cfg = load_config(env={"KIOSK_STAFF__ALLOW_PIN_ONLY": "true",
                           "KIOSK_STAFF__MAINTENANCE_IDLE_TIMEOUT_S": "120"},
                      overrides={"data_dir": str(tmp_path)})
    assert cfg.staff.allow_pin_only and cfg.staff.maintenance_idle_timeout_s == 120
    assert cfg.staff_lockout_path == tmp_path / "staff_lockout.json"
    assert cfg.staff_roster_path == staffauth.DEMO_ROSTER
    for key, value in (("staff.lockout_threshold", "0"),
                       ("staff.maintenance_idle_timeout_s", "9999"),
                       ("staff.lockout_max_delay_s", "10"),
                       ("staff.staff_idle_timeout_s", "5"),
                       ("staff.allow_pin_only", "perhaps")):
        with pytest.raises(ConfigError) as info:
            load_config(env={}, overrides={key: value})
        assert info.value.key == key
    with pytest.raises(ConfigError) as info:
        load_config(env={"KIOSK_STAFF__ROSTR": "x"})
    assert info.value.key == "staff.rostr"


def test_demo_mode_logs_in_with_the_documented_demo_credentials(tmp_path: Path) -> None:
    cfg = load_config(env={}, overrides={"data_dir": str(tmp_path)})
    clock, audit = Clock(), ListAudit()
    auth = StaffAuth.from_config(cfg, audit=audit, now=clock)
    staff_card, tech_card = demo_card("staff"), demo_card("technician")
    assert staff_card is not None and tech_card is not None
    assert auth.login_with_card(staff_card.handle, "123456").staff_id == "DEMO001"
    assert auth.maintenance_login_card(tech_card.handle, "654321").staff_id == DEMO_TECHNICIAN_ID
    code = totp("GOVKIOSKDEMOTOTP", int(T0 // 30))
    assert auth.maintenance_login_totp(DEMO_TECHNICIAN_ID, code, "654321").maintenance
    docs = (Path(__file__).resolve().parent.parent / "docs" / "staff.md").read_text("utf-8")
    for fact in ("DEMO001", DEMO_TECHNICIAN_ID, "123456", "654321", "GOVKIOSKDEMOTOTP"):
        assert fact in docs


def test_run_mode_refuses_demo_credentials(tmp_path: Path) -> None:
    base = {"data_dir": str(tmp_path), "allow_simulated_devices": "true",
            "platform.embedded": "false"}
    cfg = load_config(mode="run", env={},
                      overrides={**base, "staff.roster": str(staffauth.DEMO_ROSTER)})
    with pytest.raises(ConfigError, match="demo"):
        StaffAuth.from_config(cfg, audit=ListAudit())
    copied = tmp_path / "roster.json"
    copied.write_text(staffauth.DEMO_ROSTER.read_text("utf-8"), encoding="utf-8")
    cfg = load_config(mode="run", env={}, overrides={**base, "staff.roster": str(copied)})
    with pytest.raises(ConfigError, match="demo credential"):
        StaffAuth.from_config(cfg, audit=ListAudit())
    cfg = load_config(mode="run", env={}, overrides=base)  # no roster yet: nobody logs in
    auth = StaffAuth.from_config(cfg, audit=ListAudit())
    assert len(auth.roster) == 0 and cfg.staff_roster_path == tmp_path / "staff_roster.json"


def test_the_sample_configuration_documents_the_staff_section() -> None:
    root = Path(__file__).resolve().parent.parent
    cfg = load_config(root / "docs" / "kiosk.sample.toml", mode="run", env={})
    assert cfg.staff.roster.name == "staff_roster.json" and not cfg.staff.allow_pin_only
    table = (root / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name in ("roster", "allow_pin_only", "staff_idle_timeout_s",
                 "maintenance_idle_timeout_s", "lockout_threshold", "lockout_base_delay_s",
                 "lockout_max_delay_s"):
        assert f"`staff.{name}`" in table and getattr(cfg.staff, name) is not None


def test_the_kiosk_audit_log_takes_every_event(roster: StaffRoster, tmp_path: Path,
                                               cards: dict[str, Any]) -> None:
    """The real AuditSink (sync.audit.AuditLog, hash-chained in the queue) accepts the
    events as they are: ASCII codes and numbers only, no personal data."""
    from kiosk.config import OfflineLimits
    from kiosk.crypto import EncryptionKeyPair
    from sync.audit import AuditLog
    from sync.outbox import Outbox

    outbox = Outbox.open(tmp_path / "q.sqlite3", tmp_path / "att", kiosk_code="DEMO0001",
                         platform_encryption_key=EncryptionKeyPair.generate().public_b64(),
                         limits=OfflineLimits(min_free_disk_bytes=1))
    try:
        log = AuditLog(outbox)
        clock = Clock()
        auth = StaffAuth(roster, audit=log, config=StaffConfig(lockout_threshold=2),
                         kiosk_id="GY0001", state_path=tmp_path / "lock.json", now=clock)
        with pytest.raises(CredentialsError):
            auth.login_with_card(cards["X9"].handle, STAFF_PIN)
        with pytest.raises(CredentialsError):
            auth.login_with_card(cards["S1"].handle, "000000")
        with pytest.raises(LockedOutError):
            auth.login_with_card(cards["S1"].handle, "000000")
        with pytest.raises(LockedOutError):
            auth.login_with_card(cards["S1"].handle, STAFF_PIN)
        with pytest.raises(PermissionDeniedError):
            auth.login_with_pin("S2", "111222")
        clock.t += 30
        auth.maintenance_login_totp("T1", totp(SECRET, int(clock.t // 30)), TECH_PIN)
        clock.t += 1000
        assert auth.current is None
        entries = list(reversed(log.entries(limit=20)))
        assert [(e.actor, e.action) for e in entries] == [
            ("unknown", "staff_login_failed"), ("S1", "staff_login_failed"),
            ("S1", "staff_login_failed"), ("S1", "staff_login_locked"),
            ("unknown", "staff_login_denied"), ("T1", "staff_login_ok"),
            ("T1", "staff_logout")]
        assert entries[2].detail["locked_for_s"] == 30
        assert entries[-1].detail == {"mode": "maintenance", "method": "totp+pin",
                                      "reason": "idle", "session_s": 1000}
        assert log.verify().ok
    finally:
        outbox.close()
