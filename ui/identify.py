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

**QR code** (电子身份凭证 / 预约码, online only): offered when the service allows it, the
citizen camera is there and working, and the platform answers (else shown disabled with the
reason). ``startQrScan`` runs the camera preview (frames decoded on the stream's worker, as
in 办件查询); an ``EID:``/``YY:`` code's token is resolved by the platform on a background
job (``PlatformClient.resolve_identity``, once per token) and becomes an ``Identity`` of
source ``eid``. Expired, used or unknown codes and a lost link end in a plain Chinese
message; the card methods stay usable. The demo's "模拟出示电子身份证二维码"
(``simulateShowEidQr``) has the embedded platform issue a token for the sample card holder
and shows it as a QR code on the simulated camera. Neither the token nor the answer is
logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from devices.idcard import IdCardData
from devices.smartcard import SocialSecurityCard
from kiosk.catalogue import Service
from kiosk.errors import SyncRejectedError, SyncTransportError
from kiosk.masking import mask_id_number, mask_name
from ui.bridge import BackgroundRunner, IdCardBridge, SmartCardBridge
from ui.capture import FrameProvider, Preview, to_qimage
from ui.devices import KioskDevices
from ui.session import IDENTIFY_LABELS, CitizenSession, Identity
from ui.texts import say

log = logging.getLogger(__name__)

MSG_PLACE_IDCARD = "请将身份证平放在阅读区"
MSG_READING_SSCARD = "正在读取社保卡，请勿拔卡…"
MSG_QR_UNAVAILABLE = "本机暂不支持扫码核验身份，请使用证件"
MSG_METHOD_NOT_ALLOWED = "该事项不支持此方式"
MSG_QR_NO_CAMERA = "本机摄像头不可用，请使用证件"
MSG_QR_OFFLINE = "当前无法连接政务服务平台，扫码核验暂不可用，请使用证件"
MSG_QR_SHOW = "请打开电子身份凭证或预约二维码，对准摄像头"
MSG_QR_WRONG_CODE = "这不是身份核验二维码，请出示电子身份凭证或预约二维码"
MSG_QR_RESOLVING = "正在向政务服务平台核验身份…"
MSG_QR_DONE = "身份核验成功，请核对后继续"
MSG_QR_UNREACHABLE = "暂时无法连接政务服务平台，请稍后重试或使用证件"
MSG_QR_FAILED = "扫码核验没有成功，请重试或使用证件"
METHOD_EN = {"idcard": "Resident ID card", "sscard": "Social security card",
             "qr": "E-licence QR code"}
REASON_EN = {"身份证阅读器未连接": "ID card reader not connected",
             "社保卡读卡器未连接": "Card reader not connected",
             MSG_QR_UNAVAILABLE: "QR identification is not supported here: use a card",
             MSG_QR_NO_CAMERA: "The camera is not available: use a card",
             MSG_QR_OFFLINE: "The platform cannot be reached: QR identification is "
                             "unavailable, use a card"}
#: QR payload kinds (``devices.camera.qr``) that carry a one-time identity token
TOKEN_KINDS = ("e_id", "appointment")


class IdentifyViewModel(QObject):
    changed = Signal()

    def __init__(self, session: CitizenSession, devices: KioskDevices,
                 runner: BackgroundRunner, *, demo: bool,
                 accepting: Callable[[], bool], service: Callable[[], Service | None],
                 on_removed_after_read: Callable[[], None] | None = None,
                 on_sscard_pulled: Callable[[], None] | None = None,
                 on_sscard_back: Callable[[bool], None] | None = None,
                 language: Callable[[], str] = lambda: "zh_CN",
                 platform: Any = None, online: Callable[[], bool] = lambda: False,
                 provider: FrameProvider | None = None,
                 demo_token: Callable[[], str] | None = None,
                 staff_active: Callable[[], bool] = lambda: False) -> None:
        super().__init__()
        self._staff_active = staff_active  # 代办 is offered only with staff logged in
        self._language = language
        # QR identification: the platform client, whether the link is up, the citizen
        # camera's preview, and in the demo where a fresh token comes from
        self._platform = platform
        self._online = online
        self._provider = provider
        self._demo_token = demo_token
        self._qr_preview = (Preview(devices.camera, self._on_qr_frame, self._on_qr_camera_error,
                                    max_width=960)
                            if devices.camera is not None and provider is not None else None)
        self._qr_serial = 0
        self._qr_generation = 0
        self._demo_qr_shown = False
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
    # -- 代办 (ui/proxy.py) --
    proxyAllowed = Property(bool, lambda s: s._staff_active(), notify=changed, final=True)
    proxyMode = Property(bool, lambda s: s._session.proxy_mode, notify=changed, final=True)
    awaitingAgent = Property(bool, lambda s: s._session.proxy_mode
                             and s._identity() is not None and s._session.agent is None,
                             notify=changed, final=True)
    agentMaskedName = Property(str, lambda s: mask_name(s._session.agent.name)
                               if s._session.agent else "", notify=changed, final=True)
    agentMaskedId = Property(str, lambda s: mask_id_number(s._session.agent.id_number)
                             if s._session.agent else "", notify=changed, final=True)
    relationship = Property(str, lambda s: s._session.proxy_relationship, notify=changed,
                            final=True)

    def _relationships(self) -> list[dict[str, str]]:
        from ui.proxy import RELATIONSHIPS, RELATIONSHIPS_EN

        en = self._language() == "en"
        return [{"value": zh, "label": en_ if en else zh}
                for zh, en_ in zip(RELATIONSHIPS, RELATIONSHIPS_EN, strict=True)]

    relationships = Property(list, _relationships, notify=changed, final=True)

    @Slot(bool)
    def setProxyMode(self, on: bool) -> None:
        """代办 on or off (staff only); off forgets the agent."""
        on = bool(on) and self._staff_active()
        if on != self._session.proxy_mode:
            self._session.proxy_mode = on
            if not on:
                self._session.agent = None
                self._session.proxy_relationship = ""
            self._set(error="")

    def show_error(self, message: str) -> None:
        """A reason the step cannot be left (代办: the agent's card or the relationship)."""
        self._set(error=message)

    @Slot(str)
    def setRelationship(self, value: str) -> None:
        from ui.proxy import RELATIONSHIPS

        if value in RELATIONSHIPS:
            self._session.proxy_relationship = value
            self._set(error="")

    def _take_agent(self, card: IdCardData) -> None:
        from ui.proxy import MSG_AGENT_SAME

        ident = self._identity()
        if ident is not None and card.id_number == ident.id_number:
            self._set(error=MSG_AGENT_SAME)
            return
        self._session.set_agent(Identity.from_idcard(card))
        self._set(message="代办人身份证读取成功", error="")
    scanning = Property(bool, lambda s: s._qr_preview is not None and s._qr_preview.running,
                        notify=changed, final=True)
    qrPreviewSource = Property(str, lambda s: f"image://kiosk/eid/{s._qr_serial}"
                               if s._qr_serial else "", notify=changed, final=True)
    qrAvailable = Property(bool, lambda s: s._allows("qr") and s._qr_availability()[0],
                           notify=changed, final=True)

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
                available, reason = self._qr_availability()
            if self._language() == "en":
                label, reason = METHOD_EN[method], REASON_EN.get(reason, reason)
            else:
                label = IDENTIFY_LABELS[method]
            rows.append({"method": method, "label": label, "available": available,
                         "reason": reason})
        return rows

    methods = Property(list, _methods, notify=changed, final=True)

    def _qr_availability(self) -> tuple[bool, str]:
        if self._platform is None:
            return False, MSG_QR_UNAVAILABLE
        if self._qr_preview is None or "camera" in self._devices.faults:
            return False, self._devices.faults.get("camera") or MSG_QR_NO_CAMERA
        if not self._online():
            return False, MSG_QR_OFFLINE
        return True, ""

    def link_changed(self) -> None:
        """The platform link went up or down: the QR method follows it."""
        if not self._online() and self.scanning:
            self.stopQrScan()
            self._set(error=MSG_QR_OFFLINE)
        self.changed.emit()

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
    def startQrScan(self) -> None:
        """扫码核验: the citizen camera looks for the e-ID / appointment QR code."""
        available, reason = self._qr_availability()
        if not self._allows("qr") or not available or self._busy:
            if reason:
                self._set(error=reason)
            return
        from devices.camera.qr import scan

        assert self._qr_preview is not None
        self._qr_preview.start(scan)
        self._set(message=MSG_QR_SHOW, error="")

    @Slot()
    def stopQrScan(self) -> None:
        if self._qr_preview is not None:
            self._qr_preview.stop()
        if self._provider is not None:
            self._provider.drop("eid")
        self._qr_serial = 0
        self._reset_demo_qr()
        self.changed.emit()

    @Slot()
    def simulateShowEidQr(self) -> None:
        """Demo only: the embedded platform issues a token for the sample card holder and
        the simulated citizen camera shows it as a QR code; the scan starts if needed."""
        camera = self._devices.camera
        if not self._demo or self._demo_token is None or not hasattr(camera, "set_frames"):
            return
        issue = self._demo_token
        generation = self._qr_generation

        def shown(token: str) -> None:
            if generation != self._qr_generation:
                return
            from devices.camera.simulated import render_scene

            frame, _ = render_scene("qr", camera.width, camera.height, "EID:" + token)
            camera.set_frames([frame])
            self._demo_qr_shown = True
            if not self.scanning:
                self.startQrScan()

        self._runner.run("demo-eid-token", issue, shown,
                         lambda err: log.warning("demo identity token: %r", err))

    def _reset_demo_qr(self) -> None:
        if self._demo_qr_shown:
            self._demo_qr_shown = False
            camera = self._devices.camera
            if hasattr(camera, "set_frames"):
                camera.set_frames(None)  # back to the face the demo camera shows

    def _on_qr_frame(self, image: Any, payloads: Any) -> None:
        if self._provider is None or self._qr_preview is None or not self._qr_preview.running:
            return
        self._provider.put("eid", to_qimage(image))
        self._qr_serial += 1
        for payload in payloads or ():
            if payload.kind in TOKEN_KINDS and payload.value:
                self.stopQrScan()
                self._resolve(payload.value)
                return
            self._message = MSG_QR_WRONG_CODE
        self.changed.emit()

    def _on_qr_camera_error(self, message: str) -> None:
        log.warning("citizen camera: %s", message)
        self._devices.faults["camera"] = message
        self.stopQrScan()
        self._set(error=message + "；请使用证件")

    def _resolve(self, token: str) -> None:
        platform = self._platform
        if platform is None:
            return
        self._qr_generation += 1
        generation = self._qr_generation
        self._busy = True
        self._set(message=MSG_QR_RESOLVING, error="")
        self._runner.run("resolve-identity", lambda: platform.resolve_identity(token),
                         lambda person: self._resolved(generation, person),
                         lambda err: self._resolve_failed(generation, err))

    def _resolved(self, generation: int, person: Any) -> None:
        if generation != self._qr_generation or not self._accepting():
            return  # the session ended meanwhile: nothing of it is kept
        self._busy = False
        if self._identity() is not None:
            self._set()
            return  # a card was read meanwhile: it stays
        self._session.set_identity(Identity.from_eid(person))
        self._set(message=MSG_QR_DONE, error="")

    def _resolve_failed(self, generation: int, err: BaseException) -> None:
        if generation != self._qr_generation:
            return
        self._busy = False
        if isinstance(err, SyncRejectedError):
            message = err.user_message or MSG_QR_FAILED
        elif isinstance(err, SyncTransportError):
            message = MSG_QR_UNREACHABLE
        else:
            message = MSG_QR_FAILED
        log.warning("QR identification failed: %s", type(err).__name__)
        self._set(message="", error=message)

    def leave(self) -> None:
        """The identify step is left: the camera stops."""
        if self.scanning or self._demo_qr_shown:
            self.stopQrScan()

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
        self._qr_generation += 1
        self.stopQrScan()
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
        if self.scanning:
            self.stopQrScan()
        if self._session.proxy_mode and self._identity() is not None \
                and self._session.agent is None:
            self._take_agent(card)  # 代办: the second card is the agent's
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
