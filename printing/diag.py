"""``kiosk diag printer``: status and test page of a receipt printer, as JSON.

::

    kiosk diag printer --port URL [--status] [--test-page] [--paper 58|80]
                       [--timeout S] [--qr native|raster]

``--port`` forms (the backend is chosen by the scheme):

=====================================  ========================================================
``/dev/ttyS1``, ``COM3``               serial port, 9600 baud
``serial:///dev/ttyS1?baudrate=19200``  serial port with options (``baudrate``, ``rtscts``,
                                       ``dsrdtr``, ``xonxoff`` = 0/1)
``socket://…``, ``rfc2217://…``,        any other pyserial URL, opened with ``serial_for_url``
``loop://``
``tcp://192.168.1.50[:9100]``          network printer (raw TCP, JetDirect)
``file:///dev/usb/lp0``                write-only device (status is always "unknown")
``usb://0416:5011``                    USB vendor:product in hex (needs pyusb)
``sim://[?status=paper_end]``          the simulated printer
=====================================  ========================================================

Without ``--status`` or ``--test-page`` the status is read. Output: one JSON object with
``port``, ``backend``, ``device`` (``describe()``), ``status``, ``self_test`` and, with
``--test-page``, ``test_page`` (the ``PrintOutcome``). Exit status: 0 ready / printed,
1 printer not ready or test page not printed, 2 bad arguments or port.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kiosk.errors import KioskError

__all__ = ["open_port", "parse_port", "run"]

_PYSERIAL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "alt", "hwgrep", "cp2110")


def _flag(value: str) -> bool:
    return value.lower() in ("1", "true", "yes", "on")


def parse_port(url: str) -> tuple[str, dict[str, Any]]:
    """``--port`` → (registry backend name, constructor options). ``ValueError`` if bad."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if scheme in ("", "serial") or (len(scheme) == 1 and url[1:2] == ":"):  # C:\ or COM3
        path = parts.path if scheme == "serial" else url
        if scheme == "serial" and parts.netloc:
            path = f"//{parts.netloc}{parts.path}"
        if not path:
            raise ValueError(f"no serial device in {url!r}")
        opts: dict[str, Any] = {"port": path}
        if "baudrate" in query:
            opts["baudrate"] = int(query["baudrate"])
        for name in ("rtscts", "dsrdtr", "xonxoff"):
            if name in query:
                opts[name] = _flag(query[name])
        return "escpos_serial", opts
    if scheme in _PYSERIAL_SCHEMES:
        return "escpos_serial", {"port": url}
    if scheme == "tcp":
        if not parts.hostname:
            raise ValueError(f"no host in {url!r}")
        return "escpos_network", {"host": parts.hostname, "port": parts.port or 9100}
    if scheme == "file":
        if not parts.path:
            raise ValueError(f"no path in {url!r}")
        return "escpos_file", {"path": parts.path}
    if scheme == "usb":
        vid, _, pid = (parts.netloc or parts.path.strip("/")).partition(":")
        return "escpos_usb", {"vendor_id": int(vid, 16), "product_id": int(pid, 16)}
    if scheme == "sim":
        return "simulated", {"status": query.get("status", "paper_ok")}
    raise ValueError(f"unknown port scheme {scheme!r} in {url!r}")


def open_port(url: str, **options: Any) -> Any:
    from devices.registry import create

    backend, opts = parse_port(url)
    if backend == "escpos_file":
        options.pop("timeout_s", None)
    opts.update(options)
    return create("receipt_printer", backend, **opts)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk diag printer",
                                description="Receipt printer diagnostics (prints JSON).")
    p.add_argument("--port", required=True, metavar="URL",
                   help="serial path, serial:///dev/ttyS0?baudrate=9600, tcp://host:9100, "
                        "file:///dev/usb/lp0, usb://VID:PID or sim://")
    p.add_argument("--status", action="store_true", help="read the real-time status")
    p.add_argument("--test-page", action="store_true", help="print the test page")
    p.add_argument("--paper", type=int, choices=(58, 80), default=80, help="paper width, mm")
    p.add_argument("--timeout", type=float, default=3.0, metavar="S",
                   help="seconds to wait for a status answer (default 3)")
    p.add_argument("--qr", choices=("native", "raster"), default="native",
                   help="QR code by the printer (GS ( k) or as an image")
    return p


def run(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    report: dict[str, Any] = {"port": args.port}
    try:
        backend, _ = parse_port(args.port)
        options: dict[str, Any] = {"paper_width_mm": args.paper, "qr_mode": args.qr}
        if backend in ("escpos_serial", "escpos_network", "escpos_usb"):
            options["timeout_s"] = args.timeout
        printer = open_port(args.port, **options)
    except (ValueError, KioskError) as err:
        report["error"] = str(err)
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 2
    report["backend"] = backend
    code = 0
    try:
        status = printer.status()
        report["status"] = status.as_dict()
        report["self_test"] = printer.self_test().as_dict()
        if not status.can_print and not (args.test_page and not printer.reads_status):
            code = 1
        if args.test_page:
            outcome = printer.print_test_page()
            report["test_page"] = outcome.as_dict()
            code = 0 if outcome.printed or (outcome.bytes_sent and not printer.reads_status) \
                else 1
        report["device"] = printer.describe()
    finally:
        printer.close()
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(run(sys.argv[1:]))
