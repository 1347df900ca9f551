"""The application steps between the form and the submission: 提交材料, 人脸采集, 签名,
授权确认 and 核对提交. Each view-model reads and writes the :class:`~ui.session.CitizenSession`
and has ``open(...)`` (the step is shown), ``complete()`` (下一步: True when nothing is
missing) and ``wipe()``.

Materials (PRODUCT.md §5 trust levels): an electronic licence pulled while the platform is
reachable counts as A — 调取电子证照 asks the platform (``PlatformClient.lookup_elicences``,
a background job) and only a licence it reports found and valid is supplied, with its
reference (type, licence number, issuer, document SHA-256) sealed in the application; not
found, expired or no link leaves a plain message and the other ways;
a D-level material may be supplied by 告知承诺 (the commitment is
then asked for on the consent step); anything else is brought to the window (not received
here, printed as such on the receipt). Capturing scans with the document camera joins once
the camera screens exist.

Consent is in plain words and separate where the law wants it separate (PIPL art. 29/30,
GB/T 35273: ID numbers and face images are sensitive personal information): the general
notice, the sensitive-information consent, the face consent (asked on the face step,
before anything is captured) and the commitment for self-declared materials.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    Property,
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QPointF,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF

from kiosk.catalogue import FormField, Service
from kiosk.errors import SyncRejectedError, SyncTransportError
from kiosk.masking import mask_address, mask_id_number, mask_name, mask_phone, mask_uscc
from ui.capture import FrameProvider, Preview, to_qimage
from ui.models import pick
from ui.session import CitizenSession
from ui.texts import say

log = logging.getLogger(__name__)

CHOICE_LABELS = {
    "elicence": ("调取电子证照", "e-licence"),
    "commitment": ("告知承诺（无需提交）", "Commitment"),
    "window": ("到窗口提交原件", "Bring to the window"),
    "scan": ("拍照上传", "Scan"),
}
CHOICE_TRUST = {"elicence": "A", "commitment": "D", "scan": "C"}
MSG_CHOOSE = "请为每项材料选择提交方式"
MSG_LICENCE_NOT_FOUND = "政务服务平台未查询到您的该项电子证照，请选择其他提交方式"
MSG_LICENCE_EXPIRED = "该电子证照已过期，请选择其他提交方式"
MSG_LICENCE_UNREACHABLE = "暂时无法连接政务服务平台，电子证照未能调取，请选择其他提交方式"
MSG_LICENCE_FAILED = "电子证照调取没有成功，请选择其他提交方式"
MSG_LICENCE_NO_IDENTITY = "请先完成身份核验"
REVEAL_S = 10.0

MASKERS: dict[str, Callable[[str], str]] = {
    "name": mask_name, "id_number": mask_id_number, "phone": mask_phone,
    "uscc": mask_uscc, "address": mask_address,
}


class MaterialsViewModel(QObject):
    """提交材料, and the 高拍仪 capture of one material at a time: live preview with the
    detected page outlined, automatic capture once the page holds still, a thumbnail to
    check, retake or use. A camera that fails takes the "拍照上传" way away (the material
    can still be brought to the window) and nothing already captured is lost."""

    changed = Signal()
    captureChanged = Signal()

    def __init__(self, session: CitizenSession, language: Callable[[], str], *,
                 camera: Any = None, provider: FrameProvider | None = None,
                 faults: dict[str, str] | None = None, runner: Any = None,
                 platform: Any = None) -> None:
        super().__init__()
        self._session = session
        self._language = language
        self._service: Service | None = None
        self._online = False
        self._runner = runner  # ui.bridge.BackgroundRunner: e-licence look-ups
        self._platform = platform  # sync.client.PlatformClient, None without sync
        self._pulling: set[str] = set()  # material ids whose licence is being looked up
        self._licence_errors: dict[str, str] = {}
        self._pull_generation = 0
        self._camera = camera
        self._provider = provider
        self._faults = faults if faults is not None else {}
        self._rows: list[dict[str, Any]] = []
        self._serial = 0
        self._thumbs: dict[str, Any] = {}
        self._preview = (Preview(camera, self._on_frame, self._on_camera_error)
                         if camera is not None else None)
        self._reset_capture()

    def _reset_capture(self) -> None:
        self._capturing = ""
        self._hint = ""
        self._progress = 0.0
        self._quad: list[float] = []
        self._result: bytes | None = None
        self._capture_error = ""
        self._frame_shown = False

    rows = Property(list, lambda s: s._rows, notify=changed, final=True)
    online = Property(bool, lambda s: s._online, notify=changed, final=True)
    scannerAvailable = Property(bool, lambda s: s._scanner(), notify=changed, final=True)
    capturing = Property(str, lambda s: s._capturing, notify=captureChanged, final=True)
    captureName = Property(str, lambda s: s._name_of(s._capturing), notify=captureChanged,
                           final=True)
    hint = Property(str, lambda s: say(s._language(), s._hint), notify=captureChanged,
                    final=True)
    progress = Property(float, lambda s: s._progress, notify=captureChanged, final=True)
    quad = Property(list, lambda s: s._quad, notify=captureChanged, final=True)
    hasResult = Property(bool, lambda s: s._result is not None, notify=captureChanged,
                         final=True)
    captureError = Property(str, lambda s: say(s._language(), s._capture_error),
                            notify=captureChanged, final=True)
    previewSource = Property(str, lambda s: f"image://kiosk/doc/{s._serial}"
                             if s._frame_shown else "", notify=captureChanged, final=True)
    resultSource = Property(str, lambda s: f"image://kiosk/result/{s._serial}"
                            if s._result is not None else "", notify=captureChanged,
                            final=True)

    def _scanner(self) -> bool:
        return self._camera is not None and self._provider is not None \
            and "document_camera" not in self._faults

    def _name_of(self, material_id: str) -> str:
        return next((r["name"] for r in self._rows if r["materialId"] == material_id), "")

    def open(self, service: Service, *, online: bool) -> None:
        self._service, self._online = service, online
        self._licence_errors.clear()
        self._settle_choices()
        self._build()

    def set_online(self, online: bool) -> None:
        """The platform link changed: 调取电子证照 is offered only while it is up; licences
        already pulled, scans and the other choices stay."""
        if online == self._online:
            return
        self._online = online
        if self._service is not None:
            self._settle_choices()
            self._build()
        else:
            self.changed.emit()

    def _settle_choices(self) -> None:
        service = self._service
        if service is None:
            return
        chosen = self._session.materials
        for m in service.materials:
            options = self._options(m.id, m.trust_level, m.e_licence)
            pulled = m.id in self._session.elicences
            if chosen.get(m.id) not in options or (chosen.get(m.id) == "elicence"
                                                    and not pulled):
                # sensible default: the best way that needs nothing from the citizen (an
                # e-licence only once the platform has produced it)
                chosen[m.id] = next(k for k in ("elicence", "commitment", "window")
                                    if k in options and (k != "elicence" or pulled))

    def _can_pull(self) -> bool:
        return self._online and self._platform is not None and self._runner is not None

    def _options(self, material_id: str, trust_level: str, e_licence: str | None) -> list[str]:
        out = []
        if e_licence and (self._can_pull() or material_id in self._session.elicences):
            out.append("elicence")
        if trust_level == "D":
            out.append("commitment")
        if self._scanner() or material_id in self._session.scans:
            out.append("scan")
        out.append("window")
        return out

    def _build(self) -> None:
        service, lang = self._service, self._language()
        self._rows = []
        if service is None:
            self.changed.emit()
            return
        for m in service.materials:
            options = self._options(m.id, m.trust_level, m.e_licence)
            scanned = m.id in self._session.scans
            licence = self._session.elicences.get(m.id, {})
            self._rows.append({
                "materialId": m.id,
                "name": pick(lang, m.name, m.name_en),
                "required": m.required,
                "condition": pick(lang, m.condition or "", m.condition_en or ""),
                "note": pick(lang, m.note, m.note_en),
                "eLicence": pick(lang, m.e_licence or "", m.e_licence_en or ""),
                "choice": self._session.materials.get(m.id, ""),
                "choices": [{"key": k, "label": pick(lang, *CHOICE_LABELS[k])}
                            for k in options],
                "offlineNote": bool(m.e_licence) and not self._can_pull() and not licence,
                "pulling": m.id in self._pulling,
                "licenceNo": licence.get("licence_no", ""),
                "licenceIssuer": licence.get("issuer", ""),
                "licenceError": say(lang, self._licence_errors.get(m.id, "")),
                "scanned": scanned,
                "thumbSource": f"image://kiosk/scan-{m.id}/{self._serial}" if scanned else "",
                "needsFix": m.id in self._session.correction_materials,  # 需补正: add it
            })
        self.changed.emit()

    def relabel(self) -> None:
        self._build()

    @Slot(str, str)
    def choose(self, material_id: str, choice: str) -> None:
        for row in self._rows:
            if row["materialId"] == material_id and any(c["key"] == choice
                                                         for c in row["choices"]):
                if choice == "scan" and material_id not in self._session.scans:
                    self.startCapture(material_id)
                    return
                if choice == "elicence" and material_id not in self._session.elicences:
                    self._pull(material_id)
                    return
                self._session.materials[material_id] = choice
                self._build()
                return

    # -- 电子证照 ------------------------------------------------------------------------------
    def _pull(self, material_id: str) -> None:
        """调取电子证照: ask the platform on a background job; the choice changes only when
        it answers with a valid licence."""
        service, ident = self._service, self._session.identity
        material = next((m for m in service.materials if m.id == material_id), None) \
            if service is not None else None
        if material is None or not material.e_licence or material_id in self._pulling:
            return
        if ident is None:
            self._licence_errors[material_id] = MSG_LICENCE_NO_IDENTITY
            self._build()
            return
        if not self._can_pull():
            self._licence_errors[material_id] = MSG_LICENCE_UNREACHABLE
            self._build()
            return
        platform, id_number, kind = self._platform, ident.id_number, material.e_licence
        generation = self._pull_generation
        self._pulling.add(material_id)
        self._licence_errors.pop(material_id, None)
        self._build()
        self._runner.run("elicence-lookup",
                         lambda: platform.lookup_elicences(id_number, [kind]),
                         lambda records: self._pulled(generation, material_id, records),
                         lambda err: self._pull_failed(generation, material_id, err))

    def _pulled(self, generation: int, material_id: str, records: Any) -> None:
        if generation != self._pull_generation:
            return  # the session ended meanwhile
        self._pulling.discard(material_id)
        record = records[0] if records else None
        if record is not None and record.usable:
            self._session.elicences[material_id] = {
                "type": record.type, "licence_no": record.licence_no or "",
                "issuer": record.issuer or "", "sha256": record.sha256 or ""}
            self._session.materials[material_id] = "elicence"
        elif record is not None and record.found:
            self._licence_errors[material_id] = MSG_LICENCE_EXPIRED
        else:
            self._licence_errors[material_id] = MSG_LICENCE_NOT_FOUND
        self._build()

    def _pull_failed(self, generation: int, material_id: str, err: BaseException) -> None:
        if generation != self._pull_generation:
            return
        self._pulling.discard(material_id)
        if isinstance(err, SyncTransportError):
            message = MSG_LICENCE_UNREACHABLE
        elif isinstance(err, SyncRejectedError):
            message = err.user_message or MSG_LICENCE_FAILED
        else:
            message = MSG_LICENCE_FAILED
        log.warning("e-licence look-up failed: %s", type(err).__name__)
        self._licence_errors[material_id] = message
        self._build()

    pulling = Property(bool, lambda s: bool(s._pulling), notify=changed, final=True)

    def show_error(self, message: str) -> None:
        """A reason the step cannot be left (e.g. 代办 without the 授权委托书)."""
        self._capture_error = message
        self.captureChanged.emit()

    # -- the 高拍仪 ---------------------------------------------------------------------------
    @Slot(str)
    def startCapture(self, material_id: str) -> None:
        if not self._scanner() or self._preview is None:
            return
        from devices.camera.document import DocumentCapture

        self._reset_capture()
        self._capturing = material_id
        self._hint = "请将材料平放在拍摄区域内"
        capture = DocumentCapture(take_still=self._camera.capture_still)
        self._preview.start(capture.feed)
        self.captureChanged.emit()

    @Slot()
    def retake(self) -> None:
        if self._capturing:
            self.startCapture(self._capturing)

    @Slot()
    def acceptCapture(self) -> None:
        mid, jpeg = self._capturing, self._result
        if not mid or jpeg is None:
            return
        self._session.scans[mid] = jpeg
        self._session.materials[mid] = "scan"
        if self._provider is not None:
            result = self._provider_image("result")
            if result is not None:
                self._provider.put(f"scan-{mid}", result)
        self._close_capture()

    @Slot()
    def cancelCapture(self) -> None:
        self._close_capture()

    def _provider_image(self, name: str) -> Any:
        return self._thumbs.get(name)

    def _close_capture(self) -> None:
        if self._preview is not None:
            self._preview.stop()
        if self._provider is not None:
            self._provider.drop("doc")
            self._provider.drop("result")
        self._thumbs = {}
        self._reset_capture()
        self._serial += 1
        self._build()
        self.captureChanged.emit()

    def _on_frame(self, image: Any, update: Any) -> None:
        if not self._capturing or self._provider is None:
            return
        self._provider.put("doc", to_qimage(image))
        self._frame_shown = True
        self._serial += 1
        if update is not None:
            self._hint = update.hint_zh
            self._progress = float(update.progress)
            h, w = image.shape[:2]
            self._quad = ([float(v) for x, y in update.quad.points.reshape(4, 2)
                           for v in (x / w, y / h)] if update.quad is not None else [])
            if update.result is not None and self._result is None:
                self._result = update.result.jpeg
                thumb = to_qimage(update.result.image)
                thumb = thumb.scaledToWidth(min(720, thumb.width()))
                self._thumbs = {"result": thumb}
                self._provider.put("result", thumb)
                if self._preview is not None:
                    self._preview.stop()
        self.captureChanged.emit()

    def _on_camera_error(self, message: str) -> None:
        log.warning("document camera: %s", message)
        self._faults["document_camera"] = message
        if self._preview is not None:
            self._preview.stop()
        mid = self._capturing
        self._reset_capture()
        self._capture_error = message
        if mid and mid not in self._session.scans:
            self._session.materials[mid] = "window"
        self._build()
        self.captureChanged.emit()

    @Slot(result=bool)
    def complete(self) -> bool:
        return not self._capturing and not self._pulling \
            and all(row["choice"] for row in self._rows)

    def wipe(self) -> None:
        self._pull_generation += 1
        self._pulling.clear()
        self._licence_errors.clear()
        if self._preview is not None:
            self._preview.stop()
        if self._provider is not None:
            self._provider.clear()
        self._thumbs = {}
        self._service = None
        self._rows = []
        self._reset_capture()
        self.changed.emit()
        self.captureChanged.emit()


def material_inputs(session: CitizenSession, service: Service) -> list[tuple[Any, ...]]:
    """``(material_id, trust_level, content, media_type, reference)`` for every material
    supplied here (the window ones are not received)."""
    out: list[tuple[Any, ...]] = []
    for m in service.materials:
        choice = session.materials.get(m.id, "window")
        if choice == "elicence" and m.id in session.elicences:
            # the licence's reference, sealed: the platform fetches the document itself
            out.append((m.id, m.trust_level_for(e_licence_pulled=True), None, "image/jpeg",
                        json.dumps(session.elicences[m.id], ensure_ascii=False,
                                   sort_keys=True)))
        elif choice == "commitment":
            out.append((m.id, "D", None, "image/jpeg", None))
        elif choice == "scan" and m.id in session.scans:
            out.append((m.id, "C", session.scans[m.id], "image/jpeg", None))
    return out


def received_materials(session: CitizenSession, service: Service) -> list[tuple[str, str]]:
    """``(material_id, trust_level)`` of what was supplied here — from the choices alone, so
    the receipt is right after the scans themselves were dropped from memory."""
    levels = {"elicence": None, "commitment": "D", "scan": "C"}
    out = []
    for m in service.materials:
        choice = session.materials.get(m.id, "window")
        if choice == "elicence" and m.id not in session.elicences:
            continue  # never claimed without the platform's licence
        if choice in levels:
            out.append((m.id, levels[choice] or m.trust_level_for(e_licence_pulled=True)))
    return out


class FaceViewModel(QObject):
    """人脸采集: consent first, then the camera; the picture is taken once the face check
    (``devices.camera.face.FaceCheck``) has been satisfied for ``OK_FRAMES`` frames in a row.
    Offline the result is 待核验 (the platform verifies it after sync). No face frame is kept:
    the preview image is dropped as soon as the capture is done or abandoned. Without a
    camera (or when it fails) the step says so plainly; the demo without a camera offers a
    simulated capture."""

    changed = Signal()
    OK_FRAMES = 4

    def __init__(self, session: CitizenSession, *, camera: Any = None, demo: bool,
                 provider: FrameProvider | None = None,
                 faults: dict[str, str] | None = None,
                 language: Callable[[], str] = lambda: "zh_CN") -> None:
        super().__init__()
        self._language = language
        self._session = session
        self._camera = camera
        self._demo = demo
        self._provider = provider
        self._faults = faults if faults is not None else {}
        self._error = ""
        self._instruction = ""
        self._serial = 0
        self._ok_run = 0
        self._box: list[float] = []
        self._preview = (Preview(camera, self._on_frame, self._on_camera_error, max_width=640)
                         if camera is not None and provider is not None else None)

    def _camera_ok(self) -> bool:
        return self._preview is not None and "camera" not in self._faults

    consent = Property(bool, lambda s: s._session.face_consent, notify=changed, final=True)
    captured = Property(bool, lambda s: s._session.face_status != "not_required",
                        notify=changed, final=True)
    canCapture = Property(bool, lambda s: s._camera_ok() or (s._demo and s._preview is None),
                          notify=changed, final=True)
    live = Property(bool, lambda s: s._preview is not None and s._preview.running,
                    notify=changed, final=True)
    instruction = Property(str, lambda s: say(s._language(), s._instruction), notify=changed,
                           final=True)
    previewSource = Property(str, lambda s: f"image://kiosk/face/{s._serial}"
                             if s._serial else "", notify=changed, final=True)
    faceBox = Property(list, lambda s: s._box, notify=changed, final=True)
    error = Property(str, lambda s: say(s._language(), s._error), notify=changed, final=True)

    @Slot(bool)
    def setConsent(self, on: bool) -> None:
        self._session.face_consent = on
        if not on:
            self._session.face_status = "not_required"
            self._stop()
        self._error = ""
        self.changed.emit()

    @Slot()
    def capture(self) -> None:
        """开始采集: the live picture starts (or, without a camera in the demo, a simulated
        capture completes at once)."""
        if not self._session.face_consent:
            self._error = "请先阅读并同意人脸信息采集"
        elif self._camera_ok() and self._preview is not None:
            from devices.camera.face import FaceCheck

            self._error = ""
            self._ok_run = 0
            self._instruction = "请正对摄像头"
            self._preview.start(FaceCheck().check)
        elif self._demo and self._preview is None:
            self._error = ""
            self._session.face_status = "pending_verification"
        else:
            self._error = "人脸采集设备暂不可用，请到窗口办理"
        self.changed.emit()

    @Slot()
    def retake(self) -> None:
        self._session.face_status = "not_required"
        self.capture()

    def _on_frame(self, image: Any, result: Any) -> None:
        if self._provider is None or self._session.face_status != "not_required":
            return
        self._provider.put("face", to_qimage(image))
        self._serial += 1
        if result is not None:
            self._instruction = result.instruction_zh
            h, w = image.shape[:2]
            self._box = ([result.box[0] / w, result.box[1] / h, result.box[2] / w,
                          result.box[3] / h] if result.box else [])
            self._ok_run = self._ok_run + 1 if result.ok else 0
            if self._ok_run >= self.OK_FRAMES:
                self._session.face_status = "pending_verification"
                self._instruction = "采集完成"
                self._stop()
        self.changed.emit()

    def _on_camera_error(self, message: str) -> None:
        log.warning("citizen camera: %s", message)
        self._faults["camera"] = message
        self._stop()
        self._error = message + "；如需继续，请到窗口办理"
        self.changed.emit()

    def _stop(self) -> None:
        if self._preview is not None:
            self._preview.stop()
        if self._provider is not None:
            self._provider.drop("face")  # no face picture stays in memory
        self._serial = 0
        self._box = []

    @Slot(result=bool)
    def complete(self) -> bool:
        if not self._session.face_consent or self._session.face_status == "not_required":
            self._error = ("请先阅读并同意人脸信息采集" if not self._session.face_consent
                           else "请先完成人脸采集")
            self.changed.emit()
            return False
        return True

    def leave(self) -> None:
        self._stop()
        self.changed.emit()

    def wipe(self) -> None:
        self._stop()
        self._error = ""
        self._instruction = ""
        self.changed.emit()


class SignatureViewModel(QObject):
    """签名: QML draws the strokes as the finger moves and hands each finished stroke over
    (points in canvas pixels); the PNG is rendered here, so what is stored does not depend
    on the scene graph."""

    changed = Signal()
    MIN_POINTS = 8  # a tap is not a signature

    def __init__(self, session: CitizenSession) -> None:
        super().__init__()
        self._session = session
        self._strokes: list[list[tuple[float, float]]] = []
        self._size = (800, 400)

    hasSignature = Property(bool, lambda s: sum(len(x) for x in s._strokes) >= s.MIN_POINTS,
                            notify=changed, final=True)
    strokeCount = Property(int, lambda s: len(s._strokes), notify=changed, final=True)
    #: who signs now: "applicant", or "agent" once the principal has signed (代办)
    signer = Property(str, lambda s: "agent" if s._session.agent is not None
                      and s._session.signature_png is not None else "applicant",
                      notify=changed, final=True)
    proxy = Property(bool, lambda s: s._session.agent is not None, notify=changed,
                     final=True)
    strokes = Property(list, lambda s: [[{"x": x, "y": y} for x, y in st] for st in s._strokes],
                       notify=changed, final=True)

    @Slot(int, int)
    def setCanvasSize(self, width: int, height: int) -> None:
        if width > 0 and height > 0:
            self._size = (width, height)

    @Slot(list)
    def addStroke(self, points: Sequence[Any]) -> None:
        stroke = []
        for p in points:
            try:
                x, y = (float(p["x"]), float(p["y"])) if isinstance(p, dict) \
                    else (float(p[0]), float(p[1]))
            except (KeyError, IndexError, TypeError, ValueError):
                continue
            stroke.append((x, y))
        if stroke:
            self._strokes.append(stroke)
            self._drop_current()
            self.changed.emit()

    @Slot()
    def clear(self) -> None:
        self._strokes.clear()
        self._drop_current()
        self.changed.emit()

    def _drop_current(self) -> None:
        """The signature being drawn changed: its stored image is out of date."""
        if self.signer == "agent":
            self._session.agent_signature_png = None
        else:
            self._session.signature_png = None

    def render_png(self) -> bytes:
        w, h = self._size
        image = QImage(w, h, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#111827"), 6, Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        for stroke in self._strokes:
            if len(stroke) == 1:
                painter.drawPoint(QPointF(*stroke[0]))
            else:
                painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in stroke]))
        painter.end()
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "PNG")  # type: ignore[call-overload]  # PySide6 takes str here
        buf.close()
        return bytes(data.data())

    @Slot(result=bool)
    def complete(self) -> bool:
        if not self.hasSignature:
            return False
        if self._session.agent is not None and self._session.signature_png is not None:
            self._session.agent_signature_png = self.render_png()  # 代办: the agent, second
            return True
        self._session.signature_png = self.render_png()
        if self._session.agent is not None:  # 代办: the principal signed; now the agent
            self._strokes.clear()
            self.changed.emit()
            return False
        return True

    def wipe(self) -> None:
        self._strokes.clear()
        self.changed.emit()


class ConsentViewModel(QObject):
    changed = Signal()

    def __init__(self, session: CitizenSession,
                 language: Callable[[], str] = lambda: "zh_CN") -> None:
        super().__init__()
        self._language = language
        self._session = session
        self._needs_commitment = False
        self._face = False
        self._error = ""

    personal = Property(bool, lambda s: s._session.consent_personal, notify=changed,
                        final=True)
    sensitive = Property(bool, lambda s: s._session.consent_sensitive, notify=changed,
                         final=True)
    commitment = Property(bool, lambda s: s._session.consent_commitment, notify=changed,
                          final=True)
    needsCommitment = Property(bool, lambda s: s._needs_commitment, notify=changed,
                               final=True)
    face = Property(bool, lambda s: s._face, notify=changed, final=True)
    error = Property(str, lambda s: say(s._language(), s._error), notify=changed, final=True)

    def _ready(self) -> bool:
        s = self._session
        return s.consent_personal and s.consent_sensitive and (
            s.consent_commitment or not self._needs_commitment)

    ready = Property(bool, _ready, notify=changed, final=True)

    def open(self, *, needs_commitment: bool, face: bool) -> None:
        self._needs_commitment = needs_commitment
        self._face = face
        if not needs_commitment:
            self._session.consent_commitment = False
        self._error = ""
        self.changed.emit()

    @Slot(str, bool)
    def setConsent(self, which: str, on: bool) -> None:
        attr = {"personal": "consent_personal", "sensitive": "consent_sensitive",
                "commitment": "consent_commitment"}.get(which)
        if attr is not None:
            setattr(self._session, attr, on)
            self._error = ""
            self.changed.emit()

    @Slot(result=bool)
    def complete(self) -> bool:
        if self._ready():
            return True
        self._error = "请勾选以上全部确认项后继续；如不同意，可点击“首页”结束办理"
        self.changed.emit()
        return False

    def wipe(self) -> None:
        self._needs_commitment = False
        self._face = False
        self._error = ""
        self.changed.emit()


class ReviewViewModel(QObject):
    """核对提交: every value masked; a tap reveals one of the citizen's own values for
    ``REVEAL_S`` seconds (the AppViewModel's tick hides it again)."""

    changed = Signal()

    def __init__(self, session: CitizenSession, language: Callable[[], str],
                 clock: Callable[[], float]) -> None:
        super().__init__()
        self._session = session
        self._language = language
        self._clock = clock
        self._rows: list[dict[str, Any]] = []
        self._full: list[str] = []
        self._revealed: dict[int, float] = {}  # row -> hide at
        self._error = ""

    def _view(self) -> list[dict[str, Any]]:
        out = []
        lang = self._language()
        for i, row in enumerate(self._rows):
            shown = dict(row, section=say(lang, row["section"]), label=say(lang, row["label"]))
            if not row["revealable"]:
                shown["value"] = (row["valueEn"] if lang == "en" and row.get("valueEn")
                                  else say(lang, row["value"]))
            if i in self._revealed:
                shown["value"] = self._full[i]
                shown["revealed"] = True
            out.append(shown)
        return out

    rows = Property(list, _view, notify=changed, final=True)
    error = Property(str, lambda s: say(s._language(), s._error), notify=changed, final=True)

    def open(self, service: Service, materials: Sequence[tuple[str, str]]) -> None:
        lang = self._language()
        s = self._session
        rows: list[dict[str, Any]] = []
        full: list[str] = []

        def add(section: str, label: str, value: str, kind: str = "") -> None:
            masker = MASKERS.get(kind)
            masked = masker(value) if masker and value else value
            rows.append({"section": section, "label": label, "value": masked or "—",
                         "revealable": bool(masker and value and masked != value),
                         "revealed": False})
            full.append(value)

        if s.identity is not None:
            add("申请人", "证件类型", s.identity.card_label)
            add("申请人", "姓名", s.identity.name, "name")
            add("申请人", "证件号码", s.identity.id_number, "id_number")
        shown_ids = {s.identity.name, s.identity.id_number} if s.identity else set()
        for f in service.fields:
            value = s.form.get(f.id, "")
            if f.prefill in ("idcard.name", "idcard.id_number") and value in shown_ids:
                continue  # already listed under 申请人
            add("申请信息", pick(lang, f.label, f.label_en), value, _mask_kind(f))
            if value in f.options and len(f.options_en) == len(f.options):
                # a chosen option is stored in Chinese; shown in the session's language
                rows[-1]["valueEn"] = f.options_en[f.options.index(value)]
        names = {m.id: pick(lang, m.name, m.name_en) for m in service.materials}
        received = dict(materials)
        for m in service.materials:
            level = received.get(m.id)
            how = {"A": "电子证照（已调取）", "D": "告知承诺",
                   "C": "已拍照上传（原件到窗口核验）"}.get(level or "", "到窗口提交原件")
            add("申请材料", names[m.id], how)
        if service.needs_face:
            add("人脸核验", "人脸信息", "已采集，待平台核验")
        add("签名", "手写签名", "已签名" if s.signature_png else "未签名")
        self._rows, self._full = rows, full
        self._revealed.clear()
        self.changed.emit()

    @Slot(int)
    def reveal(self, row: int) -> None:
        if 0 <= row < len(self._rows) and self._rows[row]["revealable"]:
            self._revealed[row] = self._clock() + REVEAL_S
            self.changed.emit()

    @Slot(int)
    def hide(self, row: int) -> None:
        if self._revealed.pop(row, None) is not None:
            self.changed.emit()

    def tick(self) -> None:
        now = self._clock()
        expired = [r for r, until in self._revealed.items() if until <= now]
        for r in expired:
            del self._revealed[r]
        if expired:
            self.changed.emit()

    def set_error(self, message: str) -> None:
        self._error = message
        self.changed.emit()

    def wipe(self) -> None:
        self._rows, self._full = [], []
        self._revealed.clear()
        self._error = ""
        self.changed.emit()


def _mask_kind(f: FormField) -> str:
    return f.kind if f.kind in MASKERS else ""
