"""Command-line interface: argument parsing and the non-UI sub-commands.

``main.py`` stays a small composition root; later issues add ``platform``,
``diag``, ``sync`` and ``enroll`` sub-commands here.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.config import Config, load_config, parse_assignment

DESCRIPTION = """\
政务服务自助终端 — offline-capable self-service kiosk for integrated government services.

  kiosk demo                    start with simulated devices and the embedded reference
                                platform; data in the per-user data directory
  kiosk run --config FILE       start a real deployment (real devices, real platform)
  kiosk config [--config FILE]  validate a configuration and print the effective values
"""


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
    mode = getattr(args, "mode", None) or args.command
    return load_config(args.config, mode=mode, overrides=overrides)


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
