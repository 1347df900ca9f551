"""PC/SC backend: ``PcscCardReader`` over pyscard and pcscd.

``PcscCardReader(reader="")`` uses the first PC/SC reader, or the one whose name equals,
starts with or (case-insensitively) contains ``reader`` — PC/SC names carry slot suffixes
(``"ACS ACR39U ICC Reader 00 00"``), so ``reader = "ACR39U"`` is enough. The name is
resolved again after the reader disappears, so a re-plugged reader is found again.

* Card sessions use pyscard's ``PCSCCardConnection`` (shared mode, T=0 or T=1; the card is
  powered down on disconnect, so every session starts from a fresh reset — except after a
  failed transmit, see ``_transmit``).
* Presence is watched with ``SCardGetStatusChange`` on a context of its own, blocking up to
  ``poll_timeout_s`` — changes are seen as soon as pcscd sees them (pcscd polls a reader
  without interrupt support every 400 ms) and the monitoring thread stops within that time.
  pyscard's ``CardMonitor`` is not used: it is a process-wide singleton whose thread lives
  as long as any observer.

Error mapping (pyscard exception / PC/SC code → ours):

==========================================================  ==============================
``NoCardException``, ``SCARD_E_NO_SMARTCARD``, ``…REMOVED_CARD``  ``NoCardError`` (connect)
``SCARD_W_UNRESPONSIVE_CARD``                                 ``DeviceOperationError`` (插反?)
any failure during a transmit                                 ``CardRemovedError``
``SCARD_E_NO_SERVICE``/``SERVICE_STOPPED`` (pcscd down),       ``DeviceUnavailableError``
``UNKNOWN_READER``/``READER_UNAVAILABLE``/``NO_READERS…``
==========================================================  ==============================
"""

from __future__ import annotations

import logging
from typing import Any

from smartcard import scard
from smartcard.Exceptions import NoCardException, SmartcardException
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.System import readers as _pyscard_readers

from devices.smartcard.base import CardRemovedError, NoCardError, SmartCardReader
from kiosk.errors import DeviceError, DeviceOperationError, DeviceUnavailableError

log = logging.getLogger(__name__)

_PyscardError = (SmartcardException, BaseSCardException)

_UNAVAILABLE = {
    scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_UNKNOWN_READER,
    scard.SCARD_E_READER_UNAVAILABLE, scard.SCARD_E_NO_READERS_AVAILABLE,
    scard.SCARD_E_INVALID_HANDLE, scard.SCARD_F_COMM_ERROR,
}
_NO_CARD = {scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD,
            scard.SCARD_W_UNPOWERED_CARD}
READER_GONE_MESSAGE = "读卡器未连接或不可用，请联系工作人员"
MUTE_CARD_MESSAGE = "卡片无响应，请确认芯片朝上插入后重试"
BUSY_MESSAGE = "读卡器正被其他程序占用，请联系工作人员"


def _hresult(err: BaseException) -> int:
    value = getattr(err, "hresult", -1)
    return value & 0xFFFFFFFF if isinstance(value, int) and value != -1 else -1


def map_error(err: BaseException, operation: str) -> DeviceError:
    """Our error for a pyscard exception (or PC/SC code) met during ``operation``
    (``"list readers"``, ``"connect"``, ``"transmit"``, ``"status"``)."""
    hr = _hresult(err)
    detail = f"PC/SC {operation}: {err}"
    if hr != -1 and f"{hr:08X}" not in detail.upper():
        detail += f" (0x{hr:08X})"
    if hr in _UNAVAILABLE or (hr == -1 and isinstance(err, BaseSCardException)):
        return DeviceUnavailableError(detail, user_message=READER_GONE_MESSAGE)
    if operation == "connect":
        if isinstance(err, NoCardException) or hr in _NO_CARD:
            return NoCardError(detail)
        if hr == scard.SCARD_W_UNRESPONSIVE_CARD:
            return DeviceOperationError(detail, user_message=MUTE_CARD_MESSAGE)
        if hr == scard.SCARD_E_SHARING_VIOLATION:
            return DeviceOperationError(detail, user_message=BUSY_MESSAGE)
        return DeviceOperationError(detail, user_message="无法读取卡片，请重新插卡后再试")
    if operation == "transmit":
        return CardRemovedError(detail)
    return DeviceOperationError(detail)


def _code_error(hr: int, operation: str) -> DeviceError:
    return map_error(BaseSCardException(message=scard.SCardGetErrorMessage(hr), hresult=hr),
                     operation)


def list_readers() -> list[str]:
    """Names of the PC/SC readers; ``DeviceUnavailableError`` when pcscd is not running."""
    try:
        return [str(r) for r in _pyscard_readers()]
    except _PyscardError as err:
        raise map_error(err, "list readers") from err


class PcscCardReader(SmartCardReader):
    backend = "pcsc"
    label_zh = "社保卡读卡器"

    def __init__(self, reader: str = "") -> None:
        super().__init__()
        self.reader = reader
        self._name: str | None = None
        self._connection: Any = None
        self._context: int | None = None
        self._state = scard.SCARD_STATE_UNAWARE
        self._last_atr: bytes | None = None
        self._leave_card = False

    def location(self) -> str:
        return self._name or self.reader or "(first PC/SC reader)"

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info["reader_option"] = self.reader
        try:
            info["readers"] = list_readers()
        except DeviceError as err:
            info["readers"] = f"unavailable: {err.detail}"
        return info

    def _resolve(self, names: list[str]) -> str:
        if not names:
            raise DeviceUnavailableError("no PC/SC reader connected",
                                         user_message=READER_GONE_MESSAGE)
        if not self.reader:
            return names[0]
        wanted = self.reader.lower()
        for test in (lambda n: n == self.reader, lambda n: n.startswith(self.reader),
                     lambda n: wanted in n.lower()):
            for name in names:
                if test(name):
                    return name
        raise DeviceUnavailableError(f"PC/SC reader {self.reader!r} not found "
                                     f"(connected: {', '.join(names)})",
                                     user_message=READER_GONE_MESSAGE)

    # -- lifetime ----------------------------------------------------------------------------
    def _open(self) -> None:
        self._name = self._resolve(list_readers())

    def _close(self) -> None:
        self._drop_connection()
        self._release_context()

    # -- presence ----------------------------------------------------------------------------
    def _monitor_context(self) -> int:
        if self._context is None:
            hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hr != scard.SCARD_S_SUCCESS:
                raise _code_error(hr, "status")
            self._context = context
            self._state = scard.SCARD_STATE_UNAWARE
        return self._context

    def _release_context(self) -> None:
        context, self._context = self._context, None
        self._state = scard.SCARD_STATE_UNAWARE
        self._last_atr = None
        if context is not None:
            scard.SCardReleaseContext(context)

    def _poll_card(self, timeout_s: float) -> bytes | None:
        context = self._monitor_context()
        try:
            if self._name is None:
                self._name = self._resolve(list_readers())
            name = self._name
            hr, states = scard.SCardGetStatusChange(context, int(timeout_s * 1000),
                                                    [(name, self._state)])
            if hr == scard.SCARD_E_TIMEOUT:
                return self._last_atr
            if hr != scard.SCARD_S_SUCCESS:
                raise _code_error(hr, "status")
            _, event, atr = states[0]
            if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                raise DeviceUnavailableError(f"PC/SC reader {name!r} is gone",
                                             user_message=READER_GONE_MESSAGE)
        except DeviceError:
            # start again from scratch next time: new context, name resolved again
            self._release_context()
            self._name = None
            raise
        self._state = event & ~scard.SCARD_STATE_CHANGED
        if event & scard.SCARD_STATE_PRESENT:
            self._last_atr = b"" if event & scard.SCARD_STATE_MUTE else bytes(atr)
        else:
            self._last_atr = None
        return self._last_atr

    # -- card sessions -------------------------------------------------------------------------
    def _connect(self) -> bytes:
        try:
            candidates = _pyscard_readers()
        except _PyscardError as err:
            raise map_error(err, "list readers") from err
        name = self._resolve([str(r) for r in candidates])
        self._name = name
        reader = next(r for r in candidates if str(r) == name)
        try:
            connection = reader.createConnection()
        except _PyscardError as err:
            raise map_error(err, "connect") from err
        try:
            connection.connect()
            atr = bytes(connection.getATR())
        except _PyscardError as err:
            _release(connection)
            raise map_error(err, "connect") from err
        self._connection = connection
        return atr

    def _transmit(self, command: bytes) -> bytes:
        connection = self._connection
        if connection is None:
            raise CardRemovedError("PC/SC transmit: not connected")
        try:
            data, sw1, sw2 = connection.transmit(list(command))
        except _PyscardError as err:
            # The card is gone: do not power it down on disconnect. Besides being pointless,
            # a power-down failing before pcscd's own poll has seen the removal leaves
            # pcscd 1.9.9 believing the slot empty until the *next* removal (a new card
            # is then never reported) — seen with vpcd, a polled reader like many others.
            self._leave_card = True
            raise map_error(err, "transmit") from err
        return bytes(data) + bytes((sw1, sw2))

    def _disconnect(self) -> None:
        self._drop_connection()

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            if self._leave_card:
                inner = getattr(connection, "component", connection)  # pyscard's decorator
                inner.disposition = scard.SCARD_LEAVE_CARD
            _release(connection)
        self._leave_card = False


def _release(connection: Any) -> None:
    """Disconnect and release the connection's PC/SC context; the card may already be gone."""
    try:
        connection.disconnect()
    except _PyscardError as err:
        log.debug("PC/SC disconnect: %s", err)
    try:
        connection.release()
    except _PyscardError as err:
        log.debug("PC/SC release: %s", err)
