"""A SAM_V reader emulator on the device side of a pty pair, for tests and the benchmark.

It is written from the reference code of ``reference/devices.md`` §A.10, independently of
``devices.idcard.protocol``, so the adapter is not only checked against itself. One thread
reads the pty master, collects request frames (resyncing on the preamble, answering 10/11
to a request with a bad checksum/length, as a SAM does) and answers from a scriptable
table::

    with SamEmulator() as emu:                       # emu.path: the tty the adapter opens
        emu.place(EmuCard.from_card(card))           # or EmuCard(text=<256 raw bytes>)
        emu.on(FIND, Act(garbage=b"\\x00\\xaa"), Act(status=0x80))
        emu.on(READ_BASE, Act(chunks=5, chunk_delay_s=0.01), Act(bad_xor=True))
        emu.on(READ_BASE, Act(vanish_after=300))     # close the line mid-reply

``pace_baud`` makes it behave like a real UART: the reply starts after the request's own
wire time and its bytes are written at ``pace_baud`` / 10 bytes per second.
"""

from __future__ import annotations

import os
import select
import struct
import threading
import time
import tty
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce

from devices.idcard.cards import IdCardData, build_added_address, build_text_block

PRE = b"\xaa\xaa\xaa\x96\x69"

RESET = (0x10, 0xFF)
STATUS = (0x11, 0xFF)
SAM_ID = (0x12, 0xFF)
FIND = (0x20, 0x01)
SELECT = (0x20, 0x02)
READ_BASE = (0x30, 0x01)
READ_BASE_FP = (0x30, 0x10)
READ_ADDED = (0x30, 0x03)


def xor(data: bytes) -> int:
    return reduce(lambda x, v: x ^ v, data, 0)


def response(sw3: int, payload: bytes = b"", *, bad_xor: bool = False,
             len_delta: int = 0) -> bytes:
    body = struct.pack(">H", len(payload) + 4 + len_delta) + bytes((0, 0, sw3)) + payload
    return PRE + body + bytes((xor(body) ^ (0x5A if bad_xor else 0),))


def request(cmd: int, para: int, data: bytes = b"") -> bytes:
    body = struct.pack(">H", len(data) + 3) + bytes((cmd, para)) + data
    return PRE + body + bytes((xor(body),))


@dataclass
class Act:
    """How to answer one request. Defaults: the normal answer, at once, in one write."""

    status: int | None = None  # answer with this SW3 (and ``payload``, default none)
    payload: bytes | None = None
    raw: bytes | None = None  # send exactly these bytes instead of a reply
    garbage: bytes = b""  # sent before the reply
    bad_xor: bool = False
    len_delta: int = 0  # wrong LEN field
    silent: bool = False  # send nothing at all
    delay_s: float = 0.0  # before the first byte
    chunks: int = 1  # split the reply into this many writes …
    chunk_delay_s: float = 0.0  # … with this pause between them
    vanish_after: int | None = None  # close the line after this many bytes of the reply


@dataclass
class EmuCard:
    text: bytes
    photo: bytes = field(default_factory=lambda: bytes(1024))
    fingerprint: bytes = b""
    added_address: bytes | None = None  # 70 bytes, or None → 91

    @classmethod
    def from_card(cls, card: IdCardData, *, fingerprint: bytes = b"") -> EmuCard:
        return cls(text=build_text_block(card), photo=card.photo_wlt or bytes(1024),
                   fingerprint=fingerprint or (card.fingerprint or b""),
                   added_address=build_added_address(card.added_address)
                   if card.added_address else None)


class SamEmulator:
    def __init__(self, *, sam_id: bytes = bytes(range(16)), halt_after_read: bool = True,
                 pace_baud: int | None = None) -> None:
        self.sam_id = sam_id
        self.halt_after_read = halt_after_read
        self.pace_baud = pace_baud
        self.requests: list[tuple[int, int]] = []
        self.bad_requests = 0
        self.replies = threading.Semaphore(0)  # released after every complete reply
        self._card: EmuCard | None = None
        self._halted = False
        self._script: dict[tuple[int, int], list[Act]] = defaultdict(list)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._master_open = True

    # -- life -----------------------------------------------------------------------------
    def start(self) -> SamEmulator:
        self._thread = threading.Thread(target=self._run, name="sam-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self._close_master()
        if self._slave >= 0:
            os.close(self._slave)
            self._slave = -1

    def __enter__(self) -> SamEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def vanish(self) -> None:
        """Unplug: close the device side; the adapter's next read/write fails."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)
        self._close_master()

    def _close_master(self) -> None:
        with self._lock:
            if self._master_open:
                self._master_open = False
                os.close(self._master)

    # -- script -----------------------------------------------------------------------------
    def place(self, card: EmuCard | IdCardData) -> None:
        if isinstance(card, IdCardData):
            card = EmuCard.from_card(card)
        with self._lock:
            self._card, self._halted = card, False

    def remove(self) -> None:
        with self._lock:
            self._card, self._halted = None, False

    def on(self, command: tuple[int, int], *acts: Act) -> None:
        """Queue special answers for the next requests of ``command``."""
        with self._lock:
            self._script[command].extend(acts)

    def count(self, command: tuple[int, int]) -> int:
        return self.requests.count(command)

    # -- device loop ----------------------------------------------------------------------
    def _run(self) -> None:
        buf = b""
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._master], [], [], 0.02)
                if not ready:
                    continue
                data = os.read(self._master, 4096)
            except OSError:
                return
            if not data:
                return
            buf += data
            while True:
                i = buf.find(PRE)
                if i < 0:
                    buf = buf[-4:]
                    break
                buf = buf[i:]
                if len(buf) < 7:
                    break
                n = struct.unpack(">H", buf[5:7])[0]
                if n < 3 or n > 64:
                    buf = buf[1:]
                    self.bad_requests += 1
                    self._send(Act(), response(0x11), 10)
                    continue
                if len(buf) < 7 + n:
                    break
                frame, buf = buf[:7 + n], buf[7 + n:]
                if xor(frame[5:-1]) != frame[-1]:
                    self.bad_requests += 1
                    self._send(Act(), response(0x10), len(frame))
                    continue
                self._handle(frame[7], frame[8], len(frame))

    def _handle(self, cmd: int, para: int, request_len: int) -> None:
        key = (cmd, para)
        with self._lock:
            self.requests.append(key)
            act = self._script[key].pop(0) if self._script.get(key) else Act()
            default_sw3, default_payload = self._answer(key, act)
        if act.silent:
            return
        if act.raw is not None:
            reply = act.raw
        else:
            sw3 = default_sw3 if act.status is None else act.status
            payload = act.payload if act.payload is not None else (
                default_payload if act.status is None else b"")
            reply = response(sw3, payload, bad_xor=act.bad_xor, len_delta=act.len_delta)
        self._send(act, act.garbage + reply, request_len)

    def _answer(self, key: tuple[int, int], act: Act) -> tuple[int, bytes]:
        card = self._card
        if key in (RESET, STATUS):
            return 0x90, b""
        if key == SAM_ID:
            return 0x90, self.sam_id
        if key == FIND:
            return (0x9F, bytes(4)) if card is not None and not self._halted else (0x80, b"")
        if key == SELECT:
            return (0x90, bytes(8)) if card is not None else (0x81, b"")
        if card is None:
            return 0x41, b""
        if key in (READ_BASE, READ_BASE_FP):
            if act.status is None:
                self._halted = self.halt_after_read
            head = struct.pack(">HH", len(card.text), len(card.photo))
            if key == READ_BASE_FP:
                head += struct.pack(">H", len(card.fingerprint))
                return 0x90, head + card.text + card.photo + card.fingerprint
            return 0x90, head + card.text + card.photo
        if key == READ_ADDED:
            return (0x91, b"") if card.added_address is None else (0x90, card.added_address)
        return 0x21, b""

    def _send(self, act: Act, data: bytes, request_len: int) -> None:
        if self.pace_baud:
            time.sleep(request_len * 10 / self.pace_baud)  # the request's own wire time
        if act.delay_s:
            time.sleep(act.delay_s)
        if act.vanish_after is not None:
            self._write(data[:act.vanish_after])
            self._stop.set()
            self._close_master()
            return
        step = max(1, -(-len(data) // max(1, act.chunks)))
        for i in range(0, len(data), step):
            if i and act.chunk_delay_s:
                time.sleep(act.chunk_delay_s)
            self._write(data[i:i + step])
        self.replies.release()

    def _write(self, data: bytes) -> None:
        if not self.pace_baud:
            self._write_all(data)
            return
        # A UART: byte k has fully arrived at t0 + (k + 1) * 10 / baud. Hand bytes over in
        # small bursts, each only once its last byte would have arrived.
        byte_time = 10 / self.pace_baud
        t0 = time.perf_counter()
        for i in range(0, len(data), 16):
            end = min(i + 16, len(data))
            pause = t0 + end * byte_time - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            self._write_all(data[i:end])

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self._master, view)
            except OSError:
                return
            view = view[n:]
