"""HTTP client for the provincial platform (docs/platform-api.md).

``PlatformClient`` signs every request with the kiosk's Ed25519 key, keeps one
keep-alive ``requests.Session``, sets explicit (connect, read) timeouts, and turns
every failure into our error tree in one place (``_raise_for_status`` and
``_transport_error``):

* no link, timeout, reset, truncated or malformed body, 5xx, 429 → ``SyncTransportError``
  (retry later; ``retry_after_s`` carries a Retry-After when the platform sent one);
* 400/413/422 and other refusals of the payload → ``SyncRejectedError`` (do not retry as is);
* 401 ``bad_signature`` / ``unknown_kiosk`` / ``replayed_nonce``, 403 → ``SyncAuthError``
  (stop and alert).

A 401 ``stale_timestamp`` means the kiosk's clock is off: the client learns the offset
from the response's ``Date`` header and resends once with corrected timestamps. The
offset is used only for signing; the queue never orders by wall-clock time.
"""

from __future__ import annotations

import email.utils
import json
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from kiosk.crypto import SigningKeyPair, sign_request
from kiosk.errors import SyncAuthError, SyncError, SyncRejectedError, SyncTransportError
from sync.backoff import parse_retry_after

log = logging.getLogger(__name__)

API = "/api/v1"
CHUNK_BYTES = 1024 * 1024
AUTH_STOP_CODES = frozenset({"bad_signature", "unknown_kiosk", "replayed_nonce", "token_used"})


class RetryableError(SyncTransportError):
    """A transport failure with an optional Retry-After floor."""

    def __init__(self, detail: str, *, retry_after_s: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s
        self.status = status


@dataclass(frozen=True)
class ItemResult:
    """The platform's answer for one item of a batch (platform-api.md §4)."""

    idempotency_key: str
    status: str  # accepted, duplicate, conflict, rejected, missing_attachment, in_flight
    case_no: str | None
    state: str | None
    reason: str
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status in ("accepted", "duplicate")


@dataclass(frozen=True)
class CatalogueDownload:
    body: bytes
    etag: str
    signature: str


class PlatformClient:
    def __init__(
        self,
        base_url: str,
        kiosk_id: str,
        signing_key: SigningKeyPair,
        *,
        session: requests.Session | None = None,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.kiosk_id = kiosk_id
        self._key = signing_key
        self._session = session or requests.Session()
        self._timeouts = (connect_timeout_s, read_timeout_s)
        self._clock = clock
        self.clock_offset_s = 0.0  # platform time − kiosk time, learned from Date

    def close(self) -> None:
        self._session.close()

    def platform_now(self) -> float:
        return self._clock() + self.clock_offset_s

    # -- the one request path ------------------------------------------------------------
    def request(self, method: str, path: str, *, body: bytes = b"",
                headers: dict[str, str] | None = None,
                timeout: tuple[float, float] | None = None) -> requests.Response:
        for attempt in (1, 2):
            resp = self._send(method, path, body, headers or {}, timeout)
            if (resp.status_code == 401 and attempt == 1
                    and _error_code(resp) == "stale_timestamp" and self._learn_offset(resp)):
                continue
            self._raise_for_status(resp)
            return resp
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, path: str, body: bytes, headers: dict[str, str],
              timeout: tuple[float, float] | None) -> requests.Response:
        url = self.base_url + API + path
        req = requests.Request(method, url, data=body or None, headers=headers)
        prep = self._session.prepare_request(req)
        timestamp = str(int(self.platform_now()))
        nonce = secrets.token_hex(16)
        prep.headers["X-Kiosk-Id"] = self.kiosk_id
        prep.headers["X-Kiosk-Timestamp"] = timestamp
        prep.headers["X-Kiosk-Nonce"] = nonce
        prep.headers["X-Kiosk-Signature"] = sign_request(
            self._key, method, prep.path_url, timestamp, nonce, body)
        try:
            resp = self._session.send(prep, timeout=timeout or self._timeouts)
            _ = resp.content  # read the whole body now: a truncated body fails here
            return resp
        except requests.RequestException as err:
            raise _transport_error(err) from err

    def _learn_offset(self, resp: requests.Response) -> bool:
        date = resp.headers.get("Date")
        if not date:
            return False
        try:
            platform = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
        self.clock_offset_s = platform - self._clock()
        log.warning("kiosk clock is off by %.0f s; signing with the platform's time",
                    self.clock_offset_s)
        return True

    def _raise_for_status(self, resp: requests.Response) -> None:
        code = resp.status_code
        if code < 400:
            return
        error = _error_code(resp)
        detail = f"{resp.request.method} {resp.request.path_url} -> {code} {error or ''}".strip()
        reason = _json_field(resp, "reason")
        if code in (429, 503) or code >= 500 or (code == 409 and error == "in_flight"):
            raise RetryableError(detail, status=code, retry_after_s=parse_retry_after(
                resp.headers.get("Retry-After"), now=self.platform_now()))
        if code in (401, 403) or error in AUTH_STOP_CODES:
            raise SyncAuthError(detail, user_message=reason or None)
        raise SyncRejectedError(detail, user_message=reason or None)

    def _json(self, resp: requests.Response) -> Any:
        try:
            return json.loads(resp.content)
        except ValueError as err:
            # a 2xx with a body we cannot read is a lost answer, never an acknowledgement
            raise RetryableError(f"malformed response body from {resp.request.path_url}",
                                 status=resp.status_code) from err

    # -- endpoints ---------------------------------------------------------------------------
    def ping(self) -> float:
        resp = self.request("GET", "/ping", timeout=(self._timeouts[0], 10.0))
        data = self._json(resp)
        if not isinstance(data, dict):
            raise RetryableError("malformed ping answer")
        return self.platform_now()

    def submit_batch(self, items: Sequence[bytes], *, endpoint: str = "/applications:batch",
                     ) -> list[ItemResult]:
        """POST already-serialised items (canonical JSON bytes, resent byte-identical)."""
        body = b'{"items":[' + b",".join(items) + b"]}"
        resp = self.request("POST", endpoint, body=body,
                            headers={"Content-Type": "application/json"})
        data = self._json(resp)
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list) or len(results) != len(items):
            raise RetryableError(f"batch answer has {len(results or [])} results for "
                                 f"{len(items)} items")
        out = []
        for r in results:
            if not isinstance(r, dict) or not isinstance(r.get("idempotency_key"), str) \
                    or not isinstance(r.get("status"), str):
                raise RetryableError("malformed batch result")
            out.append(ItemResult(r["idempotency_key"], r["status"], r.get("case_no"),
                                  r.get("state"), str(r.get("reason") or ""), r.get("error")))
        return out

    def submit_events(self, items: Sequence[bytes]) -> list[ItemResult]:
        return self.submit_batch(items, endpoint="/events:batch")

    def upload_attachment(self, sha256: str, total: int,
                          read_chunk: Callable[[int, int], bytes],
                          on_progress: Callable[[int], None]) -> None:
        """Resumable upload: ask the platform where it is, send the rest in chunks, and
        record progress after every chunk so a dropped link resumes, not restarts."""
        offset = self._upload_offset(sha256)
        while offset < total:
            chunk = read_chunk(offset, min(CHUNK_BYTES, total - offset))
            headers = {"Upload-Offset": str(offset), "Upload-Length": str(total),
                       "Content-Type": "application/offset+octet-stream"}
            try:
                resp = self.request("PATCH", f"/attachments/{sha256}", body=chunk,
                                    headers=headers)
            except SyncRejectedError as err:
                if "offset_mismatch" in err.detail:
                    offset = self._upload_offset(sha256)
                    on_progress(offset)
                    continue
                raise
            new = resp.headers.get("Upload-Offset", "")
            if not new.isdigit() or int(new) <= offset:
                raise RetryableError(f"upload of {sha256[:12]} did not advance")
            offset = int(new)
            on_progress(offset)

    def _upload_offset(self, sha256: str) -> int:
        try:
            resp = self.request("HEAD", f"/attachments/{sha256}")
        except SyncRejectedError as err:
            if "404" in err.detail:
                return 0
            raise
        value = resp.headers.get("Upload-Offset", "0")
        return int(value) if value.isdigit() else 0

    def fetch_catalogue(self, etag: str | None) -> CatalogueDownload | None:
        headers = {"If-None-Match": f'"{etag}"'} if etag else {}
        resp = self.request("GET", "/catalogue", headers=headers)
        if resp.status_code == 304:
            return None
        return CatalogueDownload(body=resp.content,
                                 etag=resp.headers.get("ETag", "").strip('"'),
                                 signature=resp.headers.get("X-Catalogue-Signature", ""))

    def status_updates(self, cursor: int, limit: int = 200) -> tuple[list[dict[str, Any]], int]:
        data = self._json(self.request("GET", f"/status?cursor={cursor}&limit={limit}"))
        updates = data.get("updates") if isinstance(data, dict) else None
        nxt = data.get("next_cursor") if isinstance(data, dict) else None
        if not isinstance(updates, list) or not isinstance(nxt, int):
            raise RetryableError("malformed status answer")
        return [u for u in updates if isinstance(u, dict)], nxt

    def lookup(self, number: str) -> dict[str, Any] | None:
        try:
            resp = self.request("GET", "/applications/lookup?no="
                                + requests.utils.quote(number, safe=""))
        except SyncRejectedError as err:
            if "404" in err.detail:
                return None
            raise
        data = self._json(resp)
        return data if isinstance(data, dict) else None

    # -- identification by QR code and e-licences (platform-api.md §10, §11) -------------
    def resolve_identity(self, token: str) -> ResolvedIdentity:
        """The person behind a one-time identity token (the content of an e-ID or
        appointment QR code). Each token resolves once: a used, expired or unknown token
        raises ``SyncRejectedError`` whose ``user_message`` is the platform's Chinese
        reason; no link raises ``SyncTransportError``. Nothing personal is logged."""
        body = json.dumps({"token": token}).encode("utf-8")
        data = self._json(self.request("POST", "/identity:resolve", body=body,
                                       headers={"Content-Type": "application/json"}))
        if not isinstance(data, dict) or not all(
                isinstance(data.get(k), str) and data.get(k)
                for k in ("name", "id_number", "source")):
            raise RetryableError("malformed identity answer")
        appointment = data.get("appointment")
        return ResolvedIdentity(name=data["name"], id_number=data["id_number"],
                                source=data["source"],
                                appointment=appointment if isinstance(appointment, dict)
                                else None)

    def lookup_elicences(self, id_number: str, types: Sequence[str]) -> list[ElicenceRecord]:
        """The platform's electronic licences of ``id_number`` for each of ``types``, in
        order (found or not, valid or expired)."""
        body = json.dumps({"id_number": id_number, "types": list(types)},
                          ensure_ascii=False).encode("utf-8")
        data = self._json(self.request("POST", "/elicences:lookup", body=body,
                                       headers={"Content-Type": "application/json"}))
        rows = data.get("licences") if isinstance(data, dict) else None
        if not isinstance(rows, list) or len(rows) != len(types) \
                or not all(isinstance(r, dict) for r in rows):
            raise RetryableError("malformed e-licence answer")

        def text(row: dict[str, Any], key: str) -> str | None:
            value = row.get(key)
            return value if isinstance(value, str) else None

        return [ElicenceRecord(type=str(r.get("type") or t), found=r.get("found") is True,
                               status=str(r.get("status") or "not_found"),
                               licence_no=text(r, "licence_no"), issuer=text(r, "issuer"),
                               issued_on=text(r, "issued_on"),
                               valid_until=text(r, "valid_until"), sha256=text(r, "sha256"))
                for r, t in zip(rows, types, strict=True)]

    # -- 受理通知书 for the citizen's phone (platform-api.md §12) ------------------------------
    def upload_notice(self, provisional_no: str, pdf: bytes) -> NoticeLink:
        """Store the A4 notice of one of this kiosk's applications on the platform; the
        answer is a short-lived download link for a QR code. Uploading the same bytes again
        gives the same link. Not received yet (or not this kiosk's) raises
        ``SyncRejectedError`` (404 ``not_found``); no link ``SyncTransportError``. The link
        is a bearer credential: it is never logged."""
        path = "/notices/" + requests.utils.quote(provisional_no, safe="")
        data = self._json(self.request("PUT", path, body=pdf,
                                       headers={"Content-Type": "application/pdf"}))
        url = data.get("url") if isinstance(data, dict) else None
        expires = data.get("expires_at") if isinstance(data, dict) else None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")) \
                or not isinstance(expires, str):
            raise RetryableError("malformed notice answer")
        return NoticeLink(url=url, expires_at=expires)


def enroll(base_url: str, *, kiosk_id: str, region_code: str, hall_name: str,
           public_key_b64: str, token: str, timeout_s: float = 10.0) -> dict[str, Any]:
    """One-off registration of this kiosk's public key (platform-api.md §8)."""
    body = {"kiosk_id": kiosk_id, "region_code": region_code, "hall_name": hall_name,
            "public_key": public_key_b64, "enrollment_token": token}
    try:
        resp = requests.post(base_url.rstrip("/") + API + "/enroll", json=body,
                             timeout=(5.0, timeout_s))
    except requests.RequestException as err:
        raise _transport_error(err) from err
    if resp.status_code in (401, 403):
        raise SyncAuthError(f"enrollment refused: {resp.status_code} {_error_code(resp)}",
                            user_message="终端注册被拒绝：注册码无效或已使用")
    if resp.status_code >= 400:
        raise SyncError(f"enrollment failed: {resp.status_code} {_error_code(resp)}")
    data = resp.json()
    if not isinstance(data, dict):
        raise SyncError("malformed enrollment answer")
    return data


def _transport_error(err: requests.RequestException) -> RetryableError:
    kind = type(err).__name__
    return RetryableError(f"{kind}: {str(err)[:200]}")


def _error_code(resp: requests.Response) -> str | None:
    value = _json_field(resp, "error")
    return value or None


def _json_field(resp: requests.Response, name: str) -> str:
    try:
        data = json.loads(resp.content or b"null")
    except ValueError:
        return ""
    return str(data.get(name) or "") if isinstance(data, dict) else ""


@dataclass(frozen=True, repr=False)
class ResolvedIdentity:
    """``POST /identity:resolve``: the person a one-time token stood for."""

    name: str
    id_number: str
    source: str  # "eid" (电子身份凭证) or "appointment" (预约码)
    appointment: dict[str, Any] | None = None

    def __repr__(self) -> str:  # never the personal fields
        return f"ResolvedIdentity(source={self.source!r})"


@dataclass(frozen=True)
class ElicenceRecord:
    """One licence type of ``POST /elicences:lookup``."""

    type: str
    found: bool
    status: str  # valid, expired, not_found
    licence_no: str | None = None
    issuer: str | None = None
    issued_on: str | None = None
    valid_until: str | None = None
    sha256: str | None = None

    @property
    def usable(self) -> bool:
        return self.found and self.status == "valid" and bool(self.licence_no)


@dataclass(frozen=True, repr=False)
class NoticeLink:
    """``PUT /notices/{provisional_no}``: where the citizen's phone downloads the notice."""

    url: str  # a bearer link: never logged
    expires_at: str  # ISO 8601 with offset

    def __repr__(self) -> str:
        return f"NoticeLink(expires_at={self.expires_at!r})"
