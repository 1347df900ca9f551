from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.smartcard import apdu
from devices.smartcard.apdu import CardDataError, CardStatusError, Command
from kiosk.errors import DeviceOperationError


def test_commands_encode_all_four_iso_cases() -> None:
    assert Command(0x00, 0xA4, 0x04, 0x00).encode() == bytes.fromhex("00A40400")
    assert apdu.read_record(0x07, 0x00, 11).encode() == bytes.fromhex("00B207000B")
    assert apdu.select_by_fid(0xEF05).encode() == bytes.fromhex("00A4020002EF05")
    assert Command(0x80, 0x88, 1, 0, b"\x01\x02", le=256).encode() == \
        bytes.fromhex("80880100020102" "00")
    assert apdu.get_response(0).encode() == bytes.fromhex("00C0000000")
    assert Command(0, 0xB2, 1, 0, le=5).with_le(9).encode() == bytes.fromhex("00B2010009")
    with pytest.raises(ValueError):
        Command(0x100, 0, 0, 0)
    with pytest.raises(ValueError):
        Command(0, 0, 0, 0, le=0)


def script(*answers: str) -> tuple[list[bytes], apdu.Transmit]:
    sent: list[bytes] = []
    queue = [bytes.fromhex(a) for a in answers]

    def transmit(command: bytes) -> bytes:
        sent.append(command)
        return queue.pop(0)

    return sent, transmit


def test_transceive_follows_61xx_with_get_response_and_concatenates() -> None:
    sent, transmit = script("6104", "01020304" "6102", "0506" "9000")
    response = apdu.transceive(transmit, apdu.select_by_name(b"\xa0\x00"))
    assert response.ok and response.data == bytes(range(1, 7))
    assert sent[1:] == [bytes.fromhex("00C0000004"), bytes.fromhex("00C0000002")]


def test_transceive_resends_once_with_the_le_from_6cxx() -> None:
    sent, transmit = script("6C0B", "0709" + "41" * 9 + "9000")
    response = apdu.transceive(transmit, apdu.read_record(7, 0, 32))
    assert response.ok and len(response.data) == 11
    assert sent == [bytes.fromhex("00B2070020"), bytes.fromhex("00B207000B")]
    _, transmit = script("6C0B", "6C0B")
    assert apdu.transceive(transmit, apdu.read_record(7, 0, 32)).sw == 0x6C0B


def test_transceive_gives_up_on_a_card_that_never_stops_asking() -> None:
    def transmit(command: bytes) -> bytes:
        return bytes.fromhex("00" "6101")

    with pytest.raises(CardDataError, match="kept asking"):
        apdu.transceive(transmit, apdu.get_response(1))


def test_status_errors_carry_the_sw_and_a_chinese_message() -> None:
    err = apdu.status_error(0x6982, "READ RECORD")
    assert isinstance(err, DeviceOperationError) and err.sw == 0x6982
    assert "security status" in err.detail and "安全状态" in err.user_message
    assert apdu.status_error(0x6A82, "x", user_messages={0x6A82: "不是社保卡"}).user_message \
        == "不是社保卡"
    assert apdu.sw_text(0x63C2) == "63C2 verification failed, 2 tries left"
    with pytest.raises(CardStatusError):
        apdu.check(apdu.parse_response(b"\x6a\x82"), "SELECT")
    with pytest.raises(CardDataError):
        apdu.parse_response(b"\x90")


def test_tlv_parsing_handles_padding_long_lengths_and_truncation() -> None:
    assert apdu.parse_tlv(bytes.fromhex("0703414243" "0801FF" "0000")) == \
        [(0x07, b"ABC"), (0x08, b"\xff")]
    assert apdu.parse_tlv(bytes.fromhex("09" "8103") + b"xyz") == [(0x09, b"xyz")]
    assert apdu.tlv_value(bytes.fromhex("0A0131"), 0x0A) == b"1"
    for bad in ("0705414243", "07", "0783000001", "09820001"):
        with pytest.raises(CardDataError):
            apdu.parse_tlv(bytes.fromhex(bad))
    with pytest.raises(CardDataError, match="not in the record"):
        apdu.tlv_value(bytes.fromhex("0A0131"), 0x0B)


def test_bcd_dates_and_digits() -> None:
    assert apdu.bcd_date(bytes.fromhex("19491231")) == dt.date(1949, 12, 31)
    assert apdu.bcd_date(b"\x00" * 4) is None and apdu.bcd_date(b"\xff" * 4) is None
    assert apdu.encode_bcd_date(dt.date(2031, 6, 1)) == bytes.fromhex("20310601")
    assert apdu.bcd_digits(bytes.fromhex("1101FF")) == "1101"
    for bad in ("20231301", "2023023A", "202302"):
        with pytest.raises(CardDataError):
            apdu.bcd_date(bytes.fromhex(bad))
    with pytest.raises(CardDataError):
        apdu.bcd_digits(bytes.fromhex("1F01"))


def test_gbk_names_are_decoded_and_unpadded() -> None:
    assert apdu.decode_gbk("张三丰".encode("gbk") + b"\x00" * 24) == "张三丰"
    assert apdu.decode_gbk("欧阳娜娜".encode("gbk") + b"    ") == "欧阳娜娜"
    assert apdu.decode_gbk("阿依古丽·买买提".encode("gbk") + b"\xff\xff") == "阿依古丽·买买提"
    assert apdu.decode_gbk("䶮".encode("gb18030")) == "䶮"  # rare character, GB 18030 only
    assert apdu.encode_gbk("张三丰", 30) == "张三丰".encode("gbk").ljust(30, b"\x00")
    with pytest.raises(CardDataError):
        apdu.decode_gbk(b"\x81")
    with pytest.raises(CardDataError):
        apdu.decode_gbk(b"ab\x07cd")
    assert apdu.decode_ascii(b" A00000001\x00") == "A00000001"
    with pytest.raises(CardDataError):
        apdu.decode_ascii(b"A\x80")


def test_response_repr_never_shows_data() -> None:
    response = apdu.parse_response("张三丰".encode("gbk") + b"\x90\x00")
    assert repr(response) == "Response(sw=9000, 6 data bytes)"


# -- no unhandled exception on any bytes ------------------------------------------------------

@given(st.binary(max_size=300))
def test_parsers_raise_only_card_data_errors_on_any_bytes(data: bytes) -> None:
    for parse in (apdu.parse_tlv, apdu.parse_response, apdu.bcd_digits, apdu.bcd_date,
                  apdu.decode_gbk, apdu.decode_ascii):
        with contextlib.suppress(CardDataError):
            parse(data)


@given(st.lists(st.binary(max_size=40), min_size=1, max_size=40))
def test_transceive_raises_only_device_errors_whatever_the_card_says(
        answers: list[bytes]) -> None:
    queue = list(answers)

    def transmit(command: bytes) -> bytes:
        return queue.pop(0) if queue else b"\x90\x00"

    try:
        response = apdu.transceive(transmit, apdu.read_record(1, 0, 18))
    except CardDataError:
        return
    assert response.sw1 != 0x61


@given(st.binary(min_size=0, max_size=30), st.integers(1, 30))
def test_gbk_round_trip_for_any_encodable_name(raw: bytes, size: int) -> None:
    try:
        name = raw.decode("gbk").strip(" \u3000\x00")
    except UnicodeDecodeError:
        return
    if not name.isprintable() or len(name.encode("gbk")) > size:
        return
    assert apdu.decode_gbk(apdu.encode_gbk(name, size)) == name
