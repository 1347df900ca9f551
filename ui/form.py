"""填写信息 (FORM): the service's fields, prefilled from the card, checked as typed.

Fields come from the catalogue (``FormField``). A field whose ``prefill`` names a card
value gets that value when the form opens; name and ID number read from a card are
locked (the reader's security module vouches for them), an address stays editable
(people move). Every change is checked with :func:`kiosk.validation.validate_field`; the
message shows once the field has been touched or the citizen pressed 下一步. The values
are kept as typed and normalised (:func:`kiosk.validation.normalize_value`) when the step
is completed, which is also when personal values the citizen typed are registered for log
redaction.

Each row carries the input-method hints that suit its kind (a digits keypad for phones and
numbers, upper-case Latin for codes, pinyin for names and addresses) and never lets the
keyboard learn what was typed (``ImhSensitiveData``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    Qt,
    Signal,
    Slot,
)

from kiosk.catalogue import FormField, Service
from kiosk.masking import mask_id_number, mask_name
from kiosk.redaction import SensitiveKind
from kiosk.validation import normalize_value, validate_field
from ui.models import FIRST_ROLE, Index, pick, pick_list
from ui.session import CitizenSession

Hint = Qt.InputMethodHint

_BASE = Hint.ImhSensitiveData | Hint.ImhNoEditMenu
HINTS: dict[str, Hint] = {
    "phone": _BASE | Hint.ImhDialableCharactersOnly,
    "number": _BASE | Hint.ImhFormattedNumbersOnly,
    "id_number": _BASE | Hint.ImhPreferNumbers | Hint.ImhUppercaseOnly | Hint.ImhLatinOnly
    | Hint.ImhNoPredictiveText,
    "uscc": _BASE | Hint.ImhUppercaseOnly | Hint.ImhLatinOnly | Hint.ImhNoPredictiveText,
    "date": _BASE | Hint.ImhDate,
}
#: kinds whose values are personal enough to keep out of the logs
SENSITIVE_KINDS: dict[str, SensitiveKind] = {"name": "name", "id_number": "id_number",
                                             "phone": "phone", "uscc": "uscc",
                                             "address": "address"}
LOCKED_PREFILL = frozenset({"idcard.name", "idcard.id_number"})

#: English for the messages of kiosk.validation and kiosk.idcheck, which are composed in
#: Chinese, some around the field's Chinese label (written here as {label})
MESSAGES_EN = {
    "请填写{label}": "Please fill in: {label}",
    "请选择{label}": "Please choose: {label}",
    "{label}格式不正确": "{label}: the format is not right",
    "{label}应为数字": "{label}: digits only",
    "请从选项中选择{label}": "{label}: please pick one of the options",
    "{label}只能包含汉字、字母和间隔号“·”":
        "{label}: letters, Chinese characters and the dot \u201c\u00b7\u201d only",
    "日期格式应为YYYY-MM-DD": "Date format: YYYY-MM-DD",
    "日期不存在，请检查": "This date does not exist: please check",
    "地址过短，请填写详细地址": "Address too short: please give the full address",
    "身份证号码应为18位": "An ID number has 18 characters",
    "身份证号码只能是数字，最后一位可以是X": "An ID number has digits only; the last may be X",
    "身份证号码的地区码不正确": "The region code of this ID number is not valid",
    "身份证号码中的出生日期不正确": "The date of birth in this ID number is not valid",
    "身份证号码校验位不正确": "The last character of this ID number does not check out",
    "统一社会信用代码应为18位": "A unified social credit code has 18 characters",
    "统一社会信用代码格式不正确": "This unified social credit code is not valid",
    "统一社会信用代码校验位不正确":
        "The last character of this unified social credit code does not check out",
    "手机号码应为11位数字": "A mobile number has 11 digits",
    "手机号码格式不正确": "This is not a valid mobile number",
}
_LENGTH_RE = re.compile(r"^\{label\}应为(\d+)至(\d+)个字$")
_MAX_RE = re.compile(r"^不能超过(\d+)个字$")


def message_in(language: str, f: FormField, message: str) -> str:
    """A validation message in the session's language (Chinese as composed, or English
    with the field's English label); an unknown message stays as it is."""
    if language != "en" or not message:
        return message
    if message in MESSAGES_EN:
        return MESSAGES_EN[message]
    template = message.replace(f.label, "{label}") if f.label else message
    label = f.label_en or f.label
    if m := _LENGTH_RE.match(template):
        return f"{label}: {m[1]} to {m[2]} characters"
    if m := _MAX_RE.match(template):
        return f"At most {m[1]} characters"
    english = MESSAGES_EN.get(template)
    return english.replace("{label}", label) if english else message


def _masked(kind: str, value: str) -> str:
    return mask_id_number(value) if kind == "id_number" else mask_name(value)


class FieldListModel(QAbstractListModel):
    ROLES: ClassVar[tuple[str, ...]] = (
        "fieldId", "label", "kind", "mandatory", "value", "error", "options", "help",
        "hints", "maxLength", "locked", "fromCard", "needsFix")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def update(self, row: int, **values: Any) -> None:
        self._rows[row].update(values)
        idx = self.index(row)
        roles = [FIRST_ROLE + self.ROLES.index(k) for k in values]
        self.dataChanged.emit(idx, idx, roles)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        return {FIRST_ROLE + i: QByteArray(n.encode()) for i, n in enumerate(self.ROLES)}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        i = role - FIRST_ROLE
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= i < len(self.ROLES):
            return None
        return self._rows[index.row()][self.ROLES[i]]

    def rows(self) -> list[dict[str, Any]]:
        return self._rows


class FormViewModel(QObject):
    changed = Signal()

    def __init__(self, session: CitizenSession, language: Callable[[], str]) -> None:
        super().__init__()
        self._session = session
        self._language = language
        self._service: Service | None = None
        self._fields: list[FormField] = []
        self._touched: set[str] = set()
        self._model = FieldListModel()
        self._first_error = -1

    fields = Property(QObject, lambda s: s._model, constant=True, final=True)
    firstError = Property(int, lambda s: s._first_error, notify=changed, final=True)

    def _error_count(self) -> int:
        return sum(1 for r in self._model.rows() if r["error"])

    errorCount = Property(int, _error_count, notify=changed, final=True)

    # -- journey hooks ------------------------------------------------------------------
    def open(self, service: Service) -> None:
        """The form step is shown: build rows (keeping what was typed when coming back)."""
        if self._service is not None and self._service.code == service.code \
                and self._model.rows():
            self.relabel()
            return
        self._service = service
        self._fields = list(service.fields)
        self._touched.clear()
        identity = self._session.identity
        values = self._session.form
        for f in self._fields:
            if f.id not in values and identity is not None and f.prefill:
                prefilled = identity.prefill(f.prefill)
                if prefilled:
                    values[f.id] = prefilled
        self._build_rows()

    def _build_rows(self) -> None:
        lang = self._language()
        identity = self._session.identity
        rows = []
        for f in self._fields:
            value = self._session.form.get(f.id, "")
            from_card = bool(identity is not None and f.prefill and value
                             and value == identity.prefill(f.prefill))
            locked = from_card and f.prefill in LOCKED_PREFILL
            rows.append({
                "fieldId": f.id,
                "label": pick(lang, f.label, f.label_en),
                "kind": f.kind,
                "mandatory": f.required,
                # a locked card value is shown masked (PRODUCT.md §5): the screen faces a hall
                "value": _masked(f.kind, value) if locked else value,
                "error": self._message(f, value),
                # the value stays the Chinese option (validation and the platform see it);
                # only the label follows the language
                "options": [{"value": o, "label": label} for o, label in zip(
                    f.options, pick_list(lang, f.options, f.options_en), strict=True)],
                "help": pick(lang, f.help, f.help_en),
                "hints": int(HINTS.get(f.kind, _BASE).value),
                "maxLength": f.max_length or (500 if f.kind == "textarea" else 100),
                "locked": locked,
                "fromCard": from_card,
                "needsFix": f.id in self._session.correction_fields,  # 需补正
            })
        self._model.set_rows(rows)
        self._first_error = -1
        self.changed.emit()

    def relabel(self) -> None:
        """The language changed: labels again, values and messages kept."""
        self._build_rows()

    def wipe(self) -> None:
        self._service = None
        self._fields = []
        self._touched.clear()
        self._model.set_rows([])
        self._first_error = -1
        self.changed.emit()

    def _message(self, f: FormField, value: str) -> str:
        if f.id not in self._touched:
            return ""
        return message_in(self._language(), f, validate_field(f, value) or "")

    # -- slots --------------------------------------------------------------------------
    @Slot(str, str)
    def setValue(self, field_id: str, value: str) -> None:
        """The citizen typed (or picked) a value: keep it and check it."""
        for row, f in enumerate(self._fields):
            if f.id != field_id:
                continue
            if self._model.rows()[row]["locked"]:
                return
            self._session.form[field_id] = value
            self._session.entered_by[field_id] = self._session.actor
            self._touched.add(field_id)
            error = self._message(f, value)
            before = self._model.rows()[row]
            if before["value"] != value or before["error"] != error:
                self._model.update(row, value=value, error=error)
                self.changed.emit()
            return

    @Slot(str)
    def touch(self, field_id: str) -> None:
        """The field lost focus: show its message even if nothing was typed."""
        for row, f in enumerate(self._fields):
            if f.id == field_id and field_id not in self._touched:
                self._touched.add(field_id)
                self._model.update(row, error=self._message(f, self._session.form.get(
                    f.id, "")))
                self.changed.emit()

    @Slot(result=bool)
    def complete(self) -> bool:
        """下一步: every field checked; True (values normalised) when nothing is wrong."""
        self._touched.update(f.id for f in self._fields)
        first = -1
        for row, f in enumerate(self._fields):
            value = self._session.form.get(f.id, "")
            error = self._message(f, value)
            if error and first < 0:
                first = row
            if self._model.rows()[row]["error"] != error:
                self._model.update(row, error=error)
        self._first_error = first
        self.changed.emit()
        if first >= 0:
            return False
        for f in self._fields:
            value = normalize_value(f, self._session.form.get(f.id, ""))
            self._session.form[f.id] = value
            kind = SENSITIVE_KINDS.get(f.kind)
            if kind is not None and value:
                self._session.remember_sensitive(value, kind)
        return True

    def values(self) -> dict[str, str]:
        return dict(self._session.form)
