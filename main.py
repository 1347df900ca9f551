"""Composition root: parse the command line, load the configuration, build, run."""

from __future__ import annotations

import sys

from kiosk.cli import (
    build_parser,
    load_from_args,
    print_config,
    run_audit,
    run_diag,
    run_enroll,
    run_staff,
    run_sync,
)
from kiosk.errors import KioskError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "platform":
        from refplatform.server import main as platform_main

        return platform_main(args.platform_args)
    if args.command == "diag":
        return run_diag(args.device, args.diag_args)
    try:
        if args.command == "staff":
            return run_staff(args)
        config = load_from_args(args)
        if args.command == "config":
            return print_config(config)
        if args.command == "enroll":
            return run_enroll(config, args)
        if args.command == "sync":
            return run_sync(config, args.action, to=args.to)
        if args.command == "audit":
            return run_audit(config, args.action, limit=args.limit)
        # Qt is imported only for the sub-commands that show the UI; ``run`` builds the core
        # (kiosk.bootstrap.build) once the attract screen is on screen
        from ui.app import run

        return run(config, screenshot=args.screenshot, config_path=args.config)
    except KioskError as err:
        print(f"错误 / error: {err.detail}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
