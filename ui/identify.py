"""身份核验 (IDENTIFY): who is applying, read from a card, shown masked.

Methods come from the service's ``identify_methods`` and are offered only when the device
behind them exists and is not failing (a reader that is missing or reports errors disables
its method, with the reason, and the others stay). The ID card is read by the poller of
``ui.devices``; the 社保卡 is read when it is inserted (on a background job: the APDU
sequence takes a moment). A card read while the journey is outside the application steps
is kept for the session's identify step; the attract screen ignores cards.

Card removal after a successful read is normal (the citizen takes the card back) and
loses nothing; a card pulled *during* a read gives a plain message and a retry. The demo
buttons ("模拟放置身份证", "模拟插入社保卡") drive the simulated readers and are shown only
in demo mode with simulated readers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from devices.idcard import IdCardData
from devices.smartcard import SocialSecurityCard
from kiosk.catalogue import Service
from kiosk.masking import mask_id_number, mask_name
from ui.bridge import BackgroundRunner, IdCardBridge, SmartCardBridge
from ui.devices import KioskDevices
from ui.session import IDENTIFY_LABELS, CitizenSession, Identity
from ui.texts import say

log = logging.getLogger(__name__)

MSG_PLACE_IDCARD = "请将身份证平放在阅读区"
MSG_READING_SSCARD = "正在读取社保卡，请勿拔卡…"
MSG_QR_UNAVAILABLE = "本机暂不支持扫码核验身份，请使用证件"
MSG_METHOD_NOT_ALLOWED = "该事项不支持此方式"
METHOD_EN = {"idcard": "Resident ID card", "sscard": "Social security card",
             "qr": "E-licence QR code"}
REASON_EN = {"身份证阅读器未连接": "ID card reader not connected",
             "社保卡读卡器未连接": "Card reader not connected",
             MSG_QR_UNAVAILABLE: "QR identification is not supported here: use a card"}


class IdentifyViewModel(QObject):
    changed = Signal()

    def __init__(self, session: CitizenSession, devices: KioskDevices,
                 runner: BackgroundRunner, *, demo: bool,
                 accepting: Callable[[], bool], service: Callable[[], Service | None],
                 on_removed_after_read: Callable[[], None] | None = None,
                 on_sscard_pulled: Callable[[], None] | None = None,
                 on_sscard_back: Callable[[bool], None] | None = None,
                 language: Callable[[], str] = lambda: "zh_CN") -> None:
        super().__init__()
        self._language = language
        self._session = session
        self._devices = devices
        self._runner = runner
        self._demo = demo
        self._accepting = accepting  # is a citizen session running (cards are taken)?
        self._service = service
        self._on_removed_after_read = on_removed_after_read
        # a 社保卡 sits in its slot for the whole session, like a bank card in an ATM:
        # pulling it after the read means the citizen may be leaving (``await_return``)
        self._on_sscard_pulled = on_sscard_pulled
        self._on_sscard_back = on_sscard_back
        self._awaiting_return = False
        self._message = ""
        self._error = ""
        self._busy = False
        self._idcard_fault = ""
        self._sscard_fault = ""
        self._idcard_present = False
        self._sscard_present = False
        self._sscard_generation = 0  # a read answer for an earlier insertion is dropped
        self.idcard_bridge = IdCardBridge()
        self.idcard_bridge.cardRead.connect(self._on_idcard)
        self.idcard_bridge.cardRemoved.connect(self._on_idcard_removed)
        self.idcard_bridge.failed.connect(self._on_idcard_error)
        self.smartcard_bridge = SmartCardBridge()
        self.smartcard_bridge.inserted.connect(self._on_sscard_inserted)
        self.smartcard_bridge.removed.connect(self._on_sscard_removed)
        self.smartcard_bridge.failed.connect(self._on_sscard_error)

    # -- properties ---------------------------------------------------------------------
    def _identity(self) -> Identity | None:
        return self._session.identity

    hasIdentity = Property(bool, lambda s: s._identity() is not None, notify=changed,
                           final=True)
    maskedName = Property(str, lambda s: mask_name(s._identity().name)
                          if s._identity() else "", notify=changed, final=True)
    maskedId = Property(str, lambda s: mask_id_number(s._identity().id_number)
                        if s._identity() else "", notify=changed, final=True)
    cardLabel = Property(str, lambda s: say(s._language(), s._identity().card_label)
                         if s._identity() else "", notify=changed, final=True)
    source = Property(str, lambda s: s._identity().source
                      if s._identity() else "", notify=changed, final=True)
    message = Property(str, lambda s: say(s._language(), s._message), notify=changed,
                       final=True)
    error = Property(str, lambda s: say(s._language(), s._error), notify=changed, final=True)
    busy = Property(bool, lambda s: s._busy, notify=changed, final=True)
    demo = Property(bool, lambda s: s._demo and s._devices.simulated, notify=changed,
                    final=True)
    idcardPresent = Property(bool, lambda s: s._idcard_present, notify=changed, final=True)

    def _warnings(self) -> list[str]:
        ident = self._identity()
        card = ident.card if ident is not None else None
        return list(getattr(card, "warnings", ()) or ())

    warnings = Property(list, _warnings, notify=changed, final=True)

    def _methods(self) -> list[dict[str, Any]]:
        service = self._service()
        allowed = service.identify_methods if service is not None else ("idcard", "sscard")
        rows = []
        for method in ("idcard", "sscard", "qr"):
            if method not in allowed:
                continue
            available, reason = True, ""
            if method == "idcard":
                if self._devices.idcard is None:
                    available, reason = False, "身份证阅读器未连接"
                elif self._idcard_fault:
                    available, reason = False, self._idcard_fault
            elif method == "sscard":
                if self._devices.smartcard is None:
                    available, reason = False, "社保卡读卡器未连接"
                elif self._sscard_fault:
                    available, reason = False, self._sscard_fault
            elif method == "qr":
                available, reason = False, MSG_QR_UNAVAILABLE
            if self._language() == "en":
                label, reason = METHOD_EN[method], REASON_EN.get(reason, reason)
            else:
                label = IDENTIFY_LABELS[method]
            rows.append({"method": method, "label": label, "available": available,
                         "reason": reason})
        return rows

    methods = Property(list, _methods, notify=changed, final=True)

    # -- slots --------------------------------------------------------------------------
    @Slot()
    def simulatePlaceIdCard(self) -> None:
        """Demo only: put the sample card on the simulated reader (the poller reads it)."""
        reader = self._devices.idcard
        if self._demo and reader is not None and hasattr(reader, "place"):
            reader.place("resident")
            self._set(message="正在读取身份证…", error="")

    @Slot()
    def simulateRemoveIdCard(self) -> None:
        reader = self._devices.idcard
        if self._demo and reader is not None and hasattr(reader, "remove"):
            reader.remove()

    @Slot()
    def simulateInsertSsCard(self) -> None:
        reader = self._devices.smartcard
        if self._demo and reader is not None and hasattr(reader, "insert"):
            from devices.smartcard.simulated import SimulatedSocialSecurityCard

            reader.insert(SimulatedSocialSecurityCard())

    @Slot()
    def simulateRemoveSsCard(self) -> None:
        reader = self._devices.smartcard
        if self._demo and reader is not None and hasattr(reader, "remove"):
            reader.remove()

    @Slot()
    def useAnotherCard(self) -> None:
        """使用其他证件: forget what was read."""
        self._session.set_identity(None)
        self._set(message=MSG_PLACE_IDCARD, error="")

    # -- journey hooks --------------------------------------------------------------------
    def entered(self) -> None:
        """The identify step is shown: read a 社保卡 that is already inserted."""
        if self._identity() is None:
            self._set(message=MSG_PLACE_IDCARD)
            if self._sscard_present and self._allows("sscard"):
                self._read_sscard()

    def wipe(self) -> None:
        self._sscard_generation += 1
        self._busy = False
        self._set(message="", error="")

    # -- device events (GUI thread) --------------------------------------------------------
    def _allows(self, method: str) -> bool:
        service = self._service()
        return service is None or method in service.identify_methods

    def _on_idcard(self, card: IdCardData) -> None:
        self._idcard_present = True
        self._idcard_fault = ""
        self._devices.faults.pop("idcard", None)
        if not self._accepting():
            self._set()
            return
        if not self._allows("idcard"):
            self._set(error=MSG_METHOD_NOT_ALLOWED)
            return
        self._session.set_identity(Identity.from_idcard(card))
        self._set(message="身份证读取成功，请核对后继续", error="")

    def _on_idcard_removed(self) -> None:
        self._idcard_present = False
        if self._identity() is not None and self._on_removed_after_read is not None:
            self._on_removed_after_read()
        self._set()

    def _on_idcard_error(self, user_message: str, detail: str) -> None:
        log.warning("ID-card reader: %s", detail)
        if "请重新放置" in user_message:
            self._set(error=user_message)  # a card moved during the read: just retry
            return
        self._devices.faults["idcard"] = user_message
        self._idcard_fault = user_message
        self._set(error=user_message)

    def await_return(self, waiting: bool) -> None:
        """The journey waits for the pulled 社保卡: the next card inserted is read and
        compared with the identity (``on_sscard_back(same_person)``)."""
        self._awaiting_return = waiting

    def _on_sscard_inserted(self) -> None:
        self._sscard_present = True
        self._sscard_fault = ""
        self._devices.faults.pop("smartcard", None)
        wanted = self._awaiting_return or (self._identity() is None and self._allows("sscard"))
        if self._accepting() and wanted:
            self._read_sscard()
        else:
            self._set()

    def _on_sscard_removed(self) -> None:
        self._sscard_present = False
        if self._busy:
            self._sscard_generation += 1
            self._busy = False
            self._set(error="请勿在读卡时拔出卡片，请重新插卡")
        else:
            ident = self._identity()
            if (ident is not None and ident.source == "sscard" and self._accepting()
                    and self._on_sscard_pulled is not None):
                self._on_sscard_pulled()
            self._set()

    def _on_sscard_error(self, user_message: str, detail: str) -> None:
        log.warning("smart-card reader: %s", detail)
        self._devices.faults["smartcard"] = user_message
        self._sscard_fault = user_message
        self._set(error=user_message)

    def _read_sscard(self) -> None:
        reader = self._devices.smartcard
        if reader is None or self._busy:
            return
        self._sscard_generation += 1
        generation = self._sscard_generation
        self._busy = True
        self._set(message=MSG_READING_SSCARD, error="")
        self._runner.run("sscard-read", reader.read_social_security_card,
                         lambda card: self._sscard_read(generation, card),
                         lambda err: self._sscard_failed(generation, err))

    def _sscard_read(self, generation: int, card: SocialSecurityCard) -> None:
        if generation != self._sscard_generation or not self._accepting():
            from devices.smartcard.sscard import unregister_card_sensitive

            unregister_card_sensitive(card)  # a session that ended meanwhile: drop it
            return
        self._busy = False
        if self._awaiting_return:
            from devices.smartcard.sscard import unregister_card_sensitive

            ident = self._identity()
            same = ident is not None and card.id_number == ident.id_number
            unregister_card_sensitive(card)  # the session keeps the card it read first
            self._awaiting_return = False
            if self._on_sscard_back is not None:
                self._on_sscard_back(same)
            self._set()
            return
        self._session.set_identity(Identity.from_sscard(card))
        self._set(message="社保卡读取成功，请核对后继续", error="")

    def _sscard_failed(self, generation: int, err: BaseException) -> None:
        if generation != self._sscard_generation:
            return
        self._busy = False
        self._set(error=getattr(err, "user_message", "") or "读卡失败，请重新插卡")

    def _set(self, *, message: str | None = None, error: str | None = None) -> None:
        if message is not None:
            self._message = message
        if error is not None:
            self._error = error
        self.changed.emit()
