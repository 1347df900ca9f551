"""The ``SmartCardReader`` contract, run against every backend that runs here: the
simulated reader and ``PcscCardReader`` through a real pcscd + vsmartcard-vpcd + pyscard,
with the same simulated cards behind both (``virtual_card.py`` serves them to vpcd)."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from devices.smartcard import staffcard
from devices.smartcard.apdu import CardStatusError
from devices.smartcard.base import CardEvent, CardListener, CardRemovedError, NoCardError
from devices.smartcard.simulated import (
    SimulatedForeignCard,
    SimulatedSocialSecurityCard,
    SimulatedStaffCard,
)
from devices.smartcard.staffcard import StaffAuthenticator, StaffAuthError, StaffMember
from kiosk.errors import DeviceOperationError
from kiosk.redaction import redact
from tests.devices.smartcard.conftest import Rig
from tests.devices.smartcard.test_sscard import VARIANTS, assert_demo_citizen


class Recorder(CardListener):
    def __init__(self) -> None:
        self.events: list[tuple[str, CardEvent]] = []
        self.changed = threading.Condition()

    def on_inserted(self, event: CardEvent) -> None:
        with self.changed:
            self.events.append(("inserted", event))
            self.changed.notify_all()

    def on_removed(self, event: CardEvent) -> None:
        with self.changed:
            self.events.append(("removed", event))
            self.changed.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[str]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.events) >= count, timeout)
            return [kind for kind, _ in self.events]


class TestSmartCardReaderContract:
    @pytest.mark.parametrize("variant", list(VARIANTS))
    def test_reads_a_social_security_card(self, rig: Rig, variant: str) -> None:
        rig.insert(SimulatedSocialSecurityCard(**VARIANTS[variant]))  # type: ignore[arg-type]
        card = rig.reader.read_social_security_card()
        assert_demo_citizen(card)
        assert "张三丰" not in redact(f"{card.name} 来办理业务")  # registered by the reader

    def test_insert_remove_reinsert_are_reported_and_read_again(self, rig: Rig) -> None:
        recorder = Recorder()
        rig.reader.add_listener(recorder)
        rig.reader.start_monitoring()
        try:
            rig.insert(SimulatedSocialSecurityCard())
            assert recorder.wait_for(1) == ["inserted"]
            assert recorder.events[0][1].atr == SimulatedSocialSecurityCard.atr
            assert_demo_citizen(rig.reader.read_social_security_card())
            rig.remove()
            assert recorder.wait_for(2) == ["inserted", "removed"]
            with pytest.raises(NoCardError) as info:
                rig.reader.read_social_security_card()
            assert info.value.user_message == "请插入卡片"
            rig.insert(SimulatedSocialSecurityCard(name="李四", id_number="110101199003070011"))
            assert recorder.wait_for(3) == ["inserted", "removed", "inserted"]
            card = rig.reader.read_social_security_card()
            assert (card.name, card.id_number) == ("李四", "110101199003070011")
        finally:
            rig.reader.stop_monitoring()
        assert not rig.reader.monitoring

    def test_a_card_already_present_is_reported_when_monitoring_starts(self, rig: Rig) -> None:
        rig.insert(SimulatedSocialSecurityCard())
        recorder = Recorder()
        rig.reader.add_listener(recorder)
        rig.reader.start_monitoring()
        assert recorder.wait_for(1) == ["inserted"]
        rig.reader.close()  # close() stops the monitor too
        assert not rig.reader.monitoring

    def test_security_status_is_a_typed_error(self, rig: Rig) -> None:
        rig.insert(SimulatedSocialSecurityCard(deny_personal=True))
        with pytest.raises(CardStatusError) as info:
            rig.reader.read_social_security_card()
        assert info.value.sw == 0x6982 and "密码或授权" in info.value.user_message

    def test_a_card_that_is_not_a_social_security_card(self, rig: Rig) -> None:
        rig.insert(SimulatedForeignCard())
        with pytest.raises(CardStatusError) as info:
            rig.reader.read_social_security_card()
        assert info.value.sw == 0x6A82 and "社会保障卡" in info.value.user_message

    @pytest.mark.parametrize("after", [1, 7, 10])
    def test_a_card_pulled_mid_read_is_an_operation_error(self, rig: Rig, after: int) -> None:
        rig.insert(SimulatedSocialSecurityCard(pull_after=after, t0=after == 7))
        with pytest.raises(CardRemovedError) as info:
            rig.reader.read_social_security_card()
        assert isinstance(info.value, DeviceOperationError)
        assert info.value.user_message.startswith("请勿在读卡时拔出卡片")
        assert rig.reader.wait_for_removal(5.0)

    def test_staff_card_challenge_response(self, rig: Rig) -> None:
        card = SimulatedStaffCard("T0001")
        other = SimulatedStaffCard("T0002")
        roster = staffcard.StaffRoster([StaffMember("T0001", card.public_key),
                                        StaffMember("T0002", other.public_key)])
        auth = StaffAuthenticator("KIOSK-001", roster)
        rig.insert(card)

        good = rig.reader.read_staff_card(auth.new_challenge())
        assert auth.verify(good).staff_id == "T0001" and good.atr == card.atr
        with pytest.raises(StaffAuthError, match="already used"):
            auth.verify(good)  # replayed nonce

        tampered = rig.reader.read_staff_card(auth.new_challenge())
        with pytest.raises(StaffAuthError) as info:
            auth.verify(dataclasses.replace(tampered, staff_id="T0002"))
        assert info.value.reason == "bad_signature"

        strangers = StaffAuthenticator("KIOSK-001", staffcard.StaffRoster(
            [StaffMember("T0001", other.public_key)]))  # enrolled with another key
        with pytest.raises(StaffAuthError) as info:
            strangers.verify(rig.reader.read_staff_card(strangers.new_challenge()))
        assert info.value.reason == "bad_signature"

        nobody = StaffAuthenticator("KIOSK-001", staffcard.StaffRoster())
        with pytest.raises(StaffAuthError) as info:
            nobody.verify(rig.reader.read_staff_card(nobody.new_challenge()))
        assert info.value.reason == "unknown_staff"

    def test_a_social_security_card_is_not_a_staff_card(self, rig: Rig) -> None:
        rig.insert(SimulatedSocialSecurityCard())
        auth = StaffAuthenticator("KIOSK-001", staffcard.StaffRoster())
        with pytest.raises(CardStatusError) as info:
            rig.reader.read_staff_card(auth.new_challenge())
        assert "工作人员卡" in info.value.user_message

    def test_describe_and_self_test(self, rig: Rig) -> None:
        assert rig.reader.self_test().checks["card"] == "absent"
        rig.insert(SimulatedStaffCard("T0001"))
        result = rig.reader.self_test()
        assert result.ok and result.checks["card"].startswith("present, ATR 3B")
        info = rig.reader.describe()
        assert info["kind"] == "smartcard" and info["backend"] == rig.backend
        assert str(rig.reader).startswith(rig.reader.label_zh)

    def test_wait_for_card_times_out_with_no_card_error(self, rig: Rig) -> None:
        with pytest.raises(NoCardError):
            rig.reader.wait_for_card(0.3)
        assert rig.reader.card_atr() is None
