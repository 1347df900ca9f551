"""The text block of the four card types, IdCardData and its privacy-safe views."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.idcard.cards import (
    LONG_TERM,
    NATIONS,
    CardType,
    IdCardData,
    UnsupportedCardError,
    build_text_block,
    parse_text_block,
)
from devices.idcard.protocol import ProtocolError
from devices.idcard.simulated import SAMPLE_CARDS, sample_card
from tests.devices.idcard.conftest import TEST_VECTOR


def test_verified_test_vector_parses_to_all_ten_fields() -> None:
    card = parse_text_block(TEST_VECTOR, photo_wlt=bytes(1024))
    assert card.card_type is CardType.RESIDENT
    assert (card.name, card.sex, card.nation) == ("张三", "男", "汉")
    assert card.birth == date(1949, 12, 31)
    assert card.address == "北京市朝阳区某街道1号"
    assert card.id_number == "11010519491231002X"
    assert card.authority == "北京市公安局朝阳分局"
    assert (card.valid_from, card.valid_to) == (date(2020, 1, 1), date(2040, 1, 1))
    assert card.warnings == () and card.number_valid
    assert build_text_block(card) == TEST_VECTOR


@pytest.mark.parametrize("kind", list(SAMPLE_CARDS))
def test_every_card_type_round_trips_through_the_text_block(kind: str) -> None:
    card = sample_card(kind)
    block = build_text_block(card)
    assert len(block) == 256
    parsed = parse_text_block(block, photo_wlt=card.photo_wlt, added_address=card.added_address)
    assert parsed == card and parsed.warnings == ()


def test_type_specific_fields() -> None:
    j = parse_text_block(build_text_block(sample_card("J")))
    assert (j.card_type.value, j.pass_number, j.issue_count, j.nation) == ("J", "H12345678",
                                                                          "01", "")
    i = parse_text_block(build_text_block(sample_card("I")))
    assert (i.name_en, i.name, i.nationality, i.id_number) == ("SMITH, JOHN", "约翰", "USA",
                                                               "USA110080010101")
    assert i.birth == date(1980, 1, 1) and i.card_version == "01" and i.authority == "1100"
    y = parse_text_block(build_text_block(sample_card("Y")))
    assert (y.nationality, y.id_number[0], y.card_type.label_zh) == (
        "840", "9", "外国人永久居留身份证（2023版）")


def test_y_card_english_name_continues_in_the_second_field() -> None:
    long_name = "VANDERBILT-MONTGOMERY, ALEXANDRA ELIZABETH"  # 42 chars > 35
    card = dataclasses.replace(sample_card("Y"), name_en=long_name)
    assert parse_text_block(build_text_block(card)).name_en == long_name


def test_long_term_validity_and_nul_padding() -> None:
    card = sample_card("resident_long_term")
    block = build_text_block(card).replace(" ".encode("utf-16-le"), b"\x00\x00")
    parsed = parse_text_block(block)
    assert parsed.valid_to == LONG_TERM and parsed.name == "欧阳秀英" and parsed.nation == "苗"
    assert parsed.card_type is CardType.RESIDENT  # NUL type char = resident


def test_a_bad_check_digit_is_a_warning_not_a_rejection() -> None:
    bad = dataclasses.replace(sample_card(), id_number="110101197608056896")
    parsed = parse_text_block(build_text_block(bad))
    assert parsed.id_number == "110101197608056896" and not parsed.number_valid
    assert "身份证号码校验位不正确" in parsed.warnings
    assert all("110101" not in w for w in parsed.warnings)  # no personal data in warnings


def test_birth_mismatch_and_unknown_codes_are_warnings() -> None:
    odd = dataclasses.replace(sample_card(), birth=date(1991, 1, 1), nation="99", sex="7")
    parsed = parse_text_block(build_text_block(odd))
    assert set(parsed.warnings) == {"出生日期与证件号码不一致", "民族代码无法识别",
                                    "性别代码无法识别"}
    assert parsed.nation == "99"


def test_foreign_2017_number_format_is_checked_not_gb11643() -> None:
    bad = dataclasses.replace(sample_card("I"), id_number="123456789012345")
    assert parse_text_block(build_text_block(bad)).warnings == ("永久居留证号码格式不正确",)


def test_unknown_card_type_and_wrong_length_are_typed_errors() -> None:
    block = bytearray(TEST_VECTOR)
    block[248:250] = "Z".encode("utf-16-le")
    with pytest.raises(UnsupportedCardError):
        parse_text_block(bytes(block))
    with pytest.raises(ProtocolError):
        parse_text_block(TEST_VECTOR[:-2])


def test_nation_table_has_the_58_gb3304_entries() -> None:
    assert len(NATIONS) == 58 and NATIONS["56"] == "基诺" and NATIONS["98"] == "外国血统中国籍人士"


def test_repr_and_masked_view_hide_personal_fields() -> None:
    card = dataclasses.replace(parse_text_block(TEST_VECTOR, photo_wlt=b"\x01" * 1024),
                               fingerprint=b"\x02" * 512, added_address="北京市海淀区某路2号")
    for text in (repr(card), str(card), repr([card])):
        for secret in ("张三", "11010519491231002X", "北京市朝阳区", "1949", "\\x01"):
            assert secret not in text
    masked = card.masked()
    assert masked["name"] == "张*" and masked["id_number"] == "110***********002X"
    assert masked["birth"] == "1949-**-**" and "某街道" not in masked["address"]
    assert "某路" not in masked["added_address"]
    assert masked["photo_wlt_bytes"] == 1024 and masked["fingerprint_bytes"] == 512
    assert card.as_dict()["name"] == "张三"


cjk = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), max_size=15)


@settings(max_examples=100, deadline=None)
@given(cjk, cjk.map(lambda s: s[:35]), cjk, st.dates(date(1900, 1, 1), date(2099, 12, 31)))
def test_resident_fields_round_trip(name: str, address: str, authority: str,
                                    birth: date) -> None:
    card = IdCardData(name=name, sex="女", nation="回", birth=birth, address=address,
                      id_number="11010519491231002X", authority=authority,
                      valid_from=birth, valid_to=LONG_TERM)
    parsed = parse_text_block(build_text_block(card))
    assert (parsed.name, parsed.address, parsed.authority, parsed.birth) == (
        name, address, authority, birth)
