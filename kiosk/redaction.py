"""Redaction of personal data in log text: :func:`redact` and :class:`RedactingFilter`.

Full personal values never reach the logs (PRODUCT.md §7). :func:`redact` is a pure function
over text; :class:`RedactingFilter` applies it to a :class:`logging.LogRecord` (message after
``%`` formatting, exception text, stack text). :mod:`kiosk.logsetup` attaches the filter to
every handler it installs, so records from any logger (ours or urllib3/SQLAlchemy) that reach
those handlers are redacted.

What is redacted, in this order (replacements come from :mod:`kiosk.masking`):

1. **Registered values** (:func:`register_sensitive`, :func:`sensitive_values`): exact,
   case-insensitive occurrences of values known to be personal — the kiosk registers the
   current citizen's name (and address) at card read and unregisters it at session end. The
   JSON ``\\uXXXX`` escaped form of a registered value is matched as well. Values shorter than
   2 characters are ignored (masking every 张 in the log would make it useless).
2. **Keyed names**: ``name=张三``, ``"name": "张三"``, ``姓名：张三``, ``applicant_name='李四'``
   for the keys ``name``, ``姓名``, ``applicant_name``, ``full_name``, ``holder_name``,
   ``agent_name``, ``principal_name`` (case-insensitive, the key must not be the tail of a
   longer identifier, so ``filename=`` is untouched), and ``住址``/``home_address`` (masked as
   an address). Names cannot be recognised in free text, hence keys and registration.
3. **Patterns**, each bounded by non-digits (by non-alphanumerics for credit codes):

   - ID numbers: 17 digits + digit/X (optionally grouped 6-8-4 with spaces or dashes) and
     15-digit legacy numbers. Check digits are *not* verified: anything that looks like an ID
     number is masked.
   - Unified social credit codes: 18 chars of the GB 32100 alphabet, first char ``1-9ANY``,
     chars 3-8 digits (the region code), not glued to letters, digits or a following ``_``.
   - Mainland mobiles: ``1[3-9]`` + 9 digits, optionally ``+86``/``0086``/``86`` and spaces or
     dashes (``138-1234-1234``).

   A match glued to ASCII letters only (``ID11010519491231002X``, ``tel13812345678``) or to
   Chinese text (``身份证号11010519491231002X已核验``) is masked. A match inside an opaque token
   — a run of ASCII letters and digits that has other digits besides the match (hex digests,
   base64) or a UUID — is left alone, so hashes and request ids stay readable.

:func:`redact` is idempotent and never raises; if something unexpected goes wrong it returns
``"[redaction failed]"`` rather than the input.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal, NamedTuple

from kiosk.masking import mask_address, mask_id_number, mask_name, mask_phone, mask_uscc

__all__ = [
    "REDACTION_FAILED",
    "RedactingFilter",
    "SensitiveKind",
    "clear_sensitive",
    "redact",
    "register_sensitive",
    "sensitive_values",
    "unregister_sensitive",
]

REDACTION_FAILED = "[redaction failed]"

SensitiveKind = Literal["name", "id_number", "phone", "uscc", "address"]

_MASKERS: dict[str, Callable[[str], str]] = {
    "name": mask_name,
    "id_number": mask_id_number,
    "phone": mask_phone,
    "uscc": mask_uscc,
    "address": mask_address,
}

# --- 3. patterns -------------------------------------------------------------------------
#
# Every pattern starts with a single character class so that the regex engine can skip
# non-candidate characters in C; the "not preceded by" checks therefore look behind the first
# consumed character ((?<![0-9].) means "the character before the match is not a digit").

_USCC_CHAR = "[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]"
_PHONE_TAIL = r"1[3-9][0-9](?:[ -]?[0-9]{4}){2}"
_PII_RE = re.compile(
    r"[+0-9ANYany](?:"
    r"(?<![0-9].)(?:"
    r"(?<=[0-9])(?P<id_number>[0-9]{5}[ -]?[0-9]{8}[ -]?[0-9]{3}[0-9Xx]|[0-9]{14})"
    r"|(?<=1)(?P<phone>[3-9][0-9](?:[ -]?[0-9]{4}){2})"
    r"|(?<=8)(?P<phone_86>6[ -]?" + _PHONE_TAIL + r")"
    r"|(?<=0)(?P<phone_0086>086[ -]?" + _PHONE_TAIL + r")"
    r"|(?<=\+)(?P<phone_plus86>86[ -]?" + _PHONE_TAIL + r")"
    r")(?![0-9])"
    r"|(?<=[1-9ANYany])(?<![0-9A-Za-z].)"
    r"(?P<uscc>" + _USCC_CHAR + r"[0-9]{6}" + _USCC_CHAR + r"{10})(?![0-9A-Za-z_])"
    r")"
)
_PII_MASKERS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "phone_86": mask_phone,
    "phone_0086": mask_phone,
    "phone_plus86": mask_phone,
    "uscc": mask_uscc,
}
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")
_UUID_RE = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
)


def _in_opaque_token(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is part of a hash-, base64- or UUID-like token."""
    i = start
    while i > 0 and text[i - 1] in _ASCII_ALNUM:
        i -= 1
    j = end
    n = len(text)
    while j < n and text[j] in _ASCII_ALNUM:
        j += 1
    if i == start and j == end:
        return False
    if any(c in _DIGITS for c in text[i:start]) or any(c in _DIGITS for c in text[end:j]):
        return True
    lo = max(0, i - 37)
    return any(u.start() < end and u.end() > start for u in _UUID_RE.finditer(text, lo, j + 37))


def _mask_pii(m: re.Match[str]) -> str:
    value = m.group()
    if _in_opaque_token(m.string, m.start(), m.end()):
        return value
    return _PII_MASKERS[m.lastgroup or "id_number"](value)


# --- 2. keyed names ----------------------------------------------------------------------


def _ci(word: str) -> str:
    """Case-insensitive character classes for an ASCII word (cheaper than re.IGNORECASE)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


_NAME_PREFIXES = ("applicant", "full", "holder", "agent", "principal")
# After the first key character is consumed: the key is either not glued to a preceding
# identifier, or is "<prefix>_name" with the prefix itself not glued to one. "*" counts as
# glue: a masked credit code may end in letters that spell a key ("...0Y43name"), and masking
# must not turn them into a key on a second pass.
_GLUE = "[0-9A-Za-z_*]"
_NAME_LEFT = "|".join(
    [rf"(?<!{_GLUE}.)"] + [rf"(?<={_ci(p)}_.)(?<!{_GLUE}.{{{len(p) + 2}}})" for p in _NAME_PREFIXES]
)
_VALUE_STOP = r"\s,;&|\"'“”‘’「」『』<>()\[\]{}，。；、：:=（）【】"
_KEYED_RE = re.compile(
    r"[nN姓住hH](?:"
    r"(?P<name_key>(?<=[nN])(?:" + _NAME_LEFT + r")[aA][mM][eE]|(?<=姓)名)"
    r"|(?P<addr_key>(?<=住)址|(?<=[hH])(?<!" + _GLUE + r".)" + _ci("ome_address") + r")"
    r")"
    r"(?P<sep>[\"']?[ \t]{0,8}[:=：][ \t]{0,8}(?P<quote>[\"'“‘「『])?)"
    r"(?P<value>"
    r"(?(quote)[^\"'”’」』\r\n]{1,64}"
    r"|[^" + _VALUE_STOP + r"]{1,64}(?: (?=[A-Z*])[^" + _VALUE_STOP + r"]{1,32}){0,3})"
    r")"
)


def _mask_keyed(m: re.Match[str]) -> str:
    # Whitespace inside the value is kept where it was (and the maskers keep length), so a
    # second pass captures no more than the first: that keeps redact() idempotent.
    value = m.group("value")
    core = value.strip()
    if not core:
        return m.group()
    masker = mask_name if m.group("name_key") is not None else mask_address
    masked = masker(core)
    if len(masked) == len(core):
        masked = "".join(c if c.isspace() else x for c, x in zip(core, masked, strict=True))
    lead = value[: len(value) - len(value.lstrip())]
    trail = value[len(value.rstrip()) :]
    return m.group()[: m.start("value") - m.start()] + lead + masked + trail


# --- candidate windows -------------------------------------------------------------------
#
# Most log lines hold no personal data, and running the regexes over a whole line costs about
# 50 ns per digit or key letter. So the line is first mapped 1:1 to an ASCII "view" (non-ASCII
# -> "?", digits -> "0", letters lower-cased, space and dash -> "~") and fast substring
# searches look for markers that every match contains; the regexes run only in windows
# around them. Overlapping windows are merged, so the result equals a full scan.
#
# PII markers: 11 digits, "dddd dddd" or "ddd dddddddd" (every ID number and phone contains
# one of them, starting at most 9 characters after the match start), and 6 digits starting
# 0-2 characters into an 18-character token (every credit code). A window runs from 12
# characters before the marker to the end of its "component" (letters, digits, "_", and
# space/dash followed by a digit) or of the 18-character token: where every match containing
# the marker ends, and where the look-aheads see the true next character.
#
# Keyed markers: the key itself, not glued to a preceding identifier and followed by a quote,
# space or separator; the window runs from 12 characters before it to past the longest
# possible keyed match.

_VIEW_TABLE = bytes.maketrans(
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -",
    b"0000000000abcdefghijklmnopqrstuvwxyz~~",
)
# (marker, finder): each finder starts with its marker as a literal prefix, which the regex
# engine searches for quickly. ID/phone finders run on to the end of the marker's component;
# the credit-code finder only accepts an 18-character token with the 6 digits 0-2 characters
# in (so hex digests, which contain such runs, cost nothing further).
_TAIL = rb"(?:[0-9a-z_]|~(?=0))"
_USCC_TOKEN = (
    rb"000000(?:"
    rb"(?<![0-9a-z]000000)[0-9a-z]{12}"
    rb"|(?<=[0-9a-z]000000)(?<![0-9a-z].000000)[0-9a-z]{11}"
    rb"|(?<=[0-9a-z]{2}000000)(?<![0-9a-z]..000000)[0-9a-z]{10}"
    rb")(?![0-9a-z_])"
)
_PII_FINDERS = (
    (b"00000000000", re.compile(rb"00000000000" + _TAIL + rb"*")),
    (b"0000~0000", re.compile(rb"0000~0000" + _TAIL + rb"*")),
    (b"000~00000000", re.compile(rb"000~00000000" + _TAIL + rb"*")),
    (b"000000", re.compile(_USCC_TOKEN)),
)
_LOOKBACK = 12  # > 9 (the farthest a PII marker starts into a match) and > len("principal_")
_ASCII_KEY_MARKERS = (b"name", b"home_address")
_ASCII_KEY_BEFORE = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyz")  # glued: not a key
_ASCII_KEY_AFTER = frozenset(b"\"'~\t:=?")  # quote, space, tab, separators, non-ASCII
_CJK_KEY_MARKERS = ("姓名", "住址")
_KEYED_MAX_TAIL = 200  # > separator (19) + value (64 + 3 * 33) after the key


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _pii_windows(view: bytes) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for marker, finder in _PII_FINDERS:
        if marker in view:
            spans.extend((max(0, m.start() - _LOOKBACK), m.end()) for m in finder.finditer(view))
    return _merge(spans) if len(spans) > 1 else spans


def _keyed_windows(text: str, view: bytes) -> list[tuple[int, int]]:
    n = len(text)
    hits: list[tuple[int, int]] = []
    for marker in _ASCII_KEY_MARKERS:
        i = view.find(marker)
        while i >= 0:
            after = i + len(marker)
            if (
                after < n
                and view[after] in _ASCII_KEY_AFTER
                and (marker != b"home_address" or i == 0 or view[i - 1] not in _ASCII_KEY_BEFORE)
            ):
                hits.append((i, after))
            i = view.find(marker, after)
    for key in _CJK_KEY_MARKERS:
        i = text.find(key)
        while i >= 0:
            hits.append((i, i + len(key)))
            i = text.find(key, i + len(key))
    return _merge([(max(0, i - _LOOKBACK), min(n, after + _KEYED_MAX_TAIL)) for i, after in hits])


def _sub_windows(
    pattern: re.Pattern[str],
    repl: Callable[[re.Match[str]], str],
    text: str,
    windows: list[tuple[int, int]],
) -> str:
    if not windows:
        return text
    out: list[str] = []
    prev = 0
    for lo, hi in windows:
        for m in pattern.finditer(text, lo, hi):
            out.append(text[prev : m.start()])
            out.append(repl(m))
            prev = m.end()
    if prev == 0:
        return text
    out.append(text[prev:])
    return "".join(out)


# --- 1. registered values ----------------------------------------------------------------


class _Matcher(NamedTuple):
    needles: tuple[str, ...]  # (casefolded) variants, for a cheap substring pre-check
    pattern: re.Pattern[str]
    ignore_case: bool


class _Matchers(NamedTuple):
    # Variants without letters that have case (Chinese names) need no re.IGNORECASE, which
    # would stop the regex engine from skipping ahead to candidate characters.
    groups: tuple[_Matcher, ...]
    replacements: dict[str, str]  # casefolded variant -> masked form


class _Registry:
    """Thread-safe multiset of registered values with a precompiled matcher."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()
        # Rebuilt under the lock, read without it: readers use whichever snapshot they see.
        self.matcher: _Matchers | None = None

    def add(self, value: str, kind: str) -> None:
        with self._lock:
            self._counts[(value, kind)] += 1
            self._rebuild()

    def remove(self, value: str, kind: str) -> None:
        with self._lock:
            key = (value, kind)
            if self._counts[key] > 1:
                self._counts[key] -= 1
            else:
                self._counts.pop(key, None)
            self._rebuild()

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._rebuild()

    def _rebuild(self) -> None:
        variants: list[str] = []
        replacements: dict[str, str] = {}
        for value, kind in sorted(self._counts):
            masked = _MASKERS[kind](value)
            for variant in (value, json.dumps(value)[1:-1]):  # and its JSON-escaped form
                if variant.casefold() not in replacements:
                    replacements[variant.casefold()] = masked
                    variants.append(variant)
        variants.sort(key=len, reverse=True)  # longest first: "欧阳娜娜" before "欧阳"
        groups = []
        for cased in (False, True):
            group = [v for v in variants if (v.upper() != v.lower()) == cased]
            if group:
                pattern = re.compile(
                    "|".join(re.escape(v) for v in group), re.IGNORECASE if cased else 0
                )
                groups.append(_Matcher(tuple(v.casefold() for v in group), pattern, cased))
        self.matcher = _Matchers(tuple(groups), replacements) if groups else None


_registry = _Registry()


def _check(value: str, kind: str) -> str | None:
    if kind not in _MASKERS:
        raise ValueError(f"unknown sensitive kind {kind!r}")
    value = value.strip()
    return value if len(value) >= 2 else None


def register_sensitive(value: str, *, kind: SensitiveKind = "name") -> None:
    """Redact every occurrence of ``value`` from now on (masked as ``kind``).

    Registrations are counted: each call needs a matching :func:`unregister_sensitive`.
    Values shorter than 2 characters (after stripping) are ignored.
    """
    checked = _check(value, kind)
    if checked is not None:
        _registry.add(checked, kind)


def unregister_sensitive(value: str, *, kind: SensitiveKind = "name") -> None:
    """Undo one :func:`register_sensitive` call; unknown values are ignored."""
    checked = _check(value, kind)
    if checked is not None:
        _registry.remove(checked, kind)


def clear_sensitive() -> None:
    """Forget every registered value (session end, tests)."""
    _registry.clear()


@contextmanager
def sensitive_values(*values: str, kind: SensitiveKind = "name") -> Iterator[None]:
    """Register ``values`` for the duration of the ``with`` block."""
    for value in values:
        register_sensitive(value, kind=kind)
    try:
        yield
    finally:
        for value in values:
            unregister_sensitive(value, kind=kind)


# --- redact ------------------------------------------------------------------------------


def redact(text: str) -> str:
    """Return ``text`` with personal data masked (see module docstring). Never raises."""
    try:
        if not isinstance(text, str):
            text = str(text)
        matchers = _registry.matcher
        if matchers is not None:
            replacements = matchers.replacements
            for group in matchers.groups:
                haystack = text.casefold() if group.ignore_case else text
                if any(needle in haystack for needle in group.needles):
                    text = group.pattern.sub(
                        lambda m: replacements.get(m.group().casefold()) or mask_name(m.group()),
                        text,
                    )
        view = text.encode("ascii", "replace").translate(_VIEW_TABLE)
        windows = _keyed_windows(text, view)
        if windows:
            text = _sub_windows(_KEYED_RE, _mask_keyed, text, windows)
            view = text.encode("ascii", "replace").translate(_VIEW_TABLE)
        return _sub_windows(_PII_RE, _mask_pii, text, _pii_windows(view))
    except Exception:
        return REDACTION_FAILED


class RedactingFilter(logging.Filter):
    """Handler filter that redacts a record in place and always lets it through.

    The message is formatted (``msg % args``), redacted and stored back as ``record.msg`` with
    ``record.args = None``. An exception is pre-formatted into ``record.exc_text`` (the cache
    :class:`logging.Formatter` uses), redacted, and ``record.exc_info`` is dropped so no later
    formatter can render the raw exception again; ``record.stack_info`` is redacted too. A
    record is redacted once even when it passes several handlers. If anything fails the
    message becomes ``"[redaction failed]"`` — a raising filter would lose the record.
    """

    _MARK = "_kiosk_redacted"
    _exc_formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, self._MARK, False):
            return True
        try:
            try:
                message = record.getMessage()
            except Exception:  # bad format arguments: keep the template, drop the args
                message = f"[unformattable log message] {record.msg}"
            record.msg = redact(message)
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = self._exc_formatter.formatException(record.exc_info)
            record.exc_info = None
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
            if record.stack_info:
                record.stack_info = redact(record.stack_info)
        except Exception:
            record.msg = REDACTION_FAILED
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        setattr(record, self._MARK, True)
        return True
