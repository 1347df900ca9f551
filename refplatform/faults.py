"""Fault injection for the reference platform: rules, and a TCP proxy for the faults that
a WSGI application cannot express.

Two layers share one :class:`FaultPlan` (an ordered list of :class:`FaultRule`):

* **app** faults are answered by the Flask application itself: ``error_500``,
  ``unavailable_503`` and ``too_many_429`` (with ``Retry-After`` as delay-seconds or as an
  HTTP-date) are sent *before* the request is processed; ``slow`` delays the request's
  processing by ``delay_s`` (for item endpoints: after the idempotency keys are claimed,
  so a concurrent resend meets ``in_flight``).
* **connection** faults are carried out by :class:`FaultProxy`, a small threaded
  HTTP/1.1 proxy in front of waitress: ``reset`` closes the connection with a TCP RST
  before forwarding the request; ``drop_after_commit`` forwards the request, waits for
  the complete answer (so the platform has committed) and closes the connection without
  sending a byte of it; ``truncated`` sends the status line, the headers and only half of
  the body, then closes (an answer without a body is cut inside its status line).

A rule matches a request by path prefix (on the path without the query string) and
optionally by method; it then fires with ``probability`` and at most ``count`` times
(``None`` = unlimited). "The next 3 requests" is ``count=3`` with probability 1. The
first matching rule of the request's layer wins. Rules are evaluated with a private,
seedable ``random.Random`` so a run can be replayed.

The proxy understands just enough HTTP/1.1 to forward requests and answers one by one on
a persistent connection (keep-alive, ``Content-Length`` or chunked bodies, answers to
``HEAD``, 204 and 304 without a body, ``Expect: 100-continue``). Each client connection
gets its own upstream connection and thread; ``TCP_NODELAY`` is set on both sides and
every message is written with one ``sendall`` so Nagle's algorithm never waits on a
delayed ACK (reliability.md §4.3).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import random
import select
import selectors
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

log = logging.getLogger(__name__)


class FaultKind(StrEnum):
    ERROR_500 = "error_500"
    UNAVAILABLE_503 = "unavailable_503"
    TOO_MANY_429 = "too_many_429"
    SLOW = "slow"
    DROP_AFTER_COMMIT = "drop_after_commit"
    RESET = "reset"
    TRUNCATED = "truncated"


APP_FAULTS = frozenset({FaultKind.ERROR_500, FaultKind.UNAVAILABLE_503,
                        FaultKind.TOO_MANY_429, FaultKind.SLOW})
CONNECTION_FAULTS = frozenset({FaultKind.DROP_AFTER_COMMIT, FaultKind.RESET,
                               FaultKind.TRUNCATED})
RetryAfterForm = Literal["seconds", "http-date"]
Layer = Literal["app", "connection"]


class FaultError(ValueError):
    """A fault rule is invalid, or fault injection is disabled on this server."""


@dataclass
class FaultRule:
    id: int
    kind: FaultKind
    path_prefix: str = "/api/"
    method: str | None = None
    probability: float = 1.0
    remaining: int | None = None  # None: unlimited
    delay_s: float = 0.0  # slow
    retry_after_s: int = 1  # 503 / 429
    retry_after_form: RetryAfterForm = "seconds"
    hits: int = 0

    @property
    def layer(self) -> Layer:
        return "connection" if self.kind in CONNECTION_FAULTS else "app"

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        return path.split("?", 1)[0].startswith(self.path_prefix)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["kind"] = str(self.kind)
        data["count"] = data.pop("remaining")
        return data


class FaultPlan:
    """The run-time fault configuration shared by the app and the proxy. Thread-safe."""

    def __init__(self, *, enabled: bool = True, connection_faults: bool = True,
                 seed: int | None = None) -> None:
        self.enabled = enabled
        self.connection_faults = connection_faults and enabled
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._next_id = 1
        self.applied: Counter[str] = Counter()

    def add(self, kind: FaultKind | str, *, path_prefix: str = "/api/",
            method: str | None = None, probability: float = 1.0, count: int | None = None,
            delay_s: float = 0.0, retry_after_s: int = 1,
            retry_after_form: RetryAfterForm = "seconds") -> FaultRule:
        """Add a rule and return it. Raises :class:`FaultError` when a value is out of range,
        when fault injection is disabled, or for a connection fault without the proxy."""
        if not self.enabled:
            raise FaultError("fault injection is disabled on this platform (--no-faults)")
        try:
            kind = FaultKind(kind)
        except ValueError as err:
            raise FaultError(f"unknown fault kind {kind!r}; one of "
                             f"{', '.join(k.value for k in FaultKind)}") from err
        if kind in CONNECTION_FAULTS and not self.connection_faults:
            raise FaultError(f"{kind} needs the fault proxy, which is not running")
        if not path_prefix.startswith("/"):
            raise FaultError(f"path_prefix must start with '/', got {path_prefix!r}")
        if isinstance(probability, bool) or not 0.0 <= float(probability) <= 1.0:
            raise FaultError(f"probability must be between 0 and 1, got {probability!r}")
        if count is not None and (isinstance(count, bool) or int(count) < 1):
            raise FaultError(f"count must be a positive integer or null, got {count!r}")
        if not 0.0 <= float(delay_s) <= 600.0:
            raise FaultError(f"delay_s must be between 0 and 600, got {delay_s!r}")
        if not 0 <= int(retry_after_s) <= 86_400:
            raise FaultError(f"retry_after_s must be between 0 and 86400, got {retry_after_s!r}")
        if retry_after_form not in ("seconds", "http-date"):
            raise FaultError(f"retry_after_form must be 'seconds' or 'http-date', "
                             f"got {retry_after_form!r}")
        with self._lock:
            rule = FaultRule(id=self._next_id, kind=kind, path_prefix=path_prefix,
                             method=method.upper() if method else None,
                             probability=float(probability),
                             remaining=None if count is None else int(count),
                             delay_s=float(delay_s), retry_after_s=int(retry_after_s),
                             retry_after_form=retry_after_form)
            self._next_id += 1
            self._rules.append(rule)
            return dataclasses.replace(rule)

    def add_from_json(self, data: Any) -> FaultRule:
        """``add`` from an admin API body (same names; ``kind`` required)."""
        if not isinstance(data, dict) or "kind" not in data:
            raise FaultError("expected a JSON object with at least 'kind'")
        allowed = {"kind", "path_prefix", "method", "probability", "count", "delay_s",
                   "retry_after_s", "retry_after_form"}
        unknown = set(data) - allowed
        if unknown:
            raise FaultError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        try:
            return self.add(**data)
        except (TypeError, ValueError) as err:
            if isinstance(err, FaultError):
                raise
            raise FaultError(f"bad fault rule: {err}") from err

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def seed(self, value: int) -> None:
        with self._lock:
            self._rng.seed(value)

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return [dataclasses.replace(r) for r in self._rules]

    def pick(self, layer: Layer, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this request at this layer, if any (counts it)."""
        if not self._rules:  # fast path, read without the lock: a list is swapped whole
            return None
        with self._lock:
            for rule in self._rules:
                if rule.layer != layer or not rule.matches(method, path):
                    continue
                if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                    continue
                rule.hits += 1
                self.applied[str(rule.kind)] += 1
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules = [r for r in self._rules if r.id != rule.id]
                return dataclasses.replace(rule)
        return None


# --------------------------------------------------------------------------- the proxy

MAX_HEAD_BYTES = 64 * 1024
_RECV = 64 * 1024


class _ClosedError(Exception):
    """The peer closed the connection (cleanly between messages when ``clean``)."""

    def __init__(self, clean: bool) -> None:
        super().__init__("closed cleanly" if clean else "closed mid-message")
        self.clean = clean


class _Stream:
    """Buffered reads of HTTP/1.1 framing from a blocking socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()

    def _fill(self, *, at_boundary: bool) -> None:
        data = self.sock.recv(_RECV)
        if not data:
            raise _ClosedError(clean=at_boundary and not self.buf)
        self.buf += data

    def read_head(self) -> bytes:
        start = True
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self.buf[:end + 4])
                del self.buf[:end + 4]
                return head
            if len(self.buf) > MAX_HEAD_BYTES:
                raise ValueError("message head too large")
            self._fill(at_boundary=start)
            start = False

    def read_exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill(at_boundary=False)
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def read_line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buf[:end + 2])
                del self.buf[:end + 2]
                return line
            if len(self.buf) > MAX_HEAD_BYTES:
                raise ValueError("chunk line too long")
            self._fill(at_boundary=False)

    def read_chunked(self) -> bytes:
        """The raw bytes of a chunked body, trailers included, forwarded verbatim."""
        out = bytearray()
        while True:
            line = self.read_line()
            out += line
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while True:  # trailers, then the empty line
                    trailer = self.read_line()
                    out += trailer
                    if trailer == b"\r\n":
                        return bytes(out)
            out += self.read_exact(size + 2)

    def read_to_eof(self) -> bytes:
        while True:
            try:
                self._fill(at_boundary=False)
            except _ClosedError:
                data = bytes(self.buf)
                self.buf.clear()
                return data


@dataclass
class _Head:
    raw: bytes
    first_line: str
    headers: list[tuple[str, str]]

    @classmethod
    def parse(cls, raw: bytes) -> _Head:
        lines = raw.decode("latin-1").split("\r\n")
        headers = []
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"malformed header line {line[:40]!r}")
            headers.append((name.strip().lower(), value.strip()))
        return cls(raw=raw, first_line=lines[0], headers=headers)

    def get(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def tokens(self, name: str) -> set[str]:
        return {t.strip().lower() for k, v in self.headers if k == name for t in v.split(",")}

    def without(self, name: str) -> bytes:
        kept = [line for line in self.raw.decode("latin-1").split("\r\n")
                if not line.lower().startswith(name + ":")]
        return "\r\n".join(kept).encode("latin-1")


def _read_body(stream: _Stream, head: _Head, *, no_body: bool) -> tuple[bytes, bool]:
    """Body bytes and whether the message was delimited by closing the connection."""
    if no_body:
        return b"", False
    if "chunked" in head.tokens("transfer-encoding"):
        return stream.read_chunked(), False
    length = head.get("content-length")
    if length is not None:
        n = int(length)
        if n < 0:
            raise ValueError("negative Content-Length")
        return stream.read_exact(n), False
    return b"", True  # requests: no body; responses: caller reads to EOF


def _nodelay(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _hard_close(sock: socket.socket) -> None:
    """Close with a TCP RST instead of a FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _close(sock: socket.socket | None) -> None:
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


class _Conn:
    def __init__(self, client: socket.socket) -> None:
        self.client = client
        self.upstream: socket.socket | None = None
        self.thread: threading.Thread | None = None


class FaultProxy:
    """A threaded HTTP/1.1 proxy that forwards to ``upstream`` and carries out the
    connection-level rules of ``plan``. ``start()`` binds and serves; ``stop()`` closes every
    socket and joins every thread within ``timeout`` seconds."""

    def __init__(self, upstream: tuple[str, int], plan: FaultPlan, *,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.upstream = upstream
        self.plan = plan
        self._host, self._port = host, port
        self._listener: socket.socket | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._conns: set[_Conn] = set()
        self._accept_thread: threading.Thread | None = None
        self.connections_accepted = 0
        self.requests_forwarded = 0
        self.address: tuple[str, int] = (host, port)

    @property
    def url(self) -> str:
        return f"http://{self.address[0]}:{self.address[1]}"

    @property
    def active_connections(self) -> int:
        with self._lock:
            return len(self._conns)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"connections_accepted": self.connections_accepted,
                    "active_connections": len(self._conns),
                    "requests_forwarded": self.requests_forwarded,
                    "faults_applied": {k: v for k, v in self.plan.applied.items()
                                       if k in CONNECTION_FAULTS}}

    def start(self) -> FaultProxy:
        listener = socket.create_server((self._host, self._port), backlog=2048)
        self._listener = listener
        self.address = listener.getsockname()[:2]
        self._accept_thread = threading.Thread(target=self._accept_loop,
                                               name="refplatform-proxy-accept", daemon=True)
        self._accept_thread.start()
        return self

    def stop(self, timeout: float = 1.5) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        if self._accept_thread is not None:
            self._accept_thread.join(timeout)
        if self._listener is not None:
            _close(self._listener)
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            _close(conn.client)
            _close(conn.upstream)
        for conn in conns:
            if conn.thread is not None:
                conn.thread.join(timeout)
        for sock in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                sock.close()

    # -- accepting -------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._listener is not None
        sel = selectors.DefaultSelector()
        sel.register(self._listener, selectors.EVENT_READ)
        sel.register(self._wake_r, selectors.EVENT_READ)
        try:
            while not self._stopping.is_set():
                for key, _ in sel.select():
                    if key.fileobj is self._wake_r or self._stopping.is_set():
                        return
                    try:
                        client, _addr = self._listener.accept()
                    except OSError:
                        continue
                    self._spawn(client)
        finally:
            sel.close()

    def _spawn(self, client: socket.socket) -> None:
        _nodelay(client)
        conn = _Conn(client)
        with self._lock:  # started under the lock: stop() never sees an unstarted thread
            if self._stopping.is_set():
                _close(client)
                return
            self.connections_accepted += 1
            conn.thread = threading.Thread(
                target=self._serve, args=(conn,), daemon=True,
                name=f"refplatform-proxy-{self.connections_accepted}")
            self._conns.add(conn)
            conn.thread.start()

    # -- one client connection -------------------------------------------------------------
    def _serve(self, conn: _Conn) -> None:
        try:
            self._serve_requests(conn)
        except (_ClosedError, OSError, ValueError) as err:
            if not self._stopping.is_set() and not (isinstance(err, _ClosedError) and err.clean):
                log.debug("proxy connection ended: %s", err)
        finally:
            _close(conn.client)
            _close(conn.upstream)
            with self._lock:
                self._conns.discard(conn)

    def _upstream(self, conn: _Conn) -> socket.socket:
        sock = conn.upstream
        if sock is not None and _peer_closed(sock):
            _close(sock)
            sock = None
        if sock is None:
            sock = socket.create_connection(self.upstream, timeout=None)
            _nodelay(sock)
            conn.upstream = sock
            if self._stopping.is_set():
                raise _ClosedError(clean=True)
        return sock

    def _serve_requests(self, conn: _Conn) -> None:
        client = _Stream(conn.client)
        upstream_stream: _Stream | None = None
        while not self._stopping.is_set():
            head = _Head.parse(client.read_head())
            method, target = _request_line(head.first_line)
            if "100-continue" in head.tokens("expect"):
                # answer the expectation here and forward without it: interim answers from
                # upstream are never relayed
                conn.client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            body, _ = _read_body(client, head, no_body=False)
            raw_head = head.raw
            if head.get("expect") is not None:
                raw_head = head.without("expect")
            rule = self.plan.pick("connection", method, target)
            if rule is not None and rule.kind is FaultKind.RESET:
                log.info("fault: reset %s %s", method, target)
                _hard_close(conn.client)
                return
            sock = self._upstream(conn)
            if upstream_stream is None or upstream_stream.sock is not sock:
                upstream_stream = _Stream(sock)
            sock.sendall(raw_head + body)
            with self._lock:
                self.requests_forwarded += 1
            resp_raw, resp_head, resp_body, until_eof = _read_response(upstream_stream, method)
            if rule is not None and rule.kind is FaultKind.DROP_AFTER_COMMIT:
                log.info("fault: drop_after_commit %s %s", method, target)
                _close(conn.client)
                return
            if rule is not None and rule.kind is FaultKind.TRUNCATED:
                log.info("fault: truncated %s %s", method, target)
                if len(resp_body) >= 2:
                    conn.client.sendall(resp_raw + resp_body[:len(resp_body) // 2])
                else:  # nothing to cut in the body: cut the status line instead
                    conn.client.sendall(resp_raw[:len(resp_head.first_line) // 2])
                _close(conn.client)
                return
            conn.client.sendall(resp_raw + resp_body)
            version = head.first_line.rsplit(" ", 1)[-1].upper()
            wants_close = ("close" in head.tokens("connection")
                           or (version == "HTTP/1.0"
                               and "keep-alive" not in head.tokens("connection")))
            if until_eof or wants_close or "close" in resp_head.tokens("connection"):
                return


def _request_line(line: str) -> tuple[str, str]:
    parts = line.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise ValueError(f"malformed request line {line[:60]!r}")
    return parts[0].upper(), parts[1]


def _read_response(stream: _Stream, method: str) -> tuple[bytes, _Head, bytes, bool]:
    while True:
        head = _Head.parse(stream.read_head())
        parts = head.first_line.split(" ", 2)
        status = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else 0
        if 100 <= status < 200 and status != 101:
            continue  # interim answers are not forwarded (we strip Expect)
        no_body = method == "HEAD" or status in (204, 304)
        body, until_eof = _read_body(stream, head, no_body=no_body)
        if until_eof:
            body = stream.read_to_eof()
        return head.raw, head, body, until_eof


def _peer_closed(sock: socket.socket) -> bool:
    """True when an idle keep-alive upstream connection was closed by the server."""
    poller = select.poll()  # not select.select: descriptors may exceed FD_SETSIZE
    poller.register(sock, select.POLLIN)
    if not poller.poll(0):
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True
