"""Staff and technician log-in: card + PIN, PIN only, TOTP + PIN; lock-out; sessions.

Who may log in is the staff roster (``devices.smartcard.staffcard.StaffRoster``, a JSON
file; ``docs/staff.md``). On top of the card contract each member may carry a ``pin_hash``
(salted scrypt, see :func:`hash_pin`) and, for technicians, a base32 ``totp_secret``.
Roles: ``staff`` (assisted service, 帮办代办) and ``technician`` (maintenance mode).

::

    auth = StaffAuth(roster, audit=sink, config=cfg.staff, kiosk_id=cfg.kiosk.code,
                     state_path=cfg.staff_lockout_path)  # or StaffAuth.from_config(cfg, audit=…)
    session = auth.login_with_card(reader, pin)                  # role staff, card + PIN
    session = auth.login_with_pin(staff_id, pin)                 # only if staff.allow_pin_only
    session = auth.maintenance_login_card(reader, pin)           # role technician
    session = auth.maintenance_login_totp(staff_id, code, pin)   # role technician
    auth.current / auth.touch() / auth.check_idle() / auth.logout()
    reader.add_listener(auth.card_listener)                      # card pulled → logout

``reader`` is a ``SmartCardReader`` (anything with ``read_staff_card(challenge)``) or a raw
``transmit`` callable. The card's answer is verified by ``StaffAuthenticator`` (fresh
nonce, ECDSA P-256) before the PIN is looked at.

Errors (``kiosk.errors``, each with a Chinese ``user_message`` and a ``reason``):

* ``CredentialsError`` — a wrong factor; ``remaining_tries`` before the lock-out
  (``密码错误，还可尝试 3 次``), or ``None`` when the attempt is not counted (unknown card);
* ``LockedOutError`` — ``retry_after_s`` (``错误次数过多，请 30 秒后再试``); raised by the
  failure that starts a lock-out and by every attempt during one;
* ``PermissionDeniedError`` — role missing, PIN-only log-in disabled, no PIN set;
* device errors of the card read (``NoCardError``, ``CardRemovedError``, not a staff card)
  pass through unchanged.

Lock-out: ``lockout_threshold`` consecutive failures (wrong PIN, wrong code, failed card
proof) for one staff ID lock it for ``lockout_base_delay_s``; each further failure doubles
the delay up to ``lockout_max_delay_s``; a success, or a day without failures, resets the
count. Unknown staff IDs are
counted like known ones, so the answers do not tell which IDs exist. The counts and the
last accepted TOTP time step are kept in a small JSON file in the data directory, written
atomically (temp file, fsync, rename): not in the queue database, because log-in — above
all maintenance log-in — must work when the sync stack or its database is what is broken,
and because the queue has a single writer that this module does not own.

Sessions: at most one at a time (a new log-in ends the old one, reason ``replaced``). A
session ends on ``logout()`` (``explicit``), after its idle timeout (``idle``: checked
lazily by ``current`` and by ``check_idle()``, which the UI calls from a timer), or when
the card it was opened with leaves its reader (``card_removed``, from the reader's
monitoring thread). Listeners added with ``add_session_listener`` hear every end.

Audit (``AuditSink.record(actor, action, detail)``): ``staff_login_ok``,
``staff_login_failed``, ``staff_login_locked``, ``staff_login_denied``, ``staff_logout``;
``detail`` has ``mode`` (``staff``/``maintenance``), ``method`` and ``reason`` and never a
PIN, code, secret or name. ``actor`` is the staff ID when it is in the roster, else
``"unknown"`` (a typed ID may be anything, even a citizen's ID number). A successful
log-in is recorded before the session starts; if the sink fails, there is no session.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import math
import os
import re
import secrets
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn, Protocol

from devices.smartcard.base import CardEvent, CardListener
from devices.smartcard.staffcard import (
    STAFF_ID_RE,
    StaffAuthenticator,
    StaffAuthError,
    StaffCardAnswer,
    StaffChallenge,
    StaffMember,
    StaffRoster,
    read_staff_card,
)
from kiosk.config import StaffConfig
from kiosk.errors import (
    AuthError,
    ConfigError,
    CredentialsError,
    DeviceError,
    LockedOutError,
    PermissionDeniedError,
    ValidationError,
)

if TYPE_CHECKING:
    from kiosk.config import Config

log = logging.getLogger(__name__)

__all__ = [
    "AuditSink", "LockoutStore", "StaffAuth", "StaffSession", "hash_pin", "new_totp_secret",
    "set_pin", "set_totp_secret", "totp", "verify_pin",
]

ROLE_STAFF: Final = "staff"
ROLE_TECHNICIAN: Final = "technician"
Role = Literal["staff", "technician"]
Method = Literal["card+pin", "pin", "totp+pin"]
Mode = Literal["staff", "maintenance"]

PIN_RE = re.compile(r"\d{6,12}")
MAX_PIN_INPUT = 64
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1   # ~16 MiB, tens of ms per check
_SCRYPT_MAXMEM = 64 * 1024 * 1024
TOTP_STEP_S, TOTP_DIGITS, TOTP_WINDOW = 30, 6, 1
MAX_TRACKED_IDS = 1000
FORGET_AFTER_S = 86400  # a failure streak is forgotten after a day without failures

DEMO_ROSTER = Path(__file__).resolve().parent / "data" / "demo_staff_roster.json"

MSG_WRONG_PIN = "密码错误，还可尝试 {n} 次"
MSG_WRONG_ID_OR_PIN = "工号或密码错误，还可尝试 {n} 次"
MSG_WRONG_CODE_OR_PIN = "动态验证码或密码错误，还可尝试 {n} 次"
MSG_CARD_PROOF = "工作人员卡验证失败，还可尝试 {n} 次"
MSG_LOCKED = "错误次数过多，请 {n} 秒后再试"
MSG_UNKNOWN_CARD = "该工作人员卡未登记，请联系管理员"
MSG_BAD_ID = "工号或密码错误"
MSG_PIN_ONLY_OFF = "本终端不允许仅凭密码登录，请插入工作人员卡"
MSG_NOT_STAFF = "您没有办理帮办代办业务的权限"
MSG_NOT_TECHNICIAN = "您不是维护人员，不能进入维护模式"
MSG_NO_PIN = "尚未设置密码，请联系管理员"
MSG_CARD_GONE = "工作人员卡已拔出，请插卡后重新登录"
MSG_PIN_FORMAT = "密码须为 6 至 12 位数字"


class AuditSink(Protocol):
    """``printing.reprint.AuditSink`` / ``kiosk.audit.AuditLog``: returns the event's key."""

    def record(self, actor: str, action: str, detail: Mapping[str, Any]) -> str: ...


class StaffCardSource(Protocol):
    """A ``SmartCardReader``: runs SELECT, GET STAFF ID and INTERNAL AUTHENTICATE."""

    def read_staff_card(self, challenge: StaffChallenge) -> StaffCardAnswer: ...


# -- PIN hashes ---------------------------------------------------------------------------

def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """``scrypt$N$r$p$<salt b64>$<key b64>`` with a fresh 16-byte salt.

    ``ValidationError`` if the PIN is not 6-12 digits."""
    if not PIN_RE.fullmatch(pin):
        raise ValidationError("PIN must be 6-12 digits", field="pin", user_message=MSG_PIN_FORMAT)
    salt = os.urandom(16)
    key = _scrypt(pin, salt, n, r, p)
    return "$".join(("scrypt", str(n), str(r), str(p), _b64(salt), _b64(key)))


def verify_pin(pin: str, encoded: str) -> bool:
    """Constant-time check of ``pin`` against a :func:`hash_pin` string (ValueError if the
    string is malformed)."""
    n, r, p, salt, expected = _parse_pin_hash(encoded)
    candidate = pin.encode("utf-8")[:MAX_PIN_INPUT].decode("utf-8", "ignore")
    return hmac.compare_digest(_scrypt(candidate, salt, n, r, p, len(expected)), expected)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, dklen: int = 32) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=_SCRYPT_MAXMEM, dklen=dklen)


def _parse_pin_hash(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("pin_hash: expected scrypt$N$r$p$salt$key")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error) as err:
        raise ValueError(f"pin_hash: {err}") from err
    # bounds keep a doctored roster from making every check take seconds or gigabytes
    if not (2**10 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 16 and 1 <= p <= 4
            and 128 * r * n <= _SCRYPT_MAXMEM // 2):
        raise ValueError("pin_hash: scrypt parameters out of range")
    if len(salt) < 8 or not 16 <= len(key) <= 64:
        raise ValueError("pin_hash: salt or key too short")
    return n, r, p, salt, key


_DUMMY_SECRET = "A" * 32  # unknown IDs: same TOTP work, never a match
_dummy_lock = threading.Lock()
_dummy_hash: str | None = None


def _dummy() -> str:
    """A hash no PIN matches in practice: checked for unknown IDs so that timing does not
    tell which staff IDs exist."""
    global _dummy_hash
    with _dummy_lock:
        if _dummy_hash is None:
            _dummy_hash = hash_pin(str(secrets.randbelow(10**12)).zfill(12))
        return _dummy_hash


# -- TOTP (RFC 6238 over RFC 4226 HOTP) -----------------------------------------------------

def _b32_secret(secret: str) -> bytes:
    text = secret.replace(" ", "").upper()
    try:
        key = base64.b32decode(text + "=" * (-len(text) % 8))
    except (ValueError, binascii.Error) as err:
        raise ValueError("totp_secret: not base32") from err
    if len(key) < 10:
        raise ValueError("totp_secret: at least 80 bits (16 base32 characters)")
    return key


def totp(secret: str | bytes, step: int, *, digits: int = TOTP_DIGITS) -> str:
    """The HMAC-SHA1 TOTP code of time step ``step`` (= unix time // 30); ``secret`` is
    base32 text or the raw key."""
    key = secret if isinstance(secret, bytes) else _b32_secret(secret)
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF) % 10**digits
    return str(value).zfill(digits)


def totp_step(now: float) -> int:
    return int(now // TOTP_STEP_S)


def new_totp_secret() -> str:
    """160 random bits in base32 (RFC 4226 recommends 160)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def _match_totp(secret: str, code: str, now: float) -> int | None:
    """The time step (within ±TOTP_WINDOW of now) whose code is ``code``, or None."""
    current = totp_step(now)
    found = None
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if hmac.compare_digest(totp(secret, step).encode(), code.encode()[:16]):
            found = step  # no early exit: same work whatever matched
    return found


# -- persistence --------------------------------------------------------------------------

def _atomic_write_json(path: Path, data: Any) -> None:
    """Write, fsync, rename over ``path``, fsync the directory; owner-only permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class LockoutStore:
    """Consecutive failures and lock-outs per staff ID, and the last accepted TOTP step
    per technician, persisted in one JSON file. Thread-safe. Times are the injected wall
    clock (they must survive a restart); a clock set back restarts the lock-out's delay
    instead of stretching it."""

    def __init__(self, path: Path, *, threshold: int, base_delay_s: int,
                 max_delay_s: int) -> None:
        self.path = path
        self.threshold = threshold
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._lock = threading.Lock()
        self._ids: dict[str, dict[str, float]] = {}
        self._totp: dict[str, int] = {}
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as err:
            log.error("staff lock-out state %s unreadable, starting afresh: %s", self.path, err)
            return
        try:
            for staff_id, entry in data.get("ids", {}).items():
                self._ids[str(staff_id)] = {k: float(entry[k])
                                            for k in ("failures", "locked_at", "delay")}
                self._ids[str(staff_id)]["last_at"] = float(entry.get("last_at",
                                                                      entry["locked_at"]))
            self._totp = {str(k): int(v) for k, v in data.get("totp_steps", {}).items()}
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            log.error("staff lock-out state %s malformed, starting afresh: %s", self.path, err)
            self._ids, self._totp = {}, {}

    def _save(self) -> None:
        try:
            _atomic_write_json(self.path, {"version": 1, "ids": self._ids,
                                           "totp_steps": self._totp})
        except OSError as err:  # keep counting in memory; log-in must not depend on the disk
            log.error("staff lock-out state %s not saved: %s", self.path, err)

    def _remaining(self, staff_id: str, now: float) -> int:
        entry = self._ids.get(staff_id)
        if entry is None or entry["delay"] <= 0:
            return 0
        if now < entry["locked_at"]:
            entry["locked_at"] = now
            self._save()
        return max(0, math.ceil(entry["delay"] - (now - entry["locked_at"])))

    def remaining(self, staff_id: str, now: float) -> int:
        """Seconds until ``staff_id`` may try again (0: now)."""
        with self._lock:
            return self._remaining(staff_id, now)

    def failures(self, staff_id: str) -> int:
        with self._lock:
            entry = self._ids.get(staff_id)
            return int(entry["failures"]) if entry else 0

    def record_failure(self, staff_id: str, now: float) -> tuple[int, int]:
        """Count a failure: ``(tries left before the lock-out, seconds locked now)``."""
        with self._lock:
            entry = self._ids.pop(staff_id, None)
            # a day is longer than any lock-out (lockout_max_delay_s <= 86400)
            if entry is None or now - entry["last_at"] > FORGET_AFTER_S:
                entry = {"failures": 0, "locked_at": 0, "delay": 0, "last_at": now}
            self._ids[staff_id] = entry  # re-insert: most recent last
            entry["failures"] += 1
            entry["last_at"] = now
            over = int(entry["failures"]) - self.threshold
            if over >= 0:
                delay = min(self.max_delay_s, self.base_delay_s * 2 ** min(over, 30))
                entry["locked_at"], entry["delay"] = now, delay
            self._prune()
            self._save()
            return max(0, -over), int(entry["delay"]) if over >= 0 else 0

    def record_success(self, staff_id: str) -> None:
        with self._lock:
            if self._ids.pop(staff_id, None) is not None:
                self._save()

    def _prune(self) -> None:
        if len(self._ids) <= MAX_TRACKED_IDS:
            return
        for staff_id in list(self._ids):  # oldest first; locked IDs stay
            if len(self._ids) <= MAX_TRACKED_IDS:
                break
            if self._ids[staff_id]["delay"] <= 0:
                del self._ids[staff_id]

    def last_totp_step(self, staff_id: str) -> int:
        with self._lock:
            return self._totp.get(staff_id, -1)

    def use_totp_step(self, staff_id: str, step: int) -> None:
        with self._lock:
            self._totp[staff_id] = step
            self._save()


# -- sessions -----------------------------------------------------------------------------

@dataclass(eq=False)
class StaffSession:
    """A logged-in staff member or technician. ``touch()`` on every touch of the screen;
    ``expired()`` after ``idle_timeout_s`` without one. ``reader`` is the reader the card
    is in (card log-ins), or ``""``."""

    staff_id: str
    role: Role
    method: Method
    started_at: float
    idle_timeout_s: float
    reader: str = ""
    display_name: str = field(default="", repr=False)  # for the screen only, never logged
    last_activity: float = 0.0
    ended_at: float | None = None
    end_reason: str | None = None
    _clock: Callable[[], float] = field(default=time.time, repr=False)

    def __post_init__(self) -> None:
        self.last_activity = self.last_activity or self.started_at

    @property
    def maintenance(self) -> bool:
        return self.role == ROLE_TECHNICIAN

    @property
    def mode(self) -> Mode:
        return "maintenance" if self.maintenance else "staff"

    @property
    def active(self) -> bool:
        return self.ended_at is None

    def touch(self, now: float | None = None) -> None:
        if self.active:
            self.last_activity = self._clock() if now is None else now

    def idle_remaining_s(self, now: float | None = None) -> float:
        now = self._clock() if now is None else now
        return max(0.0, self.idle_timeout_s - (now - self.last_activity))

    def expired(self, now: float | None = None) -> bool:
        return self.idle_remaining_s(now) <= 0


class _CardWatch(CardListener):
    def __init__(self, auth: StaffAuth) -> None:
        self._auth = auth

    def on_removed(self, event: CardEvent) -> None:
        self._auth._card_removed(event.reader)


# -- the service --------------------------------------------------------------------------

class StaffAuth:
    """See the module docstring. Thread-safe; log-in calls block (card I/O, scrypt), so
    the UI runs them off the GUI thread."""

    def __init__(self, roster: StaffRoster, *, audit: AuditSink, config: StaffConfig,
                 kiosk_id: str, state_path: Path, now: Callable[[], float] = time.time) -> None:
        _check_roster(roster)
        self.roster = roster
        self.config = config
        self._audit = audit
        self._now = now
        self._authenticator = StaffAuthenticator(kiosk_id, roster, clock=now)
        self.lockout = LockoutStore(state_path, threshold=config.lockout_threshold,
                                    base_delay_s=config.lockout_base_delay_s,
                                    max_delay_s=config.lockout_max_delay_s)
        self._attempt = threading.Lock()   # one log-in at a time: counts stay exact
        self._lock = threading.Lock()      # the current session and removal counts
        self._current: StaffSession | None = None
        self._removals: dict[str, int] = {}
        self._listeners: list[Callable[[StaffSession, str], None]] = []
        self.card_listener: CardListener = _CardWatch(self)

    @classmethod
    def from_config(cls, config: Config, *, audit: AuditSink,
                    now: Callable[[], float] = time.time) -> StaffAuth:
        """Roster from ``config.staff_roster_path`` (a missing file = nobody can log in),
        lock-out state in the data directory. Run mode refuses the demo roster."""
        path = config.staff_roster_path
        if path.exists():
            roster = StaffRoster.load(path)
        else:
            log.warning("staff roster %s not found: staff log-in impossible", path)
            roster = StaffRoster()
        if config.mode == "run":
            _refuse_demo_members(roster, path)
        return cls(roster, audit=audit, config=config.staff, kiosk_id=config.kiosk.code,
                   state_path=config.staff_lockout_path, now=now)

    # -- properties for the UI ---------------------------------------------------------
    @property
    def allow_pin_only(self) -> bool:
        return self.config.allow_pin_only

    @property
    def current(self) -> StaffSession | None:
        """The active session; one idle for too long is ended (``idle``) first."""
        self.check_idle()
        with self._lock:
            return self._current

    def lockout_remaining(self, staff_id: str) -> int:
        """Seconds until ``staff_id`` may try again (0: now), for the screen."""
        return self.lockout.remaining(staff_id, self._now())

    def add_session_listener(self, listener: Callable[[StaffSession, str], None]) -> None:
        """``listener(session, reason)`` when a session ends — on the thread that ended it
        (the reader's monitoring thread for ``card_removed``)."""
        with self._lock:
            self._listeners.append(listener)

    # -- log-in ------------------------------------------------------------------------
    def login_with_card(self, card: StaffCardSource | Callable[[bytes], bytes],
                        pin: str) -> StaffSession:
        """Staff card (role ``staff``) + PIN."""
        return self._card_login(card, pin, "staff")

    def maintenance_login_card(self, card: StaffCardSource | Callable[[bytes], bytes],
                               pin: str) -> StaffSession:
        """Technician card (role ``technician``) + PIN: opens maintenance mode."""
        return self._card_login(card, pin, "maintenance")

    def login_with_pin(self, staff_id: str, pin: str) -> StaffSession:
        """Staff ID + PIN, where ``staff.allow_pin_only`` permits it."""
        method: Method = "pin"
        with self._attempt:
            if not self.config.allow_pin_only:
                self._deny("unknown", "staff", method, "pin_only_disabled", MSG_PIN_ONLY_OFF)
            member, actor = self._claimed(staff_id, "staff", method)
            self._check_locked(staff_id, actor, "staff", method)
            ok = verify_pin(pin, member.pin_hash if member and member.pin_hash else _dummy())
            if not ok or member is None or not member.pin_hash:
                self._fail(staff_id, actor, "staff", method, "wrong_pin", MSG_WRONG_ID_OR_PIN)
            if ROLE_STAFF not in member.roles:
                self._deny(actor, "staff", method, "role", MSG_NOT_STAFF)
            return self._succeed(member, "staff", method, reader="")

    def maintenance_login_totp(self, staff_id: str, code: str, pin: str) -> StaffSession:
        """Technician ID + the authenticator app's 6-digit code + PIN (maintenance)."""
        method: Method = "totp+pin"
        with self._attempt:
            member, actor = self._claimed(staff_id, "maintenance", method)
            self._check_locked(staff_id, actor, "maintenance", method)
            now = self._now()
            pin_ok = verify_pin(pin, member.pin_hash if member and member.pin_hash
                                else _dummy())
            has_secret = member is not None and bool(member.totp_secret)
            secret = member.totp_secret if member is not None and has_secret else _DUMMY_SECRET
            step = _match_totp(secret, code, now) if re.fullmatch(r"\d{6}", code) else None
            if not has_secret:
                step = None
            if member is None or not pin_ok or not member.pin_hash or step is None:
                reason = "wrong_pin" if step is not None else "wrong_code"
                self._fail(staff_id, actor, "maintenance", method, reason,
                           MSG_WRONG_CODE_OR_PIN)
            if step <= self.lockout.last_totp_step(staff_id):
                # RFC 6238 §5.2: a code is accepted once; an older one never after a newer
                self._fail(staff_id, actor, "maintenance", method, "code_replayed",
                           MSG_WRONG_CODE_OR_PIN)
            if ROLE_TECHNICIAN not in member.roles:
                self._deny(actor, "maintenance", method, "role", MSG_NOT_TECHNICIAN)
            self.lockout.use_totp_step(staff_id, step)
            return self._succeed(member, "maintenance", method, reader="")

    def _card_login(self, card: StaffCardSource | Callable[[bytes], bytes], pin: str,
                    mode: Mode) -> StaffSession:
        method: Method = "card+pin"
        reader = str(card) if hasattr(card, "read_staff_card") else ""
        with self._attempt:
            with self._lock:
                removals = self._removals.get(reader, 0)
            challenge = self._authenticator.new_challenge()
            try:
                if hasattr(card, "read_staff_card"):
                    answer = card.read_staff_card(challenge)
                else:
                    answer = read_staff_card(card, challenge)
            except DeviceError as err:
                self._record_safe("unknown", "staff_login_failed", mode=mode, method=method,
                                  reason="card_read", error=type(err).__name__)
                raise
            staff_id = answer.staff_id
            member = self.roster.get(staff_id)
            if member is None:
                self._record_safe("unknown", "staff_login_failed", mode=mode, method=method,
                                  reason="unknown_card")
                raise CredentialsError("staff card not in the roster", reason="unknown_card",
                                       user_message=MSG_UNKNOWN_CARD)
            self._check_locked(staff_id, staff_id, mode, method)
            try:
                self._authenticator.verify(answer)
            except StaffAuthError as err:
                self._fail(staff_id, staff_id, mode, method, f"card_{err.reason}",
                           MSG_CARD_PROOF)
            role = ROLE_STAFF if mode == "staff" else ROLE_TECHNICIAN
            if role not in member.roles:
                self._deny(staff_id, mode, method, "role",
                           MSG_NOT_STAFF if mode == "staff" else MSG_NOT_TECHNICIAN)
            if not member.pin_hash:
                self._deny(staff_id, mode, method, "no_pin", MSG_NO_PIN)
            if not verify_pin(pin, member.pin_hash):
                self._fail(staff_id, staff_id, mode, method, "wrong_pin", MSG_WRONG_PIN)
            with self._lock:
                pulled = self._removals.get(reader, 0) != removals
            if pulled:
                self._record_safe(staff_id, "staff_login_failed", mode=mode, method=method,
                                  reason="card_removed")
                raise AuthError("card removed during log-in", reason="card_removed",
                                user_message=MSG_CARD_GONE)
            return self._succeed(member, mode, method, reader=reader)

    # -- steps shared by the log-ins ---------------------------------------------------
    def _claimed(self, staff_id: str, mode: Mode,
                 method: Method) -> tuple[StaffMember | None, str]:
        if not isinstance(staff_id, str) or not STAFF_ID_RE.fullmatch(staff_id):
            self._record_safe("unknown", "staff_login_failed", mode=mode, method=method,
                              reason="bad_staff_id")
            raise CredentialsError("malformed staff id", reason="bad_staff_id",
                                   user_message=MSG_BAD_ID)
        member = self.roster.get(staff_id)
        return member, staff_id if member is not None else "unknown"

    def _check_locked(self, staff_id: str, actor: str, mode: Mode, method: Method) -> None:
        remaining = self.lockout.remaining(staff_id, self._now())
        if remaining > 0:
            self._record_safe(actor, "staff_login_locked", mode=mode, method=method,
                              retry_after_s=remaining)
            raise LockedOutError(f"{actor}: locked for {remaining} s more",
                                 retry_after_s=remaining, user_message=MSG_LOCKED.format(
                                     n=remaining))

    def _fail(self, staff_id: str, actor: str, mode: Mode, method: Method, reason: str,
              message: str) -> NoReturn:
        tries, locked_for = self.lockout.record_failure(staff_id, self._now())
        self._record_safe(actor, "staff_login_failed", mode=mode, method=method, reason=reason,
                          remaining_tries=tries, locked_for_s=locked_for)
        log.info("staff log-in failed (%s, %s): %s", mode, method, reason)
        if locked_for:
            raise LockedOutError(f"{actor}: {reason}; locked for {locked_for} s",
                                 retry_after_s=locked_for, reason=reason,
                                 user_message=MSG_LOCKED.format(n=locked_for))
        raise CredentialsError(f"{actor}: {reason}", reason=reason, remaining_tries=tries,
                               user_message=message.format(n=tries))

    def _deny(self, actor: str, mode: Mode, method: Method, reason: str,
              message: str) -> NoReturn:
        self._record_safe(actor, "staff_login_denied", mode=mode, method=method, reason=reason)
        raise PermissionDeniedError(f"{actor}: {reason}", reason=reason, user_message=message)

    def _succeed(self, member: StaffMember, mode: Mode, method: Method, *,
                 reader: str) -> StaffSession:
        now = self._now()
        maintenance = mode == "maintenance"
        session = StaffSession(
            member.staff_id, ROLE_TECHNICIAN if maintenance else ROLE_STAFF, method, now,
            self.config.maintenance_idle_timeout_s if maintenance
            else self.config.staff_idle_timeout_s,
            reader=reader, display_name=member.display_name, _clock=self._now)
        self.lockout.record_success(member.staff_id)
        with self._lock:
            previous = self._current
        if previous is not None:
            self._end(previous, "replaced")
        # recorded before the session exists: no unaudited log-in
        self._audit.record(member.staff_id, "staff_login_ok",
                           {"mode": mode, "method": method})
        with self._lock:
            self._current = session
        log.info("staff log-in (%s, %s)", mode, method)
        return session

    # -- session end -------------------------------------------------------------------
    def touch(self) -> None:
        """Activity on the screen: push the idle timeout back."""
        with self._lock:
            if self._current is not None:
                self._current.touch(self._now())

    def check_idle(self) -> StaffSession | None:
        """End the session if it has been idle too long; the ended session, or None."""
        now = self._now()
        with self._lock:
            session = self._current
        if session is not None and session.expired(now) and self._end(session, "idle"):
            return session
        return None

    def logout(self, reason: str = "explicit") -> StaffSession | None:
        """End the current session; the ended session, or None if there was none."""
        with self._lock:
            session = self._current
        if session is not None and self._end(session, reason):
            return session
        return None

    def _card_removed(self, reader: str) -> None:
        with self._lock:
            self._removals[reader] = self._removals.get(reader, 0) + 1
            self._removals[""] = self._removals.get("", 0) + 1
            session = self._current
        if (session is not None and session.method == "card+pin"
                and session.reader in ("", reader)):
            self._end(session, "card_removed")

    def _end(self, session: StaffSession, reason: str) -> bool:
        now = self._now()
        with self._lock:
            if self._current is not session or not session.active:
                return False
            self._current = None
            session.ended_at, session.end_reason = now, reason
            listeners = list(self._listeners)
        self._record_safe(session.staff_id, "staff_logout", mode=session.mode,
                          method=session.method, reason=reason,
                          session_s=round(now - session.started_at))
        log.info("staff log-out (%s): %s", session.mode, reason)
        for listener in listeners:
            try:
                listener(session, reason)
            except Exception:
                log.exception("session listener %r failed", listener)
        return True

    def _record_safe(self, actor: str, action: str, **detail: Any) -> None:
        """Audit a refusal or a log-out: a failing sink is logged, never hides the outcome."""
        try:
            self._audit.record(actor, action, detail)
        except Exception as err:
            log.error("audit of %s failed: %r", action, err)


# -- roster checks and the CLI's edits ---------------------------------------------------

def _check_roster(roster: StaffRoster) -> None:
    for member in roster.members():
        key = f"staff_roster.{member.staff_id}"
        try:
            if member.pin_hash:
                _parse_pin_hash(member.pin_hash)
            if member.totp_secret:
                _b32_secret(member.totp_secret)
        except ValueError as err:
            raise ConfigError(f"{key}: {err}", key=key) from err


def _refuse_demo_members(roster: StaffRoster, path: Path) -> None:
    """The demo roster's keys and PINs are public: never accept them in run mode."""
    if path.resolve() == DEMO_ROSTER:
        raise ConfigError("staff.roster: run mode cannot use the demo roster", key="staff.roster")
    demo = StaffRoster.load(DEMO_ROSTER)
    for member in roster.members():
        for known in demo.members():
            if ((member.public_key and member.public_key == known.public_key)
                    or (member.pin_hash and member.pin_hash == known.pin_hash)
                    or (member.totp_secret and member.totp_secret == known.totp_secret)):
                raise ConfigError(f"staff.roster: {member.staff_id} carries a demo credential "
                                  f"(public, never for a real kiosk)", key="staff.roster")


def _edit_roster(path: Path, staff_id: str, changes: Mapping[str, Any], *,
                 add_roles: tuple[str, ...] | None, display_name: str | None) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if add_roles is None:
            raise ConfigError(f"staff roster {path} not found", key="--roster") from None
        data = {"version": 1, "staff": []}
    except (OSError, ValueError) as err:
        raise ConfigError(f"staff roster {path}: {err}", key="--roster") from err
    StaffRoster.from_dict(data, source=str(path))  # refuse to edit an invalid file
    if not STAFF_ID_RE.fullmatch(staff_id):
        raise ConfigError(f"--staff-id: expected 1-32 of [A-Za-z0-9_-], got {staff_id!r}",
                          key="--staff-id")
    entry = next((e for e in data["staff"] if e.get("staff_id") == staff_id), None)
    if entry is None:
        if add_roles is None:
            raise ConfigError(f"{staff_id} is not in {path} (use --add to add them)",
                              key="--staff-id")
        entry = {"staff_id": staff_id, "roles": list(add_roles)}
        data["staff"].append(entry)
    if add_roles:
        entry["roles"] = list(add_roles)
    if display_name is not None:
        entry["display_name"] = display_name
    entry.update(changes)
    _check_roster(StaffRoster.from_dict(data, source=str(path)))
    _atomic_write_json(path, data)


def set_pin(path: Path, staff_id: str, pin: str, *, add_roles: tuple[str, ...] | None = None,
            display_name: str | None = None) -> None:
    """Store a fresh salted hash of ``pin`` for ``staff_id`` in the roster file (atomic;
    other members and fields are kept). ``add_roles`` adds the member if absent."""
    _edit_roster(path, staff_id, {"pin_hash": hash_pin(pin)}, add_roles=add_roles,
                 display_name=display_name)


def set_totp_secret(path: Path, staff_id: str, secret: str | None = None) -> str:
    """Give ``staff_id`` a new TOTP secret (random unless given); returns it (base32)."""
    secret = secret or new_totp_secret()
    _b32_secret(secret)
    _edit_roster(path, staff_id, {"totp_secret": secret}, add_roles=None, display_name=None)
    return secret


def totp_uri(secret: str, staff_id: str, issuer: str = "gov-kiosk") -> str:
    """``otpauth://`` URI for an authenticator app (SHA1, 6 digits, 30 s)."""
    from urllib.parse import quote

    return (f"otpauth://totp/{quote(issuer)}:{quote(staff_id)}?secret={secret}"
            f"&issuer={quote(issuer)}&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP_S}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
