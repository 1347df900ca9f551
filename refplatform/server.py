"""Run the reference platform: waitress in a background thread, optionally behind the
fault proxy, and the ``platform serve`` command.

::

    with PlatformServer(tmp_path / "platform") as server:
        token = server.state.mint_enrollment_token()
        server.inject("unavailable_503", count=2, retry_after_form="http-date")
        ...  # talk to server.url

With ``faults=True`` (the default) clients talk to :class:`~refplatform.faults.FaultProxy`
and ``url`` is the proxy's; waitress listens on another loopback port (``direct_url``).
``stop()`` wakes delayed requests, closes every connection and joins every thread it
started, well within 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from waitress import wasyncore
from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher

from refplatform.app import PlatformState, create_app
from refplatform.faults import FaultKind, FaultPlan, FaultProxy, FaultRule


class _Dispatcher(ThreadedTaskDispatcher):
    """waitress's worker pool, keeping the thread objects so that stop() can join them."""

    def __init__(self) -> None:
        super().__init__()
        self.thread_objects: list[threading.Thread] = []

    def start_new_thread(self, target: Callable[[int], None], thread_no: int) -> None:
        t = threading.Thread(target=target, name=f"refplatform-worker-{thread_no}",
                             args=(thread_no,), daemon=True)
        self.thread_objects.append(t)
        t.start()


class PlatformServer:
    """The reference platform on loopback. Not restartable: build a new one on the same
    ``data_dir`` to restart (keys, idempotency records and nonces persist)."""

    def __init__(self, data_dir: Path, *, db_url: str | None = None, host: str = "127.0.0.1",
                 port: int = 0, faults: bool = True, admin_token: str | None = None,
                 threads: int = 8, demo_token: str | None = None,
                 accept_after_s: float | None = 20.0, complete_after_s: float | None = 60.0,
                 clock: Callable[[], float] = time.time, public_url: str | None = None,
                 notice_ttl_s: float | None = None) -> None:
        self.data_dir = Path(data_dir)
        self._db_url, self._host, self._port = db_url, host, port
        self._faults, self._threads = faults, threads
        self._state_args: dict[str, Any] = {
            "admin_token": admin_token, "demo_token": demo_token,
            "accept_after_s": accept_after_s, "complete_after_s": complete_after_s,
            "clock": clock, "public_url": public_url}
        if notice_ttl_s is not None:
            self._state_args["notice_ttl_s"] = notice_ttl_s
        self._state: PlatformState | None = None
        self.proxy: FaultProxy | None = None
        self._server: Any = None
        self._map: dict[int, Any] = {}
        self._dispatcher: _Dispatcher | None = None
        self._loop_thread: threading.Thread | None = None
        self._stop_loop = threading.Event()
        self._direct: tuple[str, int] | None = None

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> PlatformServer:
        if self._state is not None:
            raise RuntimeError("PlatformServer already started")
        plan = FaultPlan(enabled=self._faults, connection_faults=self._faults)
        state = PlatformState(self.data_dir, db_url=self._db_url, faults=plan,
                              **self._state_args)
        self._state = state
        try:
            self._start_waitress(create_app(state))
            if self._faults:
                assert self._direct is not None
                self.proxy = FaultProxy(self._direct, plan, host=self._host,
                                        port=self._port).start()
                state.proxy_stats = self.proxy.stats
            if state.public_url is None:  # download links (受理通知书) point here
                state.public_url = self.url
        except BaseException:
            self.stop()
            raise
        return self

    def _start_waitress(self, app: Any) -> None:
        # "Task queue depth is N" on every queued request drowns a fleet test's output
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self._dispatcher = _Dispatcher()
        self._dispatcher.set_thread_count(self._threads)
        host, port = (("127.0.0.1", 0) if self._faults else (self._host, self._port))
        self._server = create_server(
            app, map=self._map, _dispatcher=self._dispatcher, host=host, port=port,
            threads=self._threads, ident="refplatform", connection_limit=8192, backlog=2048,
            asyncore_use_poll=True, channel_timeout=300, expose_tracebacks=False)
        self._direct = (str(self._server.effective_host), int(self._server.effective_port))
        self._loop_thread = threading.Thread(target=self._loop, name="refplatform-waitress",
                                             daemon=True)
        self._loop_thread.start()

    def _loop(self) -> None:
        while not self._stop_loop.is_set():
            wasyncore.loop(timeout=1.0, map=self._map, use_poll=True, count=1)

    def stop(self) -> None:
        """Stop serving and release everything; idempotent."""
        state = self._state
        if state is not None:
            state.stopping.set()  # wake requests held by a slow fault
        if self.proxy is not None:
            self.proxy.stop(timeout=0.5)
        if self._loop_thread is not None:
            self._stop_loop.set()
            with contextlib.suppress(Exception):
                self._server.pull_trigger()
            self._loop_thread.join(1.0)
            self._loop_thread = None
        if self._dispatcher is not None:
            # running tasks finish first: they still pull the trigger closed below
            self._dispatcher.shutdown(cancel_pending=True, timeout=1.0)
            for t in self._dispatcher.thread_objects:
                t.join(0.5)
            self._dispatcher = None
        for channel in list(self._map.values()):
            with contextlib.suppress(Exception):
                channel.handle_close() if hasattr(channel, "outbuf_lock") else channel.close()
        self._map.clear()
        if state is not None:
            state.close()

    def __enter__(self) -> PlatformServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- access ----------------------------------------------------------------------------------
    @property
    def state(self) -> PlatformState:
        if self._state is None:
            raise RuntimeError("PlatformServer not started")
        return self._state

    @property
    def direct_url(self) -> str:
        """waitress itself, bypassing the fault proxy."""
        if self._direct is None:
            raise RuntimeError("PlatformServer not started")
        return f"http://{self._direct[0]}:{self._direct[1]}"

    @property
    def url(self) -> str:
        """Where kiosks connect: the fault proxy when faults are enabled."""
        if self.proxy is not None:
            return self.proxy.url
        return self.direct_url

    @property
    def admin_token(self) -> str:
        return self.state.admin_token

    def inject(self, kind: FaultKind | str, **options: Any) -> FaultRule:
        """Add a fault rule (see :meth:`refplatform.faults.FaultPlan.add`)."""
        return self.state.inject_fault(kind, **options)

    def clear_faults(self) -> None:
        self.state.clear_faults()


# --------------------------------------------------------------------------- CLI


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="platform", description="The reference provincial platform (docs/refplatform.md).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the reference platform until SIGINT/SIGTERM")
    serve.add_argument("--data-dir", type=Path, required=True, metavar="DIR",
                       help="keys, database and attachments live here")
    serve.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="listen port (default 8765)")
    serve.add_argument("--db", metavar="URL",
                       help="SQLAlchemy database URL (default: SQLite file in DIR)")
    serve.add_argument("--no-faults", action="store_true",
                       help="no fault proxy and no fault injection")
    serve.add_argument("--admin-token", help="X-Admin-Token (default: DIR/admin.token)")
    serve.add_argument("--demo-token", metavar="TOKEN",
                       help="also accept this enrollment token any number of times")
    serve.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    serve.add_argument("--public-url", metavar="URL",
                       help="base of the notice download links as phones reach this "
                            "platform (default: the platform url)")
    serve.add_argument("--accept-after", type=float, default=20.0, metavar="S",
                       help="seconds before a submitted application is accepted (default 20)")
    serve.add_argument("--complete-after", type=float, default=60.0, metavar="S",
                       help="seconds before an accepted application is completed (default 60)")
    imp = sub.add_parser("import", help="import a kiosk's offline bundle (.kbundle), print JSON")
    imp.add_argument("bundle", type=Path, metavar="BUNDLE", help="the .kbundle file")
    imp.add_argument("--data-dir", type=Path, required=True, metavar="DIR",
                     help="the platform's data directory (keys, database, attachments)")
    imp.add_argument("--db", metavar="URL",
                     help="SQLAlchemy database URL (default: SQLite file in DIR)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """``platform serve``: prints the URL, the admin token and a fresh single-use
    enrollment token, then serves until SIGINT or SIGTERM."""
    args = build_parser().parse_args(argv)
    if args.command == "import":
        from refplatform.importer import run as run_import

        return run_import(args.bundle, args.data_dir, db_url=args.db)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        with PlatformServer(args.data_dir, db_url=args.db, host=args.host, port=args.port,
                            faults=not args.no_faults, admin_token=args.admin_token,
                            threads=args.threads, demo_token=args.demo_token,
                            accept_after_s=args.accept_after,
                            complete_after_s=args.complete_after,
                            public_url=args.public_url) as server:
            token = server.state.mint_enrollment_token()
            lines = [
                f"platform url: {server.url}",
                f"admin token: {server.admin_token}",
                f"enrollment token: {token}",
                f"signing public key: {server.state.signing_public_b64}",
                f"encryption public key: {server.state.encryption_public_b64}",
            ]
            if args.demo_token:
                lines.append(f"demo enrollment token (reusable): {args.demo_token}")
            print("\n".join(lines), flush=True)
            while not stop.wait(3600):
                pass
    except OSError as err:
        print(f"platform: cannot start: {err}", file=sys.stderr)
        return 1
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0
