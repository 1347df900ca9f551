"""Command-line interface: argument parsing and the non-UI sub-commands.

``main.py`` stays a small composition root; later issues add ``platform``,
``diag``, ``sync`` and ``enroll`` sub-commands here.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any, Literal, TextIO

from kiosk.config import Config, load_config, parse_assignment

DESCRIPTION = """\
政务服务自助终端 — offline-capable self-service kiosk for integrated government services.

  kiosk demo                    start with simulated devices and the embedded reference
                                platform; data in the per-user data directory
  kiosk run --config FILE       start a real deployment (real devices, real platform)
  kiosk config [--config FILE]  validate a configuration and print the effective values
  kiosk enroll --token TOKEN    register this kiosk's key with the platform (once)
  kiosk sync status|run-once|retry-dead
                                the queue, for operators (JSON)
  kiosk sync export --to DIR    write the undelivered queue to a removable drive as one
                                signed, encrypted bundle (docs/maintenance.md)
  kiosk audit verify|show [--limit N]
                                check the hash-chained audit log / list its newest entries
  kiosk platform serve --data-dir DIR
                                run the reference provincial platform standalone
  kiosk platform import BUNDLE --data-dir DIR
                                import a kiosk's bundle into the reference platform
  kiosk diag idcard|smartcard|camera|printer [options]
                                technician diagnostics of one device, printing JSON
  kiosk staff set-pin|new-totp --roster FILE --staff-id ID
                                set a staff PIN (read from the terminal or stdin, never
                                the command line) or a technician's TOTP secret
"""


DIAG_DEVICES = ("idcard", "smartcard", "camera", "printer")
DIAG_MODULES = {"idcard": "devices.idcard.diag", "smartcard": "devices.smartcard.diag",
                "camera": "devices.camera.diag", "printer": "printing.diag"}


def run_diag(device: str, argv: list[str]) -> int:
    """``kiosk diag DEVICE …``: each device package owns its diagnostics (``run(argv)``)."""
    import importlib

    module = importlib.import_module(DIAG_MODULES[device])
    return int(module.run(argv))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="start the kiosk in demo mode (simulated devices)")
    _add_common(demo, config_required=False)
    run = sub.add_parser("run", help="start the kiosk for a real deployment")
    _add_common(run, config_required=True)
    cfg = sub.add_parser("config", help="validate a configuration and print it as JSON")
    _add_common(cfg, config_required=False)
    cfg.add_argument("--mode", choices=("demo", "run"), default="demo",
                     help="validate as for this sub-command (default: demo)")

    enr = sub.add_parser("enroll", help="register this kiosk with the platform")
    _add_common(enr, config_required=False)
    enr.add_argument("--token", required=True, help="single-use enrollment token")
    enr.add_argument("--platform-url", metavar="URL",
                     help="platform base URL (default: platform.url from the config)")

    syn = sub.add_parser("sync", help="queue status and operations for operators")
    _add_common(syn, config_required=False)
    syn.add_argument("action", choices=("status", "run-once", "retry-dead", "export"),
                     help="status: depth by state, oldest unsent, last contact; run-once: "
                          "deliver what is due now; retry-dead: put dead letters back; "
                          "export: write the undelivered queue to --to DIR")
    syn.add_argument("--to", type=Path, metavar="DIR",
                     help="export: the removable drive's directory")

    aud = sub.add_parser("audit", help="the kiosk's hash-chained audit log (JSON)")
    _add_common(aud, config_required=False)
    aud.add_argument("action", choices=("verify", "show"),
                     help="verify: recompute the chain (exit 1 and name the first bad entry "
                          "when broken); show: the newest entries")
    aud.add_argument("--limit", type=int, default=20, metavar="N",
                     help="show: how many entries (default 20)")

    diag = sub.add_parser("diag", help="diagnose one device (prints JSON)")
    diag.add_argument("device", choices=DIAG_DEVICES,
                      help="idcard: --port URL; smartcard: [--reader NAME]; "
                           "camera: --source SRC [--document OUT.jpg] [--qr]; "
                           "printer: --port URL [--status] [--test-page]")
    diag.add_argument("diag_args", nargs=argparse.REMAINDER,
                      help="options of that device's diagnostics (see diag DEVICE --help)")

    staff = sub.add_parser("staff", help="staff roster: PINs and TOTP secrets (docs/staff.md)")
    staff.add_argument("action", choices=("set-pin", "new-totp"),
                       help="set-pin: prompt for a PIN and store its salted hash; "
                            "new-totp: give a technician a new TOTP secret and print it once")
    staff.add_argument("--roster", type=Path, required=True, metavar="FILE",
                       help="the staff roster JSON file")
    staff.add_argument("--staff-id", required=True, metavar="ID")
    staff.add_argument("--add", action="append", choices=("staff", "technician"),
                       metavar="ROLE", help="set-pin: add the member with this role "
                                            "(repeatable) if absent, or replace their roles")
    staff.add_argument("--name", metavar="NAME", help="set-pin: display name")

    plat = sub.add_parser("platform", help="the reference provincial platform")
    plat.add_argument("platform_args", nargs=argparse.REMAINDER,
                      help="e.g. serve --data-dir DIR [--port 8765] (see platform --help)")
    return parser


def _add_common(p: argparse.ArgumentParser, *, config_required: bool) -> None:
    p.add_argument("--config", type=Path, required=config_required, metavar="FILE",
                   help="TOML configuration file (see docs/configuration.md)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override one setting, e.g. --set ui.orientation=landscape "
                        "(repeatable; wins over the file and KIOSK_* variables)")
    p.add_argument("--data-dir", type=Path, metavar="DIR",
                   help="where the queue, attachments and logs live "
                        "(default: the per-user data directory)")
    p.add_argument("--orientation", choices=("portrait", "landscape"),
                   help="shortcut for --set ui.orientation=...")
    p.add_argument("--windowed", action="store_true",
                   help="do not go full screen (for development)")
    p.add_argument("--screenshot", type=Path, metavar="PNG",
                   help="save the first rendered frame to PNG and exit "
                        "(works offscreen; for checks and the start-up benchmark)")


def load_from_args(args: argparse.Namespace) -> Config:
    overrides: dict[str, Any] = dict(parse_assignment(a) for a in args.set)
    if args.data_dir is not None:
        overrides["data_dir"] = str(args.data_dir)
    if args.orientation:
        overrides["ui.orientation"] = args.orientation
    if args.windowed:
        overrides["ui.fullscreen"] = "false"
    mode: Literal["demo", "run"] = "demo"
    if args.command == "run" or getattr(args, "mode", None) == "run":
        mode = "run"
    elif args.command in ("enroll", "sync", "audit") and args.config is not None:
        mode = "run"  # operating on a real deployment's data
        overrides.setdefault("allow_simulated_devices", "true")  # no devices are used here
    return load_config(args.config, mode=mode, overrides=overrides)


def run_staff(args: argparse.Namespace, *, stdin: TextIO | None = None,
              out: TextIO | None = None) -> int:
    """``kiosk staff``: the PIN comes from a prompt (twice) or one line of stdin."""
    from kiosk import staffauth

    stdin, out = stdin or sys.stdin, out or sys.stdout
    if args.action == "new-totp":
        secret = staffauth.set_totp_secret(args.roster, args.staff_id)
        print(f"TOTP 密钥 / secret: {secret}", file=out)
        print(staffauth.totp_uri(secret, args.staff_id), file=out)
        return 0
    if stdin.isatty():
        import getpass

        pin = getpass.getpass("新密码 / new PIN: ")
        if getpass.getpass("再次输入 / again: ") != pin:
            print("两次输入不一致 / PINs differ", file=sys.stderr)
            return 2
    else:
        pin = stdin.readline().rstrip("\r\n")
    staffauth.set_pin(args.roster, args.staff_id, pin,
                      add_roles=tuple(args.add) if args.add else None, display_name=args.name)
    print(f"已设置 {args.staff_id} 的密码 / PIN set", file=out)
    return 0


def run_enroll(config: Config, args: argparse.Namespace) -> int:
    from sync.service import enroll_kiosk

    enr = enroll_kiosk(config, args.token, url=args.platform_url)
    json.dump({"kiosk_id": enr.kiosk_id, "platform_url": enr.platform_url,
               "platform_signing_key": enr.platform_signing_key,
               "platform_encryption_key": enr.platform_encryption_key},
              sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def run_sync(config: Config, action: str, *, to: Path | None = None) -> int:
    """Operator commands on the queue. The kiosk must not be running (the queue has one
    owner); the error says so when it is. ``export`` prints the result or, when refused,
    ``{"ok": false, "error", "reason", "message"}`` and exits 1."""
    from kiosk.bootstrap import prepare_data_dir, start_sync

    if action == "export" and to is None:
        print("错误 / error: sync export needs --to DIR", file=sys.stderr)
        return 2
    prepare_data_dir(config)
    stack, platform = start_sync(config)
    try:
        out: dict[str, Any]
        code = 0
        if action == "export":
            from sync.export import ExportError

            assert to is not None
            try:
                out = {"ok": True, **stack.export_to(to, actor="cli").as_dict()}
            except ExportError as err:
                out = {"ok": False, "error": err.code, "reason": err.user_message,
                       "message": err.detail}
                code = 1
        elif action == "run-once":
            report = stack.worker.run_once(pull_status=True)
            out = dataclasses.asdict(report)
            out["link"] = stack.worker.status.link.value
        elif action == "retry-dead":
            out = {"requeued": stack.retry_dead_letters(actor="cli")}
        else:
            stats = stack.outbox.stats()
            out = dataclasses.asdict(stats)
            out["hours_since_contact"] = stats.hours_since_contact(time.time())
            out["catalogue_version"] = stack.catalogue.catalogue.version
            out["catalogue_age_hours"] = stack.catalogue.age_hours()
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
        return code
    finally:
        stack.stop()
        if platform is not None:
            platform.stop()


def run_audit(config: Config, action: str, *, limit: int = 20) -> int:
    """``kiosk audit verify|show``: works on the queue database alone (no platform, no
    enrollment needed); the kiosk must not be running. ``verify`` exits 1 when broken."""
    from kiosk.bootstrap import prepare_data_dir
    from sync.audit import AuditLog
    from sync.db import Database

    prepare_data_dir(config)
    db = Database.open(config.db_path)
    try:
        log = AuditLog(db)
        if action == "verify":
            report = log.verify()
            json.dump(report.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
            print()
            return 0 if report.ok else 1
        entries = [e.as_dict() for e in log.entries(limit=limit)]
        json.dump({"total": log.count(), "entries": entries}, sys.stdout, ensure_ascii=False,
                  indent=2)
        print()
        return 0
    finally:
        db.close()


def print_config(config: Config) -> int:
    def plain(v: Any) -> Any:
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {f.name: plain(getattr(v, f.name)) for f in dataclasses.fields(v)}
        if isinstance(v, Path):
            return str(v)
        if hasattr(v, "items"):
            return {k: plain(x) for k, x in v.items()}
        return v

    json.dump(plain(config), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0
