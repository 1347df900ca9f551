"""``kiosk diag idcard --port URL``: technician diagnostics of a serial ID-card reader.

Opens the port, asks the SAM for its status (11 FF) and id (12 FF), waits up to ``--wait``
seconds for a card, reads it and prints one JSON document on stdout. Personal fields are
masked unless ``--show-personal`` is given; even then they go to this terminal only — they
are registered with the log redaction for the whole run and never logged.

Exit status: 0 card read; 3 reader fine but no card within ``--wait``; 1 reader error;
2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from devices.idcard.cards import IdCardData
from kiosk.errors import DeviceError
from kiosk.redaction import SensitiveKind, register_sensitive, unregister_sensitive

EXIT_OK, EXIT_ERROR, EXIT_NO_CARD = 0, 1, 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk diag idcard", description=__doc__.splitlines()[0])
    p.add_argument("--port", required=True, metavar="URL",
                   help="device path or pyserial URL (/dev/ttyUSB0, socket://host:7001)")
    p.add_argument("--baudrate", type=int, default=115200, help="default 115200 (8N1)")
    p.add_argument("--timeout", type=float, default=0.5, metavar="S",
                   help="reply timeout of short commands (reads get 3.5 s more)")
    p.add_argument("--wait", type=float, default=10.0, metavar="S",
                   help="how long to wait for a card (0: only look once)")
    p.add_argument("--fingerprint", action="store_true", help="read with 30 10 (fingerprints)")
    p.add_argument("--show-personal", action="store_true",
                   help="print full personal fields (to this terminal only; never logged)")
    return p


def _error(err: DeviceError) -> dict[str, Any]:
    return {"type": type(err).__name__, "user_message": err.user_message,
            "detail": err.detail}


def run(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    from devices.idcard.serial import SerialIdCardReader  # pyserial only when used

    reader = SerialIdCardReader(args.port, baudrate=args.baudrate, timeout_s=args.timeout,
                                read_fingerprint=args.fingerprint)
    out: dict[str, Any] = {"device": {"port": args.port, "baudrate": args.baudrate}}
    code = EXIT_OK
    card: IdCardData | None = None
    registered: list[tuple[str, SensitiveKind]] = []
    try:
        with reader:
            reader.status()
            out["status"] = "ok"
            out["sam_id"] = reader.sam_id()
            deadline = time.monotonic() + max(0.0, args.wait)
            while True:
                started = time.monotonic()
                card = reader.read_card()
                read_ms = round((time.monotonic() - started) * 1000)
                if card is not None or time.monotonic() >= deadline:
                    break
                time.sleep(min(reader.poll_interval_s, max(0.0, deadline - time.monotonic())))
            out["device"] = reader.describe()
            if card is None:
                out["card"] = None
                out["note"] = f"no card within {args.wait:g} s"
                code = EXIT_NO_CARD
            else:
                registered = card.sensitive_values
                for value, kind in registered:
                    register_sensitive(value, kind=kind)
                out["read_ms"] = read_ms  # find + select + read + added address
                out["card"] = card.as_dict() if args.show_personal else card.masked()
                out["masked"] = not args.show_personal
    except DeviceError as err:
        out["error"] = _error(err)
        code = EXIT_ERROR
    try:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        sys.stdout.flush()
    finally:
        for value, kind in registered:
            unregister_sensitive(value, kind=kind)
    return code


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
