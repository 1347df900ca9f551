"""Form-field validation: messages, normalisation, and never raising."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalogue import FIELD_KINDS, FormField, load_catalogue
from kiosk.validation import normalize_value, validate_field, validate_form


def field(kind: str, *, label: str = "姓名", required: bool = True, max_length: int | None = None,
          pattern: str | None = None, options: tuple[str, ...] = ()) -> FormField:
    return FormField(id="f", label=label, label_en="x", kind=kind, required=required,
                     prefill=None, max_length=max_length, pattern=pattern, options=options,
                     help="")


def test_required_empty_field_asks_to_fill_it_in() -> None:
    assert validate_field(field("name"), "") == "请填写姓名"
    assert validate_field(field("name"), " \u3000 ") == "请填写姓名"
    assert validate_field(field("select", label="领取方式", options=("a",)), "") == "请选择领取方式"


def test_optional_empty_field_is_fine() -> None:
    assert validate_field(field("id_number", required=False), "") is None


BAD_CHARS = "姓名只能包含汉字、字母和间隔号“·”"


@pytest.mark.parametrize("value", ["张三", "欧阳娜娜", "阿依古丽·买买提", "阿依古丽•买买提",
                                   "JOHN SMITH", "Anna·Lee", "𠮷野家"])
def test_names_of_han_characters_or_letters_are_accepted(value: str) -> None:
    assert validate_field(field("name"), value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [("张", "姓名应为2至30个字"), ("张" * 31, "姓名应为2至30个字"),
     ("张3", BAD_CHARS), ("·张三", BAD_CHARS), ("张··三", BAD_CHARS), ("张 三", BAD_CHARS)],
)
def test_bad_names_are_explained(value: str, message: str) -> None:
    assert validate_field(field("name"), value) == message


def test_id_number_is_normalised_before_checking() -> None:
    f = field("id_number", label="公民身份号码")
    assert validate_field(f, "１１０１０５１９４９１２３１００２ｘ") is None
    assert normalize_value(f, " 11010519491231002x ") == "11010519491231002X"
    assert validate_field(f, "110101197608056896") == "身份证号码校验位不正确"
    assert validate_field(f, "1234") == "身份证号码应为18位"


def test_credit_code_and_phone_use_their_checks() -> None:
    assert validate_field(field("uscc"), "91350100m000100y43") is None
    assert validate_field(field("uscc"), "91110108551385082A") == "统一社会信用代码校验位不正确"
    assert validate_field(field("phone"), "138 0013 8000") is None
    assert validate_field(field("phone"), "12345") == "手机号码应为11位数字"


@pytest.mark.parametrize(
    ("value", "message"),
    [("2024-02-29", None), ("２０２４－０２－２９", None), ("2025-02-29", "日期不存在，请检查"),
     ("2025/01/31", "日期格式应为YYYY-MM-DD"), ("2025-1-31", "日期格式应为YYYY-MM-DD"),
     ("明天", "日期格式应为YYYY-MM-DD")],
)
def test_dates_must_be_iso_and_exist(value: str, message: str | None) -> None:
    assert validate_field(field("date", label="日期"), value) == message


def test_numbers_selects_and_addresses() -> None:
    assert validate_field(field("number", label="月租金"), "１５００") is None
    assert validate_field(field("number", label="月租金"), "1500.50") is None
    assert validate_field(field("number", label="月租金"), "一千") == "月租金应为数字"
    select = field("select", label="缴存比例", options=("5%", "12%"))
    assert validate_field(select, "12%") is None
    assert validate_field(select, "13%") == "请从选项中选择缴存比例"
    assert validate_field(field("address"), "贵阳") == "地址过短，请填写详细地址"


def test_max_length_is_counted_in_characters_after_normalisation() -> None:
    f = field("text", max_length=30)
    assert validate_field(f, "字" * 30) is None
    assert validate_field(f, "字" * 31) == "不能超过30个字"
    assert validate_field(f, "  " + "字" * 30 + "  ") is None


def test_pattern_must_match_the_whole_normalised_value() -> None:
    service = load_catalogue().service("GF00501001")
    cert = service.field("cert_no")
    assert validate_field(cert, "黔（2023）贵阳市不动产权第0123456号") is None
    extra = "黔(2023)贵阳市不动产权第0123456号 多余"
    assert validate_field(cert, extra) == "不动产权证书号格式不正确"


def test_broken_pattern_never_fails_the_citizen() -> None:
    assert validate_field(field("text", pattern="([a-z"), "anything") is None


SAMPLES = {
    "name": "张三", "id_number": "11010519491231002X", "uscc": "91350100M000100Y43",
    "phone": "13800138000", "date": "2025-01-31", "number": "12",
    "address": "贵州省贵阳市观山湖区长岭北路1号", "text": "测试", "textarea": "情况说明",
}
BY_ID = {"fund_account": "123456789", "bank_account": "6222021234567890123",
         "cert_no": "黔(2023)贵阳市不动产权第0123456号", "members": "0"}


def test_every_bundled_form_accepts_a_plausible_application() -> None:
    for service in load_catalogue().services:
        values = {f.id: BY_ID.get(f.id) or (f.options[0] if f.options else SAMPLES[f.kind])
                  for f in service.fields}
        assert validate_form(service.fields, values) == {}, service.name


def test_validate_form_reports_each_bad_or_missing_field() -> None:
    service = load_catalogue().service("QR00107002")
    errors = validate_form(service.fields, {"applicant_name": "张", "phone": "13800138000"})
    assert errors["applicant_name"] == "申请人姓名应为2至30个字"
    assert errors["applicant_id"] == "请填写公民身份号码"
    assert "phone" not in errors and "members" not in errors


@given(st.sampled_from(FIELD_KINDS), st.text(), st.booleans(),
       st.one_of(st.none(), st.integers(min_value=1, max_value=40)))
def test_validate_field_never_raises(kind: str, value: str, required: bool,
                                     max_length: int | None) -> None:
    f = field(kind, required=required, max_length=max_length, pattern=r"^\w+$",
              options=("是", "否"))
    result = validate_field(f, value)
    assert result is None or (isinstance(result, str) and result)


@given(st.sampled_from(FIELD_KINDS), st.text())
def test_normalisation_is_idempotent(kind: str, value: str) -> None:
    f = field(kind)
    once = normalize_value(f, value)
    assert normalize_value(f, once) == once
