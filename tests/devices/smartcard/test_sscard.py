"""The 社保卡 sequence over simulated cards' ``handle`` (no reader): fast, every variant."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.smartcard import sscard
from devices.smartcard.apdu import CardDataError, CardStatusError
from devices.smartcard.simulated import SimulatedForeignCard, SimulatedSocialSecurityCard
from devices.smartcard.sscard import SocialSecurityCard, read_social_security_card
from kiosk.errors import DeviceError
from kiosk.redaction import RedactingFilter

VARIANTS = {
    "p2_00": dict(record_modes=frozenset({0x00})),
    "p2_04": dict(record_modes=frozenset({0x04})),
    "6cxx": dict(strict_le=True, name_size=0),
    "61xx": dict(t0=True),
    "no_ddf_6a82": dict(has_ddf=False, record_modes=frozenset({0x04})),
    "everything": dict(t0=True, strict_le=True, name_size=0, record_modes=frozenset({0x04})),
}


def assert_demo_citizen(card: SocialSecurityCard) -> None:
    assert card.name == "张三丰"
    assert card.id_number == "11010519491231002X"
    assert card.card_number == "A00000001"
    assert card.birth == dt.date(1949, 12, 31)
    assert card.issue_date == dt.date(2021, 6, 1) and card.expiry == dt.date(2031, 6, 1)
    assert (card.sex, card.nation, card.region_code, card.spec_version) == \
        ("男", "汉族", "110100", "3.00")


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_reads_every_card_variant(variant: str) -> None:
    simulated = SimulatedSocialSecurityCard(**VARIANTS[variant])  # type: ignore[arg-type]
    assert_demo_citizen(read_social_security_card(simulated.handle))
    headers = [c[:4].hex().upper() for c in simulated.commands]
    if variant == "6cxx":
        assert "00B20900" in headers and any(
            c.hex().upper() == "00B2090008" for c in simulated.commands)  # re-sent, Le=08
    if variant == "61xx":
        assert "00C00000" in headers
    if variant == "no_ddf_6a82":
        assert headers[:3] == ["00A40400", "00A40000", "00A40200"]  # DDF, MF, EF05
        assert "00B20704" in headers  # record number mode, as the Shanghai reader does


def test_the_read_sequence_is_the_documented_one() -> None:
    simulated = SimulatedSocialSecurityCard()
    read_social_security_card(simulated.handle)
    assert [c.hex().upper() for c in simulated.commands] == [
        "00A404000F7378312E73682EC9E7BBE1B1A3D5CF",
        "00A4020002EF05",
        "00B207000B", "00B2010012", "00B2030006", "00B2050006", "00B2060006",
        "00A4020002EF06",
        "00B2080014", "00B2090020", "00B20A0003", "00B20B0003", "00B20D0006",
    ]


def test_a_card_with_p1_02_unsupported_is_selected_with_p1_00() -> None:
    simulated = SimulatedSocialSecurityCard()
    original = simulated._select

    def select(p1: int, p2: int, data: bytes) -> bytes:
        return b"\x6a\x86" if p1 == 0x02 else original(p1, p2, data)

    simulated._select = select  # type: ignore[method-assign]
    assert_demo_citizen(read_social_security_card(simulated.handle))


def test_security_status_is_a_typed_error_with_a_chinese_message() -> None:
    with pytest.raises(CardStatusError) as info:
        read_social_security_card(SimulatedSocialSecurityCard(deny_personal=True).handle)
    assert info.value.sw == 0x6982 and "密码或授权" in info.value.user_message
    assert "6982" in info.value.detail and "社会保障号码" in info.value.detail


def test_a_card_without_the_application_is_not_a_social_security_card() -> None:
    with pytest.raises(CardStatusError) as info:
        read_social_security_card(SimulatedForeignCard().handle)
    assert info.value.sw == 0x6A82 and "社会保障卡" in info.value.user_message


def test_optional_records_may_be_missing_but_required_ones_not() -> None:
    simulated = SimulatedSocialSecurityCard()
    del simulated.files[sscard.EF06][0x0D]
    del simulated.files[sscard.EF05][0x03]
    card = read_social_security_card(simulated.handle)
    assert card.birth is None and card.spec_version == ""
    del simulated.files[sscard.EF06][0x09]
    with pytest.raises(CardStatusError) as info:
        read_social_security_card(simulated.handle)
    assert info.value.sw == 0x6A83


def test_a_fixed_record_mode_is_not_second_guessed() -> None:
    simulated = SimulatedSocialSecurityCard(record_modes=frozenset({0x04}))
    with pytest.raises(CardStatusError):
        read_social_security_card(simulated.handle, record_mode="id")
    assert_demo_citizen(read_social_security_card(simulated.handle, record_mode="number"))


def test_minority_names_and_other_codes_decode() -> None:
    simulated = SimulatedSocialSecurityCard(name="阿依古丽·买买提", sex="2", nation=5,
                                            expiry=None)
    card = read_social_security_card(simulated.handle)
    assert (card.name, card.sex, card.nation, card.expiry) == ("阿依古丽·买买提", "女",
                                                                "维吾尔族", None)
    simulated.files[sscard.EF06][0x0B] = b"99"
    assert read_social_security_card(simulated.handle).nation == "99"


def test_repr_and_masked_view_hide_personal_fields() -> None:
    card = read_social_security_card(SimulatedSocialSecurityCard().handle)
    for text in (repr(card), str(card), str([card])):
        assert "张三丰" not in text and "11010519491231002X" not in text
        assert "A00000001" not in text and "1949" not in text
    masked = card.masked()
    assert masked["姓名"] == "张**" and masked["社会保障号码"] == "110***********002X"
    assert masked["社保卡号"] == "A******01" and "1949" not in str(masked)
    assert card.personal()["姓名"] == "张三丰"
    assert not card.is_expired(dt.date(2031, 6, 1)) and card.is_expired(dt.date(2031, 6, 2))


def test_registered_card_values_are_masked_in_logs() -> None:
    card = read_social_security_card(SimulatedSocialSecurityCard().handle)
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "holder %s card %s",
                               (card.name, card.card_number), None)
    sscard.register_card_sensitive(card)
    try:
        RedactingFilter().filter(record)
        assert "张三丰" not in record.getMessage() and "A00000001" not in record.getMessage()
    finally:
        sscard.unregister_card_sensitive(card)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_card_answers_give_a_card_or_a_device_error(data: st.DataObject) -> None:
    answers = st.one_of(
        st.binary(max_size=40),
        st.sampled_from([b"\x90\x00", b"\x6a\x82", b"\x6a\x83", b"\x61\x05", b"\x6c\x03",
                         b"\x69\x82", b"\x07\x03ABC\x90\x00", b"\x09\x02\xd5\xc5\x90\x00"]),
    )

    def transmit(command: bytes) -> bytes:
        answer: bytes = data.draw(answers)
        return answer

    with contextlib.suppress(DeviceError):
        read_social_security_card(transmit)


def test_garbage_in_a_record_is_a_data_error_not_a_crash() -> None:
    simulated = SimulatedSocialSecurityCard()
    simulated.files[sscard.EF05][0x05] = bytes.fromhex("2021130A")
    with pytest.raises(CardDataError):
        read_social_security_card(simulated.handle)
