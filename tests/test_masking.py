from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.masking import (
    COMPOUND_SURNAMES,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_uscc,
)

MASKERS = [mask_id_number, mask_name, mask_phone, mask_uscc, mask_address]


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("11010519491231002X", "110***********002X"),
        ("440524188001010014", "440***********0014"),
        ("11010519491231002x", "110***********002x"),
        ("110105491231002", "110********1002"),  # 15-digit legacy number
        (" 11010519491231002X\n", "110***********002X"),
        ("12345678", "1*****78"),  # short/odd input reveals at most 3 chars
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_id_number_shows_first_three_and_last_four(raw: str, masked: str) -> None:
    assert mask_id_number(raw) == masked


def test_mask_id_number_hides_region_detail_and_birth_date() -> None:
    masked = mask_id_number("11010519491231002X")
    assert "19491231" not in masked
    assert masked[3:14] == "*" * 11


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三", "张*"),
        ("李小龙", "李**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("诸葛亮", "诸葛*"),
        ("欧阳", "欧*"),  # two characters: surname 欧 + given name 阳
        ("爱新觉罗·溥仪", "爱***·**"),
        ("阿依古丽·买买提", "阿***·***"),
        ("John Smith", "J*** S****"),
        ("Mary-Jane O'Neil", "M******** O*****"),
        ("张", "*"),
        ("𠀀三", "𠀀*"),  # CJK Extension B surname
        ("  李四 ", "李*"),
        ("", ""),
    ],
)
def test_mask_name_keeps_surname_or_initials(raw: str, masked: str) -> None:
    assert mask_name(raw) == masked


def test_compound_surnames_include_the_common_ones() -> None:
    for surname in ("欧阳", "上官", "皇甫", "尉迟", "万俟", "第五", "拓跋", "令狐"):
        assert surname in COMPOUND_SURNAMES
        assert mask_name(surname + "某某") == surname + "**"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+86 138-1234-1234", "138****1234"),
        ("86 13812341234", "138****1234"),
        ("0086 138 1234 1234", "138****1234"),
        ("(+86) 13812341234", "138****1234"),
        ("0851-85551234", "085******1234"),  # landline: first 3 + last 4
        ("85551234", "****1234"),
        ("5551234", "*******"),
    ],
)
def test_mask_phone(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


def test_mask_uscc_keeps_authority_type_and_last_four() -> None:
    assert mask_uscc("91350100M000100Y43") == "91************0Y43"
    assert mask_uscc("91350100M000100Y43") == mask_uscc(mask_uscc("91350100M000100Y43"))
    assert mask_uscc("123") == "***"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("贵州省贵阳市南明区中华南路123号", "贵州省贵阳市南明区********"),
        ("北京市朝阳区建国路88号院3号楼", "北京市朝阳区**********"),
        ("广西壮族自治区南宁市青秀区民族大道1号", "广西壮族自治区南宁市青秀区******"),
        ("贵州省黔东南苗族侗族自治州凯里市北京东路5号", "贵州省黔东南苗族侗族自治州凯里市******"),
        ("贵州省遵义市仁怀市茅台镇", "贵州省遵义市仁怀市***"),
        ("内蒙古自治区锡林郭勒盟锡林浩特市", "内蒙古自治区锡林郭勒盟锡林浩特市"),
        ("贵阳市花果园小区1栋", "贵阳市*******"),  # 小区 is not a district
        ("中华南路123号", "********"),  # no administrative unit: all hidden
        ("张三家住贵阳市", "*******"),  # free text is not kept
        ("", ""),
    ],
)
def test_mask_address_keeps_province_city_and_district(raw: str, masked: str) -> None:
    assert mask_address(raw) == masked


@pytest.mark.parametrize("masker", MASKERS, ids=lambda f: f.__name__)
@given(value=st.text())
def test_maskers_are_total_and_idempotent(masker: object, value: str) -> None:
    assert callable(masker)
    masked = masker(value)
    assert isinstance(masked, str)
    assert masker(masked) == masked


@pytest.mark.parametrize("masker", [mask_id_number, mask_uscc, mask_address])
@given(value=st.text())
def test_code_and_address_masks_keep_the_stripped_length(masker: object, value: str) -> None:
    assert callable(masker)
    assert len(masker(value)) == len(value.strip())


@given(value=st.text(alphabet="0123456789Xx", min_size=1, max_size=30))
def test_mask_id_number_never_reveals_more_than_seven_chars(value: str) -> None:
    masked = mask_id_number(value)
    revealed = sum(1 for c in masked if c != "*")
    assert revealed <= 7
    assert revealed <= len(value) // 2
