"""The SAM_V serial protocol of second-generation ID-card readers — pure, no I/O.

Facts: ``reference/devices.md`` §A.2–§A.5 (GA 467 as reconstructed from public drivers).

Frame layout, both directions::

    AA AA AA 96 69 | LEN_H LEN_L | body (LEN - 1 bytes) | CHK
    LEN = len(body) + 1 (big-endian), CHK = XOR of LEN_H, LEN_L and the body

* host → reader body: ``CMD PARA [DATA…]`` (:class:`Request`);
* reader → host body: ``SW1 SW2 SW3 [DATA…]`` (:class:`Reply`), SW3 is the status.

:class:`FrameParser` is incremental: feed it whatever the line delivered (split, glued,
preceded by garbage) and it returns the complete frames. It resynchronises on the preamble
— after a bad length or a bad checksum it drops one byte and scans again, so a valid frame
hidden behind a corrupted one is still found — and it never holds more than one maximal
frame. ``feed`` never raises; errors are counted (``checksum_errors``, ``length_errors``,
``discarded``). An 8-bit XOR cannot tell a frame whose *length field* was corrupted into a
shorter one from a genuine short frame (1 in 256); the payload checks below
(:func:`parse_base_message` and friends require exact, self-consistent lengths) reject those.

Reply payloads never appear in logs or in ``repr``: the text block holds personal data.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from enum import Enum
from functools import reduce

from kiosk.errors import DeviceOperationError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = 7  # preamble + 2 length bytes
MIN_LEN = 3  # smallest LEN of any frame (request: CMD PARA CHK)
MIN_REPLY_LEN = 4  # SW1 SW2 SW3 CHK
MAX_LEN = 4096  # the largest known reply (30 10 with 1024 B fingerprint) has LEN 2314

# SW3 values (§A.4)
SW_OK = 0x90
SW_FOUND = 0x9F
SW_NO_CONTENT = 0x91
SW_BAD_CHECKSUM = 0x10
SW_BAD_LENGTH = 0x11
SW_NO_CARD = 0x80
SW_SELECT_FAILED = 0x81

STATUS_TEXT: dict[int, str] = {
    0x90: "操作成功",
    0x9F: "寻找证/卡成功",
    0x91: "证/卡中此项无内容",
    0x10: "接收业务终端数据的校验和错",
    0x11: "接收业务终端数据的长度错",
    0x21: "接收业务终端的命令错误",
    0x23: "越权操作",
    0x24: "无法识别的错误",
    0x31: "证/卡认证SAM_V失败",
    0x32: "SAM_V认证证/卡失败",
    0x33: "信息验证错误",
    0x34: "尚未找卡，不能进行对卡的操作",
    0x40: "无法识别的证/卡类型",
    0x41: "读证/卡操作失败",
    0x47: "取随机数失败",
    0x60: "SAM_V自检失败，不能接收命令",
    0x66: "SAM_V没有经过授权，无法使用",
    0x80: "寻找证/卡失败",
    0x81: "选取证/卡失败",
}

#: The card could not be read; lifting and re-placing it usually helps.
REPLACE_CARD_STATUSES = frozenset({0x31, 0x32, 0x33, 0x34, 0x40, 0x41, 0x47})
#: The security module itself is broken or not authorised: staff must act.
SAM_FAULT_STATUSES = frozenset({0x60, 0x66})
#: The reader received a damaged request: flush and send it again once.
RESEND_STATUSES = frozenset({SW_BAD_CHECKSUM, SW_BAD_LENGTH})

MSG_REPLACE_CARD = "读取失败，请重新放置身份证"
MSG_SAM_FAULT = "身份证阅读器安全模块故障，请联系工作人员"
MSG_LINK = "身份证阅读器通信异常，请稍后重试"
MSG_READER_FAULT = "身份证阅读器操作失败，请联系工作人员"


def status_text(sw3: int) -> str:
    return STATUS_TEXT.get(sw3, f"未知状态 0x{sw3:02X}")


# --------------------------------------------------------------------------- errors


class ProtocolError(DeviceOperationError):
    """The reply was malformed (bad checksum, length or payload layout)."""

    default_user_message = MSG_LINK


class SamStatusError(DeviceOperationError):
    """The reader answered with a failure status ``sw3`` to ``command``."""

    default_user_message = MSG_READER_FAULT

    def __init__(self, command: Command, sw3: int, *, user_message: str | None = None) -> None:
        super().__init__(f"{command.label} ({command.hex}): status 0x{sw3:02X} {status_text(sw3)}",
                         user_message=user_message)
        self.command = command
        self.sw3 = sw3


class CardReadError(SamStatusError):
    """41/31/32/33…: the card was not read; the citizen should re-place it."""

    default_user_message = MSG_REPLACE_CARD


class SamFaultError(SamStatusError):
    """60/66: the security module failed its self-test or is not authorised."""

    default_user_message = MSG_SAM_FAULT


def status_error(command: Command, sw3: int) -> SamStatusError:
    """The typed error for a failure status."""
    if sw3 in SAM_FAULT_STATUSES:
        return SamFaultError(command, sw3)
    if sw3 in REPLACE_CARD_STATUSES:
        return CardReadError(command, sw3)
    if sw3 in RESEND_STATUSES:
        return SamStatusError(command, sw3, user_message=MSG_LINK)
    return SamStatusError(command, sw3)


# ------------------------------------------------------------------------- commands


class Command(Enum):
    """Host → reader commands (CMD, PARA) of §A.3."""

    RESET = (0x10, 0xFF)
    STATUS = (0x11, 0xFF)
    SAM_ID = (0x12, 0xFF)
    FIND = (0x20, 0x01)
    SELECT = (0x20, 0x02)
    READ_BASE = (0x30, 0x01)
    READ_BASE_FP = (0x30, 0x10)
    READ_ADDED_ADDRESS = (0x30, 0x03)

    @property
    def cmd(self) -> int:
        return self.value[0]

    @property
    def para(self) -> int:
        return self.value[1]

    @property
    def hex(self) -> str:
        return f"{self.cmd:02X} {self.para:02X}"

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def lookup(cls, cmd: int, para: int) -> Command | None:
        try:
            return cls((cmd, para))
        except ValueError:
            return None


# --------------------------------------------------------------------------- frames


def xor_checksum(data: bytes | bytearray | memoryview) -> int:
    return reduce(operator.xor, data, 0)


def encode_frame(body: bytes) -> bytes:
    """Wrap ``body`` into a frame: preamble, big-endian LEN, body, XOR."""
    length = len(body) + 1
    if not MIN_LEN <= length <= 0xFFFF:
        raise ValueError(f"frame body of {len(body)} bytes cannot be encoded")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes((xor_checksum(head + body),))


@dataclass(frozen=True)
class Frame:
    """One checked frame; ``body`` is what lies between the length field and the XOR."""

    body: bytes = field(repr=False)

    def to_bytes(self) -> bytes:
        return encode_frame(self.body)

    def __repr__(self) -> str:
        return f"Frame({len(self.body)} B body)"


@dataclass(frozen=True)
class Request:
    command: Command
    data: bytes = b""

    def to_bytes(self) -> bytes:
        return encode_frame(bytes((self.command.cmd, self.command.para)) + self.data)

    @property
    def wire_len(self) -> int:
        return HEADER_LEN + 3 + len(self.data)

    @staticmethod
    def parse(frame: Frame) -> tuple[int, int, bytes]:
        """(CMD, PARA, DATA) of a request frame (for emulators and tests)."""
        if len(frame.body) < 2:
            raise ProtocolError(f"request frame too short ({len(frame.body)} B body)")
        return frame.body[0], frame.body[1], frame.body[2:]


def build_request(command: Command, data: bytes = b"") -> bytes:
    return Request(command, data).to_bytes()


@dataclass(frozen=True)
class Reply:
    """A reader reply; ``data`` (which may be personal) stays out of ``repr``."""

    sw3: int
    data: bytes = field(default=b"", repr=False)
    sw1: int = 0
    sw2: int = 0

    @classmethod
    def from_frame(cls, frame: Frame) -> Reply:
        body = frame.body
        if len(body) < MIN_REPLY_LEN - 1:
            raise ProtocolError(f"reply frame too short ({len(body)} B body)")
        return cls(sw3=body[2], data=body[3:], sw1=body[0], sw2=body[1])

    def to_bytes(self) -> bytes:
        return encode_frame(bytes((self.sw1, self.sw2, self.sw3)) + self.data)

    @property
    def wire_len(self) -> int:
        return HEADER_LEN + 4 + len(self.data)

    @property
    def text(self) -> str:
        return status_text(self.sw3)

    def __repr__(self) -> str:
        return f"Reply(sw3=0x{self.sw3:02X} {self.text}, {len(self.data)} B data)"


def build_response(sw3: int, payload: bytes = b"") -> bytes:
    return Reply(sw3, payload).to_bytes()


class FrameParser:
    """Incremental frame parser with preamble resync and a bounded buffer (see module doc)."""

    def __init__(self, *, min_len: int = MIN_LEN, max_len: int = MAX_LEN) -> None:
        if not MIN_LEN <= min_len <= max_len <= 0xFFFF:
            raise ValueError("need 3 <= min_len <= max_len <= 65535")
        self.min_len = min_len
        self.max_len = max_len
        self._buf = bytearray()
        self.discarded = 0
        self.checksum_errors = 0
        self.length_errors = 0

    @property
    def max_frame(self) -> int:
        return HEADER_LEN + self.max_len

    @property
    def buffered(self) -> int:
        return len(self._buf)

    @property
    def errors(self) -> int:
        return self.checksum_errors + self.length_errors

    def reset(self) -> None:
        self._buf.clear()

    def abandon(self) -> list[Frame]:
        """Give up on the incomplete frame at the head of the buffer (its length field was
        most likely garbage) and return any complete frames found behind it. Called when a
        reply is overdue; consumes the buffer."""
        frames: list[Frame] = []
        while not frames and len(self._buf) >= len(PREAMBLE):
            self._discard(1)
            self._drain(frames)
        return frames

    def feed(self, data: bytes | bytearray | memoryview) -> list[Frame]:
        frames: list[Frame] = []
        view = memoryview(data).cast("B")
        # Slices of one maximal frame keep the buffer bounded whatever the caller passes.
        for start in range(0, len(view), self.max_frame):
            self._buf += view[start:start + self.max_frame]
            self._drain(frames)
        return frames

    def _drain(self, frames: list[Frame]) -> None:
        buf = self._buf
        while True:
            i = buf.find(PREAMBLE)
            if i < 0:
                keep = _preamble_prefix_len(buf)
                self._discard(len(buf) - keep)
                return
            if i:
                self._discard(i)
            if len(buf) < HEADER_LEN:
                return
            length = (buf[5] << 8) | buf[6]
            if not self.min_len <= length <= self.max_len:
                self.length_errors += 1
                self._discard(1)
                continue
            end = HEADER_LEN + length
            if len(buf) < end:
                return
            if xor_checksum(memoryview(buf)[5:end - 1]) != buf[end - 1]:
                self.checksum_errors += 1
                self._discard(1)
                continue
            frames.append(Frame(bytes(buf[HEADER_LEN:end - 1])))
            del buf[:end]

    def _discard(self, n: int) -> None:
        if n > 0:
            del self._buf[:n]
            self.discarded += n


def _preamble_prefix_len(buf: bytearray) -> int:
    """Length of the longest tail of ``buf`` that could start a preamble."""
    for k in range(min(len(buf), len(PREAMBLE) - 1), 0, -1):
        if buf[-k:] == PREAMBLE[:k]:
            return k
    return 0


# ------------------------------------------------------------------------- payloads

TEXT_LEN = 256
PHOTO_LEN = 1024
SAM_ID_LEN = 16
ADDED_ADDRESS_LEN = 70


@dataclass(frozen=True)
class BaseMessage:
    """The payload of 30 01 / 30 10: the text block, the encrypted photo, the fingerprint."""

    text: bytes = field(repr=False)
    photo: bytes = field(repr=False)
    fingerprint: bytes | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        fp = "none" if self.fingerprint is None else f"{len(self.fingerprint)} B"
        return f"BaseMessage(text {len(self.text)} B, photo {len(self.photo)} B, fingerprint {fp})"


def parse_base_message(data: bytes, *, with_fingerprint: bool) -> BaseMessage:
    """``TL PL [FL] TEXT PHOTO [FP]`` (§A.5); lengths must add up exactly."""
    heads = 3 if with_fingerprint else 2
    if len(data) < 2 * heads:
        raise ProtocolError(f"base message too short ({len(data)} B)")
    lengths = [int.from_bytes(data[2 * i:2 * i + 2], "big") for i in range(heads)]
    tl, pl = lengths[0], lengths[1]
    fl = lengths[2] if with_fingerprint else 0
    if tl != TEXT_LEN:
        raise ProtocolError(f"base message: text length {tl}, expected {TEXT_LEN}")
    if len(data) != 2 * heads + tl + pl + fl:
        raise ProtocolError(f"base message: {len(data)} B do not match TL={tl} PL={pl} FL={fl}")
    o = 2 * heads
    text = data[o:o + tl]
    photo = data[o + tl:o + tl + pl]
    fingerprint = data[o + tl + pl:] if with_fingerprint else None
    return BaseMessage(text, photo, fingerprint)


def build_base_message(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    """The inverse of :func:`parse_base_message` (simulated readers, emulators)."""
    head = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
    if fingerprint is not None:
        head += len(fingerprint).to_bytes(2, "big")
    return head + text + photo + (fingerprint or b"")


def parse_sam_id(data: bytes) -> str:
    """The 16-byte SAM management number as an opaque lowercase hex string (§A.5)."""
    if len(data) != SAM_ID_LEN:
        raise ProtocolError(f"SAM id is {len(data)} B, expected {SAM_ID_LEN}")
    return data.hex()


def check_added_address(data: bytes) -> bytes:
    if len(data) % 2 or len(data) > TEXT_LEN:
        raise ProtocolError(f"added address of {len(data)} B is not UCS-2 text")
    return data
