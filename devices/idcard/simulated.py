"""``SimulatedIdCardReader``: an in-process SAM for demo mode and tests.

It answers the same SAM requests as a real reader (the port's status mapping, payload
checks and text-block parser all run), from a card that the UI or a test *places*::

    reader = SimulatedIdCardReader(card="resident")    # demo: a sample card is on it
    reader.place(sample_card("J"))                     # the citizen puts a card down
    reader.remove()                                    # … and takes it away
    reader.script_status(Command.READ_BASE, 0x41)      # next read fails: "请重新放置身份证"
    reader.faults.unplug()                             # FaultScript: unplug, go_silent, delay…

Like many real readers, a card that has been read stops answering *find* until it is
removed (``halt_after_read``) but still answers *select*. The sample cards are fictional.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from devices.base import FaultScript
from devices.idcard.base import IdCardReader
from devices.idcard.cards import (
    LONG_TERM,
    CardType,
    IdCardData,
    build_added_address,
    build_text_block,
)
from devices.idcard.photo import WLT_SIZE, PhotoDecoder
from devices.idcard.protocol import (
    SW_FOUND,
    SW_NO_CARD,
    SW_NO_CONTENT,
    SW_OK,
    SW_SELECT_FAILED,
    Command,
    Reply,
    Request,
    build_base_message,
)
from kiosk.idcheck import id_check_char


def _with_check(body: str) -> str:
    return body + id_check_char(body)


SAMPLE_CARDS: dict[str, IdCardData] = {
    "resident": IdCardData(
        card_type=CardType.RESIDENT, name="李华", sex="男", nation="汉",
        birth=date(1990, 3, 7), address="贵州省贵阳市南明区中华南路1号",
        id_number=_with_check("52010219900307123"), authority="贵阳市公安局南明分局",
        valid_from=date(2020, 5, 1), valid_to=date(2040, 5, 1)),
    "resident_long_term": IdCardData(
        card_type=CardType.RESIDENT, name="欧阳秀英", sex="女", nation="苗",
        birth=date(1955, 8, 12), address="贵州省黔东南苗族侗族自治州凯里市文化北路2号",
        id_number=_with_check("52260119550812204"), authority="凯里市公安局",
        valid_from=date(2015, 9, 1), valid_to=LONG_TERM,
        added_address="贵州省贵阳市云岩区北京路3号"),
    "J": IdCardData(
        card_type=CardType.HK_MACAO_TAIWAN, name="陈大文", sex="男",
        birth=date(1992, 5, 6), address="广东省深圳市福田区福华路1号",
        id_number=_with_check("81000019920506001"), authority="深圳市公安局",
        valid_from=date(2019, 1, 2), valid_to=date(2024, 1, 2), pass_number="H12345678",
        issue_count="01"),
    "I": IdCardData(
        card_type=CardType.FOREIGN_PR_2017, name="约翰", name_en="SMITH, JOHN", sex="男",
        birth=date(1980, 1, 1), id_number="USA110080010101", nationality="USA",
        valid_from=date(2017, 6, 1), valid_to=date(2027, 6, 1), card_version="01",
        authority="1100"),
    "Y": IdCardData(
        card_type=CardType.FOREIGN_PR_2023, name="玛丽", name_en="WILLIAMS, MARY ANN",
        sex="女", birth=date(1985, 1, 1), id_number="932682198501010017", issue_count="00",
        nationality="840", valid_from=date(2023, 12, 1), valid_to=date(2033, 12, 1)),
}


def sample_card(kind: str = "resident") -> IdCardData:
    """A fictional card: ``resident``, ``resident_long_term``, ``J``, ``I`` or ``Y``."""
    try:
        return SAMPLE_CARDS[kind]
    except KeyError:
        raise ValueError(f"no sample card {kind!r} (known: {', '.join(SAMPLE_CARDS)})") \
            from None


class SimulatedIdCardReader(IdCardReader):
    backend = "simulated"
    label_zh = "模拟身份证阅读器"

    def __init__(self, card: str | None = None, poll_interval_s: float = 0.3,
                 read_fingerprint: bool = False, photo_decoder: PhotoDecoder | str | None = None,
                 timeout_s: float = 0.5, read_timeout_s: float = 3.5,
                 sam_id: str = "0503000000000000a1b2c3d4e5f60718", halt_after_read: bool = True,
                 faults: FaultScript | None = None) -> None:
        super().__init__(timeout_s=timeout_s, read_timeout_s=read_timeout_s,
                         poll_interval_s=poll_interval_s, read_fingerprint=read_fingerprint,
                         photo_decoder=photo_decoder)
        self.faults = faults or FaultScript()
        self.halt_after_read = halt_after_read
        self._sam_bytes = bytes.fromhex(sam_id)
        self._state = threading.Lock()
        self._card: IdCardData | None = None
        self._halted = False
        self._scripted: dict[Command, list[int]] = {}
        self.requests: list[Command] = []
        if card:
            self.place(sample_card(card))

    # -- the "hardware" -----------------------------------------------------------------
    def place(self, card: IdCardData | str = "resident") -> None:
        """Put a card on the reader (an ``IdCardData`` or a sample name)."""
        if isinstance(card, str):
            card = sample_card(card)
        build_text_block(card)  # fail here, not in the poller, if it cannot be encoded
        with self._state:
            self._card = card
            self._halted = False

    def remove(self) -> None:
        with self._state:
            self._card = None
            self._halted = False

    @property
    def card_present(self) -> bool:
        return self._card is not None

    def script_status(self, command: Command, sw3: int, times: int = 1) -> None:
        """Answer the next ``times`` ``command`` requests with status ``sw3`` (no data)."""
        with self._state:
            self._scripted.setdefault(command, []).extend([sw3] * times)

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(card_present=self.card_present, halt_after_read=self.halt_after_read)
        return info

    # -- backend hooks ------------------------------------------------------------------
    def _open(self) -> None:
        self.faults.check("open")

    def _close(self) -> None:
        pass

    def _transact(self, request: Request, timeout_s: float) -> Reply:
        command = request.command
        self.faults.check(command.label, timeout_s=timeout_s)
        with self._state:
            self.requests.append(command)
            queued = self._scripted.get(command)
            if queued:
                return Reply(queued.pop(0))
            return self._answer(command)

    def _answer(self, command: Command) -> Reply:
        card = self._card
        if command in (Command.RESET, Command.STATUS):
            return Reply(SW_OK)
        if command is Command.SAM_ID:
            return Reply(SW_OK, self._sam_bytes)
        if command is Command.FIND:
            found = card is not None and not self._halted
            return Reply(SW_FOUND, bytes(4)) if found else Reply(SW_NO_CARD)
        if command is Command.SELECT:
            return Reply(SW_OK, bytes(8)) if card is not None else Reply(SW_SELECT_FAILED)
        if card is None:
            return Reply(0x41)
        if command in (Command.READ_BASE, Command.READ_BASE_FP):
            self._halted = self.halt_after_read
            fingerprint = None
            if command is Command.READ_BASE_FP:
                fingerprint = card.fingerprint or b""
            return Reply(SW_OK, build_base_message(build_text_block(card),
                                                   card.photo_wlt or bytes(WLT_SIZE),
                                                   fingerprint))
        if command is Command.READ_ADDED_ADDRESS:
            if not card.added_address:
                return Reply(SW_NO_CONTENT)
            return Reply(SW_OK, build_added_address(card.added_address))
        return Reply(0x21)
