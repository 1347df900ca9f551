"""``SerialIdCardReader``: the SAM_V protocol over a serial / USB-serial port (pyserial).

The port is opened with :func:`serial.serial_for_url`, so ``/dev/ttyUSB0``, a pty path,
``socket://host:port`` (serial-to-Ethernet converters, emulators) and ``loop://`` all work.
Line settings are 8N1 without flow control at ``baudrate`` (factory default 115200).

Each request first discards stale input (a late reply to an earlier, timed-out request
must not be taken for this one), then reads whatever arrives in short slices and feeds the
:class:`~devices.idcard.protocol.FrameParser` until a frame completes or the deadline
passes. Once a damaged frame has been seen, only a short grace period is left for a good
one; a reply that started and then stalls is over after a short idle gap. Both end in
``ProtocolError`` (the port then resends once); no byte at all ends in
``DeviceTimeoutError``. When the port vanishes (USB
cable pulled, pty closed) the call raises ``DeviceUnavailableError`` and the next call
tries to reopen it, so a poller recovers by itself when the reader comes back.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

import serial

from devices.idcard.base import IdCardReader
from devices.idcard.photo import PhotoDecoder
from devices.idcard.protocol import MIN_REPLY_LEN, FrameParser, ProtocolError, Reply, Request
from kiosk.errors import DeviceError, DeviceTimeoutError, DeviceUnavailableError

log = logging.getLogger(__name__)

_PORT_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError)
try:  # pyserial's posix backend lets termios.error (not an OSError) escape from tcflush
    import termios

    _PORT_ERRORS += (termios.error,)
except ImportError:  # pragma: no cover - not POSIX
    pass

_SLICE_S = 0.05  # longest single blocking read; the deadline is checked between slices
_GRACE_S = 0.2  # after a damaged frame: how long a good one may still take
_IDLE_S = 0.2  # a reply that started and then pauses this long is over (incomplete)
_BITS_PER_BYTE = 10  # start + 8 data + stop
MSG_UNAVAILABLE = "身份证阅读器未连接，请联系工作人员"


class SerialIdCardReader(IdCardReader):
    backend = "serial"
    label_zh = "串口身份证阅读器"

    def __init__(self, port: str, baudrate: int = 115200, timeout_s: float = 0.5,
                 read_timeout_s: float = 3.5, poll_interval_s: float = 0.3,
                 read_fingerprint: bool = False,
                 photo_decoder: PhotoDecoder | str | None = None) -> None:
        super().__init__(timeout_s=timeout_s, read_timeout_s=read_timeout_s,
                         poll_interval_s=poll_interval_s, read_fingerprint=read_fingerprint,
                         photo_decoder=photo_decoder)
        if not port:
            raise ValueError("port is required (a device path or a pyserial URL)")
        self.port = port
        self.baudrate = int(baudrate)
        self._ser: Any = None
        self._parser = FrameParser(min_len=MIN_REPLY_LEN)

    def location(self) -> str:
        return self.port

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(port=self.port, baudrate=self.baudrate, connected=self._ser is not None)
        return info

    # -- lifetime -----------------------------------------------------------------------
    def _open(self) -> None:
        self._ser = self._connect()

    def _close(self) -> None:
        self._drop()

    def _connect(self) -> Any:
        try:
            return serial.serial_for_url(
                self.port, baudrate=self.baudrate, bytesize=serial.EIGHTBITS,
                parity=serial.PARITY_NONE, stopbits=serial.STOPBITS_ONE, xonxoff=False,
                rtscts=False, dsrdtr=False, timeout=_SLICE_S, write_timeout=self.timeout_s)
        except (serial.SerialException, OSError, ValueError) as err:
            raise DeviceUnavailableError(f"cannot open {self.port}: {err}",
                                         user_message=MSG_UNAVAILABLE) from err

    def _drop(self) -> None:
        ser, self._ser = self._ser, None
        self._parser.reset()
        if ser is not None:
            try:
                ser.close()
            except Exception as err:  # the device may already be gone
                log.debug("%s: close failed: %s", self, err)

    # -- I/O ----------------------------------------------------------------------------
    def _wire_time_s(self, nbytes: int) -> float:
        return nbytes * _BITS_PER_BYTE / self.baudrate

    def _discard_input(self) -> None:
        self._parser.reset()
        if self._ser is not None:
            # a dead port is reported properly by the next transaction
            with contextlib.suppress(*_PORT_ERRORS):
                self._ser.reset_input_buffer()

    def _transact(self, request: Request, timeout_s: float) -> Reply:
        if self._ser is None:
            self._ser = self._connect()
            log.info("%s: reconnected", self)
        ser = self._ser
        try:
            self._parser.reset()
            ser.reset_input_buffer()
            ser.write(request.to_bytes())
            return self._receive(ser, request, timeout_s)
        except DeviceError:
            raise  # our own (DeviceTimeoutError is an OSError too)
        except serial.SerialTimeoutException as err:
            raise DeviceTimeoutError(f"{request.command.label}: write timed out") \
                from err
        except _PORT_ERRORS as err:
            self._drop()
            raise DeviceUnavailableError(
                f"{request.command.label}: port {self.port} lost: {err}",
                user_message=MSG_UNAVAILABLE) from err

    def _receive(self, ser: Any, request: Request, timeout_s: float) -> Reply:
        parser = self._parser
        label = request.command.label
        errors_before = parser.errors
        now = time.monotonic()
        deadline = now + timeout_s
        idle_limit = min(_IDLE_S, timeout_s / 2)
        received = 0
        last_byte = now
        while True:
            waiting = ser.in_waiting
            chunk = ser.read(waiting if waiting > 0 else 1)
            now = time.monotonic()
            frames = parser.feed(chunk) if chunk else []
            if chunk:
                received += len(chunk)
                last_byte = now
            if parser.errors > errors_before:
                deadline = min(deadline, now + _GRACE_S)
            over = now >= deadline or (received > 0 and now - last_byte >= idle_limit)
            if not frames and over:
                frames = parser.abandon()  # a garbage length may hide a good frame
            if frames:
                if len(frames) > 1:
                    log.debug("%s: %s: %d extra frames ignored", self, label, len(frames) - 1)
                return Reply.from_frame(frames[0])
            if over:
                break
        if received:
            raise ProtocolError(
                f"{label}: damaged or incomplete reply ({received} B; "
                f"{parser.checksum_errors} checksum, {parser.length_errors} length errors "
                f"so far)")
        raise DeviceTimeoutError(f"{label}: no reply within {timeout_s:.2f} s")
