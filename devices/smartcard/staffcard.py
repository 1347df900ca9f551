"""The staff/technician card: applet contract, kiosk-side challenge-response and roster.

A staff card is a JavaCard (or any ISO 7816-4 card) carrying our applet, which holds a
staff ID and an ECDSA P-256 key pair generated on the card. The kiosk proves that the
card is present — not a copy of its ID — by challenge-response (``docs/devices/staffcard.md``
is the personalisation contract; keep the two in step):

=====================  ==========================================================  ======
command                APDU                                                        answer
=====================  ==========================================================  ======
SELECT applet          ``00 A4 04 0C 09 F0 47 4B 53 54 41 46 46 01``               ``9000``
GET STAFF ID           ``80 CA DF 01 00``                                          ID ``9000``
GET PUBLIC KEY         ``80 CA DF 02 00``                                          65 B ``9000``
INTERNAL AUTHENTICATE  ``80 88 01 00 Lc <kiosk_id> <nonce(32)> 00``                DER sig ``9000``
=====================  ==========================================================  ======

* AID ``F0 'GKSTAFF' 01``: ``F`` as the first nibble is ISO 7816-5's proprietary
  (unregistered) category; ``GKSTAFF`` = "gov kiosk staff"; the last byte is the applet
  contract version.
* The card signs ``CONTEXT || kiosk_id || nonce`` with ECDSA P-256 / SHA-256 and answers the
  DER ``ECDSA-Sig-Value`` (what JavaCard's ``Signature.ALG_ECDSA_SHA_256`` produces). The
  fixed ``CONTEXT`` prefix keeps the card from being a general signing oracle; the nonce
  has a fixed length, so ``kiosk_id`` (1-64 ASCII bytes) is unambiguous.
* Why ECDSA P-256 and not Ed25519: P-256 signing is in JavaCard 3.0.x, which is what nearly
  every card on sale implements (NXP JCOP, Infineon, Feitian …), so staff cards can be
  bought off the shelf and personalised with standard tools; Ed25519 is absent from
  JavaCard 3.0.x and rare on cards. ``P1=01`` names the algorithm so SM2 (GM/T 0003) can be
  added as ``P1=02`` without a new AID.

On the kiosk, :class:`StaffAuthenticator` issues fresh 32-byte nonces (``os.urandom``) and
accepts each nonce for one verification only, within ``ttl_s``; the answer is checked
against the staff member's public key in the local :class:`StaffRoster`. A staff member who
is not in the roster (or was removed from it) is refused.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from devices.smartcard import apdu
from devices.smartcard.apdu import CardDataError, CardStatusError, Transmit
from kiosk.crypto import b64d, b64e
from kiosk.errors import ConfigError, ValidationError

STAFF_AID = bytes.fromhex("F0") + b"GKSTAFF" + b"\x01"
CLA = 0x80
INS_GET_DATA = 0xCA
INS_INTERNAL_AUTHENTICATE = 0x88
TAG_STAFF_ID = 0xDF01
TAG_PUBLIC_KEY = 0xDF02
ALG_ECDSA_P256_SHA256 = 0x01
CONTEXT = b"GOV-KIOSK-STAFF-AUTH-V1\x00"
NONCE_SIZE = 32
_MAX_SEEN = 100_000
MAX_KIOSK_ID = 64
STAFF_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
KIOSK_ID_RE = re.compile(r"[\x21-\x7e]{1,64}")

NOT_STAFF_MESSAGE = "这不是工作人员卡，请插入工作人员卡"
_USER_MESSAGES = {
    0x6A82: NOT_STAFF_MESSAGE, 0x6A81: NOT_STAFF_MESSAGE, 0x6999: NOT_STAFF_MESSAGE,
    0x6D00: NOT_STAFF_MESSAGE, 0x6E00: NOT_STAFF_MESSAGE,
    0x6A88: "工作人员卡未完成个人化，请联系管理员",
    0x6985: "工作人员卡未完成个人化，请联系管理员",
    0x6983: "工作人员卡已锁定，请联系管理员",
}


class StaffAuthError(ValidationError):
    """A staff card answered, but the kiosk does not accept it. ``reason`` is one of
    ``unknown_challenge`` (replayed or never issued), ``challenge_expired``, ``wrong_kiosk``,
    ``unknown_staff``, ``bad_signature``."""

    default_user_message = "工作人员卡验证失败，请联系管理员"

    def __init__(self, detail: str, *, reason: str) -> None:
        super().__init__(detail, field="staff_card")
        self.reason = reason


# -- commands ----------------------------------------------------------------------------

def select_command() -> apdu.Command:
    return apdu.select_by_name(STAFF_AID, p2=0x0C)


def get_data_command(tag: int) -> apdu.Command:
    return apdu.Command(CLA, INS_GET_DATA, tag >> 8, tag & 0xFF, le=256)


def internal_authenticate_command(kiosk_id: str, nonce: bytes) -> apdu.Command:
    return apdu.Command(CLA, INS_INTERNAL_AUTHENTICATE, ALG_ECDSA_P256_SHA256, 0x00,
                        _kiosk_id_bytes(kiosk_id) + _check_nonce(nonce), le=256)


def signed_message(kiosk_id: str, nonce: bytes) -> bytes:
    """Exactly what the card signs."""
    return CONTEXT + _kiosk_id_bytes(kiosk_id) + _check_nonce(nonce)


def _kiosk_id_bytes(kiosk_id: str) -> bytes:
    if not KIOSK_ID_RE.fullmatch(kiosk_id):
        raise ValueError("kiosk_id must be 1-64 printable ASCII characters without spaces")
    return kiosk_id.encode("ascii")


def _check_nonce(nonce: bytes) -> bytes:
    if len(nonce) != NONCE_SIZE:
        raise ValueError(f"nonce must be {NONCE_SIZE} bytes")
    return nonce


# -- keys ------------------------------------------------------------------------------

def generate_private_key() -> ec.EllipticCurvePrivateKey:
    """A P-256 key (for simulated cards and tests; real cards generate theirs on-card)."""
    return ec.generate_private_key(ec.SECP256R1())


def public_key_bytes(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    """The 65-byte uncompressed SEC1 point ``04 || X || Y`` (what GET PUBLIC KEY returns)."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def load_public_key(raw: bytes) -> ec.EllipticCurvePublicKey:
    if len(raw) != 65 or raw[0] != 0x04:
        raise ValueError("expected a 65-byte uncompressed P-256 point")
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)


def sign_challenge(key: ec.EllipticCurvePrivateKey, kiosk_id: str, nonce: bytes) -> bytes:
    """What the applet does on INTERNAL AUTHENTICATE (DER signature)."""
    return key.sign(signed_message(kiosk_id, nonce), ec.ECDSA(hashes.SHA256()))


# -- the kiosk side ----------------------------------------------------------------------

@dataclass(frozen=True)
class StaffChallenge:
    kiosk_id: str
    nonce: bytes
    issued_at: float  # StaffAuthenticator's clock

    def __repr__(self) -> str:
        return f"StaffChallenge(kiosk_id={self.kiosk_id!r}, nonce={self.nonce[:4].hex()}…)"


@dataclass(frozen=True)
class StaffCardAnswer:
    """What a staff card said; not yet trusted — pass it to ``StaffAuthenticator.verify``."""

    staff_id: str
    challenge: StaffChallenge
    signature: bytes
    atr: bytes = b""


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    public_key: bytes  # 65-byte uncompressed P-256 point; b"" = no card enrolled
    roles: tuple[str, ...] = ()
    display_name: str = field(default="", repr=False)
    # kiosk.staffauth: salted scrypt hash of the PIN; base32 TOTP secret (technicians)
    pin_hash: str = field(default="", repr=False)
    totp_secret: str = field(default="", repr=False)


class StaffRoster:
    """The staff members this kiosk accepts, by staff ID.

    File format (JSON, UTF-8)::

        {"version": 1,
         "staff": [{"staff_id": "T0001", "public_key": "<base64 of the 65-byte point>",
                    "roles": ["technician"], "display_name": "李工"}]}

    Optional members (``kiosk.staffauth``, ``docs/staff.md``): ``pin_hash`` (salted scrypt,
    written by ``kiosk staff set-pin``) and ``totp_secret`` (base32). ``public_key`` may be
    absent or empty for someone without a card (PIN-only or TOTP log-in); such a member's
    card answers never verify.
    """

    def __init__(self, members: Iterable[StaffMember] = ()) -> None:
        self._members: dict[str, StaffMember] = {}
        for member in members:
            self._members[member.staff_id] = member

    def __len__(self) -> int:
        return len(self._members)

    def get(self, staff_id: str) -> StaffMember | None:
        return self._members.get(staff_id)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "roster") -> StaffRoster:
        if not isinstance(data, Mapping) or data.get("version") != 1:
            raise ConfigError(f"{source}: expected an object with \"version\": 1", key=source)
        entries = data.get("staff")
        if not isinstance(entries, list):
            raise ConfigError(f"{source}: \"staff\" must be a list", key=f"{source}.staff")
        members = []
        for i, entry in enumerate(entries):
            key = f"{source}.staff[{i}]"
            try:
                staff_id = entry["staff_id"]
                if not isinstance(staff_id, str) or not STAFF_ID_RE.fullmatch(staff_id):
                    raise ValueError("bad staff_id")
                encoded = entry.get("public_key", "")
                if not isinstance(encoded, str):
                    raise TypeError("public_key must be a base64 string")
                public = b64d(encoded) if encoded else b""
                if public:
                    load_public_key(public)
                roles = tuple(str(r) for r in entry.get("roles", ()))
                display = str(entry.get("display_name", ""))
                pin_hash, totp = entry.get("pin_hash", ""), entry.get("totp_secret", "")
                if not isinstance(pin_hash, str) or not isinstance(totp, str):
                    raise TypeError("pin_hash and totp_secret must be strings")
            except (KeyError, TypeError, ValueError) as err:  # CryptoError is a ValueError
                raise ConfigError(f"{key}: {err}", key=key) from err
            members.append(StaffMember(staff_id, public, roles, display, pin_hash, totp))
        return cls(members)

    @classmethod
    def load(cls, path: str | Path) -> StaffRoster:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ConfigError(f"staff roster {path}: {err}", key="staff_roster") from err
        return cls.from_dict(data, source=str(path))

    def to_dict(self) -> dict[str, Any]:
        staff = []
        for m in self._members.values():
            entry: dict[str, Any] = {"staff_id": m.staff_id, "public_key": b64e(m.public_key),
                                     "roles": list(m.roles), "display_name": m.display_name}
            entry.update((k, v) for k, v in (("pin_hash", m.pin_hash),
                                             ("totp_secret", m.totp_secret)) if v)
            staff.append(entry)
        return {"version": 1, "staff": staff}

    def members(self) -> list[StaffMember]:
        return list(self._members.values())


class StaffAuthenticator:
    """Issues challenges and verifies answers. Thread-safe.

    Every challenge is fresh (32 random bytes), belongs to this kiosk, and is accepted once:
    :meth:`verify` consumes it before checking anything else, so a failed attempt also needs
    a new challenge, and a recorded answer can never be replayed. At most ``max_pending``
    challenges are outstanding (the oldest are dropped).
    """

    def __init__(self, kiosk_id: str, roster: StaffRoster, *, ttl_s: float = 60.0,
                 max_pending: int = 8, clock: Callable[[], float] = time.monotonic,
                 random: Callable[[int], bytes] = os.urandom) -> None:
        _kiosk_id_bytes(kiosk_id)
        self.kiosk_id = kiosk_id
        self.roster = roster
        self._ttl = ttl_s
        self._max_pending = max_pending
        self._clock = clock
        self._random = random
        self._pending: dict[bytes, float] = {}
        # every nonce ever issued (bounded): a broken random source must not make the kiosk
        # reuse a nonce, or a recorded answer would verify again
        self._seen: set[bytes] = set()
        self._seen_order: deque[bytes] = deque()
        self._lock = threading.Lock()

    def new_challenge(self) -> StaffChallenge:
        with self._lock:
            nonce = self._random(NONCE_SIZE)
            if len(nonce) != NONCE_SIZE or nonce in self._seen:
                raise RuntimeError("nonce source repeated itself or gave the wrong size")
            self._seen.add(nonce)
            self._seen_order.append(nonce)
            if len(self._seen_order) > _MAX_SEEN:
                self._seen.discard(self._seen_order.popleft())
            now = self._clock()
            self._pending[nonce] = now
            while len(self._pending) > self._max_pending:
                self._pending.pop(next(iter(self._pending)))
            return StaffChallenge(self.kiosk_id, nonce, now)

    def verify(self, answer: StaffCardAnswer) -> StaffMember:
        """The roster entry of the staff member whose card answered, or ``StaffAuthError``."""
        challenge = answer.challenge
        with self._lock:
            issued = self._pending.pop(challenge.nonce, None)
        if issued is None:
            raise StaffAuthError("challenge unknown or already used (replay?)",
                                 reason="unknown_challenge")
        if self._clock() - issued > self._ttl:
            raise StaffAuthError(f"challenge older than {self._ttl:g} s",
                                 reason="challenge_expired")
        if challenge.kiosk_id != self.kiosk_id:
            raise StaffAuthError("challenge issued for another kiosk", reason="wrong_kiosk")
        member = self.roster.get(answer.staff_id)
        if member is None:
            raise StaffAuthError(f"staff id {answer.staff_id!r} not in the roster",
                                 reason="unknown_staff")
        try:
            load_public_key(member.public_key).verify(
                answer.signature, signed_message(self.kiosk_id, challenge.nonce),
                ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError) as err:
            raise StaffAuthError(f"signature of staff card {answer.staff_id!r} does not "
                                 f"verify", reason="bad_signature") from err
        return member


# -- the card side, over transmit ----------------------------------------------------------

def select_applet(transmit: Transmit) -> bool:
    """True when the card has our applet; False when it answers "not found"."""
    response = apdu.transceive(transmit, select_command())
    if response.ok:
        return True
    if response.sw in (0x6A82, 0x6A81, 0x6999, 0x6D00, 0x6E00):
        return False
    raise apdu.status_error(response.sw, "SELECT staff applet", user_messages=_USER_MESSAGES)


def read_staff_id(transmit: Transmit) -> str:
    data = apdu.check(apdu.transceive(transmit, get_data_command(TAG_STAFF_ID)),
                      "GET DATA DF01", user_messages=_USER_MESSAGES)
    staff_id = apdu.decode_ascii(data)
    if not STAFF_ID_RE.fullmatch(staff_id):
        raise CardDataError(f"staff id of {len(data)} bytes is malformed")
    return staff_id


def read_public_key(transmit: Transmit) -> bytes:
    data = apdu.check(apdu.transceive(transmit, get_data_command(TAG_PUBLIC_KEY)),
                      "GET DATA DF02", user_messages=_USER_MESSAGES)
    try:
        load_public_key(data)
    except ValueError as err:
        raise CardDataError(f"public key of {len(data)} bytes is not a P-256 point") from err
    return data


def read_staff_card(transmit: Transmit, challenge: StaffChallenge, *,
                    atr: bytes = b"") -> StaffCardAnswer:
    """SELECT, GET STAFF ID, INTERNAL AUTHENTICATE; the answer still has to be verified."""
    if not select_applet(transmit):
        raise CardStatusError("SELECT staff applet: not found", sw=0x6A82,
                              user_message=NOT_STAFF_MESSAGE)
    staff_id = read_staff_id(transmit)
    command = internal_authenticate_command(challenge.kiosk_id, challenge.nonce)
    signature = apdu.check(apdu.transceive(transmit, command), "INTERNAL AUTHENTICATE",
                           user_messages=_USER_MESSAGES)
    if not 8 <= len(signature) <= 72 or signature[0] != 0x30:
        raise CardDataError(f"signature of {len(signature)} bytes is not DER ECDSA")
    return StaffCardAnswer(staff_id, challenge, signature, atr)
