"""Smart-card diagnostics for technicians: ``python -m devices.smartcard.diag``.

::

    diag [--reader NAME] [--wait S] [--show-personal] [--roster FILE] [--kiosk-id ID]

Lists the PC/SC readers, waits up to ``--wait`` seconds for a card in the chosen reader,
prints its ATR and what it is:

* a staff card: its staff ID and public key (base64, for the roster); with ``--roster``
  also whether a fresh challenge-response verifies against the roster;
* a social security card: its fields, masked unless ``--show-personal`` is given — then
  they are printed to this terminal only (nothing personal is ever logged);
* anything else: the card's status word.

Exit status: 0 card identified (and verified, with ``--roster``), 1 no reader / no card /
card error / verification failed, 2 bad arguments or roster file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from devices.smartcard import sscard, staffcard
from devices.smartcard.base import SmartCardReader
from kiosk.crypto import b64e
from kiosk.errors import ConfigError, DeviceError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m devices.smartcard.diag",
                                     description="PC/SC 读卡器与卡片诊断")
    parser.add_argument("--reader", default="", help="reader name or part of it (default: first)")
    parser.add_argument("--wait", type=float, default=10.0, metavar="S",
                        help="seconds to wait for a card (default 10)")
    parser.add_argument("--show-personal", action="store_true",
                        help="print a social security card's fields in clear (terminal only)")
    parser.add_argument("--roster", metavar="FILE", help="staff roster JSON: verify a staff card")
    parser.add_argument("--kiosk-id", default="diag", help="kiosk id used in the challenge")
    return parser


def run(argv: Sequence[str] | None = None, *, out: TextIO | None = None,
        reader: SmartCardReader | None = None) -> int:
    """Run the diagnostics; ``reader`` replaces the PC/SC reader (tests, demo)."""
    stream = out or sys.stdout

    def say(text: str) -> None:
        print(text, file=stream, flush=True)

    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    roster = None
    if args.roster:
        try:
            roster = staffcard.StaffRoster.load(args.roster)
        except ConfigError as err:
            say(f"花名册无效：{err.detail}")
            return 2

    if reader is None:
        from devices.smartcard.pcsc import PcscCardReader, list_readers

        try:
            names = list_readers()
        except DeviceError as err:
            say(f"PC/SC 服务不可用：{err.detail}")
            return 1
        say(f"读卡器（{len(names)}）：")
        for name in names:
            say(f"  {name}")
        reader = PcscCardReader(args.reader)

    try:
        with reader:
            say(f"使用读卡器：{reader}；等待插卡（最多 {args.wait:g} 秒）…")
            atr = reader.wait_for_card(args.wait)
            say(f"ATR: {atr.hex(' ').upper() or '(卡片无响应)'}")
            return _identify(reader, args, roster, say)
    except DeviceError as err:
        say(f"失败：{err.user_message}")
        say(f"  详情：{err.detail}")
        return 1


def _identify(reader: SmartCardReader, args: argparse.Namespace,
              roster: staffcard.StaffRoster | None, say: Callable[[str], None]) -> int:
    with reader.session() as card:
        is_staff = staffcard.select_applet(card.transmit)
        if is_staff:
            staff_id = staffcard.read_staff_id(card.transmit)
            public = staffcard.read_public_key(card.transmit)
    if is_staff:
        say("卡片类型：工作人员卡")
        say(f"  工号：{staff_id}")
        say(f"  公钥（花名册 public_key）：{b64e(public)}")
        if roster is None:
            say("  未指定 --roster：未做挑战应答验证")
            return 0
        authenticator = staffcard.StaffAuthenticator(args.kiosk_id, roster)
        answer = reader.read_staff_card(authenticator.new_challenge())
        try:
            member = authenticator.verify(answer)
        except staffcard.StaffAuthError as err:
            say(f"  挑战应答验证：失败（{err.reason}：{err.detail}）")
            return 1
        say(f"  挑战应答验证：通过（角色：{', '.join(member.roles) or '无'}）")
        return 0

    card_data = reader.read_social_security_card()
    try:
        say("卡片类型：社会保障卡")
        fields = card_data.personal() if args.show_personal else card_data.masked()
        for label, value in fields.items():
            say(f"  {label}：{value}")
        if not args.show_personal:
            say("  （个人信息已遮蔽；--show-personal 在本终端显示全文）")
    finally:
        sscard.unregister_card_sensitive(card_data)
    return 0


if __name__ == "__main__":
    sys.exit(run())
