"""The ``SmartCardReader`` port: contact-card readers for 社保卡 and staff cards.

Public methods (owned here, the same for every backend):

* ``read_social_security_card()`` → :class:`~devices.smartcard.sscard.SocialSecurityCard`
  (its name and numbers are registered with :mod:`kiosk.redaction` at once; the session
  owner calls ``sscard.unregister_card_sensitive(card)`` when the citizen leaves);
* ``read_staff_card(challenge)`` → :class:`~devices.smartcard.staffcard.StaffCardAnswer`
  (verify it with ``StaffAuthenticator.verify``);
* ``session()`` — a context manager holding the card connection, whose ``transmit`` is the
  raw ``bytes -> bytes`` callable the pure modules (``sscard``, ``staffcard``) work over;
* ``card_atr()`` / ``wait_for_card(timeout_s)`` / ``wait_for_removal(timeout_s)``;
* insert/remove monitoring: ``add_listener(CardListener)`` then ``start_monitoring()``; one
  :class:`~devices.base.DeviceWorker` thread per reader calls ``on_inserted``,
  ``on_removed`` and ``on_error`` on that thread (``ui/bridge.py`` queues them to Qt).
  ``stop_monitoring()`` (and ``close()``) join the thread.

Errors (all ``DeviceError``, Chinese ``user_message``):

* :class:`NoCardError` — no card in the reader (a normal outcome: ask for the card);
* :class:`CardRemovedError` — the card left, or stopped answering, during a read
  ("请勿在读卡时拔出卡片");
* ``DeviceUnavailableError`` — reader or PC/SC service gone;
* ``apdu.CardStatusError`` / ``apdu.CardDataError`` — the card refused a step or its
  data does not decode (e.g. not a social security card, 6982 security status).

Backends implement only the hooks ``_open``/``_close`` (from ``Device``), ``_poll_card``,
``_connect``, ``_transmit`` and ``_disconnect``. Logs carry command headers and status
words only, never response data (card data is personal).
"""

from __future__ import annotations

import abc
import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from devices.base import Device, DeviceWorker, SelfTestResult
from devices.smartcard import sscard, staffcard
from devices.smartcard.apdu import Command, Response, transceive
from devices.smartcard.sscard import SocialSecurityCard
from devices.smartcard.staffcard import StaffCardAnswer, StaffChallenge
from kiosk.errors import DeviceError, DeviceOperationError

log = logging.getLogger(__name__)


class NoCardError(DeviceOperationError):
    """There is no card in the reader (or it is not powered)."""

    default_user_message = "请插入卡片"


class CardRemovedError(DeviceOperationError):
    """The card was pulled out (or stopped answering) in the middle of a read."""

    default_user_message = "请勿在读卡时拔出卡片，请重新插卡"


@dataclass(frozen=True)
class CardEvent:
    reader: str       # str(reader)
    atr: bytes        # the card's ATR on insertion (b"" for a mute card); b"" on removal
    at: float         # time.time()

    def __repr__(self) -> str:
        return f"CardEvent(reader={self.reader!r}, atr={self.atr.hex(' ').upper()!r})"


class CardListener:
    """Override what you need. Called on the reader's monitoring thread; an exception
    raised here is logged and otherwise ignored."""

    def on_inserted(self, event: CardEvent) -> None:
        """A card was inserted (or was already there when monitoring started)."""

    def on_removed(self, event: CardEvent) -> None:
        """The card was removed (or the reader disappeared with it)."""

    def on_error(self, error: DeviceError) -> None:
        """The reader became unusable (reported once per outage)."""


class CardSession:
    """An open connection to the card; ``transmit(apdu) -> data || SW`` (raw, no 61xx/6Cxx
    handling — use :meth:`transceive` or the pure modules for that)."""

    def __init__(self, reader: SmartCardReader, atr: bytes) -> None:
        self._reader = reader
        self.atr = atr
        self.closed = False

    def transmit(self, command: bytes) -> bytes:
        if self.closed:
            raise DeviceOperationError("card session already closed")
        return self._reader._transmit_logged(command)

    def transceive(self, command: Command) -> Response:
        return transceive(self.transmit, command)


class SmartCardReader(Device):
    """See the module docstring."""

    kind = "smartcard"
    label_zh = "社保卡读卡器"
    #: how long one ``_poll_card`` call may block waiting for a change
    poll_timeout_s = 0.25
    #: pause between polls (backends whose ``_poll_card`` blocks set it small)
    poll_interval_s = 0.02
    #: after an error, how long the monitor waits before polling again
    error_backoff_s = 1.0

    def __init__(self) -> None:
        super().__init__()
        self._listeners: list[CardListener] = []
        self._listeners_lock = threading.Lock()
        self._card_lock = threading.Lock()
        self._poll_lock = threading.Lock()
        self._worker: DeviceWorker | None = None
        self._present: bytes | None = None  # monitor's view: ATR of the card in the reader
        self._failed = False
        self._retry_at = 0.0

    # -- listeners and monitoring ------------------------------------------------------------
    def add_listener(self, listener: CardListener) -> None:
        with self._listeners_lock:
            if listener not in self._listeners:
                self._listeners.append(listener)

    def remove_listener(self, listener: CardListener) -> None:
        with self._listeners_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def start_monitoring(self) -> None:
        """Start the monitoring thread (idempotent). The reader is opened by the thread, so
        a reader that is missing at start-up is reported through ``on_error`` and picked up
        when it appears. A card already in the reader is reported as inserted."""
        with self._lifecycle:
            if self._worker is None:
                self._present = None
                self._failed = False
                self._worker = DeviceWorker(f"smartcard-monitor {self}", self._monitor_once,
                                            interval_s=self.poll_interval_s)
                self._worker.start()

    def stop_monitoring(self) -> None:
        """Stop and join the monitoring thread (idempotent). Called from a listener — i.e. on
        that thread — it only asks the thread to stop after the callback returns."""
        with self._lifecycle:
            worker, self._worker = self._worker, None
        if worker is not None:
            # join() from the worker thread itself raises; the thread was told to stop anyway
            with contextlib.suppress(RuntimeError):
                worker.stop()

    @property
    def monitoring(self) -> bool:
        return self._worker is not None and self._worker.running

    def close(self) -> None:
        self.stop_monitoring()
        super().close()

    def _monitor_once(self) -> None:
        if self._failed and time.monotonic() < self._retry_at:
            time.sleep(min(0.05, max(0.0, self._retry_at - time.monotonic())))
            return
        try:
            try:
                atr = self._poll(self.poll_timeout_s)
            except DeviceError:
                raise
            except Exception as bug:  # a backend bug must not spin the loop unreported
                raise DeviceError(f"{self}: presence check failed: {bug!r}") from bug
        except DeviceError as err:
            self._retry_at = time.monotonic() + self.error_backoff_s
            if self._present is not None:
                self._present = None
                self._dispatch("on_removed", CardEvent(str(self), b"", time.time()))
            if not self._failed:
                self._failed = True
                log.warning("%s: %s", self, err.detail)
                self._dispatch("on_error", err)
            return
        if self._failed:
            log.info("%s: reader usable again", self)
            self._failed = False
        if atr == self._present:
            return
        if self._present is not None:  # removed (or swapped for another card)
            self._present = None
            self._dispatch("on_removed", CardEvent(str(self), b"", time.time()))
        if atr is not None:
            self._present = atr
            self._dispatch("on_inserted", CardEvent(str(self), atr, time.time()))

    def _dispatch(self, method: str, arg: Any) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        log.info("%s: %s", self, method[3:])
        for listener in listeners:
            try:
                getattr(listener, method)(arg)
            except Exception:
                log.exception("%s: listener %r failed in %s", self, listener, method)

    # -- presence ----------------------------------------------------------------------------
    def _poll(self, timeout_s: float) -> bytes | None:
        self.open()
        with self._poll_lock:
            return self._poll_card(timeout_s)

    def card_atr(self) -> bytes | None:
        """The ATR of the card in the reader (``b""`` for a mute card), ``None`` if empty."""
        return self._poll(0.0)

    def wait_for_card(self, timeout_s: float) -> bytes:
        """Block until a card is present; its ATR, or ``NoCardError`` after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            atr = self._poll(min(self.poll_timeout_s, max(0.0, deadline - time.monotonic())))
            if atr is not None:
                return atr
            if time.monotonic() >= deadline:
                raise NoCardError(f"{self}: no card within {timeout_s:g} s")
            time.sleep(self.poll_interval_s)

    def wait_for_removal(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while True:
            if self._poll(min(self.poll_timeout_s,
                              max(0.0, deadline - time.monotonic()))) is None:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(self.poll_interval_s)

    # -- card sessions -------------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[CardSession]:
        """Connect to the card for a sequence of commands (one session at a time)."""
        self.open()
        with self._card_lock:
            atr = self._connect()
            session = CardSession(self, atr)
            try:
                yield session
            finally:
                session.closed = True
                try:
                    self._disconnect()
                except Exception as err:  # the card may be gone; nothing to undo
                    log.debug("%s: disconnect: %s", self, err)

    def _transmit_logged(self, command: bytes) -> bytes:
        header = command[:4].hex(" ").upper()
        try:
            answer = self._transmit(command)
        except DeviceError:
            log.info("%s: %s → failed", self, header)
            raise
        except Exception as err:  # a backend bug must still look like a device error
            raise DeviceOperationError(f"{self}: transmit {header}: {err!r}") from err
        if len(answer) >= 2:
            log.debug("%s: %s → %s (%d data bytes)", self, header, answer[-2:].hex().upper(),
                      len(answer) - 2)
        return answer

    def read_social_security_card(self) -> SocialSecurityCard:
        with self.session() as card:
            result = sscard.read_social_security_card(card.transmit)
        sscard.register_card_sensitive(result)
        log.info("%s: social security card read: %r", self, result)
        return result

    def read_staff_card(self, challenge: StaffChallenge) -> StaffCardAnswer:
        with self.session() as card:
            answer = staffcard.read_staff_card(card.transmit, challenge, atr=card.atr)
        log.info("%s: staff card %s answered a challenge", self, answer.staff_id)
        return answer

    # -- maintenance ---------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["monitoring"] = self.monitoring
        present = self._present
        info["card_atr"] = present.hex(" ").upper() if present is not None else None
        return info

    def self_test(self) -> SelfTestResult:
        base = super().self_test()
        if not base.ok:
            return base
        try:
            atr = self.card_atr()
        except DeviceError as err:
            return SelfTestResult(False, f"{self.label_zh}无法查询卡片状态：{err.user_message}",
                                  {"open": "ok", "status": err.detail}, err.detail)
        card = "absent" if atr is None else f"present, ATR {atr.hex(' ').upper()}"
        return SelfTestResult(True, f"{self.label_zh}正常", {"open": "ok", "card": card})

    # -- hooks ------------------------------------------------------------------------------
    @abc.abstractmethod
    def _poll_card(self, timeout_s: float) -> bytes | None:
        """ATR of the card present (``b""`` if mute), or ``None``. May block up to
        ``timeout_s`` waiting for a change. ``DeviceUnavailableError`` if the reader is gone."""

    @abc.abstractmethod
    def _connect(self) -> bytes:
        """Power up / connect to the card; its ATR. ``NoCardError`` if there is none."""

    @abc.abstractmethod
    def _transmit(self, command: bytes) -> bytes:
        """One raw exchange: ``data || SW1 SW2``. ``CardRemovedError`` if the card went."""

    @abc.abstractmethod
    def _disconnect(self) -> None:
        """End the card connection (may raise; the port ignores it)."""
