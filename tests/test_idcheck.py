"""GB 11643 ID numbers, GB 32100 credit codes and mobile numbers (reference/devices.md §B)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.errors import ValidationError
from kiosk.idcheck import (
    HOLDER_FOREIGN_PR,
    HOLDER_HK_MACAO_TAIWAN,
    HOLDER_RESIDENT,
    USCC_CHARSET,
    id_check_char,
    id_number_problem,
    is_valid_id_number,
    is_valid_mobile,
    is_valid_uscc,
    mobile_problem,
    parse_id_number,
    upgrade_id15,
    uscc_check_char,
    uscc_problem,
)

VALID_IDS = ["11010519491231002X", "440524188001010014", "932682198501010017",
             "911124198108030024"]
VALID_USCC = ["91350100M000100Y43", "91110108551385082Q", "91440300708461136T",
              "914403001922038216"]


def with_check(body: str) -> str:
    return body + id_check_char(body)


@pytest.mark.parametrize("number", VALID_IDS)
def test_reference_id_numbers_are_valid(number: str) -> None:
    assert id_number_problem(number) is None


def test_wrong_check_digit_is_reported() -> None:
    assert id_number_problem("110101197608056896") == "身份证号码校验位不正确"
    assert with_check("11010119760805689") == "110101197608056897"


def test_lowercase_x_full_width_digits_and_spaces_are_accepted() -> None:
    assert is_valid_id_number("11010519491231002x")
    assert is_valid_id_number("１１０１０５１９４９１２３１００２Ｘ")
    assert is_valid_id_number(" 110105 19491231 002X ")


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1101051949123100", "身份证号码应为18位"),
        ("11010519491231002XX", "身份证号码应为18位"),
        ("1101051949123100Y2", "身份证号码只能是数字，最后一位可以是X"),
        ("X10105194912310021", "身份证号码只能是数字，最后一位可以是X"),
        (with_check("01010519491231002"), "身份证号码的地区码不正确"),
        (with_check("84000019491231002"), "身份证号码的地区码不正确"),
        (with_check("11010519490230002"), "身份证号码中的出生日期不正确"),
        (with_check("11010517991231002"), "身份证号码中的出生日期不正确"),
    ],
)
def test_malformed_id_numbers_get_specific_messages(number: str, message: str) -> None:
    assert id_number_problem(number) == message


def test_birth_date_in_the_future_is_rejected() -> None:
    number = with_check("11010520300101002")
    assert id_number_problem(number, today=date(2029, 12, 31)) == "身份证号码中的出生日期不正确"
    assert id_number_problem(number, today=date(2030, 1, 1)) is None


@pytest.mark.parametrize(
    ("prefix", "holder"),
    [("110105", HOLDER_RESIDENT), ("810000", HOLDER_HK_MACAO_TAIWAN),
     ("820000", HOLDER_HK_MACAO_TAIWAN), ("830000", HOLDER_HK_MACAO_TAIWAN),
     ("932682", HOLDER_FOREIGN_PR)],
)
def test_residence_permit_and_foreign_pr_numbers_are_accepted(prefix: str, holder: str) -> None:
    info = parse_id_number(with_check(prefix + "19900615123"))
    assert info.holder == holder
    assert info.birth == date(1990, 6, 15)


def test_parse_reads_sex_birth_and_region() -> None:
    info = parse_id_number("11010519491231002X")
    assert (info.region, info.birth, info.sex) == ("110105", date(1949, 12, 31), "女")
    assert parse_id_number("440524188001010014").sex == "男"
    with pytest.raises(ValidationError) as err:
        parse_id_number("110101197608056896")
    assert err.value.user_message == "身份证号码校验位不正确"


def test_legacy_15_digit_number_is_upgraded() -> None:
    assert upgrade_id15("110105491231002") == "11010519491231002X"
    assert is_valid_id_number(upgrade_id15("440524800101001"))


@pytest.mark.parametrize("number", ["11010549123100", "110105491331002", "11010549123100A",
                                    "910105491231002"])
def test_bad_legacy_numbers_cannot_be_upgraded(number: str) -> None:
    with pytest.raises(ValidationError):
        upgrade_id15(number)


id_bodies = st.builds(
    lambda region, birth, seq: f"{region}{birth:%Y%m%d}{seq:03d}",
    st.sampled_from(["110105", "440524", "520102", "520103", "810000", "932682"]),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@given(id_bodies)
def test_body_plus_computed_check_digit_validates(body: str) -> None:
    assert is_valid_id_number(body + id_check_char(body))


@given(id_bodies, st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_detected(body: str, position: int, new: str) -> None:
    number = body + id_check_char(body)
    if number[position] == new or (position < 17 and new == "X"):
        return
    mutated = number[:position] + new + number[position + 1:]
    assert not is_valid_id_number(mutated)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17),
       st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_mod_11_2_catches_every_single_digit_substitution(body: str, i: int, delta: int) -> None:
    changed = body[:i] + str((int(body[i]) + delta) % 10) + body[i + 1:]
    assert id_check_char(changed) != id_check_char(body)


# --------------------------------------------------------------------- USCC


@pytest.mark.parametrize("code", VALID_USCC)
def test_reference_credit_codes_are_valid(code: str) -> None:
    assert uscc_problem(code) is None
    assert is_valid_uscc(code.lower())


def test_credit_code_with_wrong_check_character_is_reported() -> None:
    assert uscc_problem("91110108551385082A") == "统一社会信用代码校验位不正确"


@pytest.mark.parametrize(
    ("code", "message"),
    [("9111010855138508", "统一社会信用代码应为18位"),
     ("91110108551385O82Q", "统一社会信用代码格式不正确"),
     ("911A0108551385082Q", "统一社会信用代码格式不正确")],
)
def test_malformed_credit_codes_get_specific_messages(code: str, message: str) -> None:
    assert uscc_problem(code) == message


uscc_bodies = st.builds(
    lambda head, region, subject: head + region + subject,
    st.text(alphabet=USCC_CHARSET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9),
)


@given(uscc_bodies, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_CHARSET))
def test_credit_code_check_catches_single_substitutions(body: str, i: int, new: str) -> None:
    code = body + uscc_check_char(body)
    assert is_valid_uscc(code)
    if code[i] != new:
        assert not is_valid_uscc(code[:i] + new + code[i + 1:])


# ------------------------------------------------------------------- mobile


@pytest.mark.parametrize("number", ["13800138000", "19912345678", "+86 138 0013 8000",
                                    "１３８００１３８０００", "138-0013-8000"])
def test_mobile_numbers_are_accepted_in_common_spellings(number: str) -> None:
    assert is_valid_mobile(number)


@pytest.mark.parametrize(
    ("number", "message"),
    [("1380013800", "手机号码应为11位数字"), ("1380013800a", "手机号码应为11位数字"),
     ("12800138000", "手机号码格式不正确"), ("23800138000", "手机号码格式不正确")],
)
def test_bad_mobile_numbers_are_reported(number: str, message: str) -> None:
    assert mobile_problem(number) == message
