"""Frames, the incremental parser and the payload checks (pure, no I/O)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from devices.idcard.protocol import (
    MAX_LEN,
    MIN_REPLY_LEN,
    MSG_SAM_FAULT,
    PREAMBLE,
    CardReadError,
    Command,
    Frame,
    FrameParser,
    ProtocolError,
    Reply,
    SamFaultError,
    SamStatusError,
    build_base_message,
    build_request,
    build_response,
    parse_base_message,
    parse_sam_id,
    status_error,
    status_text,
)
from tests.devices.idcard.conftest import TEST_VECTOR
from tests.devices.idcard.emulator import response as reference_response

H = bytes.fromhex

# §A.3 request literals
REQUESTS = {
    Command.RESET: "AA AA AA 96 69 00 03 10 FF EC",
    Command.STATUS: "AA AA AA 96 69 00 03 11 FF ED",
    Command.SAM_ID: "AA AA AA 96 69 00 03 12 FF EE",
    Command.FIND: "AA AA AA 96 69 00 03 20 01 22",
    Command.SELECT: "AA AA AA 96 69 00 03 20 02 21",
    Command.READ_BASE: "AA AA AA 96 69 00 03 30 01 32",
    Command.READ_BASE_FP: "AA AA AA 96 69 00 03 30 10 23",
    Command.READ_ADDED_ADDRESS: "AA AA AA 96 69 00 03 30 03 30",
}
# §A.4 reply literals: SW3 → the tail after the preamble and "00 04 00 00"
STATUS_REPLIES = {0x90: "90 94", 0x91: "91 95", 0x10: "10 14", 0x11: "11 15", 0x21: "21 25",
                  0x23: "23 27", 0x24: "24 20", 0x31: "31 35", 0x32: "32 36", 0x33: "33 37",
                  0x40: "40 44", 0x41: "41 45", 0x47: "47 43", 0x60: "60 64", 0x66: "66 62",
                  0x80: "80 84", 0x81: "81 85"}


@pytest.mark.parametrize("command", list(REQUESTS))
def test_request_frames_equal_the_reference_literals(command: Command) -> None:
    assert build_request(command) == H(REQUESTS[command])


def test_set_max_rf_byte_example_frame() -> None:
    from devices.idcard.protocol import encode_frame

    assert encode_frame(bytes((0x61, 0xFF, 0x50))) == H("AA AA AA 96 69 00 04 61 FF 50 CA")


@pytest.mark.parametrize("sw3", list(STATUS_REPLIES))
def test_status_reply_frames_equal_the_reference_literals(sw3: int) -> None:
    literal = H("AA AA AA 96 69 00 04 00 00 " + STATUS_REPLIES[sw3])
    assert build_response(sw3) == literal
    assert FrameParser().feed(literal) == [Frame(H("00 00") + bytes((sw3,)))]
    assert status_text(sw3) != f"未知状态 0x{sw3:02X}"


def test_find_and_select_success_literals() -> None:
    assert build_response(0x9F, bytes(4)) == H("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
    assert build_response(0x90, bytes(8)) == \
        H("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C")


@pytest.mark.parametrize(("fingerprint", "size", "header", "xor"), [
    (None, 1295, "AA AA AA 96 69 05 08 00 00 90 01 00 04 00", 0x14),
    (b"", 1297, "AA AA AA 96 69 05 0A 00 00 90 01 00 04 00 00 00", 0x16),
    (bytes(1024), 2321, "AA AA AA 96 69 09 0A 00 00 90 01 00 04 00 04 00", 0x1E),
])
def test_read_base_replies_match_the_verified_vector(fingerprint: bytes | None, size: int,
                                                     header: str, xor: int) -> None:
    frame = build_response(0x90, build_base_message(TEST_VECTOR, bytes(1024), fingerprint))
    assert len(frame) == size and frame.startswith(H(header)) and frame[-1] == xor
    reply = Reply.from_frame(FrameParser().feed(frame)[0])
    base = parse_base_message(reply.data, with_fingerprint=fingerprint is not None)
    assert base.text == TEST_VECTOR and base.photo == bytes(1024)
    assert base.fingerprint == fingerprint
    assert frame[14:270] == TEST_VECTOR if fingerprint is None else frame[16:272] == TEST_VECTOR


def test_our_frames_equal_the_independent_reference_builder() -> None:
    for sw3, payload in [(0x90, b""), (0x9F, bytes(4)), (0x90, b"\x01\x02" * 300)]:
        assert build_response(sw3, payload) == reference_response(sw3, payload)


def test_parser_handles_split_glued_and_garbage_prefixed_frames() -> None:
    a, b = build_response(0x9F, bytes(4)), build_response(0x90, bytes(8))
    stream = b"\x00\xff\xaa\xaa" + a + b"\x96\x69" + b + b"\xaa\xaa\xaa"
    parser = FrameParser()
    frames = []
    for i in range(len(stream)):
        frames += parser.feed(stream[i:i + 1])
    assert [Reply.from_frame(f).sw3 for f in frames] == [0x9F, 0x90]
    assert parser.buffered == 3  # a possible preamble start is kept
    assert FrameParser().feed(stream) == frames


def test_parser_resyncs_on_a_corrupted_preamble_like_the_qt_driver_saw() -> None:
    good = build_response(0x90)
    parser = FrameParser()
    assert parser.feed(H("AA 00") + good) == [Frame(H("00 00 90"))]
    assert parser.discarded == 2


def test_parser_drops_a_bad_checksum_and_finds_the_next_frame() -> None:
    bad = bytearray(build_response(0x90, bytes(8)))
    bad[-1] ^= 0xFF
    parser = FrameParser()
    assert parser.feed(bytes(bad) + build_response(0x80)) == [Frame(H("00 00 80"))]
    assert parser.checksum_errors == 1


def test_parser_rejects_impossible_lengths_and_resyncs() -> None:
    parser = FrameParser(min_len=MIN_REPLY_LEN)
    too_long = PREAMBLE + (MAX_LEN + 1).to_bytes(2, "big")
    too_short = PREAMBLE + b"\x00\x03\x20\x01\x22"  # a request echoed back (loop://)
    assert parser.feed(too_long + too_short + build_response(0x91)) == [Frame(H("00 00 91"))]
    assert parser.length_errors == 2


def test_abandon_gives_up_a_frame_whose_length_was_garbage() -> None:
    parser = FrameParser()
    bogus = PREAMBLE + b"\x0f\xff"  # claims 4095 bytes, swallowing the real reply
    assert parser.feed(bogus + build_response(0x9F, bytes(4))) == []
    assert parser.abandon() == [Frame(H("00 00 9F 00 00 00 00"))]
    assert parser.abandon() == []


def test_short_reply_frames_and_bad_payloads_raise_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        Reply.from_frame(Frame(b"\x00\x00"))
    with pytest.raises(ProtocolError):
        parse_sam_id(bytes(15))
    good = build_base_message(TEST_VECTOR, bytes(1024))
    for bad in (good[:-1], good + b"\x00", b"\x01\x01" + good[2:], good[:3]):
        with pytest.raises(ProtocolError):
            parse_base_message(bad, with_fingerprint=False)
    assert parse_sam_id(bytes(range(16))) == "000102030405060708090a0b0c0d0e0f"


def test_status_errors_are_typed_with_chinese_messages() -> None:
    for sw3 in (0x41, 0x31, 0x32, 0x33):
        err = status_error(Command.READ_BASE, sw3)
        assert isinstance(err, CardReadError) and "请重新放置身份证" in err.user_message
        assert f"0x{sw3:02X}" in err.detail
    for sw3 in (0x60, 0x66):
        err = status_error(Command.STATUS, sw3)
        assert isinstance(err, SamFaultError) and err.user_message == MSG_SAM_FAULT
    other = status_error(Command.FIND, 0x21)
    assert type(other) is SamStatusError and other.sw3 == 0x21
    assert "未知状态 0xEE" in status_error(Command.FIND, 0xEE).detail


def test_reprs_never_show_payload_bytes() -> None:
    reply = Reply(0x90, "张三".encode("utf-16-le"))
    assert "4 B" in repr(reply) and "\\x" not in repr(reply)
    assert "body" in repr(Frame(b"secret"))


# ----------------------------------------------------------------------- properties

payloads = st.binary(max_size=300).filter(lambda b: PREAMBLE not in b)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=20))
def test_parser_survives_any_bytes(chunks: list[bytes]) -> None:
    parser = FrameParser()
    for chunk in chunks:
        for frame in parser.feed(chunk):
            assert isinstance(frame, Frame)
            try:
                reply = Reply.from_frame(frame)
                parse_base_message(reply.data, with_fingerprint=bool(reply.sw3 & 1))
            except ProtocolError:
                pass  # our own error type is the only allowed outcome
        assert parser.buffered < parser.max_frame
    parser.abandon()
    assert parser.buffered < len(PREAMBLE)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=20_000), st.integers(min_value=8, max_value=600))
def test_parser_buffer_stays_bounded(data: bytes, max_len: int) -> None:
    parser = FrameParser(max_len=max_len)
    parser.feed(PREAMBLE + max_len.to_bytes(2, "big") + data)
    assert parser.buffered <= parser.max_frame - 1


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 255), payloads, st.data())
def test_flipping_any_non_length_byte_is_never_accepted(sw3: int, payload: bytes,
                                                        data: st.DataObject) -> None:
    frame = bytearray(build_response(sw3, payload))
    pos = data.draw(st.sampled_from([i for i in range(len(frame)) if i not in (5, 6)]))
    frame[pos] ^= data.draw(st.integers(1, 255))
    follow = build_response(0x90)
    parser = FrameParser()
    got = parser.feed(bytes(frame) + follow)
    # the damaged frame is dropped; the parser resynchronises on the next one
    assert got == [Frame(H("00 00 90"))]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["find", "status", "read"]), st.sampled_from([5, 6]),
       st.integers(1, 255), st.binary(min_size=1024, max_size=1024))
def test_flipping_a_length_byte_never_yields_a_wrong_decoded_reply(
        kind: str, pos: int, flip: int, photo: bytes) -> None:
    # An 8-bit XOR cannot catch every shortened frame; the payload checks must.
    assume(PREAMBLE not in photo)
    original = {"find": build_response(0x9F, bytes(4)), "status": build_response(0x90),
                "read": build_response(0x90, build_base_message(TEST_VECTOR, photo))}[kind]
    damaged = bytearray(original)
    damaged[pos] ^= flip
    parser = FrameParser(min_len=MIN_REPLY_LEN)
    frames = parser.feed(bytes(damaged)) + parser.abandon()
    expected = Reply.from_frame(FrameParser().feed(original)[0])
    for frame in frames:
        try:
            reply = Reply.from_frame(frame)
            if kind == "read":
                base = parse_base_message(reply.data, with_fingerprint=False)
                assert base.text == TEST_VECTOR and base.photo == photo
            else:
                assert reply.sw3 == expected.sw3  # find/select data is not interpreted
        except ProtocolError:
            pass
