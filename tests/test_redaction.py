from __future__ import annotations

import hashlib
import json
import logging
import sys
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import redaction
from kiosk.redaction import (
    REDACTION_FAILED,
    RedactingFilter,
    clear_sensitive,
    redact,
    register_sensitive,
    sensitive_values,
    unregister_sensitive,
)

ID = "11010519491231002X"
ID_MASKED = "110***********002X"
ID2 = "440524188001010014"
ID2_MASKED = "440***********0014"
USCC = "91350100M000100Y43"
USCC_MASKED = "91************0Y43"
PHONE = "13812345678"
PHONE_MASKED = "138****5678"


@pytest.fixture(autouse=True)
def _no_registered_values() -> Iterator[None]:
    clear_sensitive()
    yield
    clear_sensitive()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"user {ID} checked", f"user {ID_MASKED} checked"),
        (f"身份证号{ID}已核验", f"身份证号{ID_MASKED}已核验"),
        (f"id={ID2};", f"id={ID2_MASKED};"),
        (f"ID{ID}", f"ID{ID_MASKED}"),  # glued to letters only: still masked
        ("legacy 110105491231002 ok", "legacy 110********1002 ok"),
        ("id 110105 19491231 002X", "id 110*************002X"),
        (f"uscc={USCC}", f"uscc={USCC_MASKED}"),
        (f"统一社会信用代码{USCC}。", f"统一社会信用代码{USCC_MASKED}。"),
        (f"tel {PHONE}, ok", f"tel {PHONE_MASKED}, ok"),
        (f"手机{PHONE}", f"手机{PHONE_MASKED}"),
        ("+86 138-1234-5678", PHONE_MASKED),
        ("(86)13812345678", f"(86){PHONE_MASKED}"),
        ("8613812345678", PHONE_MASKED),
        ("0086 138 1234 5678", PHONE_MASKED),
        ("a 12345678901234567890 b", "a 12345678901234567890 b"),  # 20 digits: not an ID
        ("order 1381234567890", "order 1381234567890"),  # 13 digits: not a phone
        ("took 1234 ms, code XK00001000, region 520102", None),
    ],
)
def test_redact_masks_id_numbers_credit_codes_and_phones(raw: str, expected: str | None) -> None:
    assert redact(raw) == (raw if expected is None else expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("name=张三 age=3", "name=张* age=3"),
        ('{"name": "欧阳娜娜", "n": 1}', '{"name": "欧阳**", "n": 1}'),
        ("{'name': '张三'}", "{'name': '张*'}"),
        ("applicant_name='李四'", "applicant_name='李*'"),
        ("Full_Name = John Smith, status=ok", "Full_Name = J*** S****, status=ok"),
        ('HOLDER_NAME: "Li Lei"', 'HOLDER_NAME: "L* L**"'),
        ("agent_name=王五 principal_name=赵六", "agent_name=王* principal_name=赵*"),
        ("姓名：阿依古丽·买买提，性别：女", "姓名：阿***·***，性别：女"),
        ("申请人姓名:张三", "申请人姓名:张*"),
        ("住址：贵州省贵阳市南明区中华南路123号", "住址：贵州省贵阳市南明区********"),
        ("filename=report.pdf hostname=kiosk-01", None),  # not personal keys
        ("my_applicant_name=x", None),
        ("name= ", None),
    ],
)
def test_redact_masks_names_after_known_keys(raw: str, expected: str | None) -> None:
    assert redact(raw) == (raw if expected is None else expected)


def test_redact_masks_json_escaped_keyed_names() -> None:
    text = json.dumps({"name": "张三", "id_number": ID})
    redacted = redact(text)
    assert "\\u5f20\\u4e09" not in redacted
    assert ID not in redacted and ID_MASKED in redacted


def test_registered_values_are_masked_until_unregistered() -> None:
    with sensitive_values("张三"):
        assert redact("citizen 张三 confirmed") == "citizen 张* confirmed"
        assert redact(json.dumps("张三 ok")) == '"张* ok"'  # \\uXXXX form
        with sensitive_values("张三"):  # counted: the inner exit keeps the outer one
            pass
        assert redact("张三") == "张*"
    assert redact("citizen 张三 confirmed") == "citizen 张三 confirmed"


def test_registered_values_match_case_insensitively_and_longest_first() -> None:
    register_sensitive("John Smith")
    register_sensitive("欧阳娜娜")
    register_sensitive("贵州省贵阳市南明区中华南路123号", kind="address")
    register_sensitive("张")  # too short to be useful: ignored
    try:
        assert redact("JOHN SMITH and john smith") == "J*** S**** and J*** S****"
        assert redact("欧阳娜娜到场") == "欧阳**到场"
        assert redact("addr 贵州省贵阳市南明区中华南路123号") == "addr 贵州省贵阳市南明区********"
        assert redact("张") == "张"
    finally:
        unregister_sensitive("John Smith")
        unregister_sensitive("欧阳娜娜")
        unregister_sensitive("贵州省贵阳市南明区中华南路123号", kind="address")
    assert redact("欧阳娜娜") == "欧阳娜娜"


def test_register_sensitive_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        register_sensitive("张三", kind="shoe_size")  # type: ignore[arg-type]


def test_registration_is_thread_safe_while_redacting() -> None:
    errors: list[BaseException] = []
    stop = threading.Event()

    def churn(n: int) -> None:
        try:
            for i in range(200):
                with sensitive_values(f"姓名{n}号{i}"):
                    pass
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    def read() -> None:
        while not stop.is_set():
            if redact(f"x {ID} 姓名0号1") == REDACTION_FAILED:
                errors.append(AssertionError("redaction failed"))

    threads = [threading.Thread(target=churn, args=(n,)) for n in range(4)]
    reader = threading.Thread(target=read)
    reader.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    reader.join()
    assert errors == []
    assert redaction._registry.matcher is None


def test_hashes_and_uuids_are_not_masked() -> None:
    digest = hashlib.sha256(b"receipt 42").hexdigest()
    assert any(c.isdigit() for c in digest[:20])
    spliced = digest[:20] + ID + digest[20:]  # an ID-like run inside a hex token
    assert redact(f"sha256={spliced}") == f"sha256={spliced}"
    request_id = "0a1b2c3d-1111-2222-3333-e13812345678"  # phone-like tail in a UUID
    assert redact(f"request {request_id}") == f"request {request_id}"
    assert redact("etag W/abcd11010519491231002X9f") == "etag W/abcd11010519491231002X9f"


@given(data=st.binary(max_size=64))
def test_redact_leaves_hex_digests_alone(data: bytes) -> None:
    for text in (
        hashlib.sha256(data).hexdigest(),
        hashlib.sha1(data).hexdigest().upper(),
        hashlib.md5(data).hexdigest(),
        str(uuid.UUID(bytes=hashlib.md5(data).digest())),
    ):
        assert redact(f"digest {text} end") == f"digest {text} end"


# fmt: off
FRAGMENTS = [
    ID, ID2, USCC, PHONE, "110105491231002", "91350100m000100y43", "+86 ", "86", "0086",
    "138", "1234", "5678", "110105", "19491231", "002X", "-", " ", "  ", "_", "=", ":", "：",
    "'", '"', "“", "name", "NAME", "name=", "姓名：", '"name": "', "applicant_name='",
    "full_name=", "home_address=", "住址:", "filename=", "张三", "欧阳娜娜", "John Smith",
    "阿依古丽·买买提", "贵州省贵阳市南明区中华南路123号", "已核验", "a", "Ab", "X", "x", "0", "9",
    "deadbeef", "\n", "\t", "*", "**", "\\u5f20", "\ud800",
]
# fmt: on
mixed_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=25).map(
    "".join
)


@settings(max_examples=400)
@given(text=st.one_of(st.text(), mixed_text))
def test_redact_never_fails_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert once != REDACTION_FAILED
    assert redact(once) == once


@settings(max_examples=400)
@given(text=mixed_text)
def test_windowed_scan_equals_full_scan(text: str) -> None:
    full = redaction._KEYED_RE.sub(redaction._mask_keyed, text)
    full = redaction._PII_RE.sub(redaction._mask_pii, full)
    assert redact(text) == full


@given(text=mixed_text)
def test_redact_with_registered_values_is_idempotent(text: str) -> None:
    with sensitive_values("张三", "John Smith"):
        once = redact(text)
        assert "张三" not in once
        assert redact(once) == once


def test_redact_accepts_non_str_and_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    assert redact(12345678901) == "12345678901"  # type: ignore[arg-type]

    def boom(_: str) -> str:
        raise RuntimeError("bug")

    monkeypatch.setitem(redaction._PII_MASKERS, "id_number", boom)
    assert redact(f"x {ID}") == REDACTION_FAILED


def _record(
    msg: object, *args: object, exc_info: Any = None, sinfo: str | None = None
) -> logging.LogRecord:
    return logging.LogRecord(
        "t", logging.INFO, __file__, 1, msg, args or None, exc_info, sinfo=sinfo
    )


def test_filter_redacts_formatted_message_and_drops_args() -> None:
    record = _record("user %s phone %s", ID, PHONE)
    assert RedactingFilter().filter(record) is True
    assert record.msg == f"user {ID_MASKED} phone {PHONE_MASKED}"
    assert record.args is None
    assert record.getMessage() == record.msg


def test_filter_preformats_and_redacts_exceptions() -> None:
    try:
        raise ValueError(f"bad id {ID}")
    except ValueError:
        record = _record("failed", exc_info=sys.exc_info())
    RedactingFilter().filter(record)
    assert record.exc_info is None
    assert record.exc_text is not None
    assert "Traceback" in record.exc_text and ID_MASKED in record.exc_text
    assert ID not in logging.Formatter().format(record)


def test_filter_redacts_stack_info_and_survives_bad_arguments() -> None:
    record = _record("x %s %s", ID, sinfo=f'  File "a.py", line 1\n    check("{ID}")')
    RedactingFilter().filter(record)
    assert record.msg.startswith("[unformattable log message]")
    assert ID not in record.msg
    assert record.stack_info is not None and ID not in record.stack_info


def test_filter_replaces_message_when_redaction_breaks() -> None:
    class Evil:
        def __str__(self) -> str:
            raise RuntimeError("no")

    record = _record(Evil())
    assert RedactingFilter().filter(record) is True
    assert record.msg == REDACTION_FAILED
