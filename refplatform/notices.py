"""受理通知书 download links of the reference platform (platform-api.md §12).

A kiosk that is online may hand the citizen the A4 notice on the phone instead of paper:
it uploads the PDF (``PUT /api/v1/notices/{provisional_no}``, signed) and shows the link
it gets back as a QR code; the phone fetches ``GET /d/<token>`` without any credential.

**Who may upload what.** Only an application of the uploading kiosk that the platform has
received (its provisional number, or a 需补正 resubmission's own); anything else is
``not_found``, so a kiosk learns nothing about another kiosk's numbers.

**Tokens.** The link is a bearer capability: 128 random bits, base64url (22 characters).
The database keeps the SHA-256 of the token (the download looks it up by that) and a
random 128-bit ``salt``; the token is ``HMAC-SHA256(link_key, salt)`` truncated to 128 bits,
where ``link_key`` is a platform secret kept outside the database
(``DIR/keys/notice_links.key``). So a copy of the database alone opens no link, and yet a
repeated upload of the same bytes (a kiosk retrying after a lost answer) gets **the same
link** back, also after a restart. Other bytes for the same number are another notice
with its own link; the same bytes after the link expired get a fresh link.

**Expiry.** A link lives ``ttl_s`` (24 h by default, ``PlatformState.notice_ttl_s``) from
its first upload, then answers ``link_expired`` (410) and its PDF is dropped at once;
``purge`` drops expired rows. The notice carries masked values only (it is the same page
the kiosk prints: 张*, 110***********123X), which is why an unguessable, short-lived link
without a log-in is acceptable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Index, LargeBinary, String, delete, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from refplatform.store import Application, Base, Resubmission, Store

DEFAULT_NOTICE_TTL_S = 24 * 3600.0
MAX_NOTICE_BYTES = 5 * 1024 * 1024


class NoticeRow(Base):
    __tablename__ = "notice_links"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    salt: Mapped[str] = mapped_column(String(32))  # hex; the token is HMAC(link_key, salt)
    kiosk_id: Mapped[str] = mapped_column(String(12))
    provisional_no: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)  # None once expired
    created_at: Mapped[float]
    expires_at: Mapped[float] = mapped_column(index=True)


Index("ix_notice_links_lookup", NoticeRow.kiosk_id, NoticeRow.provisional_no,
      NoticeRow.pdf_sha256)


class NoticeRefusedError(Exception):
    """Why an upload or a download is refused: ``status`` and ``code`` for §9."""

    def __init__(self, status: int, code: str, message: str, reason: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.reason = status, code, message, reason


@dataclass(frozen=True)
class NoticeLink:
    token: str
    expires_at: float
    created: bool  # False: the same bytes were uploaded before (the same link)


@dataclass(frozen=True)
class NoticeFile:
    provisional_no: str
    pdf: bytes


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class NoticeLinks:
    """The ``notice_links`` table (created at start, like every newer table)."""

    def __init__(self, store: Store, link_key: bytes) -> None:
        self._store = store
        self._key = link_key
        Base.metadata.create_all(store.engine, tables=[NoticeRow.__table__])  # type: ignore[list-item]

    def _token(self, salt_hex: str) -> str:
        mac = hmac.new(self._key, bytes.fromhex(salt_hex), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def put(self, kiosk_id: str, provisional_no: str, pdf: bytes, *, now: float,
            ttl_s: float) -> NoticeLink:
        """Store ``pdf`` as the notice of one of ``kiosk_id``'s applications."""
        pdf_sha = hashlib.sha256(pdf).hexdigest()
        with self._store.write() as s:
            received = s.scalar(select(Application.id).where(
                Application.kiosk_id == kiosk_id,
                Application.provisional_no == provisional_no).limit(1))
            if received is None:
                received = s.scalar(select(Resubmission.id).where(
                    Resubmission.kiosk_id == kiosk_id,
                    Resubmission.provisional_no == provisional_no).limit(1))
            if received is None:
                raise NoticeRefusedError(404, "not_found",
                                         "no application with this number from this kiosk",
                                         "平台尚未收到该申请，请稍后再试")
            row = s.scalars(select(NoticeRow).where(
                NoticeRow.kiosk_id == kiosk_id, NoticeRow.provisional_no == provisional_no,
                NoticeRow.pdf_sha256 == pdf_sha, NoticeRow.expires_at > now)
                .order_by(NoticeRow.expires_at.desc()).limit(1)).first()
            if row is not None:
                return NoticeLink(self._token(row.salt), row.expires_at, created=False)
            salt = secrets.token_bytes(16).hex()
            token = self._token(salt)
            s.add(NoticeRow(token_sha256=_digest(token), salt=salt, kiosk_id=kiosk_id,
                            provisional_no=provisional_no, pdf_sha256=pdf_sha, pdf=pdf,
                            created_at=now, expires_at=now + ttl_s))
        return NoticeLink(token, now + ttl_s, created=True)

    def get(self, token: str, *, now: float) -> NoticeFile:
        """The PDF behind a link; an expired link's PDF is dropped on the way."""
        with self._store.write() as s:
            row = s.get(NoticeRow, _digest(token))
            if row is None:
                raise NoticeRefusedError(404, "not_found", "unknown download link",
                                         "下载链接无效，请核对后重试")
            expired = row.expires_at <= now or row.pdf is None
            if expired:
                row.pdf = None  # committed: nothing of an expired notice stays readable
            else:
                found = NoticeFile(row.provisional_no, row.pdf or b"")
        if expired:
            raise NoticeRefusedError(410, "link_expired", "download link expired",
                                     "下载链接已过期，请凭受理编号到窗口或自助终端重新获取")
        return found

    def purge(self, now: float) -> int:
        """Remove expired links (their rows and PDFs); the number removed."""
        with self._store.write() as s:
            result = s.execute(delete(NoticeRow).where(or_(NoticeRow.expires_at <= now,
                                                           NoticeRow.pdf.is_(None))))
        return int(getattr(result, "rowcount", 0) or 0)

