"""Provisional receipt numbers (临时受理编号), created on the kiosk without coordination.

Format::

    <kiosk code>-<YYYYMMDD>-<6-digit daily sequence>-<check char>
    DEMO0001-20261122-000017-3

* ``kiosk code`` — ``[A-Z0-9]{4,12}``, unique per terminal (assigned at enrollment), so two
  kiosks never produce the same number.
* ``YYYYMMDD`` — the kiosk's date in China Standard Time (UTC+8, no DST) when the application
  was stored. Informative: a wrong RTC gives a wrong date but never a duplicate, because the
  sequence is kept per date in the database and only ever increases.
* ``sequence`` — from a counter row updated in the same transaction that stores the
  application (``sync.outbox``), 000001…999999 per date.
* ``check char`` — ISO/IEC 7064 MOD 37-36 (the *hybrid* system with modulus 36) computed over
  the 22 alphanumerics of the first three parts (hyphens ignored), alphabet ``0-9A-Z``. It is a
  single alphanumeric character (the pure MOD 37-2 system would need ``*`` as a 37th symbol,
  which is awkward on a receipt and on a pinyin keyboard). It catches every single-character
  substitution and about 99.8 % of transpositions of two adjacent characters (a hybrid system
  cannot catch them all: for each position a few pairs such as ``I``/``J`` slip through; the
  tests check both figures exhaustively on sample numbers), so a mistyped number is almost
  always rejected before any lookup.

``validate`` and ``parse`` accept lower case and surrounding blanks; ``normalise`` gives the
canonical upper-case form used for storage and lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

__all__ = [
    "ALPHABET",
    "CHINA_TZ",
    "MAX_SEQUENCE",
    "ReceiptNumber",
    "check_char",
    "format_number",
    "is_valid",
    "mod37_36_checksum",
    "normalise",
    "parse",
]

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_M = len(ALPHABET)  # 36
MAX_SEQUENCE = 999_999
CHINA_TZ = timezone(timedelta(hours=8), "CST")

_PATTERN = re.compile(r"([A-Z0-9]{4,12})-([0-9]{8})-([0-9]{6})-([0-9A-Z])")
_KIOSK_CODE = re.compile(r"[A-Z0-9]{4,12}")


def mod37_36_checksum(text: str) -> int:
    """ISO 7064 hybrid MOD 37,36 running value over ``text`` (characters of ``ALPHABET``).

    A string that ends with its own check character gives 1.
    """
    p = _M // 2
    for ch in text:
        p = (((p or _M) * 2) % (_M + 1) + ALPHABET.index(ch)) % _M
    return p


def check_char(text: str) -> str:
    """The MOD 37-36 check character for ``text`` (alphanumerics only, upper case)."""
    p = mod37_36_checksum(text)
    return ALPHABET[(1 - ((p or _M) * 2) % (_M + 1)) % _M]


def format_number(kiosk_code: str, day: str, sequence: int) -> str:
    """Build a provisional number; ``day`` is ``YYYYMMDD``."""
    if not _KIOSK_CODE.fullmatch(kiosk_code):
        raise ValueError(f"kiosk code must be 4-12 of [A-Z0-9], got {kiosk_code!r}")
    if not re.fullmatch(r"[0-9]{8}", day):
        raise ValueError(f"day must be YYYYMMDD, got {day!r}")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"daily sequence out of range: {sequence}")
    body = f"{kiosk_code}{day}{sequence:06d}"
    return f"{kiosk_code}-{day}-{sequence:06d}-{check_char(body)}"


def day_of(timestamp: float) -> str:
    """``YYYYMMDD`` of a Unix timestamp in China Standard Time."""
    return datetime.fromtimestamp(timestamp, tz=CHINA_TZ).strftime("%Y%m%d")


def normalise(text: str) -> str:
    return text.strip().upper()


@dataclass(frozen=True)
class ReceiptNumber:
    kiosk_code: str
    day: str
    sequence: int
    check: str

    def __str__(self) -> str:
        return f"{self.kiosk_code}-{self.day}-{self.sequence:06d}-{self.check}"


def parse(text: str) -> ReceiptNumber | None:
    """The parts of a well-formed number with a correct check character, else ``None``."""
    m = _PATTERN.fullmatch(normalise(text))
    if m is None:
        return None
    code, day, seq, check = m.groups()
    if mod37_36_checksum(code + day + seq + check) != 1:
        return None
    return ReceiptNumber(code, day, int(seq), check)


def is_valid(text: str) -> bool:
    """True when ``text`` is a provisional number whose check character matches."""
    return parse(text) is not None
