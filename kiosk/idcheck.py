"""Check digits and formats of identity numbers (facts: reference/devices.md §B).

* 公民身份号码, GB 11643-1999: 17 digits + ISO 7064 MOD 11-2 check character (``0-9`` or
  ``X``). Accepted holders: residents (address code starting 1–7), HK/Macao/Taiwan
  residence permits (81/82/83) and the 2023 foreign permanent-resident card (first digit
  9, same check). The birth date (characters 7–14) must exist and not lie in the future.
  Legacy 15-digit numbers are upgraded with :func:`upgrade_id15`.
* 统一社会信用代码, GB 32100-2015: 18 characters from ``0-9A-HJ-NPQRTUWXY`` (no I O S V Z)
  with a MOD 31 check character.
* Mainland mobile numbers: ``1[3-9]`` + 9 digits (an optional ``+86`` prefix is dropped).

The ``*_problem`` functions return a short Simplified-Chinese message for the citizen, or
``None`` when the value is fine; the ``is_valid_*`` predicates wrap them. Every function
normalises its input first (NFKC, strip, spaces removed, upper case), so full-width digits
and a lowercase ``x`` are accepted. Nothing here logs or keeps the values.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from kiosk.errors import ValidationError

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(18-i) mod 11
ID_CHECK_CHARS = "10X98765432"  # indexed by S mod 11

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^(i-1) mod 31
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_CHARSET)}

_ID18_RE = re.compile(r"^\d{17}[\dX]$")
_ID15_RE = re.compile(r"^\d{15}$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_EARLIEST_BIRTH = date(1800, 1, 1)

HOLDER_RESIDENT = "resident"
HOLDER_HK_MACAO_TAIWAN = "hk_macao_taiwan"
HOLDER_FOREIGN_PR = "foreign_pr"


def normalize_code(value: str) -> str:
    """NFKC, remove all whitespace, upper-case: ``' １１０１…x '`` → ``'1101…X'``."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


# ------------------------------------------------------------------ GB 11643 ID numbers


def id_check_char(body: str) -> str:
    """Check character for the first 17 digits of an ID number."""
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise ValueError("the body of an ID number is 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class IdNumberInfo:
    number: str
    region: str  # the 6-digit address code
    birth: date
    sex: str  # "男" (odd sequence) or "女" (even)
    holder: str  # HOLDER_RESIDENT | HOLDER_HK_MACAO_TAIWAN | HOLDER_FOREIGN_PR


def _holder(number: str) -> str | None:
    if number[0] == "9":
        return HOLDER_FOREIGN_PR
    if number[:2] in ("81", "82", "83"):
        return HOLDER_HK_MACAO_TAIWAN
    if "1" <= number[0] <= "7":
        return HOLDER_RESIDENT
    return None


def _birth(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def id_number_problem(value: str, *, today: date | None = None) -> str | None:
    """Why an 18-character ID number is not acceptable, in Chinese; ``None`` if it is."""
    number = normalize_code(value)
    if len(number) != 18:
        return "身份证号码应为18位"
    if not _ID18_RE.match(number) or not number.isascii():
        return "身份证号码只能是数字，最后一位可以是X"
    if _holder(number) is None:
        return "身份证号码的地区码不正确"
    birth = _birth(number[6:14])
    if birth is None or birth < _EARLIEST_BIRTH or birth > (today or date.today()):
        return "身份证号码中的出生日期不正确"
    if id_check_char(number[:17]) != number[17]:
        return "身份证号码校验位不正确"
    return None


def is_valid_id_number(value: str, *, today: date | None = None) -> bool:
    return id_number_problem(value, today=today) is None


def parse_id_number(value: str, *, today: date | None = None) -> IdNumberInfo:
    """Decode a valid 18-character ID number; raise :class:`ValidationError` otherwise."""
    problem = id_number_problem(value, today=today)
    if problem is not None:
        raise ValidationError(f"invalid ID number: {problem}", user_message=problem)
    number = normalize_code(value)
    birth = _birth(number[6:14])
    holder = _holder(number)
    assert birth is not None and holder is not None  # guaranteed by id_number_problem
    return IdNumberInfo(number=number, region=number[:6], birth=birth,
                        sex="男" if int(number[16]) % 2 else "女", holder=holder)


def upgrade_id15(value: str) -> str:
    """Upgrade a legacy 15-digit number: insert ``19`` before YYMMDD, append the check."""
    number = normalize_code(value)
    message = "15位身份证号码不正确"
    if not _ID15_RE.match(number) or not number.isascii():
        raise ValidationError("legacy ID number must be 15 digits", user_message=message)
    body = number[:6] + "19" + number[6:]
    if _holder(body) != HOLDER_RESIDENT or _birth(body[6:14]) is None:
        raise ValidationError("legacy ID number has a bad region or birth date",
                              user_message=message)
    return body + id_check_char(body)


# ------------------------------------------------------------ GB 32100 credit codes


def uscc_check_char(body: str) -> str:
    """Check character for the first 17 characters of a unified social credit code."""
    if len(body) != 17 or any(ch not in _USCC_VALUE for ch in body):
        raise ValueError("the body of a USCC is 17 characters from " + USCC_CHARSET)
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(value: str) -> str | None:
    """Why a unified social credit code is not acceptable, in Chinese; ``None`` if it is."""
    code = normalize_code(value)
    if len(code) != 18:
        return "统一社会信用代码应为18位"
    if any(ch not in _USCC_VALUE for ch in code) or not code[2:8].isdigit():
        return "统一社会信用代码格式不正确"
    if uscc_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确"
    return None


def is_valid_uscc(value: str) -> bool:
    return uscc_problem(value) is None


# ------------------------------------------------------------------- mobile numbers


def normalize_mobile(value: str) -> str:
    number = normalize_code(value).replace("-", "")
    if number.startswith("+86"):
        number = number[3:]
    return number


def mobile_problem(value: str) -> str | None:
    number = normalize_mobile(value)
    if len(number) != 11 or not number.isascii() or not number.isdigit():
        return "手机号码应为11位数字"
    if not _MOBILE_RE.match(number):
        return "手机号码格式不正确"
    return None


def is_valid_mobile(value: str) -> bool:
    return mobile_problem(value) is None
