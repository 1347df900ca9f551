"""What is on the card: the 256-byte text block of the four card types — pure, no I/O.

Facts: ``reference/devices.md`` §A.6 (layouts), §A.7 (nation codes), §B.1 (number check).
The text block is UCS-2 little-endian, space (sometimes NUL) padded; the card type is the
character at byte offset 248: space/NUL = 居民身份证, ``J`` = 港澳台居民居住证, ``I`` = 外国人
永久居留身份证 (2017), ``Y`` = 外国人永久居留身份证 (2023). The ``Y`` layout comes from a single
public SDK header; verify it with a real card.

:class:`IdCardData` is what the reader returns. The reader's security module has already
authenticated the data, so a number that fails the GB 11643 check is *not* rejected: the
problem is stored in ``warnings`` (Chinese, free of personal data). Its ``repr`` shows no
personal field; :meth:`IdCardData.masked` is the view for screens and diagnostics. The
encrypted photo (``photo_wlt``) and the fingerprint templates stay in memory only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from devices.idcard.protocol import TEXT_LEN, ProtocolError
from kiosk.errors import DeviceOperationError
from kiosk.idcheck import id_number_problem, normalize_code
from kiosk.masking import mask_address, mask_id_number, mask_name
from kiosk.redaction import SensitiveKind

LONG_TERM = "长期"

SEX: dict[str, str] = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

# GB 3304-1991 (§A.7); the card face prints the short form.
NATIONS: dict[str, str] = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝",
    "08": "壮", "09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白",
    "15": "土家", "16": "哈尼", "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳",
    "21": "佤", "22": "畲", "23": "高山", "24": "拉祜", "25": "水", "26": "东乡", "27": "纳西",
    "28": "景颇", "29": "柯尔克孜", "30": "土", "31": "达斡尔", "32": "仫佬", "33": "羌",
    "34": "布朗", "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯", "39": "阿昌",
    "40": "普米", "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克",
    "46": "德昂", "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙",
    "52": "鄂伦春", "53": "赫哲", "54": "门巴", "55": "珞巴", "56": "基诺", "97": "其他",
    "98": "外国血统中国籍人士",
}
_SEX_CODES = {v: k for k, v in SEX.items()}
_NATION_CODES = {v: k for k, v in NATIONS.items()}


class CardType(StrEnum):
    RESIDENT = "resident"
    HK_MACAO_TAIWAN = "J"
    FOREIGN_PR_2017 = "I"
    FOREIGN_PR_2023 = "Y"

    @property
    def label_zh(self) -> str:
        return _TYPE_LABELS[self]

    @property
    def type_char(self) -> str:
        return " " if self is CardType.RESIDENT else self.value


_TYPE_LABELS = {
    CardType.RESIDENT: "居民身份证",
    CardType.HK_MACAO_TAIWAN: "港澳台居民居住证",
    CardType.FOREIGN_PR_2017: "外国人永久居留身份证",
    CardType.FOREIGN_PR_2023: "外国人永久居留身份证（2023版）",
}


class UnsupportedCardError(DeviceOperationError):
    """The SAM read a card whose type this software does not know."""

    default_user_message = "暂不支持该类证件，请使用居民身份证或联系工作人员"


@dataclass(frozen=True, repr=False)
class IdCardData:
    """One card as read. Dates are ``date`` (``None`` when the card's field is unreadable);
    ``valid_to`` may be ``LONG_TERM`` ("长期"). Type-specific fields stay empty elsewhere:
    ``nation`` (resident only), ``name_en`` and ``nationality`` (I/Y: GB/T 2659 alpha-3
    for I, numeric for Y), ``pass_number`` (J), ``issue_count`` (J 签发次数, Y 换证次数),
    ``card_version`` (I). For I, ``authority`` is the accepting authority's code."""

    card_type: CardType = CardType.RESIDENT
    name: str = ""
    name_en: str = ""
    sex: str = ""
    nation: str = ""
    birth: date | None = None
    address: str = ""
    id_number: str = ""
    authority: str = ""
    valid_from: date | None = None
    valid_to: date | str | None = None
    pass_number: str = ""
    issue_count: str = ""
    nationality: str = ""
    card_version: str = ""
    added_address: str = ""
    photo_wlt: bytes = field(default=b"", repr=False)
    photo_bmp: bytes | None = field(default=None, repr=False)
    fingerprint: bytes | None = field(default=None, repr=False)
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        fp = "none" if self.fingerprint is None else f"{len(self.fingerprint)} B"
        return (f"IdCardData(card_type={self.card_type.value}, "
                f"id_number={mask_id_number(self.id_number)}, photo_wlt={len(self.photo_wlt)} B, "
                f"fingerprint={fp}, warnings={len(self.warnings)})")

    __str__ = __repr__

    @property
    def number_valid(self) -> bool:
        return number_problem(self.card_type, self.id_number) is None

    @property
    def sensitive_values(self) -> list[tuple[str, SensitiveKind]]:
        """(value, kind) pairs to register with ``kiosk.redaction`` while the card is in use."""
        pairs: list[tuple[str, SensitiveKind]] = [
            (self.name, "name"), (self.name_en, "name"), (self.id_number, "id_number"),
            (self.pass_number, "id_number"), (self.address, "address"),
            (self.added_address, "address")]
        return [(v, k) for v, k in pairs if v.strip()]

    def as_dict(self) -> dict[str, Any]:
        """Every field, JSON-ready; bytes are summarised by their length. Personal!"""
        return {
            "card_type": self.card_type.value,
            "card_type_zh": self.card_type.label_zh,
            "name": self.name,
            "name_en": self.name_en,
            "sex": self.sex,
            "nation": self.nation,
            "birth": _iso(self.birth),
            "address": self.address,
            "id_number": self.id_number,
            "authority": self.authority,
            "valid_from": _iso(self.valid_from),
            "valid_to": _iso(self.valid_to),
            "pass_number": self.pass_number,
            "issue_count": self.issue_count,
            "nationality": self.nationality,
            "card_version": self.card_version,
            "added_address": self.added_address,
            "photo_wlt_bytes": len(self.photo_wlt),
            "photo_bmp_bytes": None if self.photo_bmp is None else len(self.photo_bmp),
            "fingerprint_bytes": None if self.fingerprint is None else len(self.fingerprint),
            "warnings": list(self.warnings),
        }

    def masked(self) -> dict[str, Any]:
        """:meth:`as_dict` with names, numbers, addresses and the birth day masked."""
        out = self.as_dict()
        out["name"] = mask_name(self.name)
        out["name_en"] = mask_name(self.name_en)
        out["id_number"] = mask_id_number(self.id_number)
        out["pass_number"] = mask_id_number(self.pass_number)
        out["address"] = mask_address(self.address)
        out["added_address"] = mask_address(self.added_address)
        out["birth"] = f"{self.birth.year:04d}-**-**" if self.birth else None
        return out


def _iso(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def number_problem(card_type: CardType, number: str, *, today: date | None = None) -> str | None:
    """Why the card number is not well formed (Chinese), or ``None``."""
    if card_type is CardType.FOREIGN_PR_2017:
        n = normalize_code(number)
        ok = len(n) == 15 and n[:3].isascii() and n[:3].isalpha() and n[3:].isdigit()
        return None if ok else "永久居留证号码格式不正确"
    return id_number_problem(number, today=today)


# ----------------------------------------------------------------------- text block

# (field, byte offset, byte length) per layout (§A.6); chars = bytes / 2.
_LAYOUTS: dict[CardType, tuple[tuple[str, int, int], ...]] = {
    CardType.RESIDENT: (
        ("name", 0, 30), ("sex", 30, 2), ("nation", 32, 4), ("birth", 36, 16),
        ("address", 52, 70), ("id_number", 122, 36), ("authority", 158, 30),
        ("valid_from", 188, 16), ("valid_to", 204, 16),
    ),
    CardType.HK_MACAO_TAIWAN: (
        ("name", 0, 30), ("sex", 30, 2), ("birth", 36, 16), ("address", 52, 70),
        ("id_number", 122, 36), ("authority", 158, 30), ("valid_from", 188, 16),
        ("valid_to", 204, 16), ("pass_number", 220, 18), ("issue_count", 238, 4),
    ),
    CardType.FOREIGN_PR_2017: (
        ("name_en", 0, 120), ("sex", 120, 2), ("id_number", 122, 30), ("nationality", 152, 6),
        ("name", 158, 30), ("valid_from", 188, 16), ("valid_to", 204, 16), ("birth", 220, 16),
        ("card_version", 236, 4), ("authority", 240, 8),
    ),
    CardType.FOREIGN_PR_2023: (
        ("name", 0, 30), ("sex", 30, 2), ("issue_count", 32, 4), ("birth", 36, 16),
        ("name_en", 52, 70), ("id_number", 122, 36), ("valid_from", 188, 16),
        ("valid_to", 204, 16), ("name_en_2", 220, 22), ("nationality", 242, 6),
    ),
}
_TYPE_OFFSET = 248
_DATE_FIELDS = ("birth", "valid_from", "valid_to")


def decode_field(raw: bytes) -> str:
    """UCS-2LE → str with space/NUL padding removed on both ends (§A.6 decoding rule)."""
    return raw.decode("utf-16-le", errors="replace").strip(" \x00\u3000")


def _decode_raw(raw: bytes) -> str:
    return raw.decode("utf-16-le", errors="replace").replace("\x00", " ")


def card_type_of(text: bytes) -> CardType:
    char = text[_TYPE_OFFSET:_TYPE_OFFSET + 2].decode("utf-16-le", errors="replace")
    if char in (" ", "\x00"):
        return CardType.RESIDENT
    for card_type in CardType:
        if card_type.value == char:
            return card_type
    raise UnsupportedCardError(f"unknown card type character U+{ord(char):04X} at offset 248")


def _parse_date(value: str, label: str, warnings: list[str]) -> date | None:
    if len(value) == 8 and value.isascii() and value.isdigit():
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            pass
    if value:
        warnings.append(f"{label}格式不正确")
    return None


_DATE_LABELS = {"birth": "出生日期", "valid_from": "有效期起始日期", "valid_to": "有效期截止日期"}


def parse_text_block(text: bytes, *, photo_wlt: bytes = b"", fingerprint: bytes | None = None,
                     added_address: str = "", today: date | None = None) -> IdCardData:
    """Parse the 256-byte text block of any supported card type into :class:`IdCardData`."""
    if len(text) != TEXT_LEN:
        raise ProtocolError(f"text block is {len(text)} B, expected {TEXT_LEN}")
    card_type = card_type_of(text)
    raw = {name: text[o:o + n] for name, o, n in _LAYOUTS[card_type]}
    values = {name: decode_field(b) for name, b in raw.items()}
    if card_type is CardType.FOREIGN_PR_2023:
        # The English name continues in the second field; a word break may sit at the seam.
        values["name_en"] = (_decode_raw(raw["name_en"]) + _decode_raw(raw.pop("name_en_2"))
                             ).strip(" \u3000")
        del values["name_en_2"]
    warnings: list[str] = []

    sex_code = values.pop("sex", "")
    sex = SEX.get(sex_code, sex_code)
    if sex_code not in SEX:
        warnings.append("性别代码无法识别")
    nation = ""
    if card_type is CardType.RESIDENT:
        code = values.pop("nation", "")
        nation = NATIONS.get(code, code)
        if code not in NATIONS:
            warnings.append("民族代码无法识别")

    dates: dict[str, Any] = {}  # date | LONG_TERM | None
    for name in _DATE_FIELDS:
        value = values.pop(name, "")
        if name == "valid_to" and value == LONG_TERM:
            dates[name] = LONG_TERM
        else:
            dates[name] = _parse_date(value, _DATE_LABELS[name], warnings)

    number = values.get("id_number", "")
    problem = number_problem(card_type, number, today=today)
    if problem is not None:
        warnings.append(problem)
    elif card_type is not CardType.FOREIGN_PR_2017 and dates["birth"] is not None \
            and number[6:14] != dates["birth"].strftime("%Y%m%d"):
        warnings.append("出生日期与证件号码不一致")

    fields: dict[str, Any] = {**values, **dates}
    return IdCardData(card_type=card_type, sex=sex, nation=nation, added_address=added_address,
                      photo_wlt=photo_wlt, fingerprint=fingerprint, warnings=tuple(warnings),
                      **fields)


def _encode(value: str, nbytes: int) -> bytes:
    raw = value.encode("utf-16-le")
    if len(raw) > nbytes:
        raise ValueError(f"{len(value)} characters do not fit in {nbytes} bytes")
    return raw + " ".encode("utf-16-le") * ((nbytes - len(raw)) // 2)


def _date_text(value: date | str | None) -> str:
    return value.strftime("%Y%m%d") if isinstance(value, date) else (value or "")


def build_text_block(card: IdCardData) -> bytes:
    """The inverse of :func:`parse_text_block` (simulated readers, emulators, tests)."""
    values: dict[str, str] = {
        "name": card.name, "name_en": card.name_en,
        "sex": _SEX_CODES.get(card.sex, card.sex),
        "nation": _NATION_CODES.get(card.nation, card.nation),
        "birth": _date_text(card.birth), "address": card.address,
        "id_number": card.id_number, "authority": card.authority,
        "valid_from": _date_text(card.valid_from), "valid_to": _date_text(card.valid_to),
        "pass_number": card.pass_number, "issue_count": card.issue_count,
        "nationality": card.nationality, "card_version": card.card_version,
    }
    if card.card_type is CardType.FOREIGN_PR_2023:
        values["name_en"], values["name_en_2"] = card.name_en[:35], card.name_en[35:]
    block = bytearray(_encode("", TEXT_LEN))
    for name, offset, nbytes in _LAYOUTS[card.card_type]:
        block[offset:offset + nbytes] = _encode(values[name], nbytes)
    block[_TYPE_OFFSET:_TYPE_OFFSET + 2] = card.card_type.type_char.encode("utf-16-le")
    return bytes(block)


def parse_added_address(data: bytes) -> str:
    """The 30 03 payload (70 bytes UCS-2LE, space padded)."""
    return decode_field(data)


def build_added_address(address: str) -> bytes:
    return _encode(address, 70)
