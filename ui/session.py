"""What the kiosk holds about the citizen in front of it during one application.

One :class:`CitizenSession` per journey; every view-model of the application steps reads
and writes it, and :meth:`CitizenSession.wipe` is the single place where all of it is
forgotten at session end (timeout, cancel, finish): identity and card objects, form values,
materials, face status, signature, consent, the stored receipt and the rating. Values
that identify the citizen are registered with :mod:`kiosk.redaction` while they are held
and unregistered at the wipe, so logs never show them even by accident.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from devices.idcard import IdCardData
from devices.smartcard import SocialSecurityCard
from devices.smartcard.sscard import unregister_card_sensitive
from kiosk.idcheck import is_valid_id_number, parse_id_number
from kiosk.redaction import SensitiveKind, register_sensitive, unregister_sensitive

IDENTIFY_LABELS = {"idcard": "居民身份证", "sscard": "社会保障卡", "qr": "电子证照二维码"}
#: card labels of an identity resolved from a QR code, by the platform's ``source``
QR_CARD_LABELS = {"eid": "电子身份凭证", "appointment": "预约二维码"}


@dataclass(frozen=True, repr=False)
class Identity:
    """The applicant as read from a card (the reader's security module vouches for it)."""

    source: str  # "idcard", "sscard" or "eid" (a QR code resolved by the platform)
    card_label: str  # 居民身份证 / 港澳台居民居住证 / 社会保障卡 …
    name: str
    id_number: str
    sex: str = ""
    birth: date | None = None
    address: str = ""
    card: Any = None  # the IdCardData / SocialSecurityCard it came from (memory only)

    def __repr__(self) -> str:  # never the personal fields
        return f"Identity(source={self.source!r}, card_label={self.card_label!r})"

    @classmethod
    def from_idcard(cls, card: IdCardData) -> Identity:
        return cls(source="idcard", card_label=card.card_type.label_zh, name=card.name,
                   id_number=card.id_number, sex=card.sex, birth=card.birth,
                   address=card.added_address or card.address, card=card)

    @classmethod
    def from_sscard(cls, card: SocialSecurityCard) -> Identity:
        return cls(source="sscard", card_label="社会保障卡", name=card.name,
                   id_number=card.id_number, sex=card.sex, birth=card.birth, card=card)

    @classmethod
    def from_eid(cls, resolved: Any) -> Identity:
        """From ``PlatformClient.resolve_identity``: the platform vouches for the person
        (电子身份凭证 or an appointment's QR code); sex and birth come from the ID number."""
        sex, birth = "", None
        if is_valid_id_number(resolved.id_number):
            info = parse_id_number(resolved.id_number)
            sex, birth = info.sex, info.birth
        return cls(source="eid", card_label=QR_CARD_LABELS.get(resolved.source, "电子身份凭证"),
                   name=resolved.name, id_number=resolved.id_number, sex=sex, birth=birth,
                   card=resolved)

    def prefill(self, key: str | None) -> str:
        """The value for a catalogue ``prefill`` source (``idcard.name`` …), or ""."""
        if not key:
            return ""
        what = key.partition(".")[2]
        if what == "birth":
            return self.birth.isoformat() if self.birth else ""
        return str({"name": self.name, "id_number": self.id_number, "address": self.address,
                    "sex": self.sex}.get(what, ""))

    @property
    def sensitive(self) -> list[tuple[str, SensitiveKind]]:
        pairs: list[tuple[str, SensitiveKind]] = [
            (self.name, "name"), (self.id_number, "id_number"), (self.address, "address")]
        return [(v, k) for v, k in pairs if v.strip()]


@dataclass
class CitizenSession:
    """Everything of one citizen's application (see the module docstring)."""

    draft_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    identity: Identity | None = None
    form: dict[str, str] = field(default_factory=dict)
    materials: dict[str, str] = field(default_factory=dict)  # material id -> how supplied
    scans: dict[str, bytes] = field(default_factory=dict)  # material id -> JPEG (memory only)
    face_status: str = "not_required"
    face_consent: bool = False
    signature_png: bytes | None = None
    consent_personal: bool = False
    consent_sensitive: bool = False
    consent_commitment: bool = False
    receipt: Any = None  # sync.outbox.SubmitReceipt once stored
    case_no: str | None = None
    rated: bool = False
    # 电子证照 pulled from the platform: material id -> {"type", "licence_no", "issuer",
    # "sha256"} (what goes, sealed, into the material's reference)
    elicences: dict[str, dict[str, str]] = field(default_factory=dict)
    # 帮办: who types now ("citizen" or "staff:<id>"; survives the wipe, it is the terminal's
    # staff session) and who entered each form field (sealed with the application)
    actor: str = "citizen"
    entered_by: dict[str, str] = field(default_factory=dict)
    # 需补正: the key of the case's record being corrected, and what the platform asked for
    correction_of: str | None = None
    correction_fields: tuple[str, ...] = ()
    correction_materials: tuple[str, ...] = ()
    correction_note: str = ""
    # 代办 (only with staff logged in): the applicant (``identity``) is the principal; the
    # agent's card, the relationship and the agent's signature (the principal's is
    # ``signature_png``); the 授权委托书 is a material (``ui.proxy``)
    proxy_mode: bool = False
    agent: Identity | None = None
    proxy_relationship: str = ""
    agent_signature_png: bytes | None = None
    _registered: list[tuple[str, SensitiveKind]] = field(default_factory=list, repr=False)

    def set_identity(self, identity: Identity | None) -> None:
        self._release_identity()
        self.identity = identity
        if identity is not None and identity.source in ("idcard", "eid"):
            # the 社保卡 reader registers its card itself; the session releases it at the end
            for value, kind in identity.sensitive:
                register_sensitive(value, kind=kind)
                self._registered.append((value, kind))

    def set_agent(self, agent: Identity | None) -> None:
        """代办: the agent read from a card; their values are redacted like the applicant's
        and released with them (``_registered``)."""
        self.agent = agent
        if agent is not None:
            for value, kind in agent.sensitive:
                register_sensitive(value, kind=kind)
                self._registered.append((value, kind))

    def remember_sensitive(self, value: str, kind: SensitiveKind) -> None:
        """A personal value the citizen typed (phone, a partner's ID number …)."""
        if value.strip() and (value, kind) not in self._registered:
            register_sensitive(value, kind=kind)
            self._registered.append((value, kind))

    def _release_identity(self) -> None:
        if self.identity is not None and self.identity.source == "sscard":
            unregister_card_sensitive(self.identity.card)
        for value, kind in self._registered:
            unregister_sensitive(value, kind=kind)
        self._registered.clear()
        self.identity = None
        self.agent = None  # its values were released with the applicant's

    def forget_after_store(self) -> None:
        """The application is sealed in the queue: what the remaining screens (result,
        receipt, rating) do not need is dropped from memory now, not at the session end."""
        self.form = {}
        self.scans = {}
        self.signature_png = None
        self.agent_signature_png = None

    def wipe(self) -> None:
        """Forget everything (the object is reused for the next citizen)."""
        self._release_identity()
        fresh = CitizenSession()
        for name in ("draft_id", "form", "materials", "scans", "face_status", "face_consent",
                     "signature_png", "consent_personal", "consent_sensitive",
                     "consent_commitment", "receipt", "case_no", "rated", "entered_by",
                     "correction_of", "correction_fields", "correction_materials",
                     "correction_note", "proxy_mode", "agent", "proxy_relationship",
                     "agent_signature_png"):
            setattr(self, name, getattr(fresh, name))
        self.elicences = {}
