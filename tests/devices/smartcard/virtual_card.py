"""A pure-Python card for vsmartcard-vpcd: ``insert()`` connects to vpcd, ``remove()``
disconnects (reference/devices.md §C.2).

Wire protocol: every message is ``uint16 big-endian length`` + payload. Length 1 is a
control byte from vpcd (``00`` power off, ``01`` power on, ``02`` reset, ``04`` send ATR —
answered with ``len + ATR``); anything else is a command APDU, answered with
``len + response APDU``. The card behind it is any ``devices.smartcard.simulated``
``SimulatedCard``; when its ``handle`` raises ``CardPulled`` the socket is closed at once,
which pcscd sees as the card leaving the reader mid-command.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from types import TracebackType

from devices.smartcard.simulated import CardPulled, SimulatedCard

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963          # slot 'Virtual PCD 00 00'; 35964 is 'Virtual PCD 00 01'


# vpcd (Debian 0.8) writes each message's length and payload with two send() calls and no
# TCP_NODELAY, so its payload waits (Nagle) for our ACK of the length, which Linux delays by
# ~40 ms: 45 ms per APDU instead of 0.1 ms. Quick ACKs (re-armed after every recv) fix it.
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)


class _ClosedError(Exception):
    pass


class VirtualCard:
    def __init__(self, card: SimulatedCard, *, port: int = VPCD_PORT) -> None:
        self.card = card
        self.port = port
        self.pulled = threading.Event()    # the card disconnected itself (CardPulled)
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def insert(self, timeout_s: float = 5.0) -> VirtualCard:
        if self._thread is not None:
            raise RuntimeError("already inserted")
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                sock = socket.create_connection((VPCD_HOST, self.port), timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.settimeout(0.1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._stop.clear()
        self.pulled.clear()
        self._thread = threading.Thread(target=self._serve, name=f"vpcd-card:{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def remove(self) -> None:
        """Disconnect (the card leaves the reader) and stop the thread; idempotent."""
        self._stop.set()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    @property
    def inserted(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> VirtualCard:
        return self.insert() if self._thread is None else self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.remove()

    # -- the card's thread ---------------------------------------------------------------
    def _recv(self, sock: socket.socket, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            if self._stop.is_set():
                raise _ClosedError
            try:
                chunk = sock.recv(n - len(buf))
                if _QUICKACK is not None:
                    sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            except TimeoutError:
                continue
            except OSError as err:
                raise _ClosedError from err
            if not chunk:
                raise _ClosedError
            buf += chunk
        return buf

    def _send(self, sock: socket.socket, payload: bytes) -> None:
        sock.sendall(struct.pack("!H", len(payload)) + payload)

    def _serve(self) -> None:
        sock = self._sock
        assert sock is not None
        try:
            while True:
                (size,) = struct.unpack("!H", self._recv(sock, 2))
                message = self._recv(sock, size)
                if size == 1:
                    if message[0] == 0x04:
                        self._send(sock, self.card.atr)
                    elif message[0] in (0x01, 0x02):
                        self.card.reset()
                    continue
                try:
                    answer = self.card.handle(message)
                except CardPulled:
                    self.pulled.set()
                    return
                self._send(sock, answer)
        except _ClosedError:
            pass
        except BaseException as err:  # surfaced by the tests, never swallowed silently
            self.error = err
        finally:
            sock.close()
            self._sock = None
