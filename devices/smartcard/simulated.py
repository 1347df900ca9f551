"""In-process smart cards and reader, for demo mode and tests.

:class:`SimulatedSmartCardReader` runs the real port code (``sscard``/``staffcard`` over
``transmit``) against simulated cards that answer APDUs like the real ones:

* :class:`SimulatedSocialSecurityCard` — the §C.3 layout (SSSE DDF, EF05/EF06 TLV records)
  with switches for the variants met in the field: READ RECORD with P2=00 and/or P2=04,
  T=0 style ``61xx`` answers, strict Le (``6Cxx``), no DDF (regional, ``6A82``), personal
  data behind a security status (``6982``), and being pulled out after N commands;
* :class:`SimulatedStaffCard` — the staff applet (``docs/devices/staffcard.md``) with a real
  P-256 key;
* :class:`SimulatedForeignCard` — a card that is neither (``6A82`` to every SELECT).

The same card objects are served through pcscd + vsmartcard-vpcd by the tests' virtual
card, so both backends are tested against identical card behaviour. Faults of the reader
itself come from a :class:`~devices.base.FaultScript` (``unplug`` → reader gone,
``fail_next``, ``go_silent``, ``delay``).

Options (``[devices.smartcard.options]`` with ``backend = "simulated"``):
``card = "social_security" | "staff" | "technician" | ""`` — the demo card inserted at
start (the staff cards are the demo roster's, ``docs/staff.md``).
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import threading

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from devices.base import FaultScript
from devices.smartcard import staffcard
from devices.smartcard.apdu import encode_bcd_date, encode_gbk
from devices.smartcard.base import CardRemovedError, NoCardError, SmartCardReader
from devices.smartcard.sscard import EF05, EF06, MF, SSSE_AID
from kiosk.errors import ConfigError

ATR_SSCARD = bytes.fromhex("3B6C00000A4E54303031003032303130")  # T=0, "NT001", illustrative
ATR_STAFF = bytes.fromhex("3B8880010000000000000000")  # T=1 (vpcd's example ATR)
ATR_FOREIGN = bytes.fromhex("3B6800000073C84013009000")

SW_OK = b"\x90\x00"
DEMO_TECHNICIAN_ID = "DEMOT01"


class CardPulled(Exception):  # noqa: N818 - an event, not an error
    """Raised by a simulated card's ``handle``: the card leaves the reader right now."""


class SimulatedCard(abc.ABC):
    """A card: ``atr``, ``reset()`` on power-up, ``handle(apdu) -> data || SW``."""

    atr: bytes = ATR_FOREIGN

    def __init__(self, *, pull_after: int | None = None) -> None:
        self.pull_after = pull_after
        self.commands: list[bytes] = []  # every APDU received, for tests

    def reset(self) -> None:  # noqa: B027 - most cards have state to forget, not all
        """Power-on: forget the current selection."""

    def handle(self, command: bytes) -> bytes:
        if self.pull_after is not None and len(self.commands) >= self.pull_after:
            raise CardPulled
        self.commands.append(bytes(command))
        if len(command) < 4:
            return b"\x67\x00"
        return self._handle(command)

    @abc.abstractmethod
    def _handle(self, command: bytes) -> bytes: ...


def _parse(command: bytes) -> tuple[int, int, int, int, bytes, int | None]:
    """Header, data and Le of a short APDU (Le 0 = 256); data ``b""`` when absent."""
    cla, ins, p1, p2 = command[:4]
    body = command[4:]
    if not body:
        return cla, ins, p1, p2, b"", None
    if len(body) == 1:
        return cla, ins, p1, p2, b"", body[0] or 256
    lc = body[0]
    data = body[1:1 + lc]
    rest = body[1 + lc:]
    return cla, ins, p1, p2, data, (rest[0] or 256) if rest else None


class SimulatedForeignCard(SimulatedCard):
    """A card with neither application (a bank card, say): ``6A82`` to every SELECT."""

    def _handle(self, command: bytes) -> bytes:
        return b"\x6a\x82" if command[1] == 0xA4 else b"\x6d\x00"


class SimulatedSocialSecurityCard(SimulatedCard):
    """A 社保卡 (defaults: the demo citizen 张三丰). See the module docstring for switches:

    ``record_modes`` — which READ RECORD P2 values the card accepts ({0x00}, {0x04} or both);
    ``has_ddf=False`` — 6A82 on the SSSE SELECT, EF05/EF06 directly under the MF;
    ``t0`` — every answer with data comes as ``61xx`` + GET RESPONSE;
    ``strict_le`` — a READ RECORD whose Le is not the exact length gets ``6Cxx``;
    ``deny_personal`` — EF06 records answer ``6982``;
    ``name_size`` — bytes of the name record (30 per the layout; 0 = unpadded, so a reader
    asking for the layout's Le meets ``6Cxx`` on a ``strict_le`` card);
    ``pull_after`` — the card is pulled after that many commands.
    """

    atr = ATR_SSCARD

    def __init__(self, *, card_number: str = "A00000001", name: str = "张三丰",
                 id_number: str = "11010519491231002X", sex: str = "1", nation: int = 1,
                 birth: dt.date | None = dt.date(1949, 12, 31), region_code: str = "110100",
                 issue_date: dt.date | None = dt.date(2021, 6, 1),
                 expiry: dt.date | None = dt.date(2031, 6, 1), spec_version: str = "3.00",
                 record_modes: frozenset[int] = frozenset({0x00, 0x04}), has_ddf: bool = True,
                 t0: bool = False, strict_le: bool = False, deny_personal: bool = False,
                 name_size: int = 30, pull_after: int | None = None) -> None:
        super().__init__(pull_after=pull_after)
        self.record_modes = record_modes
        self.has_ddf = has_ddf
        self.t0 = t0
        self.strict_le = strict_le
        self.deny_personal = deny_personal
        card_id = bytes.fromhex((region_code + "D156000005").ljust(31, "0") + "1")
        self.files: dict[int, dict[int, bytes]] = {
            EF05: {
                0x01: card_id,
                0x02: b"3",
                0x03: spec_version.encode("ascii"),
                0x04: bytes.fromhex("110100000000000000000001"),
                0x05: encode_bcd_date(issue_date),
                0x06: encode_bcd_date(expiry),
                0x07: card_number.encode("ascii"),
            },
            EF06: {
                0x08: id_number.encode("ascii"),
                0x09: encode_gbk(name, name_size or len(name.encode("gb18030"))),
                0x0A: sex.encode("ascii"),
                0x0B: bytes((nation,)),
                0x0C: bytes.fromhex(region_code[:4] + "FF"),
                0x0D: encode_bcd_date(birth),
            },
        }
        self.reset()

    def reset(self) -> None:
        self._df = "mf"
        self._ef: int | None = None
        self._pending = b""

    def _answer(self, data: bytes) -> bytes:
        if self.t0 and data:
            self._pending = data
            return bytes((0x61, len(data) & 0xFF))
        return data + SW_OK

    def _handle(self, command: bytes) -> bytes:
        cla, ins, p1, p2, data, le = _parse(command)
        if cla != 0x00:
            return b"\x6e\x00"
        if ins == 0xC0:
            if not self._pending:
                return b"\x69\x85"
            n = le or 256
            out, self._pending = self._pending[:n], self._pending[n:]
            return out + (bytes((0x61, len(self._pending) & 0xFF)) if self._pending else SW_OK)
        self._pending = b""
        if ins == 0xA4:
            return self._select(p1, p2, data)
        if ins == 0xB2:
            return self._read_record(p1, p2, le)
        return b"\x6d\x00"

    def _select(self, p1: int, p2: int, data: bytes) -> bytes:
        if p1 == 0x04:
            if data != SSSE_AID or not self.has_ddf:
                return b"\x6a\x82"
            self._df, self._ef = "ssse", None
            fci = b"\x6f" + bytes((len(SSSE_AID) + 2,)) + b"\x84" + bytes((len(SSSE_AID),))
            return self._answer(fci + SSSE_AID) if p2 == 0x00 else SW_OK
        if p1 not in (0x00, 0x02) or len(data) != 2:
            return b"\x6a\x86"
        fid = int.from_bytes(data, "big")
        if fid == MF and p1 == 0x00:
            self._df, self._ef = "mf", None
            return SW_OK
        home = "ssse" if self.has_ddf else "mf"
        if fid in self.files and self._df == home:
            self._ef = fid
            return SW_OK
        return b"\x6a\x82"

    def _read_record(self, p1: int, p2: int, le: int | None) -> bytes:
        if self._ef is None:
            return b"\x69\x86"
        if p2 not in self.record_modes:
            return b"\x6a\x86"
        if self.deny_personal and self._ef == EF06:
            return b"\x69\x82"
        value = self.files[self._ef].get(p1)  # P2=04: record number = tag number
        if value is None:
            return b"\x6a\x83"
        tlv = bytes((p1, len(value))) + value
        if self.strict_le and le != len(tlv):
            return bytes((0x6C, len(tlv)))
        return self._answer(tlv)


class SimulatedStaffCard(SimulatedCard):
    """The staff applet with a P-256 key (``docs/devices/staffcard.md``)."""

    atr = ATR_STAFF

    def __init__(self, staff_id: str, key: ec.EllipticCurvePrivateKey | None = None, *,
                 pull_after: int | None = None) -> None:
        super().__init__(pull_after=pull_after)
        self.staff_id = staff_id
        self.key = key or staffcard.generate_private_key()
        self.reset()

    @classmethod
    def demo(cls, staff_id: str = "DEMO001") -> SimulatedStaffCard:
        """A fixed, publicly known key: for demo mode only, never in a real roster."""
        return cls(staff_id, demo_staff_key())

    @property
    def public_key(self) -> bytes:
        return staffcard.public_key_bytes(self.key)

    def reset(self) -> None:
        self._selected = False

    def _handle(self, command: bytes) -> bytes:
        cla, ins, p1, p2, data, _le = _parse(command)
        if cla == 0x00 and ins == 0xA4:
            self._selected = p1 == 0x04 and data == staffcard.STAFF_AID
            return SW_OK if self._selected else b"\x6a\x82"
        if not self._selected:
            return b"\x6d\x00"
        if cla != staffcard.CLA:
            return b"\x6e\x00"
        if ins == staffcard.INS_GET_DATA:
            tag = (p1 << 8) | p2
            if tag == staffcard.TAG_STAFF_ID:
                return self.staff_id.encode("ascii") + SW_OK
            if tag == staffcard.TAG_PUBLIC_KEY:
                return self.public_key + SW_OK
            return b"\x6a\x88"
        if ins == staffcard.INS_INTERNAL_AUTHENTICATE:
            if (p1, p2) != (staffcard.ALG_ECDSA_P256_SHA256, 0x00):
                return b"\x6a\x86"
            if not staffcard.NONCE_SIZE < len(data) <= staffcard.NONCE_SIZE + 64:
                return b"\x67\x00"
            kiosk_id = data[:-staffcard.NONCE_SIZE]
            message = staffcard.CONTEXT + kiosk_id + data[-staffcard.NONCE_SIZE:]
            return self.key.sign(message, ec.ECDSA(hashes.SHA256())) + SW_OK
        return b"\x6d\x00"


def demo_staff_key(label: str = "") -> ec.EllipticCurvePrivateKey:
    """A fixed, publicly known demo key; ``label`` picks another one (``"technician"``)."""
    seed = int.from_bytes(hashlib.sha256(b"gov-kiosk demo staff card, not secret"
                                         + label.encode("ascii")).digest(), "big")
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return ec.derive_private_key(seed % (order - 1) + 1, ec.SECP256R1())


def demo_card(kind: str) -> SimulatedCard | None:
    if kind == "":
        return None
    if kind == "social_security":
        return SimulatedSocialSecurityCard()
    if kind == "staff":
        return SimulatedStaffCard.demo()
    if kind == "technician":  # the demo roster's technician (docs/staff.md)
        return SimulatedStaffCard(DEMO_TECHNICIAN_ID, demo_staff_key("technician"))
    if kind == "foreign":
        return SimulatedForeignCard()
    raise ConfigError(f"devices.smartcard.options.card: unknown simulated card {kind!r} "
                      f"(social_security, staff, technician, foreign or empty)",
                      key="devices.smartcard.options.card")


class SimulatedSmartCardReader(SmartCardReader):
    """An in-process reader; ``insert(card)`` / ``remove()`` drive it (thread-safe)."""

    backend = "simulated"
    label_zh = "模拟社保卡读卡器"

    def __init__(self, card: str = "", *, faults: FaultScript | None = None) -> None:
        super().__init__()
        self.faults = faults or FaultScript()
        self._changed = threading.Condition()
        self._card: SimulatedCard | None = demo_card(card)
        self._reported: SimulatedCard | bool | None = False  # False: nothing reported yet
        self._connected = False

    def location(self) -> str:
        return ""

    # -- scripting ---------------------------------------------------------------------------
    @property
    def card(self) -> SimulatedCard | None:
        return self._card

    def insert(self, card: SimulatedCard) -> None:
        with self._changed:
            self._card = card
            self._changed.notify_all()

    def remove(self) -> None:
        with self._changed:
            self._card = None
            self._connected = False
            self._changed.notify_all()

    # -- hooks ----------------------------------------------------------------------------
    def _open(self) -> None:
        self.faults.check("open")

    def _close(self) -> None:
        self._connected = False

    def _poll_card(self, timeout_s: float) -> bytes | None:
        self.faults.check("poll", timeout_s=timeout_s)
        with self._changed:  # like SCardGetStatusChange: block only while nothing changed
            if timeout_s > 0:
                self._changed.wait_for(lambda: self._card is not self._reported, timeout_s)
            self._reported = self._card
            return self._card.atr if self._card is not None else None

    def _connect(self) -> bytes:
        self.faults.check("connect")
        with self._changed:
            if self._card is None:
                raise NoCardError(f"{self}: no card")
            self._card.reset()
            self._connected = True
            return self._card.atr

    def _transmit(self, command: bytes) -> bytes:
        self.faults.check("transmit")
        with self._changed:
            card = self._card
            if card is None or not self._connected:
                raise CardRemovedError(f"{self}: card gone before {command[:4].hex()}")
        try:
            return card.handle(command)
        except CardPulled:
            self.remove()
            raise CardRemovedError(f"{self}: card pulled during {command[:4].hex()}") \
                from None

    def _disconnect(self) -> None:
        self._connected = False
