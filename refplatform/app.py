"""The reference platform as a Flask application: :class:`PlatformState` (keys, database,
faults, statistics) and :func:`create_app`, which serves docs/platform-api.md exactly plus
an admin API under ``/admin/``.

Request handling, in order: ``/api/`` requests are counted for the statistics and may meet
an app-level fault (500/503/429 before anything else; ``slow`` later, at the request's
processing point); signed endpoints then check the kiosk (``unknown_kiosk``), the
signature over the raw request URI and body (``bad_signature``), the ±300 s timestamp
window (``stale_timestamp``) and the nonce (``replayed_nonce``, persisted so a restart
does not reopen the window). Every answer carries a ``Date`` header from the platform's
clock and, when not 2xx, a JSON body ``{"error", "message", "reason"}``.

Idempotency (§2): keys being processed are held in an in-process registry, so a resend
that arrives meanwhile gets ``in_flight`` (nothing is left "in flight" after a crash);
finished, accepted items are stored as ``(kiosk_id, key) → (fingerprint, response)`` in
the same transaction as the application or event itself. Only accepted items are stored:
``rejected``, ``missing_attachment`` and a second rating (``conflict``) change nothing, so
a resend is simply evaluated again.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import logging
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from kiosk.catalogue import load_catalogue
from kiosk.crypto import (
    CryptoError,
    EncryptionKeyPair,
    SigningKeyPair,
    b64d,
    canonical_json,
    open_sealed,
    sha256_hex,
    sign_bytes,
    verify_request,
)
from kiosk.errors import CatalogueError
from refplatform.faults import FaultError, FaultKind, FaultPlan, FaultRule
from refplatform.identity import (
    DEFAULT_TOKEN_TTL_S,
    MAX_TYPES,
    IdentityTokens,
    TokenRefusedError,
    lookup_elicences,
)
from refplatform.notices import (
    DEFAULT_NOTICE_TTL_S,
    MAX_NOTICE_BYTES,
    NoticeLinks,
    NoticeRefusedError,
)
from refplatform.store import (
    KIOSK_ID_RE,
    REGION_RE,
    SHA256_RE,
    UUID4_RE,
    CatalogueSnapshot,
    EnrollRefusedError,
    Item,
    KioskInfo,
    Store,
    UploadRefusedError,
    dumps,
    iso,
    rejected,
)

log = logging.getLogger(__name__)

API = "/api/v1"
TIMESTAMP_WINDOW_S = 300
MAX_BATCH_ITEMS = 50
MAX_BATCH_BYTES = 4 * 1024 * 1024
MAX_CHUNK_BYTES = 1024 * 1024
MAX_ATTACHMENT_BYTES = 256 * 1024 * 1024
NONCE_RE = re.compile(r"^[0-9a-fA-F]{32}$")
NOTICE_NO_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")
LINK_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

#: Short Simplified-Chinese reasons for people, one per error code (§9).
REASONS = {
    "bad_request": "请求格式有误",
    "missing_idempotency_key": "请求缺少有效的幂等键",
    "idempotency_key_reused": "该编号已用于另一份不同的数据",
    "in_flight": "该申请正在处理中，请稍后重试",
    "unknown_kiosk": "终端未注册或已停用，请联系运维人员",
    "bad_signature": "终端签名校验失败，请联系运维人员",
    "stale_timestamp": "终端时间与平台时间相差过大",
    "replayed_nonce": "重复的请求已被拒绝",
    "offset_mismatch": "续传位置与平台记录不一致",
    "digest_mismatch": "文件校验失败，需要重新上传",
    "too_large": "提交的内容过大",
    "not_found": "未找到相关记录",
    "token_used": "注册码无效或已被使用",
    "overloaded": "平台繁忙，请稍后再试",
    "internal_error": "平台内部错误，请稍后再试",
    "unauthorized": "无权访问",
    "token_consumed": "该二维码已使用过，请在手机上刷新后重新出示",
    "token_expired": "二维码已过期，请在手机上刷新后重新出示",
    "link_expired": "下载链接已过期，请凭受理编号到窗口或自助终端重新获取",
}


class ApiError(Exception):
    """An answer that is not 2xx, rendered as the §9 error body."""

    def __init__(self, status: int, code: str, message: str, *, reason: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.reason = reason or REASONS.get(code, "请求失败")
        self.headers = headers or {}


# --------------------------------------------------------------------------- state


class PlatformState:
    """Everything the platform knows, shared by its request threads.

    Keys are generated on first start and persisted in ``data_dir/keys`` (private keys
    mode 0600); the database defaults to ``data_dir/platform.sqlite3``; uploaded
    attachments live in ``data_dir/attachments``. ``clock`` is the platform's wall clock
    (Unix seconds), used for signatures, ``Date`` headers, case numbers and advancement.

    Status advancement is driven by the kiosks' own polls (``/status``, ``/lookup``):
    applications ``submitted`` for ``accept_after_s`` become ``accepted``, those
    ``accepted`` for ``complete_after_s`` become ``completed``; ``None`` switches a step
    off. ``claim_hook(kiosk_id, keys)``, when set, is called after a request has claimed
    its idempotency keys and before it processes them (tests use it to hold a request
    in flight).

    受理通知书 download links (``refplatform.notices``) live ``notice_ttl_s`` (24 h);
    ``public_url`` is the platform's own address as a citizen's phone reaches it, the base
    of those links (``PlatformServer`` sets its ``url`` when none is given; without one the
    address the kiosk's request came to is used).
    """

    def __init__(self, data_dir: Path, *, db_url: str | None = None,
                 admin_token: str | None = None, demo_token: str | None = None,
                 faults: FaultPlan | None = None, clock: Callable[[], float] = time.time,
                 accept_after_s: float | None = 20.0,
                 complete_after_s: float | None = 60.0,
                 notice_ttl_s: float = DEFAULT_NOTICE_TTL_S,
                 public_url: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.signing_key, self.encryption_key = _load_or_create_keys(self.data_dir / "keys")
        self.store = Store(db_url or f"sqlite:///{self.data_dir / 'platform.sqlite3'}",
                           attachments_dir=self.data_dir / "attachments")
        self.admin_token = admin_token or _load_or_create_secret(self.data_dir / "admin.token")
        self.faults = faults if faults is not None else FaultPlan(connection_faults=False)
        self.accept_after_s = accept_after_s
        self.complete_after_s = complete_after_s
        # service code -> {"reason", "correction"}: asked once per case instead of accepting
        # it (the demo sets refplatform.store.DEMO_CORRECTIONS); empty: never
        self.demo_corrections: dict[str, dict[str, Any]] = {}
        self.stopping = threading.Event()
        self.claim_hook: Callable[[str, list[str]], None] | None = None
        self.proxy_stats: Callable[[], dict[str, Any]] | None = None
        self._inflight: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self.total_requests = 0
        self.in_flight_hits = 0
        self._per_second: dict[int, int] = {}
        if demo_token:
            self.store.mint_token(self.clock(), multi_use=True, token=demo_token)
        self.identity_tokens = IdentityTokens(self.store)
        self.notice_ttl_s = notice_ttl_s
        self.public_url = public_url
        link_key = _load_or_create_secret(self.data_dir / "keys" / "notice_links.key")
        self.notices = NoticeLinks(self.store, link_key.encode("ascii"))
        self._seed_catalogue()

    # -- keys and enrollment -------------------------------------------------------------
    @property
    def signing_public_b64(self) -> str:
        return self.signing_key.public_b64()

    @property
    def encryption_public_b64(self) -> str:
        return self.encryption_key.public_b64()

    def mint_enrollment_token(self, *, multi_use: bool = False) -> str:
        """A fresh enrollment token (single-use unless ``multi_use``)."""
        return self.store.mint_token(self.clock(), multi_use=multi_use)

    def revoke_kiosk(self, kiosk_id: str) -> bool:
        return self.store.revoke(kiosk_id)

    def issue_identity_token(self, name: str, id_number: str, *,
                             ttl_s: float = DEFAULT_TOKEN_TTL_S, source: str = "eid",
                             appointment: dict[str, Any] | None = None) -> str:
        """A one-time identity token for ``POST /identity:resolve`` (what the e-ID app or
        the appointment system would hand out; ``refplatform.identity``). The QR code shows
        the token only, never the person."""
        return self.identity_tokens.issue(name, id_number, now=self.clock(), ttl_s=ttl_s,
                                          source=source, appointment=appointment)

    # -- faults --------------------------------------------------------------------------
    def inject_fault(self, kind: FaultKind | str, **options: Any) -> FaultRule:
        """Add a fault rule; options as :meth:`FaultPlan.add`."""
        return self.faults.add(kind, **options)

    def clear_faults(self) -> None:
        self.faults.clear()

    # -- applications and downstream ---------------------------------------------------------
    def set_advancement(self, *, accept_after_s: float | None,
                        complete_after_s: float | None) -> None:
        self.accept_after_s, self.complete_after_s = accept_after_s, complete_after_s

    def advance(self, kiosk_id: str) -> int:
        return self.store.advance(kiosk_id, self.clock(), accept_after_s=self.accept_after_s,
                                  complete_after_s=self.complete_after_s,
                                  corrections=self.demo_corrections)

    def set_application_state(self, no: str, state: str, reason: str | None = None, *,
                              correction: dict[str, Any] | None = None,
                              ) -> dict[str, Any] | None:
        """Set one application's state by key, provisional or case number (None: unknown).
        ``state`` is one of submitted, accepted, needs_correction, refused, completed;
        ``reason`` defaults to a standard Chinese sentence for the state. ``correction``
        (needs_correction only) is ``{"fields": [field ids], "materials": [material ids],
        "note_zh": "…"}`` and travels with the status update; ``ValueError`` when bad."""
        return self.store.set_state(no, state, reason, self.clock(), correction)

    def applications(self, kiosk_id: str | None = None) -> list[dict[str, Any]]:
        return self.store.list_applications(kiosk_id)

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        return self.store.list_events(kind)

    def lookup(self, no: str) -> dict[str, Any] | None:
        return self.store.lookup(no)

    def open_application(self, no: str) -> bytes | None:
        """The decrypted personal data of one application (tests compare payloads); a
        resubmission's own for its key or provisional number, else the case's first."""
        item = self.store.application_item(no)
        if item is None:
            return None
        return open_sealed(item["envelope"], self.encryption_key,
                           aad=item["idempotency_key"].encode("utf-8"))

    def purge_expired(self, now: float | None = None) -> dict[str, int]:
        """Remove idempotency records older than 400 days, expired nonces and expired
        notice download links."""
        at = self.clock() if now is None else now
        return {**self.store.purge(at), "notice_links": self.notices.purge(at)}

    # -- catalogue -------------------------------------------------------------------------------
    def publish_catalogue(self, body: bytes, *, validate: bool = True,
                          bad_signature: bool = False) -> CatalogueSnapshot:
        """Serve ``body`` as the current catalogue from now on. ``validate`` checks it with
        ``kiosk.catalogue.load_catalogue`` (raises ``CatalogueError``); ``bad_signature``
        serves it with a signature over different bytes (for tests of the kiosk's check)."""
        version = "unknown"
        if validate:
            version = load_catalogue(body).version
        else:
            try:
                doc = json.loads(body)
                version = str(doc.get("version", "unknown")) if isinstance(doc, dict) else version
            except ValueError:
                pass
        signed = body + b"\n-- not these bytes --" if bad_signature else body
        return self.store.publish_catalogue(
            body, version=version, signature=sign_bytes(self.signing_key, signed),
            source="published", now=self.clock())

    def _seed_catalogue(self) -> None:
        bundled = resources.files("kiosk.data").joinpath("catalogue.json").read_bytes()
        current = self.store.current_catalogue()
        if current is not None and (current.etag == hashlib.sha256(bundled).hexdigest()
                                    or self.store.current_catalogue_source() != "bundled"):
            return
        version = str(json.loads(bundled).get("version", "unknown"))
        self.store.publish_catalogue(bundled, version=version,
                                     signature=sign_bytes(self.signing_key, bundled),
                                     source="bundled", now=self.clock())

    # -- requests and statistics -------------------------------------------------------------
    def count_request(self) -> None:
        second = int(self.clock())
        with self._lock:
            self.total_requests += 1
            self._per_second[second] = self._per_second.get(second, 0) + 1
            if len(self._per_second) > 7200:  # keep two hours
                for old in sorted(self._per_second)[:-3600]:
                    del self._per_second[old]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            per_second = dict(sorted(self._per_second.items()))
            total, in_flight = self.total_requests, self.in_flight_hits
        counts = self.store.counts()
        span = (max(per_second) - min(per_second) + 1) if per_second else 0
        windowed = sum(per_second.values())
        out: dict[str, Any] = {
            "total_requests": total,
            "requests_per_second": {str(k): v for k, v in per_second.items()},
            "peak_per_second": max(per_second.values(), default=0),
            "mean_per_second": windowed / span if span else 0.0,
            "window_s": span,
            "duplicates_detected": counts["replays"] + counts["conflicts"] + in_flight,
            "in_flight_rejections": in_flight,
            **counts,
            "faults_applied": dict(self.faults.applied),
        }
        if self.proxy_stats is not None:
            out["proxy"] = self.proxy_stats()
        return out

    def submit(self, kiosk: KioskInfo, kind: str, raw_items: list[Any], *,
               slow_s: float = 0.0) -> list[Item]:
        """Decide every item of a batch (kind: application or event)."""
        items: list[Item] = []
        for raw in raw_items:
            key = raw.get("idempotency_key") if isinstance(raw, dict) else None
            if isinstance(key, str) and UUID4_RE.match(key):
                items.append(Item(raw, key, sha256_hex(canonical_json(raw))))
            else:
                it = Item(raw, None, "")
                it.decide("rejected", rejected(
                    key if isinstance(key, str) else None, "missing_idempotency_key",
                    "idempotency_key missing or not a lower-case UUID v4",
                    REASONS["missing_idempotency_key"]))
                items.append(it)
        claimed: list[tuple[str, str]] = []
        with self._lock:
            for it in items:
                if it.key is None:
                    continue
                slot = (kiosk.kiosk_id, it.key)
                if slot in claimed:
                    continue  # the same key twice in one batch: decided in order below
                if slot in self._inflight:
                    self.in_flight_hits += 1
                    it.decide("in_flight", {
                        "idempotency_key": it.key, "status": "in_flight", "error": "in_flight",
                        "message": "an earlier request with this key is still being processed",
                        "reason": "正在处理中，稍后将自动重试"})
                    continue
                self._inflight.add(slot)
                claimed.append(slot)
        try:
            hook = self.claim_hook
            if hook is not None and claimed:
                hook(kiosk.kiosk_id, [key for _, key in claimed])
            if slow_s > 0:
                self.stopping.wait(slow_s)
            self.store.process_items(kiosk.kiosk_id, kind, items, now=self.clock(),
                                     encryption_key=self.encryption_key)
        finally:
            with self._lock:
                self._inflight.difference_update(claimed)
        return items

    def close(self) -> None:
        self.stopping.set()
        self.store.close()


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _load_or_create_keys(keys_dir: Path) -> tuple[SigningKeyPair, EncryptionKeyPair]:
    keys_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(keys_dir, 0o700)
    sig_path, enc_path = keys_dir / "platform_signing.key", keys_dir / "platform_encryption.key"
    if sig_path.exists():
        signing = SigningKeyPair.from_private_b64(sig_path.read_text("ascii").strip())
    else:
        signing = SigningKeyPair.generate()
        _write_private(sig_path, signing.private_b64())
    if enc_path.exists():
        encryption = EncryptionKeyPair.from_private_b64(enc_path.read_text("ascii").strip())
    else:
        encryption = EncryptionKeyPair.generate()
        _write_private(enc_path, encryption.private_b64())
    return signing, encryption


def _load_or_create_secret(path: Path) -> str:
    if path.exists():
        text = path.read_text("ascii").strip()
        if text:
            return text
    token = secrets.token_urlsafe(24)
    _write_private(path, token)
    return token


# --------------------------------------------------------------------------- the app


def create_app(state: PlatformState) -> Flask:
    """The WSGI application for ``state`` (docs/platform-api.md + ``/admin/``)."""
    app = Flask("refplatform")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BATCH_BYTES
    app.extensions["refplatform"] = state

    def respond(obj: Any, status: int = 200, headers: dict[str, str] | None = None,
                ) -> Response:
        return Response(dumps(obj), status=status, headers=headers,
                        mimetype="application/json")

    def error_response(err: ApiError) -> Response:
        return respond({"error": err.code, "message": err.message, "reason": err.reason},
                       err.status, err.headers)

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        return error_response(err)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> Response:
        status = err.code or 500
        code = {404: "not_found", 413: "too_large"}.get(status, "bad_request")
        return error_response(ApiError(status, code, err.description or err.name))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(ApiError(500, "internal_error", type(err).__name__))

    @app.before_request
    def _before() -> Response | None:
        path = request.path
        if path.startswith("/api/"):
            state.count_request()
            rule = state.faults.pick("app", request.method, path)
            if rule is not None:
                return _fault_response(state, rule)
        elif path.startswith("/admin/"):
            given = request.headers.get("X-Admin-Token", "")
            if not hmac.compare_digest(given.encode(), state.admin_token.encode()):
                raise ApiError(401, "unauthorized", "missing or wrong X-Admin-Token")
        return None

    @app.after_request
    def _after(resp: Response) -> Response:
        resp.headers["Date"] = email.utils.formatdate(state.clock(), usegmt=True)
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    def slow() -> None:
        delay = g.pop("slow_s", 0.0)
        if delay > 0:
            state.stopping.wait(delay)

    def authenticate() -> KioskInfo:
        return _authenticate(state)

    # -- kiosk API -----------------------------------------------------------------------
    @app.post(f"{API}/enroll")
    def enroll() -> Response:
        slow()
        data = _json_body()
        if not isinstance(data, dict):
            raise ApiError(400, "bad_request", "body must be a JSON object")
        kiosk_id, region = data.get("kiosk_id"), data.get("region_code")
        hall, public_key, token = (data.get("hall_name"), data.get("public_key"),
                                   data.get("enrollment_token"))
        if not isinstance(kiosk_id, str) or not KIOSK_ID_RE.match(kiosk_id):
            raise ApiError(400, "bad_request", "kiosk_id must match [A-Z0-9]{4,12}")
        if not isinstance(region, str) or not REGION_RE.match(region):
            raise ApiError(400, "bad_request", "region_code must be 6 digits (GB/T 2260)")
        if not isinstance(hall, str) or not 0 < len(hall) <= 200:
            raise ApiError(400, "bad_request", "hall_name must be a non-empty string")
        if not isinstance(public_key, str) or not _is_ed25519_public(public_key):
            raise ApiError(400, "bad_request", "public_key must be a base64 Ed25519 key")
        if not isinstance(token, str) or not token:
            raise ApiError(403, "token_used", "enrollment_token missing")
        try:
            state.store.enroll(kiosk_id=kiosk_id, region_code=region, hall_name=hall,
                               public_key=public_key, token=token, now=state.clock())
        except EnrollRefusedError as err:
            raise ApiError(err.status, err.code, err.message) from err
        return respond({"platform_signing_key": state.signing_public_b64,
                        "platform_encryption_key": state.encryption_public_b64,
                        "kiosk_id": kiosk_id}, 201)

    def batch(kind: str) -> Response:
        kiosk = authenticate()
        data = _json_body()
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ApiError(400, "bad_request", "body must be {\"items\": [...]}")
        if len(items) > MAX_BATCH_ITEMS:
            raise ApiError(413, "too_large", f"at most {MAX_BATCH_ITEMS} items per batch")
        decided = state.submit(kiosk, kind, items, slow_s=g.pop("slow_s", 0.0))
        return respond({"results": [it.result for it in decided]})

    @app.post(f"{API}/applications:batch")
    def applications_batch() -> Response:
        return batch("application")

    @app.post(f"{API}/events:batch")
    def events_batch() -> Response:
        return batch("event")

    @app.post(f"{API}/applications")
    def application_single() -> Response:
        kiosk = authenticate()
        key = request.headers.get("Idempotency-Key", "")
        if not UUID4_RE.match(key):
            raise ApiError(400, "missing_idempotency_key",
                           "Idempotency-Key header missing or not a lower-case UUID v4")
        item = _json_body()
        if not isinstance(item, dict):
            raise ApiError(400, "bad_request", "body must be the item as a JSON object")
        if "idempotency_key" not in item:
            item = {**item, "idempotency_key": key}
        elif item["idempotency_key"] != key:
            raise ApiError(400, "bad_request", "idempotency_key differs from Idempotency-Key")
        [it] = state.submit(kiosk, "application", [item], slow_s=g.pop("slow_s", 0.0))
        assert it.result is not None
        if it.outcome == "duplicate" and it.stored_response is not None:
            return Response(it.stored_response, status=201, mimetype="application/json",
                            headers={"Idempotent-Replay": "true"})
        if it.outcome == "conflict":
            raise ApiError(422, "idempotency_key_reused",
                           "the key was used before with a different payload")
        if it.outcome == "in_flight":
            raise ApiError(409, "in_flight", "a request with this key is being processed",
                           headers={"Retry-After": "1"})
        return Response(dumps(it.result), status=201, mimetype="application/json")

    @app.route(f"{API}/attachments/<sha>", methods=["HEAD", "PATCH"])
    def attachment(sha: str) -> Response:
        authenticate()
        if not SHA256_RE.match(sha):
            raise ApiError(400, "bad_request", "attachment id must be lower-case hex SHA-256")
        if request.method == "HEAD":
            slow()
            st = state.store.upload_state(sha)
            if st is None:
                raise ApiError(404, "not_found", "unknown attachment")
            headers = {"Upload-Offset": str(st.received), "Upload-Length": str(st.length)}
            if st.complete:
                headers["Upload-Complete"] = "?1"
            return Response(status=200, headers=headers)
        if request.mimetype != "application/offset+octet-stream":
            raise ApiError(400, "bad_request",
                           "Content-Type must be application/offset+octet-stream")
        offset = _int_header("Upload-Offset")
        length = _int_header("Upload-Length")
        if length > MAX_ATTACHMENT_BYTES:
            raise ApiError(413, "too_large", f"attachments are at most {MAX_ATTACHMENT_BYTES} B")
        chunk = request.get_data(cache=True)
        if len(chunk) > MAX_CHUNK_BYTES:
            raise ApiError(413, "too_large", f"chunks are at most {MAX_CHUNK_BYTES} bytes")
        slow()
        try:
            st = state.store.append_chunk(sha, offset=offset, length=length, chunk=chunk,
                                          now=state.clock())
        except UploadRefusedError as err:
            headers = {} if err.offset is None else {"Upload-Offset": str(err.offset)}
            raise ApiError(err.status, err.code, err.message, headers=headers) from err
        headers = {"Upload-Offset": str(st.received)}
        if st.complete:
            headers["Upload-Complete"] = "?1"
        return Response(status=204, headers=headers)

    @app.get(f"{API}/catalogue")
    def catalogue() -> Response:
        authenticate()
        slow()
        snap = state.store.current_catalogue()
        if snap is None:
            raise ApiError(404, "not_found", "no catalogue published")
        etag = f'"{snap.etag}"'
        if _etag_matches(request.headers.get("If-None-Match", ""), snap.etag):
            return Response(status=304, headers={"ETag": etag})
        return Response(snap.body, status=200, mimetype="application/json",
                        headers={"ETag": etag, "X-Catalogue-Signature": snap.signature,
                                 "X-Catalogue-Version": snap.version})

    @app.get(f"{API}/status")
    def status() -> Response:
        kiosk = authenticate()
        slow()
        cursor = _int_arg("cursor", 0)
        limit = min(_int_arg("limit", 100), 1000)
        if limit < 1:
            raise ApiError(400, "bad_request", "limit must be at least 1")
        state.advance(kiosk.kiosk_id)
        updates, next_cursor = state.store.status_updates(kiosk.kiosk_id, cursor, limit)
        return respond({"updates": updates, "next_cursor": next_cursor})

    @app.get(f"{API}/applications/lookup")
    def lookup() -> Response:
        kiosk = authenticate()
        slow()
        no = request.args.get("no", "")
        if not no:
            raise ApiError(400, "bad_request", "query parameter no is required")
        state.advance(kiosk.kiosk_id)
        found = state.store.lookup(no, kiosk_id=kiosk.kiosk_id)
        if found is None:
            raise ApiError(404, "not_found", f"no application {no!r} from this kiosk",
                           reason="未查询到该办件，请核对编号")
        return respond(found)

    @app.get(f"{API}/ping")
    def ping() -> Response:
        authenticate()
        slow()
        return respond({"time": iso(state.clock())})

    @app.put(f"{API}/notices/<provisional_no>")
    def notice_upload(provisional_no: str) -> Response:
        # checked before the body is read: a notice may be larger than a batch
        request.max_content_length = MAX_NOTICE_BYTES
        kiosk = authenticate()
        slow()
        no = provisional_no
        if not NOTICE_NO_RE.match(no):
            raise ApiError(400, "bad_request", "not a provisional number")
        if request.mimetype != "application/pdf":
            raise ApiError(400, "bad_request", "Content-Type must be application/pdf")
        pdf = request.get_data(cache=True)
        if not pdf.startswith(b"%PDF-"):
            raise ApiError(400, "bad_request", "body is not a PDF")
        try:
            link = state.notices.put(kiosk.kiosk_id, no, pdf, now=state.clock(),
                                     ttl_s=state.notice_ttl_s)
        except NoticeRefusedError as err:
            raise ApiError(err.status, err.code, err.message, reason=err.reason) from err
        base = (state.public_url or request.host_url).rstrip("/")
        return respond({"url": f"{base}/d/{link.token}", "expires_at": iso(link.expires_at)},
                       201 if link.created else 200)

    @app.get("/d/<token>")
    def notice_download(token: str) -> Response:
        """The citizen's phone: no credential but the unguessable link itself."""
        if not LINK_TOKEN_RE.match(token):
            raise ApiError(404, "not_found", "unknown download link",
                           reason="下载链接无效，请核对后重试")
        try:
            found = state.notices.get(token, now=state.clock())
        except NoticeRefusedError as err:
            raise ApiError(err.status, err.code, err.message, reason=err.reason) from err
        return Response(found.pdf, status=200, mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="notice-{found.provisional_no}.pdf"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"})

    # -- admin API (X-Admin-Token, not kiosk-signed) ------------------------------------------
    @app.get("/admin/applications")
    def admin_applications() -> Response:
        return respond({"applications": state.applications(request.args.get("kiosk_id"))})
    @app.post(f"{API}/identity:resolve")
    def identity_resolve() -> Response:
        kiosk = authenticate()
        slow()
        data = _json_body()
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not 16 <= len(token) <= 200:
            raise ApiError(400, "bad_request", "body must be {\"token\": \"...\"}")
        try:
            found = state.identity_tokens.resolve(token, kiosk_id=kiosk.kiosk_id,
                                                  now=state.clock())
        except TokenRefusedError as err:
            raise ApiError(err.status, err.code, err.message, reason=err.reason) from err
        return respond(found)

    @app.post(f"{API}/elicences:lookup")
    def elicences_lookup() -> Response:
        authenticate()
        slow()
        data = _json_body()
        id_number = data.get("id_number") if isinstance(data, dict) else None
        types = data.get("types") if isinstance(data, dict) else None
        if not isinstance(id_number, str) or len(id_number) != 18:
            raise ApiError(400, "bad_request", "id_number must be 18 characters")
        if (not isinstance(types, list) or not 0 < len(types) <= MAX_TYPES
                or not all(isinstance(t, str) and 0 < len(t) <= 64 for t in types)):
            raise ApiError(400, "bad_request",
                           f"types must be 1..{MAX_TYPES} licence type names")
        return respond({"licences": lookup_elicences(id_number, types, now=state.clock())})


    @app.get("/admin/applications/<no>")
    def admin_application(no: str) -> Response:
        found = state.lookup(no)
        if found is None:
            raise ApiError(404, "not_found", f"no application {no!r}")
        return respond(found)

    @app.post("/admin/applications/<no>/state")
    def admin_set_state(no: str) -> Response:
        data = _json_body()
        if not isinstance(data, dict) or not isinstance(data.get("state"), str):
            raise ApiError(400, "bad_request", "body must be {\"state\": ..., \"reason\": ...}")
        reason = data.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise ApiError(400, "bad_request", "reason must be a string")
        try:
            found = state.set_application_state(no, data["state"], reason,
                                                correction=data.get("correction"))
        except ValueError as err:
            raise ApiError(400, "bad_request", str(err)) from err
        if found is None:
            raise ApiError(404, "not_found", f"no application {no!r}")
        return respond(found)

    @app.get("/admin/events")
    def admin_events() -> Response:
        return respond({"events": state.events(request.args.get("kind"))})

    @app.get("/admin/kiosks")
    def admin_kiosks() -> Response:
        return respond({"kiosks": state.store.list_kiosks()})

    @app.post("/admin/kiosks/<kiosk_id>/revoke")
    def admin_revoke(kiosk_id: str) -> Response:
        if not state.revoke_kiosk(kiosk_id):
            raise ApiError(404, "not_found", f"no kiosk {kiosk_id!r}")
        return respond({"kiosk_id": kiosk_id, "revoked": True})

    @app.get("/admin/stats")
    def admin_stats() -> Response:
        return respond(state.stats())

    @app.get("/admin/faults")
    def admin_faults() -> Response:
        return respond({"enabled": state.faults.enabled,
                        "connection_faults": state.faults.connection_faults,
                        "rules": [r.to_json() for r in state.faults.rules()],
                        "applied": dict(state.faults.applied)})

    @app.post("/admin/faults")
    def admin_add_fault() -> Response:
        try:
            rule = state.faults.add_from_json(_json_body())
        except FaultError as err:
            raise ApiError(400, "bad_request", str(err)) from err
        return respond(rule.to_json(), 201)

    @app.delete("/admin/faults")
    def admin_clear_faults() -> Response:
        state.clear_faults()
        return Response(status=204)

    @app.delete("/admin/faults/<int:rule_id>")
    def admin_remove_fault(rule_id: int) -> Response:
        if not state.faults.remove(rule_id):
            raise ApiError(404, "not_found", f"no fault rule {rule_id}")
        return Response(status=204)

    @app.post("/admin/identity-tokens")
    def admin_issue_identity_token() -> Response:
        data = _json_body()
        if not isinstance(data, dict) or not isinstance(data.get("name"), str) \
                or not isinstance(data.get("id_number"), str):
            raise ApiError(400, "bad_request", "body must be {\"name\", \"id_number\", ...}")
        ttl = data.get("ttl_s", DEFAULT_TOKEN_TTL_S)
        appointment = data.get("appointment")
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) \
                or (appointment is not None and not isinstance(appointment, dict)):
            raise ApiError(400, "bad_request", "ttl_s must be seconds, appointment an object")
        try:
            token = state.issue_identity_token(
                data["name"], data["id_number"], ttl_s=float(ttl),
                source=str(data.get("source", "eid")), appointment=appointment)
        except ValueError as err:
            raise ApiError(400, "bad_request", str(err)) from err
        return respond({"token": token, "ttl_s": float(ttl)}, 201)

    @app.post("/admin/enrollment-tokens")
    def admin_mint_token() -> Response:
        data = _json_body(optional=True) or {}
        multi = bool(data.get("multi_use", False)) if isinstance(data, dict) else False
        return respond({"token": state.mint_enrollment_token(multi_use=multi),
                        "multi_use": multi}, 201)

    @app.post("/admin/catalogue")
    def admin_publish_catalogue() -> Response:
        body = request.get_data(cache=True)
        try:
            snap = state.publish_catalogue(
                body, validate=request.args.get("validate", "1") not in ("0", "false"),
                bad_signature=request.args.get("bad_signature", "0") in ("1", "true"))
        except CatalogueError as err:
            raise ApiError(400, "bad_request", err.detail, reason="服务目录校验失败") from err
        return respond({"version": snap.version, "etag": snap.etag,
                        "signature": snap.signature}, 201)

    @app.get("/admin/advancement")
    def admin_get_advancement() -> Response:
        return respond({"accept_after_s": state.accept_after_s,
                        "complete_after_s": state.complete_after_s})

    @app.put("/admin/advancement")
    def admin_set_advancement() -> Response:
        data = _json_body()
        if not isinstance(data, dict):
            raise ApiError(400, "bad_request", "body must be a JSON object")
        values: dict[str, float | None] = {}
        for name in ("accept_after_s", "complete_after_s"):
            v = data.get(name, getattr(state, name))
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)
                                  or v < 0):
                raise ApiError(400, "bad_request", f"{name} must be seconds ≥ 0 or null")
            values[name] = None if v is None else float(v)
        state.set_advancement(accept_after_s=values["accept_after_s"],
                              complete_after_s=values["complete_after_s"])
        return respond(values)

    @app.post("/admin/purge")
    def admin_purge() -> Response:
        return respond(state.purge_expired())

    @app.get("/admin/keys")
    def admin_keys() -> Response:
        return respond({"platform_signing_key": state.signing_public_b64,
                        "platform_encryption_key": state.encryption_public_b64})

    @app.post("/admin/import")
    def admin_import() -> Response:
        """Body: a kiosk's ``.kbundle`` (refplatform/importer.py): the summary, or 422.
        Held in memory, so at most 256 MiB here; larger ones: ``platform import``."""
        from refplatform.importer import REASONS, BundleError, import_bytes

        request.max_content_length = 256 << 20
        try:
            summary = import_bytes(state, request.get_data(cache=False))
        except BundleError as err:
            raise ApiError(422, err.code, err.detail,
                           reason=REASONS.get(err.code, err.user_message)) from err
        return respond(summary.as_dict())

    return app


# --------------------------------------------------------------------------- helpers


def _fault_response(state: PlatformState, rule: FaultRule) -> Response | None:
    if rule.kind is FaultKind.SLOW:
        g.slow_s = rule.delay_s
        return None
    if rule.kind is FaultKind.ERROR_500:
        err = ApiError(500, "internal_error", "injected fault: error_500")
    else:
        if rule.retry_after_form == "http-date":
            retry_after = email.utils.formatdate(math.ceil(state.clock()) + rule.retry_after_s,
                                                 usegmt=True)
        else:
            retry_after = str(rule.retry_after_s)
        status = 503 if rule.kind is FaultKind.UNAVAILABLE_503 else 429
        err = ApiError(status, "overloaded", f"injected fault: {rule.kind}",
                       headers={"Retry-After": retry_after})
    return Response(dumps({"error": err.code, "message": err.message, "reason": err.reason}),
                    status=err.status, headers=err.headers, mimetype="application/json")


def _authenticate(state: PlatformState) -> KioskInfo:
    """Check the §1 signature headers of the current request; returns the kiosk."""
    headers = request.headers
    kiosk_id = headers.get("X-Kiosk-Id", "")
    timestamp = headers.get("X-Kiosk-Timestamp", "")
    nonce = headers.get("X-Kiosk-Nonce", "")
    signature = headers.get("X-Kiosk-Signature", "")
    kiosk = state.store.kiosk(kiosk_id) if KIOSK_ID_RE.match(kiosk_id) else None
    if kiosk is None or kiosk.revoked:
        raise ApiError(401, "unknown_kiosk", f"kiosk {kiosk_id!r} is unknown or revoked")
    if not timestamp.isdigit() or not NONCE_RE.match(nonce) or not signature:
        raise ApiError(401, "bad_signature",
                       "X-Kiosk-Timestamp, X-Kiosk-Nonce or X-Kiosk-Signature missing or "
                       "malformed")
    environ = request.environ
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if not target:
        qs = environ.get("QUERY_STRING", "")
        target = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
        target += f"?{qs}" if qs else ""
    body = request.get_data(cache=True)
    try:
        verify_request(kiosk.public_key, signature, request.method, target, timestamp, nonce,
                       body)
    except (CryptoError, ValueError) as err:
        raise ApiError(401, "bad_signature", f"signature does not verify for {target}") from err
    now = state.clock()
    if abs(now - int(timestamp)) > TIMESTAMP_WINDOW_S:
        raise ApiError(401, "stale_timestamp",
                       f"timestamp {timestamp} is {int(timestamp) - now:+.0f} s from the "
                       f"platform's clock (window ±{TIMESTAMP_WINDOW_S} s); see Date")
    if not state.store.use_nonce(kiosk.kiosk_id, nonce.lower(), now):
        raise ApiError(401, "replayed_nonce", "nonce already used")
    return kiosk


def _json_body(*, optional: bool = False) -> Any:
    raw = request.get_data(cache=True)
    if not raw and optional:
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as err:
        raise ApiError(400, "bad_request", f"body is not valid JSON: {err}") from err


def _int_header(name: str) -> int:
    value = request.headers.get(name, "")
    if not value.isdigit():
        raise ApiError(400, "bad_request", f"{name} must be a non-negative integer")
    return int(value)


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isdigit():
        raise ApiError(400, "bad_request", f"{name} must be a non-negative integer")
    return int(value)


def _etag_matches(header: str, etag: str) -> bool:
    if not header:
        return False
    for part in header.split(","):
        tag = part.strip()
        if tag == "*":
            return True
        tag = tag.removeprefix("W/").strip('"')
        if tag == etag:
            return True
    return False


def _is_ed25519_public(text: str) -> bool:
    try:
        raw = b64d(text)
        Ed25519PublicKey.from_public_bytes(raw)
    except (CryptoError, ValueError):
        return False
    return len(raw) == 32
