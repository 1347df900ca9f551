"""SerialIdCardReader against the SAM emulator on a pty pair: recovery and typed errors."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from devices import registry
from devices.idcard.cards import CardType, IdCardData
from devices.idcard.photo import PhotoDecoder
from devices.idcard.protocol import (
    MSG_LINK,
    MSG_SAM_FAULT,
    CardReadError,
    ProtocolError,
    SamFaultError,
    SamStatusError,
)
from devices.idcard.serial import SerialIdCardReader
from devices.idcard.simulated import sample_card
from kiosk.errors import DeviceTimeoutError, DeviceUnavailableError
from tests.devices.idcard.conftest import FAST, TEST_VECTOR
from tests.devices.idcard.emulator import (
    FIND,
    READ_ADDED,
    READ_BASE,
    READ_BASE_FP,
    SAM_ID,
    SELECT,
    STATUS,
    Act,
    EmuCard,
    SamEmulator,
    response,
)


def test_reads_the_verified_test_vector(emulator: SamEmulator,
                                        reader: SerialIdCardReader) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    card = reader.read_card()
    assert card is not None and card.name == "张三" and card.id_number == "11010519491231002X"
    assert card.added_address == "" and card.photo_wlt == bytes(1024) and card.fingerprint is None
    assert emulator.requests == [FIND, SELECT, READ_BASE, READ_ADDED]


@pytest.mark.parametrize("kind", ["resident_long_term", "J", "I", "Y"])
def test_reads_every_card_type(emulator: SamEmulator, reader: SerialIdCardReader,
                               kind: str) -> None:
    expected = dataclasses.replace(sample_card(kind), photo_wlt=b"\x5a" * 1024)
    emulator.place(expected)
    assert reader.read_card() == expected


@pytest.mark.parametrize("fp_len", [0, 512, 1024])
def test_fingerprint_variant(emulator: SamEmulator, fp_len: int) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR, fingerprint=b"\x07" * fp_len))
    with SerialIdCardReader(emulator.path, read_fingerprint=True, **FAST) as reader:
        card = reader.read_card(added_address=False)
    assert card is not None and card.fingerprint == b"\x07" * fp_len
    assert "\\x07" not in repr(card)
    assert READ_BASE_FP in emulator.requests and READ_BASE not in emulator.requests


def test_no_card_is_a_result_not_an_error(emulator: SamEmulator,
                                          reader: SerialIdCardReader) -> None:
    assert reader.find_card() is False
    assert reader.select_card() is False
    assert reader.read_card() is None
    emulator.place(EmuCard(text=TEST_VECTOR))
    assert reader.find_card() is True and reader.select_card() is True


def test_a_card_already_read_ignores_find_but_can_still_be_read(
        emulator: SamEmulator, reader: SerialIdCardReader) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    assert reader.read_card() is not None
    assert reader.find_card() is False  # halted after the read, as real cards do
    assert reader.read_card() is not None  # select still reaches it (vendor practice)


def test_resyncs_after_garbage_and_split_writes(emulator: SamEmulator,
                                                reader: SerialIdCardReader) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    noise = b"\x00\xff\xaa\xaa\x96\x69\xaa" + response(0x90)[:8]
    emulator.on(FIND, Act(garbage=noise))
    emulator.on(SELECT, Act(chunks=19, chunk_delay_s=0.002))
    emulator.on(READ_BASE, Act(garbage=b"\xaa\x00\xaa\xaa", chunks=6, chunk_delay_s=0.02))
    card = reader.read_card()
    assert card is not None and card.name == "张三"
    assert emulator.count(READ_BASE) == 1  # nothing had to be resent


def test_a_reply_with_a_wrong_checksum_is_resent_once(emulator: SamEmulator,
                                                      reader: SerialIdCardReader) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    emulator.on(READ_BASE, Act(bad_xor=True))
    assert reader.read_card() is not None
    assert emulator.count(READ_BASE) == 2


def test_a_wrong_checksum_twice_is_a_protocol_error(emulator: SamEmulator,
                                                    reader: SerialIdCardReader) -> None:
    emulator.on(STATUS, Act(bad_xor=True), Act(bad_xor=True))
    with pytest.raises(ProtocolError) as info:
        reader.status()
    assert info.value.user_message == MSG_LINK and emulator.count(STATUS) == 2


@pytest.mark.parametrize("delta", [-3, 2, 500])
def test_a_wrong_length_field_never_yields_a_wrong_card(emulator: SamEmulator,
                                                        reader: SerialIdCardReader,
                                                        delta: int) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    emulator.on(READ_BASE, Act(len_delta=delta))
    card = reader.read_card(added_address=False)  # the resend gets the good reply
    assert card is not None and card.name == "张三"
    assert emulator.count(READ_BASE) == 2


def test_a_short_payload_with_a_valid_checksum_is_rejected(emulator: SamEmulator,
                                                           reader: SerialIdCardReader) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    emulator.on(READ_BASE, Act(payload=b"\x01\x00\x04\x00" + TEST_VECTOR), Act(payload=b""))
    with pytest.raises(ProtocolError):
        reader.read_card()


def test_silence_is_a_timeout_and_nothing_hangs(emulator: SamEmulator,
                                                reader: SerialIdCardReader) -> None:
    emulator.on(FIND, Act(silent=True))
    started = time.monotonic()
    with pytest.raises(DeviceTimeoutError, match="no reply"):
        reader.find_card()
    assert time.monotonic() - started < reader.timeout_s + 1


def test_a_late_reply_is_never_taken_for_the_next_request(emulator: SamEmulator) -> None:
    with SerialIdCardReader(emulator.path, timeout_s=0.1) as reader:
        emulator.place(EmuCard(text=TEST_VECTOR))
        emulator.on(FIND, Act(delay_s=0.3))  # "card found", but after the deadline
        with pytest.raises(DeviceTimeoutError):
            reader.find_card()
        assert emulator.replies.acquire(timeout=5)  # the late 9F waits in the input buffer
        emulator.remove()
        assert reader.find_card() is False  # it was flushed, not taken for this request


def test_a_truncated_reply_is_resent_then_a_protocol_error(
        emulator: SamEmulator, reader: SerialIdCardReader) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    truncated = Act(raw=response(0x90, bytes(1288))[:700])
    emulator.on(READ_BASE, truncated)
    assert reader.read_card() is not None
    emulator.on(READ_BASE, truncated, truncated)
    with pytest.raises(ProtocolError, match="incomplete reply"):
        reader.read_card()


@pytest.mark.parametrize("sw3", [0x41, 0x31, 0x32, 0x33])
def test_read_failures_ask_to_replace_the_card(emulator: SamEmulator,
                                               reader: SerialIdCardReader, sw3: int) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    emulator.on(READ_BASE, Act(status=sw3))
    with pytest.raises(CardReadError) as info:
        reader.read_card()
    assert "请重新放置身份证" in info.value.user_message and info.value.sw3 == sw3
    assert reader.read_card() is not None  # the next attempt works


@pytest.mark.parametrize("sw3", [0x60, 0x66])
def test_sam_faults_ask_for_staff(emulator: SamEmulator, reader: SerialIdCardReader,
                                  sw3: int) -> None:
    emulator.on(STATUS, Act(status=sw3))
    with pytest.raises(SamFaultError) as info:
        reader.status()
    assert info.value.user_message == MSG_SAM_FAULT
    emulator.on(FIND, Act(status=sw3))
    with pytest.raises(SamFaultError):
        reader.find_card()


@pytest.mark.parametrize("sw3", [0x10, 0x11])
def test_reader_complaining_about_our_frame_gets_one_resend(emulator: SamEmulator,
                                                            reader: SerialIdCardReader,
                                                            sw3: int) -> None:
    emulator.on(SAM_ID, Act(status=sw3))
    assert reader.sam_id() == bytes(range(16)).hex()
    emulator.on(FIND, Act(status=sw3), Act(status=sw3))
    with pytest.raises(SamStatusError) as info:
        reader.find_card()
    assert info.value.sw3 == sw3 and info.value.user_message == MSG_LINK
    assert emulator.count(FIND) == 2


def test_added_address_and_no_content(emulator: SamEmulator,
                                      reader: SerialIdCardReader) -> None:
    emulator.place(sample_card("resident_long_term"))
    card = reader.read_card()
    assert card is not None and card.added_address == "贵州省贵阳市云岩区北京路3号"
    emulator.on(READ_ADDED, Act(status=0x91))
    assert reader.read_added_address() == ""


def test_port_vanishing_mid_read_is_unavailable_then_reported_again(
        emulator: SamEmulator, reader: SerialIdCardReader) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    emulator.on(READ_BASE, Act(vanish_after=300))
    with pytest.raises(DeviceUnavailableError) as info:
        reader.read_card()
    assert "未连接" in info.value.user_message
    assert reader.describe()["connected"] is False
    with pytest.raises(DeviceUnavailableError):  # reconnect attempt fails: the pty is gone
        reader.find_card()


def test_reconnects_when_the_port_comes_back(tmp_path: Path) -> None:
    link = tmp_path / "ttyIDCARD"  # like a udev symlink that follows the replugged reader
    with SamEmulator() as first:
        link.symlink_to(first.path)
        with SerialIdCardReader(str(link), **FAST) as reader:
            assert reader.find_card() is False
            first.vanish()
            with pytest.raises(DeviceUnavailableError):
                reader.find_card()
            with SamEmulator() as second:
                link.unlink()
                link.symlink_to(second.path)
                second.place(EmuCard(text=TEST_VECTOR))
                assert reader.find_card() is True


def test_opening_a_missing_port_is_unavailable() -> None:
    reader = SerialIdCardReader("/dev/does-not-exist-idcard", **FAST)
    with pytest.raises(DeviceUnavailableError):
        reader.open()
    result = reader.self_test()
    assert not result.ok and result.checks["open"] != "ok" and "无法" not in result.checks
    with pytest.raises(DeviceUnavailableError, match="not open"):
        reader.find_card()


def test_self_test_and_describe(emulator: SamEmulator) -> None:
    reader = SerialIdCardReader(emulator.path, baudrate=57600, **FAST)
    try:
        result = reader.self_test()
        assert result.ok and result.checks == {"open": "ok", "status": "ok", "sam_id": "ok"}
        info = reader.describe()
        assert info["port"] == emulator.path and info["baudrate"] == 57600
        assert info["sam_id"] == bytes(range(16)).hex()
        assert str(reader) == f"串口身份证阅读器 {emulator.path}"
        emulator.on(STATUS, Act(status=0x60))
        failed = reader.self_test()
        assert not failed.ok and "安全模块故障" in failed.summary_zh
        assert failed.checks["status"].startswith("status")
    finally:
        reader.close()


def test_photo_decoder_is_used_and_its_failure_costs_only_the_photo(
        emulator: SamEmulator) -> None:
    class Decoder(PhotoDecoder):
        def __init__(self, fail: bool) -> None:
            self.fail = fail

        def decode(self, wlt: bytes) -> bytes | None:
            if self.fail:
                raise RuntimeError("vendor library crashed")
            return b"BM" + wlt[:4]

    emulator.place(EmuCard(text=TEST_VECTOR, photo=b"WLT!" * 256))
    with SerialIdCardReader(emulator.path, photo_decoder=Decoder(False), **FAST) as reader:
        card = reader.read_card()
        assert card is not None and card.photo_bmp == b"BMWLT!"
        reader.photo_decoder = Decoder(True)
        card = reader.read_card()
        assert card is not None and card.photo_bmp is None and card.name == "张三"


def test_registry_builds_both_backends(emulator: SamEmulator) -> None:
    serial_reader = registry.create("idcard", "serial", port=emulator.path, baudrate=115200)
    assert isinstance(serial_reader, SerialIdCardReader)
    simulated = registry.create("idcard", "simulated", card="J")
    with simulated:
        card = simulated.read_card()
    assert isinstance(card, IdCardData) and card.card_type is CardType.HK_MACAO_TAIWAN


def test_socket_urls_work_too() -> None:
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(64)
            conn.sendall(response(0x90, bytes(range(16))))
            conn.recv(64)  # wait until the client closes

    thread = threading.Thread(target=serve, name="socket-sam")
    thread.start()
    try:
        with SerialIdCardReader(f"socket://127.0.0.1:{port}", **FAST) as reader:
            assert reader.sam_id() == bytes(range(16)).hex()
    finally:
        thread.join(5)
        server.close()
