"""Staff card contract and the kiosk-side verification, over the simulated applet."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from devices.smartcard import staffcard
from devices.smartcard.apdu import CardStatusError
from devices.smartcard.simulated import (
    SimulatedSocialSecurityCard,
    SimulatedStaffCard,
    demo_staff_key,
)
from devices.smartcard.staffcard import (
    StaffAuthenticator,
    StaffAuthError,
    StaffMember,
    StaffRoster,
)
from kiosk.crypto import b64e
from kiosk.errors import ConfigError


def roster_for(*cards: SimulatedStaffCard) -> StaffRoster:
    return StaffRoster(StaffMember(c.staff_id, c.public_key, ("technician",)) for c in cards)


def test_apdus_are_the_documented_ones() -> None:
    assert staffcard.STAFF_AID.hex().upper() == "F0474B535441464601"
    assert staffcard.select_command().encode().hex().upper() == "00A4040C09F0474B535441464601"
    assert staffcard.get_data_command(0xDF01).encode().hex().upper() == "80CADF0100"
    nonce = bytes(range(32))
    command = staffcard.internal_authenticate_command("K1", nonce).encode()
    assert command[:5].hex().upper() == "8088010022" and command[5:7] == b"K1"
    assert command[7:39] == nonce and command[-1] == 0x00
    assert staffcard.signed_message("K1", nonce) == b"GOV-KIOSK-STAFF-AUTH-V1\x00K1" + nonce
    docs = Path(__file__).resolve().parents[3] / "docs" / "devices" / "staffcard.md"
    text = docs.read_text(encoding="utf-8")
    for literal in ("F0 47 4B 53 54 41 46 46 01", "80 CA DF 01 00", "80 CA DF 02 00",
                    "80 88 01 00", "GOV-KIOSK-STAFF-AUTH-V1"):
        assert literal in text, literal


def test_a_good_card_verifies_and_the_member_comes_back() -> None:
    card = SimulatedStaffCard("T0001")
    auth = StaffAuthenticator("KIOSK-001", roster_for(card))
    answer = staffcard.read_staff_card(card.handle, auth.new_challenge())
    member = auth.verify(answer)
    assert member.staff_id == "T0001" and member.roles == ("technician",)


def test_a_card_with_another_key_fails() -> None:
    enrolled = SimulatedStaffCard("T0001")
    impostor = SimulatedStaffCard("T0001")  # same ID, its own key
    auth = StaffAuthenticator("KIOSK-001", roster_for(enrolled))
    with pytest.raises(StaffAuthError) as info:
        auth.verify(staffcard.read_staff_card(impostor.handle, auth.new_challenge()))
    assert info.value.reason == "bad_signature" and "验证失败" in info.value.user_message


@pytest.mark.parametrize("field", ["signature", "staff_id", "nonce"])
def test_a_tampered_answer_fails(field: str) -> None:
    alice, bob = SimulatedStaffCard("T0001"), SimulatedStaffCard("T0002")
    auth = StaffAuthenticator("KIOSK-001", roster_for(alice, bob))
    challenge = auth.new_challenge()
    answer = staffcard.read_staff_card(alice.handle, challenge)
    if field == "signature":
        sig = bytearray(answer.signature)
        sig[-1] ^= 0x01
        answer = dataclasses.replace(answer, signature=bytes(sig))
    elif field == "staff_id":
        answer = dataclasses.replace(answer, staff_id="T0002")
    else:  # the answer is presented against another (fresh, valid) challenge
        answer = dataclasses.replace(answer, challenge=auth.new_challenge())
    with pytest.raises(StaffAuthError) as info:
        auth.verify(answer)
    assert info.value.reason == "bad_signature"


def test_a_replayed_nonce_fails_even_after_success() -> None:
    card = SimulatedStaffCard("T0001")
    auth = StaffAuthenticator("KIOSK-001", roster_for(card))
    answer = staffcard.read_staff_card(card.handle, auth.new_challenge())
    auth.verify(answer)
    with pytest.raises(StaffAuthError) as info:
        auth.verify(answer)
    assert info.value.reason == "unknown_challenge"


def test_a_failed_attempt_burns_its_nonce() -> None:
    card = SimulatedStaffCard("T0001")
    auth = StaffAuthenticator("KIOSK-001", roster_for(card))
    answer = staffcard.read_staff_card(card.handle, auth.new_challenge())
    with pytest.raises(StaffAuthError):
        auth.verify(dataclasses.replace(answer, signature=answer.signature[:-1] + b"\x00"))
    with pytest.raises(StaffAuthError) as info:
        auth.verify(answer)
    assert info.value.reason == "unknown_challenge"


def test_the_kiosk_never_reuses_a_nonce_even_if_its_random_source_does() -> None:
    auth = StaffAuthenticator("KIOSK-001", StaffRoster(), random=lambda n: b"\x07" * n)
    auth.new_challenge()
    with pytest.raises(RuntimeError, match="repeated"):
        auth.new_challenge()
    fresh = StaffAuthenticator("KIOSK-001", StaffRoster())
    nonces = {fresh.new_challenge().nonce for _ in range(200)}
    assert len(nonces) == 200 and all(len(n) == 32 for n in nonces)


def test_unknown_staff_expired_and_foreign_challenges_fail() -> None:
    card = SimulatedStaffCard("T0009")
    now = [100.0]
    auth = StaffAuthenticator("KIOSK-001", roster_for(SimulatedStaffCard("T0001")),
                              ttl_s=30, clock=lambda: now[0])
    with pytest.raises(StaffAuthError) as info:
        auth.verify(staffcard.read_staff_card(card.handle, auth.new_challenge()))
    assert info.value.reason == "unknown_staff"

    auth = StaffAuthenticator("KIOSK-001", roster_for(card), ttl_s=30, clock=lambda: now[0])
    answer = staffcard.read_staff_card(card.handle, auth.new_challenge())
    now[0] += 31
    with pytest.raises(StaffAuthError) as info:
        auth.verify(answer)
    assert info.value.reason == "challenge_expired"

    other = StaffAuthenticator("KIOSK-002", roster_for(card))
    stolen = staffcard.read_staff_card(card.handle, other.new_challenge())
    auth_challenge = auth.new_challenge()
    forged = dataclasses.replace(stolen, challenge=dataclasses.replace(
        stolen.challenge, nonce=auth_challenge.nonce))
    with pytest.raises(StaffAuthError) as info:
        auth.verify(forged)
    assert info.value.reason == "wrong_kiosk"


def test_old_challenges_are_dropped_beyond_max_pending() -> None:
    card = SimulatedStaffCard("T0001")
    auth = StaffAuthenticator("KIOSK-001", roster_for(card), max_pending=2)
    first = auth.new_challenge()
    auth.new_challenge()
    auth.new_challenge()
    with pytest.raises(StaffAuthError) as info:
        auth.verify(staffcard.read_staff_card(card.handle, first))
    assert info.value.reason == "unknown_challenge"


def test_a_card_without_the_applet_is_not_a_staff_card() -> None:
    auth = StaffAuthenticator("KIOSK-001", StaffRoster())
    with pytest.raises(CardStatusError) as info:
        staffcard.read_staff_card(SimulatedSocialSecurityCard().handle, auth.new_challenge())
    assert "工作人员卡" in info.value.user_message
    card = SimulatedStaffCard("T0001")
    assert staffcard.select_applet(card.handle)
    assert staffcard.read_public_key(card.handle) == card.public_key


def test_roster_loads_validates_and_round_trips(tmp_path: Path) -> None:
    card = SimulatedStaffCard.demo()
    assert card.public_key == staffcard.public_key_bytes(demo_staff_key())
    path = tmp_path / "roster.json"
    path.write_text(json.dumps({"version": 1, "staff": [
        {"staff_id": "DEMO001", "public_key": b64e(card.public_key), "roles": ["admin"]}]}),
        encoding="utf-8")
    roster = StaffRoster.load(path)
    assert len(roster) == 1 and roster.get("DEMO001") is not None
    assert StaffRoster.from_dict(roster.to_dict()).get("DEMO001") == roster.get("DEMO001")
    for bad in ({"version": 2, "staff": []}, {"version": 1, "staff": {}},
                {"version": 1, "staff": [{"staff_id": "bad id", "public_key": ""}]},
                {"version": 1, "staff": [{"staff_id": "T1", "public_key": "AAAA"}]}):
        with pytest.raises(ConfigError):
            StaffRoster.from_dict(bad)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError):
        StaffRoster.load(path)
