"""Display masking of personal data (ID numbers, names, phones, credit codes, addresses).

These functions produce the forms shown on screens, printed on receipts and left in logs
(see ``reference/reliability.md`` §3.7 and PRODUCT.md §5). They are *total*: any ``str`` is
accepted, nothing is validated and nothing raises. Validation (check digits) lives elsewhere;
masking must work on malformed input too, because malformed input is still personal data.

Rules (surrounding whitespace is stripped first; ``*`` replaces hidden characters one for one,
so the masked form keeps the length of the stripped input):

=================  ===========================================================================
``mask_id_number``  15 chars or more: first 3 + last 4 (``110***********002X``);
                    8-14 chars: first 1 + last 2; fewer than 8: nothing revealed.
``mask_name``       Chinese: surname kept (``张*``), compound surnames kept whole
                    (``欧阳**``); a 2-char name that *is* a compound surname keeps 1 char.
                    Names with a middle dot (``阿依古丽·买买提``): first char and the dots kept.
                    Latin script: initial of every word kept (``J*** S****``).
                    A single character is fully hidden.
``mask_phone``      mainland mobile (optionally ``+86``/``86``/``0086``, spaces, dashes,
                    brackets): ``138****1234`` (national number only, separators dropped);
                    anything else: 11+ chars first 3 + last 4, 8-10 chars last 4, else hidden.
``mask_uscc``       unified social credit code, 15+ chars: first 2 (registration authority and
                    entity type, which identify nobody) + last 4 (``91************0Y43``);
                    8-14 chars: first 1 + last 2; fewer than 8: nothing revealed.
``mask_address``    the leading province, prefecture and county-level units are kept
                    (``贵州省贵阳市南明区``), everything after them is hidden. Units are recognised
                    by suffix (省/自治区/特别行政区/直辖市; 市/地区/盟/自治州; 区/县/市/旗/
                    自治县/自治旗) with short, digit- and street-word-free names, so free text
                    that does not start with an administrative unit is hidden entirely.
=================  ===========================================================================

Every function is idempotent: masking a masked value returns it unchanged.

``id_digest(id_number, salt)`` is not a mask but lives here with them: a salted scrypt
digest of an ID number (``ID_DIGEST_SCRYPT``: N=2**14, r=8, p=1, 16 MiB, about 45 ms of
one core on the development VM), hex. The queue stores it so 办件查询 by ID card finds the
holder's own cases without keeping the number. It is *not* anonymous: whoever holds the
disk holds the salt and can test guesses, but each guess costs one scrypt; the candidate
space of an 18-digit ID number with a known region and birth date is only about a
thousand, so treat the digest as personal data that is costly, not impossible, to reverse.
"""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "COMPOUND_SURNAMES",
    "ID_DIGEST_SCRYPT",
    "id_digest",
    "mask_address",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "mask_uscc",
]

MASK_CHAR = "*"

#: Two-character (复姓) surnames kept whole by :func:`mask_name`. A few of them start with a
#: common single surname (夏侯, 钟离, 东方); a name such as 夏侯明 is therefore shown as 夏侯*,
#: which is the accepted trade-off for showing 欧阳** correctly.
# fmt: off
COMPOUND_SURNAMES: frozenset[str] = frozenset(
    (
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙",
        "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离",
        "独孤", "南宫", "西门", "端木", "百里", "呼延", "澹台", "公冶",
        "太史", "申屠", "闻人", "万俟", "拓跋", "第五", "司空", "闾丘",
        "子车", "亓官", "司寇", "巫马", "公西", "颛孙", "壤驷", "公良",
        "漆雕", "乐正", "宰父", "谷梁", "夹谷", "段干", "东郭", "南门",
        "羊舌", "微生", "公羊", "赫连", "宗政", "濮阳", "太叔", "仲孙",
        "鲜于", "梁丘", "左丘", "东里", "达奚", "即墨", "单于", "公户",
        "公玉", "公仪", "公仲", "公上", "公门", "公山", "公坚", "公伯",
        "公祖", "公乘", "贯丘", "公皙", "南荣", "东宫", "仲长", "子书",
        "子桑", "褚师", "淳于", "完颜", "耶律", "爱新觉罗",
    )
)
# fmt: on

_CJK_RE = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
# Separators used in transliterated minority and foreign names written in Chinese characters.
_WORD_RE = re.compile(r"\S+")
_NAME_DOTS = frozenset("·•‧・･.．\u00b7\u2027\u30fb")


def _hide(n: int) -> str:
    return MASK_CHAR * n if n > 0 else ""


def _keep_ends(s: str, head: int, tail: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing chars of ``s`` and hide the rest."""
    n = len(s)
    if head + tail >= n:
        return _hide(n)
    return s[:head] + _hide(n - head - tail) + (s[n - tail :] if tail else "")


def _mask_code(value: str, head: int) -> str:
    s = value.strip()
    n = len(s)
    if n >= 15:
        return _keep_ends(s, head, 4)
    if n >= 8:
        return _keep_ends(s, 1, 2)
    return _hide(n)


def mask_id_number(value: str) -> str:
    """Mask a resident ID number: ``11010519491231002X`` -> ``110***********002X``."""
    return _mask_code(value, 3)


def mask_uscc(value: str) -> str:
    """Mask a unified social credit code: ``91350100M000100Y43`` -> ``91************0Y43``."""
    return _mask_code(value, 2)


_MOBILE_RE = re.compile(r"(?:\+86|0086|86)?(1\d{10})")
_PHONE_SEPARATORS_RE = re.compile(r"[\s\-()（）]+")


def mask_phone(value: str) -> str:
    """Mask a phone number: ``13812341234`` / ``+86 138-1234-1234`` -> ``138****1234``."""
    s = value.strip()
    m = _MOBILE_RE.fullmatch(_PHONE_SEPARATORS_RE.sub("", s))
    if m:
        digits = m.group(1)
        return digits[:3] + "****" + digits[-4:]
    n = len(s)
    if n >= 11:
        return _keep_ends(s, 3, 4)
    if n >= 8:
        return _keep_ends(s, 0, 4)
    return _hide(n)


def mask_name(value: str) -> str:
    """Mask a person's name, keeping the surname or initials (see module docstring)."""
    s = value.strip()
    n = len(s)
    if n <= 1:
        return _hide(n)
    if any(c in _NAME_DOTS for c in s):
        return s[0] + "".join(c if c in _NAME_DOTS else MASK_CHAR for c in s[1:])
    if _CJK_RE.search(s):
        keep = 1
        for surname in (s[:4], s[:2]):  # 爱新觉罗 is the one 4-char surname in the list
            if surname in COMPOUND_SURNAMES and n > len(surname):
                keep = len(surname)
                break
        return s[:keep] + _hide(n - keep)
    # Latin script (or anything else): keep the first character of every word.
    return _WORD_RE.sub(lambda m: m.group()[0] + _hide(len(m.group()) - 1), s)


# Characters that never occur in the name part of an administrative unit as recognised here:
# digits, Latin letters, punctuation, the unit suffixes themselves and street-level words.
# Excluding a few characters that do occur in rare unit names only causes over-masking.
_BODY = (
    r"[^\s\d０-９A-Za-z省市区县旗盟路街道巷弄号村镇乡组栋楼室幢座层院苑"
    r"*#＃,，.。:：;；()（）\-—/]"
)
_ADDRESS_PREFIX_RE = re.compile(
    r"(?P<province>北京市|天津市|上海市|重庆市|" + _BODY + r"{2,6}?(?:省|自治区|特别行政区))?"
    r"(?P<city>" + _BODY + r"{2,8}?自治州|" + _BODY + r"{1,4}?(?:地区|盟|市))?"
    r"(?P<county>"
    + _BODY
    + r"{2,12}?自治[县旗]|"
    + _BODY
    + r"{1,5}?(?<![小社校厂景片宅营矿])(?:区|县|市|旗))?"
)


def mask_address(value: str) -> str:
    """Keep the leading province/city/county units of an address and hide the rest.

    ``贵州省贵阳市南明区中华南路123号`` -> ``贵州省贵阳市南明区*********``.
    """
    s = value.strip()
    m = _ADDRESS_PREFIX_RE.match(s)
    keep = m.end() if m else 0
    return s[:keep] + _hide(len(s) - keep)


#: scrypt cost of :func:`id_digest`: 16 MiB and ~45 ms per digest on the development VM.
ID_DIGEST_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def id_digest(id_number: str, salt: bytes) -> str:
    """A salted scrypt digest (64 hex characters) of an ID number, for matching only.

    The number is normalised first (surrounding whitespace stripped, ``x`` upper-cased),
    so a typed ``...002x`` matches a card's ``...002X``. ``salt`` is the kiosk's own random
    value (at least 16 bytes); see the module docstring for what the digest does not hide.
    """
    if len(salt) < 16:
        raise ValueError("id_digest salt must be at least 16 bytes")
    normalised = id_number.strip().upper().encode("utf-8")
    return hashlib.scrypt(normalised, salt=salt, dklen=32, maxmem=64 * 1024 * 1024,
                          **ID_DIGEST_SCRYPT).hex()
