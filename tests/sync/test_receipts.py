from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import receipts
from sync.receipts import ALPHABET, check_char, format_number, is_valid, parse


def test_check_char_matches_the_iso_7064_mod_37_36_reference_vector() -> None:
    # python-stdnum's documented example for the hybrid MOD 37,36 system
    assert check_char("A12425GABC1234002") == "M"


def test_number_has_kiosk_date_sequence_and_check_char() -> None:
    number = format_number("DEMO0001", "20261122", 17)
    code, day, seq, check = number.split("-")
    assert (code, day, seq) == ("DEMO0001", "20261122", "000017")
    assert check == check_char("DEMO000120261122000017")
    assert is_valid(number)
    assert parse(number.lower() + "  ") == receipts.ReceiptNumber("DEMO0001", "20261122", 17,
                                                                  check)


@pytest.mark.parametrize("bad", ["", "DEMO0001-20261122-000017", "DEMO0001-2026112-000017-K",
                                 "demo-20261122-000017-K", "DEMO0001-20261122-0000170-K"])
def test_malformed_numbers_are_rejected(bad: str) -> None:
    assert not is_valid(bad)


def test_every_single_character_substitution_is_detected() -> None:
    for s in range(1, 40):
        number = format_number(f"KX{s:04d}", "20261122", s * 4999 % 999_999 + 1)
        for i, ch in enumerate(number):
            if ch == "-":
                continue
            for other in ALPHABET:
                if other != ch:
                    assert not is_valid(number[:i] + other + number[i + 1:]), (number, i, other)


def test_adjacent_transpositions_are_almost_all_detected() -> None:
    undetected = total = 0
    for s in range(1, 6):
        body = format_number(f"KX{s:04d}", "20261122", s * 4999 % 999_999 + 1).replace("-", "")
        for i in range(len(body) - 2):  # all pairs at every position of the payload
            for a in ALPHABET:
                for b in ALPHABET:
                    if a != b:
                        total += 1
                        t = body[:i] + a + b + body[i + 2:-1]
                        u = body[:i] + b + a + body[i + 2:-1]
                        undetected += check_char(t) == check_char(u)
    assert undetected / total < 0.002  # the figure quoted in sync/receipts.py


@given(code=st.from_regex(r"[A-Z0-9]{4,12}", fullmatch=True),
       day=st.from_regex(r"[0-9]{8}", fullmatch=True), seq=st.integers(1, 999_999))
def test_formatted_numbers_always_validate_and_parse_back(code: str, day: str,
                                                          seq: int) -> None:
    number = format_number(code, day, seq)
    parsed = parse(number)
    assert parsed is not None and str(parsed) == number
    assert (parsed.kiosk_code, parsed.day, parsed.sequence) == (code, day, seq)


def test_day_is_china_standard_time_whatever_the_host_timezone() -> None:
    # 2026-11-21 16:30 UTC is already 2026-11-22 00:30 in Beijing
    assert receipts.day_of(1795278600.0) == "20261122"


def test_non_ascii_digits_are_not_accepted_as_a_date() -> None:
    with pytest.raises(ValueError):
        format_number("DEMO0001", "2026112\u0660", 1)
    assert not is_valid("DEMO0001-2026112\u0660-000001-K")
