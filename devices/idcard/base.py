"""The ID-card reader port (``IdCardReader``) and its polling state machine (``IdCardPoller``).

Contract of the port (every backend — serial, simulated — behaves the same):

=====================  ==================================================================
``status()``           11 FF; returns when the SAM reports 90
``sam_id()``           12 FF; the 16-byte SAM id as lowercase hex (opaque)
``find_card()``        20 01; ``True`` on 9F, ``False`` on 80 (no card is not an error)
``select_card()``      20 02; ``True`` on 90, ``False`` on 81
``read_card()``        find + select + read; ``None`` when no card can be selected
``read_selected()``    30 01 (or 30 10 with ``read_fingerprint``) + 30 03 after a select
``reset()``            10 FF
=====================  ==================================================================

Errors (``kiosk/errors.py`` family, each with a Chinese ``user_message``):

* 41/31/32/33/40/47 → :class:`~devices.idcard.protocol.CardReadError` ("请重新放置身份证");
* 60/66 → :class:`~devices.idcard.protocol.SamFaultError` (安全模块故障, staff must act);
* 10/11 (the reader got a damaged request) and malformed replies (bad checksum, length,
  layout) → flush, send once more, then :class:`~devices.idcard.protocol.ProtocolError`;
* no (complete) reply in time → ``DeviceTimeoutError``; the port vanished or cannot be
  opened → ``DeviceUnavailableError``. Garbage on the line is skipped (resync), never fatal.

Public methods own the retries, the timeouts (short commands ``timeout_s``; reads
``read_timeout_s`` plus the wire time of the largest reply at the configured speed) and the
logging. Logs carry command names, status codes, sizes and timings — never a payload.
Calls are serialised by a lock, so a maintenance ``self_test()`` may run while polling.

Backends implement ``_open``/``_close`` and one hook, ``_transact(request, timeout_s) ->
Reply``, that sends one request and returns the first well-formed reply frame (raising
``ProtocolError`` for a damaged one), plus optionally ``_discard_input()``.
"""

from __future__ import annotations

import abc
import logging
import threading
import time
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import replace
from datetime import date
from typing import Any, Protocol, TypeVar

from devices.base import Device, DeviceWorker, SelfTestResult
from devices.idcard.cards import IdCardData, parse_added_address, parse_text_block
from devices.idcard.photo import PhotoDecoder, load_photo_decoder
from devices.idcard.protocol import (
    RESEND_STATUSES,
    SW_FOUND,
    SW_NO_CARD,
    SW_NO_CONTENT,
    SW_OK,
    SW_SELECT_FAILED,
    Command,
    ProtocolError,
    Reply,
    Request,
    SamStatusError,
    check_added_address,
    parse_base_message,
    parse_sam_id,
    status_error,
)
from kiosk.errors import DeviceError, DeviceUnavailableError
from kiosk.redaction import SensitiveKind, register_sensitive, unregister_sensitive

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_OK = frozenset({SW_OK})


def _identity(reply: Reply) -> Reply:
    return reply


def _photo_decoder(spec: PhotoDecoder | str | None) -> PhotoDecoder | None:
    """A decoder, or one loaded from "module:Class". A decoder that cannot be loaded costs
    the photo, never the card: it is logged and the reader works without it."""
    if not isinstance(spec, str):
        return spec
    if not spec:
        return None
    try:
        return load_photo_decoder(spec)
    except DeviceError as err:
        log.warning("ID-card photo decoder unavailable, photos will be missing: %s", err.detail)
        return None


# Largest reply of each command, in bytes on the wire (for the timeout budget).
_REPLY_BYTES = {Command.READ_BASE: 1295, Command.READ_BASE_FP: 2321,
                Command.READ_ADDED_ADDRESS: 81, Command.SAM_ID: 27, Command.SELECT: 19,
                Command.FIND: 15}
_SLOW = frozenset({Command.READ_BASE, Command.READ_BASE_FP, Command.READ_ADDED_ADDRESS,
                   Command.RESET})


class IdCardReader(Device):
    """Abstract second-generation ID-card reader (see the module docstring)."""

    kind = "idcard"
    label_zh = "身份证阅读器"

    def __init__(self, *, timeout_s: float = 0.5, read_timeout_s: float = 3.5,
                 poll_interval_s: float = 0.3, read_fingerprint: bool = False,
                 photo_decoder: PhotoDecoder | str | None = None) -> None:
        super().__init__()
        if timeout_s <= 0 or read_timeout_s <= 0 or poll_interval_s <= 0:
            raise ValueError("timeouts and the poll interval must be positive")
        self.timeout_s = float(timeout_s)
        self.read_timeout_s = float(read_timeout_s)
        self.poll_interval_s = float(poll_interval_s)
        self.read_fingerprint = bool(read_fingerprint)
        self.photo_decoder = _photo_decoder(photo_decoder)
        self._io = threading.RLock()
        self._sam_id: str | None = None
        self._pollers: list[IdCardPoller] = []

    # -- public API -------------------------------------------------------------------------
    def status(self) -> None:
        """11 FF: return if the SAM is healthy, raise otherwise (60 → ``SamFaultError``)."""
        self._checked(Command.STATUS, _identity)

    def sam_id(self) -> str:
        self._sam_id = self._checked(Command.SAM_ID, lambda reply: parse_sam_id(reply.data))
        return self._sam_id

    def reset(self) -> None:
        """10 FF: reset the SAM ("like a power cycle")."""
        self._checked(Command.RESET, _identity)

    def find_card(self) -> bool:
        reply = self._call(Command.FIND)
        return self._expect(Command.FIND, reply, {SW_FOUND}, absent={SW_NO_CARD})

    def select_card(self) -> bool:
        reply = self._call(Command.SELECT)
        return self._expect(Command.SELECT, reply, {SW_OK}, absent={SW_SELECT_FAILED})

    def read_card(self, *, added_address: bool = True) -> IdCardData | None:
        """Find, select and read the card on the reader; ``None`` if there is none.

        As vendors do, select is tried even when find did not answer 9F: a card that was
        already read and is still lying on the reader often ignores find (§A.3).
        """
        with self._io:
            self.find_card()
            if not self.select_card():
                return None
            return self.read_selected(added_address=added_address)

    def read_selected(self, *, added_address: bool = True) -> IdCardData:
        """Read the selected card: 30 01 (30 10 with fingerprints), then 30 03."""
        with self._io:
            command = Command.READ_BASE_FP if self.read_fingerprint else Command.READ_BASE
            started = time.monotonic()
            base = self._checked(command, lambda r: parse_base_message(
                r.data, with_fingerprint=self.read_fingerprint))
            extra = self.read_added_address() if added_address else ""
            card = parse_text_block(base.text, photo_wlt=base.photo,
                                    fingerprint=base.fingerprint, added_address=extra,
                                    today=date.today())
            card = replace(card, photo_bmp=self._decode_photo(base.photo))
            log.info("%s: read %s card in %.0f ms (%d warnings)", self, card.card_type.value,
                     (time.monotonic() - started) * 1000, len(card.warnings))
            return card

    def read_added_address(self) -> str:
        """30 03: the 追加住址, or ``""`` when the card has none (91)."""
        def parse(reply: Reply) -> str:
            if reply.sw3 == SW_NO_CONTENT:
                return ""
            return parse_added_address(check_added_address(reply.data))
        return self._checked(Command.READ_ADDED_ADDRESS, parse,
                             ok=frozenset({SW_OK, SW_NO_CONTENT}))

    def start_polling(self, listener: IdCardListener, *,
                      interval_s: float | None = None) -> IdCardPoller:
        """Start an :class:`IdCardPoller` that ``close()`` will stop."""
        poller = IdCardPoller(self, listener, interval_s=interval_s)
        self._pollers.append(poller)
        poller.start()
        return poller

    def close(self) -> None:
        pollers, self._pollers = self._pollers, []
        for poller in pollers:
            poller.stop()
        super().close()

    # -- maintenance ------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        info = super().describe()
        if self._sam_id is None and self.is_open:
            try:
                self.sam_id()
            except DeviceError as err:
                log.debug("%s: SAM id unavailable for describe(): %s", self, err)
        info.update(sam_id=self._sam_id, read_fingerprint=self.read_fingerprint,
                    poll_interval_s=self.poll_interval_s,
                    photo_decoder=type(self.photo_decoder).__name__ if self.photo_decoder
                    else None)
        return info

    def self_test(self) -> SelfTestResult:
        checks: dict[str, str] = {}
        try:
            self.open()
            checks["open"] = "ok"
            self.status()
            checks["status"] = "ok"
            sam = self.sam_id()
            checks["sam_id"] = "ok"
        except DeviceError as err:
            failed = next(n for n in ("open", "status", "sam_id") if n not in checks)
            checks[failed] = err.detail
            return SelfTestResult(False, f"{self.label_zh}自检失败：{err.user_message}", checks,
                                  err.detail)
        return SelfTestResult(True, f"{self.label_zh}正常", checks, f"SAM id {sam}")

    # -- internals --------------------------------------------------------------------------
    def _timeout_for(self, command: Command) -> float:
        base = self.read_timeout_s if command in _SLOW else self.timeout_s
        return base + self._wire_time_s(_REPLY_BYTES.get(command, 11) + 10)

    def _wire_time_s(self, nbytes: int) -> float:
        """Time ``nbytes`` take on the line (0 for in-process backends)."""
        return 0.0

    def _call(self, command: Command) -> Reply:
        """One request/reply, any status (but 10/11 and damaged replies are resent once)."""
        return self._checked(command, _identity, ok=None)

    def _checked(self, command: Command, parse: Callable[[Reply], _T], *,
                 ok: AbstractSet[int] | None = _OK) -> _T:
        """Send ``command``; a status outside ``ok`` raises its typed error; ``parse`` the
        reply. A damaged reply (``ProtocolError``, also from ``parse``) or 10/11 → discard
        the input and send once more."""
        with self._io:
            if not self.is_open:
                raise DeviceUnavailableError(f"{self}: not open",
                                             user_message="身份证阅读器未连接，请联系工作人员")
            for attempt in (1, 2):
                started = time.monotonic()
                try:
                    reply = self._transact(Request(command), self._timeout_for(command))
                    if reply.sw3 in RESEND_STATUSES or (ok is not None and reply.sw3 not in ok):
                        raise status_error(command, reply.sw3)
                    result = parse(reply)
                except (ProtocolError, SamStatusError) as err:
                    damaged = isinstance(err, ProtocolError) or err.sw3 in RESEND_STATUSES
                    if attempt == 2 or not damaged:
                        raise
                    log.debug("%s: %s: %s; resending", self, command.label, err.detail)
                    self._discard_input()
                    continue
                log.debug("%s: %s -> 0x%02X (%d B) in %.1f ms", self, command.label, reply.sw3,
                          len(reply.data), (time.monotonic() - started) * 1000)
                return result
            raise AssertionError("unreachable")

    @staticmethod
    def _expect(command: Command, reply: Reply, ok: AbstractSet[int],
                absent: AbstractSet[int] = frozenset()) -> bool:
        if reply.sw3 in ok:
            return True
        if reply.sw3 in absent:
            return False
        raise status_error(command, reply.sw3)

    def _decode_photo(self, wlt: bytes) -> bytes | None:
        if self.photo_decoder is None or not wlt:
            return None
        try:
            return self.photo_decoder.decode(wlt)
        except Exception as err:  # a vendor library must not cost us the card
            log.warning("%s: photo decoder %s failed: %s", self,
                        type(self.photo_decoder).__name__, type(err).__name__)
            return None

    @abc.abstractmethod
    def _transact(self, request: Request, timeout_s: float) -> Reply:
        """Send one request, return the first well-formed reply (any status)."""

    def _discard_input(self) -> None:
        """Drop whatever unread bytes the link holds (before a resend)."""


# --------------------------------------------------------------------------- polling


class IdCardListener(Protocol):
    """Receives the poller's events, on the poller's thread (``ui/bridge.py`` queues them)."""

    def on_card(self, card: IdCardData) -> None: ...

    def on_removed(self) -> None: ...

    def on_error(self, error: DeviceError) -> None: ...


class IdCardPoller:
    """The reader state machine of §A.9 on a :class:`~devices.base.DeviceWorker`.

    Every ``interval_s`` (default: the reader's ``poll_interval_s``) it sends *find*:

    * 9F → select + read. A card whose (type, number) equals the current one raises no
      event: a card left on the reader is reported once. A different card raises
      ``on_removed`` for the old one, then ``on_card``.
    * 80 → *select* probes the field, because a card that has been read often ignores
      find but still answers select (§A.3, vendors' "same card read once"): 90 with a
      current card = still there; 90 without one = a card nobody has read yet in this
      session (after a restart or an error) → read it; 81 with a current card = a miss,
      and ``removal_misses`` consecutive misses raise ``on_removed``.
    * a ``DeviceError`` goes to ``on_error`` — once while the same kind of error repeats —
      and polling goes on; a vanished port also ends the current card (``on_removed``).

    While a card is current its holder's name, numbers and addresses are registered with
    :func:`kiosk.redaction.register_sensitive`; they are unregistered on removal and on
    :meth:`stop`. Listener exceptions are logged and swallowed. The poller opens the reader
    when it is not open (a reader absent at start-up is picked up once plugged in), so stop
    it before closing the reader — ``reader.start_polling()`` pollers are stopped by
    ``reader.close()``.
    """

    def __init__(self, reader: IdCardReader, listener: IdCardListener, *,
                 interval_s: float | None = None, removal_misses: int = 2) -> None:
        self.reader = reader
        self.listener = listener
        self.removal_misses = max(1, removal_misses)
        self._misses = 0
        self._current: IdCardData | None = None
        self._registered: list[tuple[str, SensitiveKind]] = []
        self._last_error: tuple[type, int | None] | None = None
        self._lock = threading.RLock()
        self._thread_id: int | None = None
        self._worker = DeviceWorker(f"idcard-poller {reader}", self._worker_step,
                                    interval_s=interval_s or reader.poll_interval_s,
                                    on_error=self._unexpected)

    @property
    def current(self) -> IdCardData | None:
        return self._current

    @property
    def running(self) -> bool:
        return self._worker.running

    def start(self) -> None:
        self._worker.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling and forget the current card (no event). Not from a listener callback
        (the poller's own thread cannot wait for itself)."""
        if threading.get_ident() == self._thread_id and self._worker.running:
            raise RuntimeError("IdCardPoller.stop() called from the poller's own thread")
        self._worker.stop(timeout)
        with self._lock:
            self._current = None
            self._unregister()

    close = stop

    def __enter__(self) -> IdCardPoller:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def poll_once(self) -> None:
        """One step of the state machine (the worker calls it; tests may too)."""
        with self._lock:
            try:
                self._step()
            except DeviceUnavailableError as err:
                self._removed()
                self._report(err)
            except DeviceError as err:
                self._report(err)
            else:
                self._last_error = None

    def _worker_step(self) -> None:
        self._thread_id = threading.get_ident()
        self.poll_once()

    def _step(self) -> None:
        reader = self.reader
        if not reader.is_open:
            reader.open()
        if reader.find_card():
            if reader.select_card():
                self._read(reader)
            return  # 81 after 9F: the card is still moving into the field; next poll
        # No answer to find. A card that has already been read typically ignores find
        # but still answers select (§A.3): select tells "still there" from "gone".
        if reader.select_card():
            self._misses = 0
            if self._current is None:
                self._read(reader)  # e.g. read before a restart or an error: read it now
            return
        if self._current is None:
            return
        self._misses += 1
        if self._misses >= self.removal_misses:
            self._removed()

    def _read(self, reader: IdCardReader) -> None:
        card = reader.read_selected()
        self._misses = 0
        current = self._current
        if current is not None and \
                (current.card_type, current.id_number) == (card.card_type, card.id_number):
            return  # the same card answered find again: no new event
        if current is not None:
            self._removed()
        self._current = card
        self._register(card)
        self._emit("on_card", card)

    def _removed(self) -> None:
        self._misses = 0
        if self._current is None:
            return
        self._current = None
        self._unregister()
        self._emit("on_removed")

    def _register(self, card: IdCardData) -> None:
        self._unregister()
        for value, kind in card.sensitive_values:
            register_sensitive(value, kind=kind)
            self._registered.append((value, kind))

    def _unregister(self) -> None:
        for value, kind in self._registered:
            unregister_sensitive(value, kind=kind)
        self._registered.clear()

    def _report(self, err: DeviceError) -> None:
        key = (type(err), getattr(err, "sw3", None))
        if key == self._last_error:
            return
        self._last_error = key
        log.warning("%s: %s", self.reader, err.detail)
        self._emit("on_error", err)

    def _unexpected(self, err: Exception) -> None:
        # A bug, not a device condition: report it like a device error, keep polling.
        log.error("%s: poller step failed: %s", self.reader, type(err).__name__)
        self._emit("on_error", DeviceError(f"poller step failed: {type(err).__name__}"))

    def _emit(self, event: str, *args: Any) -> None:
        try:
            getattr(self.listener, event)(*args)
        except Exception as err:
            log.error("%s: listener %s failed: %s", self.reader, event, type(err).__name__)
