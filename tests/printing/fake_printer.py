"""A fake network receipt printer on loopback: collects job bytes, answers ``DLE EOT n``.

``FakeNetworkPrinter(table)`` listens on ``127.0.0.1:<free port>`` (one thread, one client
at a time, like a JetDirect port). A chunk ending in ``10 04 n`` (n = 1..4) ends with a
real-time status query, answered from ``table[n]`` — or not at all when ``table[n]`` is
``None`` (a printer that never answers). Everything else is job data, kept in
``received``; when a job's cut (``GS V``) arrives, ``after_job`` (if set) becomes the
table, so "paper ran out during the job" can be scripted. Use it as a context manager:
``stop()`` closes the sockets and joins the thread.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from types import TracebackType

from printing.escpos import STATUS_TABLES

SILENT: Mapping[int, int | None] = {1: None, 2: None, 3: None, 4: None}


class FakeNetworkPrinter:
    def __init__(self, table: Mapping[int, int | None] | str = "paper_ok") -> None:
        self.table: dict[int, int | None] = dict(self._resolve(table))
        self.after_job: dict[int, int | None] | None = None
        self.received = bytearray()
        self.queries: list[int] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(4)
        self._server.settimeout(0.05)
        self.host, self.port = self._server.getsockname()
        self._thread = threading.Thread(target=self._serve, name="fake-escpos-printer",
                                        daemon=True)

    @staticmethod
    def _resolve(table: Mapping[int, int | None] | str) -> Mapping[int, int | None]:
        return STATUS_TABLES[table] if isinstance(table, str) else table

    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def set_table(self, table: Mapping[int, int | None] | str) -> None:
        with self._lock:
            self.table = dict(self._resolve(table))

    def set_after_job(self, table: Mapping[int, int | None] | str | None) -> None:
        with self._lock:
            self.after_job = dict(self._resolve(table)) if table is not None else None

    def start(self) -> FakeNetworkPrinter:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        self._server.close()

    def __enter__(self) -> FakeNetworkPrinter:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            with conn:
                conn.settimeout(0.05)
                self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            query = None
            if len(chunk) >= 3 and chunk[-3:-1] == b"\x10\x04" and 1 <= chunk[-1] <= 4:
                # a query may arrive glued to the end of the job data it follows
                chunk, query = chunk[:-3], chunk[-1]
            with self._lock:
                self.received += chunk
                if b"\x1dV" in chunk and self.after_job is not None:
                    self.table, self.after_job = self.after_job, None
                if query is not None:
                    self.queries.append(query)
                reply = self.table.get(query) if query is not None else None
            if reply is not None:
                conn.sendall(bytes((reply,)))
