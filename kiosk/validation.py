"""Validation of form fields as the citizen types (the FORM step).

``validate_field(field, value)`` returns a short Simplified-Chinese message to show under
the field, or ``None`` when the value is acceptable; ``validate_form`` does the same for a
whole form and returns ``{field_id: message}`` for the fields with problems. Neither ever
raises on any ``str`` input.

Every value is normalised first with :func:`normalize_value` (NFKC, so full-width digits,
letters and spaces become ASCII; surrounding whitespace stripped; codes upper-cased and
their inner spaces removed). The application should store the normalised value.

Order of checks: required → kind-specific format → ``max_length`` → ``pattern`` (a full
match). Kinds (see ``kiosk.catalogue.FIELD_KINDS``):

* ``name`` — 2–30 Han characters or Latin letters; parts may be joined with the middle dot
  ``·`` (``•`` and ``・`` are accepted as the same), Latin parts also with single spaces.
* ``id_number`` — GB 11643 (``kiosk.idcheck``); ``uscc`` — GB 32100; ``phone`` — CN mobile.
* ``date`` — ``YYYY-MM-DD`` and the day must exist.
* ``number`` — digits, optionally with a decimal part.
* ``select`` — one of ``options``.
* ``address`` — at least 5 characters; ``text`` / ``textarea`` — length only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from kiosk import idcheck

if TYPE_CHECKING:
    from kiosk.catalogue import FormField

NAME_MIN = 2
NAME_MAX = 30
ADDRESS_MIN = 5

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_NAME_RE = re.compile(
    rf"^(?:[{_HAN}]+|[A-Za-z]+(?: [A-Za-z]+)*)(?:·(?:[{_HAN}]+|[A-Za-z]+(?: [A-Za-z]+)*))*$"
)
_MIDDLE_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·", "∙": "·", "⋅": "·"})
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?$", re.ASCII)
_CODE_KINDS = frozenset({"id_number", "uscc"})


def normalize_value(field: FormField, value: str) -> str:
    """The value as it should be checked and stored (see the module docstring).

    Removing separators can bring a base letter next to a combining mark that NFKC then
    composes, so the steps run until nothing changes (twice in practice): the result is
    idempotent."""
    text = _normalize_once(field, value)
    for _ in range(3):
        again = _normalize_once(field, text)
        if again == text:
            break
        text = again
    return text


def _normalize_once(field: FormField, value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    if field.kind in _CODE_KINDS:
        return idcheck.normalize_code(text)
    if field.kind == "phone":
        return idcheck.normalize_mobile(text)
    if field.kind == "name":
        return " ".join(text.translate(_MIDDLE_DOTS).split())
    return text


def validate_field(field: FormField, value: str) -> str | None:
    """A short Chinese message describing what is wrong with ``value``, or ``None``."""
    try:
        return _validate(field, value)
    except Exception:  # a validator must never take the form down
        return f"{field.label}格式不正确"


def validate_form(fields: Iterable[FormField], values: Mapping[str, str]) -> dict[str, str]:
    """Errors of a whole form, ``{field_id: message}``; missing values count as empty."""
    errors: dict[str, str] = {}
    for field in fields:
        message = validate_field(field, values.get(field.id, ""))
        if message is not None:
            errors[field.id] = message
    return errors


def _validate(field: FormField, value: str) -> str | None:
    text = normalize_value(field, value)
    if not text:
        if not field.required:
            return None
        return f"请选择{field.label}" if field.kind == "select" else f"请填写{field.label}"
    message = _check_kind(field, text)
    if message is not None:
        return message
    if field.max_length is not None and len(text) > field.max_length:
        return f"不能超过{field.max_length}个字"
    if field.pattern is not None:
        compiled = _compile(field.pattern)
        if compiled is not None and compiled.fullmatch(text) is None:
            return f"{field.label}格式不正确"
    return None


def _check_kind(field: FormField, text: str) -> str | None:
    kind = field.kind
    if kind == "name":
        if not NAME_MIN <= len(text) <= NAME_MAX:
            return f"{field.label}应为{NAME_MIN}至{NAME_MAX}个字"
        if not _NAME_RE.match(text):
            return f"{field.label}只能包含汉字、字母和间隔号“·”"
        return None
    if kind == "id_number":
        return idcheck.id_number_problem(text)
    if kind == "uscc":
        return idcheck.uscc_problem(text)
    if kind == "phone":
        return idcheck.mobile_problem(text)
    if kind == "date":
        m = _DATE_RE.match(text)
        if m is None:
            return "日期格式应为YYYY-MM-DD"
        try:
            date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return "日期不存在，请检查"
        return None
    if kind == "number":
        return None if _NUMBER_RE.match(text) else f"{field.label}应为数字"
    if kind == "select":
        options = {unicodedata.normalize("NFKC", o).strip() for o in field.options}
        return None if text in options else f"请从选项中选择{field.label}"
    if kind == "address":
        return None if len(text) >= ADDRESS_MIN else "地址过短，请填写详细地址"
    return None


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None  # load_catalogue rejects bad patterns; never fail a citizen for one
