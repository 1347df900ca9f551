"""Identity tokens (电子身份凭证 / 预约码 QR codes) and the demo e-licence registry of the
reference platform (platform-api.md §10, §11).

**Identity tokens.** ``IdentityTokens.issue(name, id_number, ttl_s=300, source="eid",
appointment=None)`` stands for what a real platform gets from the e-ID app or the online
appointment system: a random, opaque 128-bit token (``secrets.token_urlsafe(16)``) that a
citizen's phone shows as a QR code (``EID:<token>`` or ``YY:<token>``). The QR code carries
nothing personal. Only the SHA-256 of the token is stored, with the person, the source, an optional
appointment and the expiry. ``resolve(token, kiosk_id)`` answers once: the first resolve
marks the token used (in the same write transaction that reads it), a second one is
refused with :class:`TokenRefusedError` ``token_consumed`` (409), an expired one
``token_expired`` (410), an unknown one ``not_found`` (404). A token whose answer was lost
on the way is burnt all the same: the citizen refreshes the code on the phone.

**E-licence registry** (``lookup_elicences``): deterministic, no table, so every test and
every demo sees the same answers. For an ID number that passes the GB 11643 check:

* 居民身份证电子证照 and 户口簿电子证照 always exist and are valid;
* every other known type (:data:`LICENCE_ISSUERS`) depends on the sequence code, digits
  15–17 of the ID number: ``000``–``399`` → it exists and is valid; ``400``–``499`` → it
  exists but expired (``valid_until`` in the past, ``status: "expired"``); ``500``–``999``
  → not found.

An ID number that fails the check and an unknown type are ``not_found``. Licence numbers,
dates and the document digest (``sha256``) are derived from the type and the ID number.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.idcheck import is_valid_id_number
from refplatform.store import CST, Base, Store

DEFAULT_TOKEN_TTL_S = 300.0
TOKEN_SOURCES = ("eid", "appointment")
#: issuing authority per licence type the registry knows
LICENCE_ISSUERS = {
    "居民身份证电子证照": "公安部人口管理部门",
    "户口簿电子证照": "户籍所在地公安机关",
    "结婚证电子证照": "婚姻登记机关",
    "出生医学证明电子证照": "卫生健康行政部门",
    "不动产权证书电子证照": "不动产登记机构",
    "基本医疗保险参保凭证": "医疗保障部门",
    "居住证电子证照": "居住地公安机关",
    "营业执照电子证照": "市场监督管理部门",
}
ALWAYS_HELD = ("居民身份证电子证照", "户口簿电子证照")
LICENCE_CODES = {"居民身份证电子证照": "SFZ", "户口簿电子证照": "HKB", "结婚证电子证照": "JHZ",
                 "出生医学证明电子证照": "CSZ", "不动产权证书电子证照": "BDC",
                 "基本医疗保险参保凭证": "YBP", "居住证电子证照": "JZZ",
                 "营业执照电子证照": "YYZ"}
MAX_TYPES = 20


class IdentityToken(Base):
    __tablename__ = "identity_tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str] = mapped_column(String(18))
    appointment: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[float]
    expires_at: Mapped[float]
    used_at: Mapped[float | None] = mapped_column(default=None)
    used_by: Mapped[str | None] = mapped_column(String(12), default=None)


class TokenRefusedError(Exception):
    """Why a token does not resolve: ``status`` and ``code`` for the §9 error body."""

    def __init__(self, status: int, code: str, message: str, reason: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.reason = status, code, message, reason


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class IdentityTokens:
    """One-time identity tokens in the platform's database (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        Base.metadata.create_all(store.engine, tables=[IdentityToken.__table__])  # type: ignore[list-item]

    def issue(self, name: str, id_number: str, *, now: float,
              ttl_s: float = DEFAULT_TOKEN_TTL_S, source: str = "eid",
              appointment: dict[str, Any] | None = None) -> str:
        if source not in TOKEN_SOURCES:
            raise ValueError(f"source must be one of {', '.join(TOKEN_SOURCES)}")
        if not name.strip() or not is_valid_id_number(id_number):
            raise ValueError("a name and a valid GB 11643 ID number are required")
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        token = secrets.token_urlsafe(16)  # 128 bits; a short code stays a small QR code
        with self._store.write() as s:
            s.add(IdentityToken(
                token_sha256=_digest(token), source=source, name=name.strip(),
                id_number=id_number.upper(), created_at=now, expires_at=now + ttl_s,
                appointment=json.dumps(appointment, ensure_ascii=False)
                if appointment is not None else None))
        return token

    def resolve(self, token: str, *, kiosk_id: str, now: float) -> dict[str, Any]:
        """The identity behind ``token``, once; raises :class:`TokenRefusedError`."""
        with self._store.write() as s:
            row = s.get(IdentityToken, _digest(token))
            if row is None:
                raise TokenRefusedError(404, "not_found", "unknown identity token",
                                        "二维码无效，请出示电子身份凭证或预约二维码")
            if row.used_at is not None:
                raise TokenRefusedError(409, "token_consumed",
                                        "identity token already resolved",
                                        "该二维码已使用过，请在手机上刷新后重新出示")
            if row.expires_at <= now:
                raise TokenRefusedError(410, "token_expired", "identity token expired",
                                        "二维码已过期，请在手机上刷新后重新出示")
            row.used_at, row.used_by = now, kiosk_id
            out: dict[str, Any] = {"name": row.name, "id_number": row.id_number,
                                   "source": row.source}
            if row.appointment is not None:
                out["appointment"] = json.loads(row.appointment)
        return out


def lookup_elicences(id_number: str, types: list[str], *, now: float) -> list[dict[str, Any]]:
    """One answer per requested type, in order (the rule is in the module docstring)."""
    number = id_number.upper()
    valid_id = is_valid_id_number(number)
    today = datetime.fromtimestamp(now, CST).date()
    out = []
    for kind in types:
        out.append(_licence(number, kind, today) if valid_id else _missing(kind))
    return out


def _missing(kind: str) -> dict[str, Any]:
    return {"type": kind, "found": False, "status": "not_found", "licence_no": None,
            "issuer": None, "issued_on": None, "valid_until": None, "sha256": None}


def _licence(number: str, kind: str, today: date) -> dict[str, Any]:
    if kind not in LICENCE_ISSUERS:
        return _missing(kind)
    sequence = int(number[14:17])
    expired = False
    if kind not in ALWAYS_HELD:
        if sequence >= 500:
            return _missing(kind)
        expired = sequence >= 400
    seed = hashlib.sha256(f"{kind}|{number}".encode()).hexdigest()
    if expired:  # issued long ago, valid for five years
        issued = date(2012 + int(seed[:2], 16) % 4, 1 + int(seed[2:4], 16) % 12,
                      1 + int(seed[4:6], 16) % 28)
        until: date | None = issued.replace(year=issued.year + 5)
    else:
        issued = date(2018 + int(seed[:2], 16) % 6, 1 + int(seed[2:4], 16) % 12,
                      1 + int(seed[4:6], 16) % 28)
        until = None if kind in ALWAYS_HELD else issued.replace(year=issued.year + 20)
    if until is not None and until < today:
        expired = True
    licence_no = f"DZZZ-{number[:6]}-{LICENCE_CODES[kind]}-{seed[8:20].upper()}"
    document = hashlib.sha256(f"{licence_no}|{kind}|{number}".encode()).hexdigest()
    return {"type": kind, "found": True, "status": "expired" if expired else "valid",
            "licence_no": licence_no, "issuer": LICENCE_ISSUERS[kind],
            "issued_on": issued.isoformat(),
            "valid_until": until.isoformat() if until is not None else None,
            "sha256": document}
