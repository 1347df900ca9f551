"""Pure ISO 7816-4 helpers: command building, status words, TLV, BCD and GBK fields.

No I/O here. A card is reached through a ``Transmit`` callable (``bytes -> bytes``: a
command APDU in, the card's raw answer ``data || SW1 SW2`` out), which is what every
backend's card session provides and what the pure tests fake.

:func:`transceive` is the one place that knows the T=0 transport quirks that pyscard
leaves to the caller:

* ``61xx`` — more data waiting: fetch it with ``GET RESPONSE`` (``00 C0 00 00 xx``) and
  concatenate, as often as the card asks (bounded);
* ``6Cxx`` — wrong Le: send the same command again with ``Le = xx``.

Everything that can go wrong while decoding card data raises :class:`CardDataError`, and
a failure status word raises :class:`CardStatusError` (both ``DeviceOperationError``, so
the UI has a Chinese message). Nothing here raises anything else on any input bytes (the
hypothesis tests check that), and no error detail ever contains response *data*: card
data may be personal (names, ID numbers); only headers and status words are quoted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kiosk.errors import DeviceOperationError

Transmit = Callable[[bytes], bytes]

SW_OK = 0x9000


class CardDataError(DeviceOperationError):
    """The card answered, but its data cannot be decoded (bad TLV, BCD, text)."""

    default_user_message = "卡片数据无法识别，请联系工作人员"


class CardStatusError(DeviceOperationError):
    """The card refused a command; ``sw`` is the status word (for example ``0x6982``)."""

    default_user_message = "读卡失败，请重新插卡后再试"

    def __init__(self, detail: str = "", *, sw: int, user_message: str | None = None) -> None:
        super().__init__(detail, user_message=user_message)
        self.sw = sw


# -- status words ------------------------------------------------------------------------

_SW_TEXT: dict[int, str] = {
    0x6281: "part of returned data may be corrupted",
    0x6282: "end of file or record reached before Le bytes",
    0x6581: "memory failure",
    0x6700: "wrong length",
    0x6882: "secure messaging not supported",
    0x6982: "security status not satisfied",
    0x6983: "authentication method blocked",
    0x6984: "reference data not usable",
    0x6985: "conditions of use not satisfied",
    0x6986: "command not allowed (no current EF)",
    0x6A80: "incorrect parameters in the data field",
    0x6A81: "function not supported",
    0x6A82: "file or application not found",
    0x6A83: "record not found",
    0x6A86: "incorrect parameters P1-P2",
    0x6A88: "referenced data not found",
    0x6B00: "wrong parameters P1-P2",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
    0x6F00: "no precise diagnosis",
}

#: Chinese messages for status words a citizen can meet whatever the card is. Callers add
#: context-specific ones (a 6A82 means "not a social security card" there).
SW_USER_MESSAGES: dict[int, str] = {
    0x6982: "卡片拒绝读取（安全状态不满足），请联系工作人员",
    0x6983: "卡片已锁定，请到发卡机构处理",
    0x6581: "卡片芯片损坏，请到发卡机构处理",
    0x6A82: "无法识别该卡片，请确认插入的卡片是否正确",
    0x6D00: "无法识别该卡片，请确认插入的卡片是否正确",
    0x6E00: "无法识别该卡片，请确认插入的卡片是否正确",
}


def sw_text(sw: int) -> str:
    """``"6982 security status not satisfied"``; ``63Cx`` and unknown words too."""
    if sw & 0xFFF0 == 0x63C0:
        return f"{sw:04X} verification failed, {sw & 0xF} tries left"
    return f"{sw:04X} {_SW_TEXT.get(sw, 'unknown status')}".rstrip()


def status_error(sw: int, step: str, *,
                 user_messages: Mapping[int, str] | None = None) -> CardStatusError:
    """A :class:`CardStatusError` for ``sw`` met during ``step`` ("SELECT EF05")."""
    message = (user_messages or {}).get(sw) or SW_USER_MESSAGES.get(sw)
    return CardStatusError(f"{step}: card answered {sw_text(sw)}", sw=sw, user_message=message)


# -- command and response APDUs ----------------------------------------------------------

@dataclass(frozen=True)
class Command:
    """A short command APDU. ``le`` is the expected length 1..256 (256 is sent as ``00``)
    or ``None`` for no Le field (ISO cases 1 and 3)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            if not 0 <= getattr(self, name) <= 0xFF:
                raise ValueError(f"{name} out of range: {getattr(self, name)!r}")
        if len(self.data) > 255:
            raise ValueError(f"command data too long for a short APDU: {len(self.data)}")
        if self.le is not None and not 1 <= self.le <= 256:
            raise ValueError(f"Le out of range: {self.le!r}")

    def encode(self) -> bytes:
        out = bytes((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            out += bytes((len(self.data),)) + self.data
        if self.le is not None:
            out += bytes((self.le & 0xFF,))
        return out

    def with_le(self, le: int) -> Command:
        return Command(self.cla, self.ins, self.p1, self.p2, self.data, le)

    @property
    def header(self) -> str:
        """``"00 B2 07 00"`` — what logs and error details may show."""
        return f"{self.cla:02X} {self.ins:02X} {self.p1:02X} {self.p2:02X}"


@dataclass(frozen=True)
class Response:
    data: bytes
    sw1: int
    sw2: int

    @property
    def sw(self) -> int:
        return (self.sw1 << 8) | self.sw2

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    def __repr__(self) -> str:  # data may be personal: show its length only
        return f"Response(sw={self.sw:04X}, {len(self.data)} data bytes)"


def parse_response(raw: bytes) -> Response:
    if len(raw) < 2:
        raise CardDataError(f"response APDU too short ({len(raw)} bytes, no status word)")
    return Response(bytes(raw[:-2]), raw[-2], raw[-1])


def select_by_name(aid: bytes, *, p2: int = 0x00) -> Command:
    """``00 A4 04 p2 Lc AID`` (ISO case 3; a card with an FCI for P2=00 answers 61xx)."""
    return Command(0x00, 0xA4, 0x04, p2, aid)


def select_by_fid(fid: int, *, p1: int = 0x02, p2: int = 0x00) -> Command:
    """``00 A4 p1 p2 02 FID``; P1=02 selects an EF under the current DF, P1=00 any file."""
    return Command(0x00, 0xA4, p1, p2, fid.to_bytes(2, "big"))


def read_record(p1: int, p2: int, le: int) -> Command:
    """``00 B2 P1 P2 Le``; P2=00: P1 is a record identifier, P2=04: a record number."""
    return Command(0x00, 0xB2, p1, p2, le=le)


def get_response(le: int) -> Command:
    return Command(0x00, 0xC0, 0x00, 0x00, le=le or 256)


MAX_TRANSPORT_STEPS = 32  # 61xx/6Cxx round trips for one command: 8 KiB at 256 bytes each


def transceive(transmit: Transmit, command: Command) -> Response:
    """Send ``command``, following ``61xx`` with GET RESPONSE and ``6Cxx`` with a re-send
    (see the module docstring). Returns the final status word with all data collected."""
    data = bytearray()
    current = command
    resent = False
    for _ in range(MAX_TRANSPORT_STEPS):
        response = parse_response(transmit(current.encode()))
        if response.sw1 == 0x6C and not resent:
            # wrong Le: same command, exact Le (once — a card that keeps asking is broken)
            current = current.with_le(response.sw2 or 256)
            resent = True
            continue
        data += response.data
        if response.sw1 == 0x61:
            current = get_response(response.sw2)
            resent = False
            continue
        return Response(bytes(data), response.sw1, response.sw2)
    raise CardDataError(f"{command.header}: card kept asking for more exchanges "
                        f"({MAX_TRANSPORT_STEPS} steps)")


def check(response: Response, step: str, *,
          user_messages: Mapping[int, str] | None = None) -> bytes:
    """The data of a ``9000`` response, else :func:`status_error`."""
    if not response.ok:
        raise status_error(response.sw, step, user_messages=user_messages)
    return response.data


# -- TLV ---------------------------------------------------------------------------------

def parse_tlv(data: bytes) -> list[tuple[int, bytes]]:
    """Simple TLV as the social security card uses it: 1-byte tag, BER length (``0x00-0x7F``,
    ``81 xx`` or ``82 xx xx``), value. A tag byte of ``00`` or ``FF`` where a tag should
    start is padding and ends the list. Truncation or a bad length is a ``CardDataError``."""
    items: list[tuple[int, bytes]] = []
    i, n = 0, len(data)
    while i < n:
        tag = data[i]
        if tag in (0x00, 0xFF):
            break
        if i + 1 >= n:
            raise CardDataError(f"TLV tag {tag:02X} at offset {i} has no length")
        first = data[i + 1]
        if first < 0x80:
            length, start = first, i + 2
        elif first in (0x81, 0x82):
            size = first - 0x80
            if i + 2 + size > n:
                raise CardDataError(f"TLV tag {tag:02X}: truncated length field")
            length = int.from_bytes(data[i + 2:i + 2 + size], "big")
            start = i + 2 + size
        else:
            raise CardDataError(f"TLV tag {tag:02X}: unsupported length byte {first:02X}")
        end = start + length
        if end > n:
            raise CardDataError(f"TLV tag {tag:02X}: value of {length} bytes truncated "
                                f"to {n - start}")
        items.append((tag, bytes(data[start:end])))
        i = end
    return items


def tlv_value(data: bytes, tag: int) -> bytes:
    """The value of the first ``tag`` in ``data``; ``CardDataError`` if absent."""
    for t, value in parse_tlv(data):
        if t == tag:
            return value
    raise CardDataError(f"TLV tag {tag:02X} not in the record")


# -- field encodings ---------------------------------------------------------------------

_PAD = b"\x00\xff "


def bcd_digits(data: bytes) -> str:
    """Packed BCD to a digit string; trailing ``F`` nibbles are padding. Any other nibble
    above 9 is a ``CardDataError``."""
    digits = "".join(f"{b:02X}" for b in data).rstrip("F")
    if not digits.isdigit() and digits:
        raise CardDataError(f"not BCD ({len(data)} bytes)")
    return digits


def bcd_date(data: bytes) -> dt.date | None:
    """``YYYYMMDD`` in 4 BCD bytes. All ``00`` or all ``FF`` means "not set" → ``None``."""
    if len(data) != 4:
        raise CardDataError(f"BCD date must be 4 bytes, got {len(data)}")
    if data in (b"\x00" * 4, b"\xff" * 4):
        return None
    digits = bcd_digits(data)
    if len(digits) != 8:
        raise CardDataError("BCD date is padded")
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError as err:
        raise CardDataError(f"BCD date out of range: {err}") from None


def encode_bcd_date(day: dt.date | None) -> bytes:
    if day is None:
        return b"\x00" * 4
    return bytes.fromhex(f"{day.year:04d}{day.month:02d}{day.day:02d}")


def decode_ascii(data: bytes) -> str:
    """An ASCII field: NUL, ``FF`` and space padding removed; must be printable ASCII."""
    text = bytes(data).strip(_PAD)
    if any(b < 0x20 or b > 0x7E for b in text):
        raise CardDataError(f"ASCII field of {len(data)} bytes holds non-printable bytes")
    return text.decode("ascii")


def decode_gbk(data: bytes) -> str:
    """A GBK text field (names): cut at the first NUL, ``FF``/space padding removed, ideographic
    spaces trimmed. Decoded as GB 18030 — a superset of GBK that decodes GBK bytes the same
    and also covers rare characters in names. Undecodable bytes are a ``CardDataError``."""
    raw = bytes(data).split(b"\x00", 1)[0].rstrip(b"\xff ")
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise CardDataError(f"text field of {len(data)} bytes is not valid GBK") from None
    text = text.strip(" \u3000")
    if any(not c.isprintable() for c in text):
        raise CardDataError(f"text field of {len(data)} bytes holds control characters")
    return text


def encode_gbk(text: str, size: int) -> bytes:
    raw = text.encode("gb18030")
    if len(raw) > size:
        raise ValueError(f"{len(raw)} bytes do not fit a {size}-byte field")
    return raw.ljust(size, b"\x00")
