"""The 社会保障卡 (social security card) read sequence, over any ``transmit`` callable.

Layout and commands: ``/work/shared/reference/devices.md`` §C.3, summarised in
``docs/devices/smartcard.md``. The sequence:

1. ``SELECT`` the SSSE DDF by name (``00 A4 04 00 0F 7378312E73682EC9E7BBE1B1A3D5CF``).
   Regional cards (Shanghai) answer ``6A82``: then select the MF (``3F00``) and read
   EF05/EF06 from there — a failed DDF select does not yet mean "not a social security card".
2. ``SELECT EF05`` (``00 A4 02 00 02 EF05``; cards that reject P1=02 get P1=00), then
   ``READ RECORD`` for tags 07, 01, 03, 05, 06.
3. ``SELECT EF06`` and ``READ RECORD`` for tags 08, 09, 0A, 0B, 0D.

``READ RECORD`` is first tried with P2=00 (P1 = record identifier = tag) and, if the card
rejects that mode (``6A83``/``6A86``/``6B00``), with P2=04 (P1 = record number, taken to be
the tag number as in the public Shanghai reader). Cards without the DDF are tried with P2=04
first. Whichever mode works first is kept for the rest of the card. Each record is a TLV
(``tag len value``); Le is the value length + 2, and ``6Cxx``/``61xx`` are handled by
:func:`devices.smartcard.apdu.transceive`.

Personal data (name, ID number, card number, birth) never appears in a ``repr``, a log line
or an error detail; see :class:`SocialSecurityCard`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Literal

from devices.smartcard import apdu
from devices.smartcard.apdu import CardDataError, CardStatusError, Transmit
from kiosk.masking import mask_id_number, mask_name
from kiosk.redaction import register_sensitive, unregister_sensitive

log = logging.getLogger(__name__)

#: ASCII ``sx1.sh.`` + GBK ``社会保障``.
SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
MF = 0x3F00
EF05 = 0xEF05  # 卡片基本信息
EF06 = 0xEF06  # 持卡人基本信息

RecordMode = Literal["auto", "id", "number"]
_P2 = {"id": 0x00, "number": 0x04}

# tag: (file, value length, element)
LAYOUT: dict[int, tuple[int, int, str]] = {
    0x01: (EF05, 16, "卡识别码"),
    0x02: (EF05, 1, "卡类别"),
    0x03: (EF05, 4, "规范版本"),
    0x04: (EF05, 12, "初始化机构编号"),
    0x05: (EF05, 4, "发卡日期"),
    0x06: (EF05, 4, "卡有效期"),
    0x07: (EF05, 9, "社保卡号"),
    0x08: (EF06, 18, "社会保障号码"),
    0x09: (EF06, 30, "姓名"),
    0x0A: (EF06, 1, "性别"),
    0x0B: (EF06, 1, "民族"),
    0x0C: (EF06, 3, "出生地"),
    0x0D: (EF06, 4, "出生日期"),
}

NOT_SSCARD_MESSAGE = "无法识别该卡片，请确认插入的是社会保障卡（芯片朝上）"
_USER_MESSAGES = {
    0x6A82: NOT_SSCARD_MESSAGE,
    0x6A81: NOT_SSCARD_MESSAGE,
    0x6D00: NOT_SSCARD_MESSAGE,
    0x6E00: NOT_SSCARD_MESSAGE,
    0x6982: "该社保卡需要密码或授权才能读取，暂不能在本机读取，请联系工作人员",
}

SEX = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}

#: GB 3304 民族 codes.
NATIONS: dict[int, str] = dict(enumerate((
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族",
    "基诺族"), start=1)) | {97: "其他", 98: "外国血统中国籍人士"}


@dataclass(frozen=True, repr=False)
class SocialSecurityCard:
    """What the kiosk reads from a 社会保障卡. ``repr``/``str`` hide the personal fields;
    :meth:`masked` is the display form for screens and receipts."""

    card_number: str           # 社保卡号 (9 chars)
    name: str                  # 姓名
    id_number: str             # 社会保障号码 = 公民身份号码
    sex: str                   # 男 / 女 / 未知 / 未说明, else the raw code
    nation: str                # 民族 name (GB 3304), else the 2-digit code
    birth: dt.date | None
    region_code: str           # 统筹区 code: first 6 digits of the card identifier, or ""
    issue_date: dt.date | None
    expiry: dt.date | None
    spec_version: str          # 规范版本, "1.00" / "2.00" / "3.00"

    def __repr__(self) -> str:
        return (f"SocialSecurityCard(card_number={mask_id_number(self.card_number)!r}, "
                f"name='***', id_number={mask_id_number(self.id_number)!r}, "
                f"region_code={self.region_code!r}, issue_date={self.issue_date}, "
                f"expiry={self.expiry}, spec_version={self.spec_version!r})")

    __str__ = __repr__

    def masked(self) -> dict[str, str]:
        """Display strings: name and numbers masked, sex, nation and birth hidden."""
        return {
            "社保卡号": mask_id_number(self.card_number),
            "姓名": mask_name(self.name),
            "社会保障号码": mask_id_number(self.id_number),
            "性别": "*",
            "民族": "*",
            "出生日期": "****-**-**",
            "统筹区": self.region_code,
            "发卡日期": _fmt(self.issue_date),
            "有效期至": _fmt(self.expiry),
            "规范版本": self.spec_version,
        }

    def personal(self) -> dict[str, str]:
        """Every field in clear, for the citizen's own screen (never for logs)."""
        return {
            "社保卡号": self.card_number, "姓名": self.name, "社会保障号码": self.id_number,
            "性别": self.sex, "民族": self.nation, "出生日期": _fmt(self.birth),
            "统筹区": self.region_code, "发卡日期": _fmt(self.issue_date),
            "有效期至": _fmt(self.expiry), "规范版本": self.spec_version,
        }

    def is_expired(self, today: dt.date) -> bool:
        return self.expiry is not None and self.expiry < today


def _fmt(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def register_card_sensitive(card: SocialSecurityCard) -> None:
    """Mask this card's name and numbers in every log line from now on (counted, see
    :func:`kiosk.redaction.register_sensitive`). The reader does this on every read; the
    session that owns the card calls :func:`unregister_card_sensitive` when it ends."""
    register_sensitive(card.name, kind="name")
    register_sensitive(card.id_number, kind="id_number")
    register_sensitive(card.card_number, kind="id_number")


def unregister_card_sensitive(card: SocialSecurityCard) -> None:
    unregister_sensitive(card.name, kind="name")
    unregister_sensitive(card.id_number, kind="id_number")
    unregister_sensitive(card.card_number, kind="id_number")


# -- the read sequence -------------------------------------------------------------------

class _Reader:
    def __init__(self, transmit: Transmit, mode: RecordMode, prefer_number: bool) -> None:
        self._transmit = transmit
        self._locked = mode != "auto"
        if mode == "auto":
            self._modes = ["number", "id"] if prefer_number else ["id", "number"]
        else:
            self._modes = [mode]

    def send(self, command: apdu.Command) -> apdu.Response:
        return apdu.transceive(self._transmit, command)

    def select_application(self) -> bool:
        """True when the SSSE DDF exists; False for cards that keep EF05/EF06 under the MF."""
        response = self.send(apdu.select_by_name(SSSE_AID))
        if response.ok:
            return True
        if response.sw != 0x6A82:
            raise apdu.status_error(response.sw, "SELECT SSSE", user_messages=_USER_MESSAGES)
        log.info("SSSE DDF not found (6A82): trying EF05 from the MF (regional layout)")
        mf = self.send(apdu.select_by_fid(MF, p1=0x00))
        if not mf.ok:  # some cards have the MF selected after reset and refuse this
            log.info("SELECT MF answered %s; continuing", apdu.sw_text(mf.sw))
        return False

    def select_ef(self, fid: int) -> None:
        response = self.send(apdu.select_by_fid(fid, p1=0x02))
        if response.sw in (0x6A86, 0x6B00):  # P1=02 not supported: "select any file"
            response = self.send(apdu.select_by_fid(fid, p1=0x00))
        apdu.check(response, f"SELECT {fid:04X}", user_messages=_USER_MESSAGES)

    def read(self, tag: int, *, required: bool = True) -> bytes | None:
        length = LAYOUT[tag][1]
        for index, mode in enumerate(self._modes):
            command = apdu.read_record(tag, _P2[mode], length + 2)
            response = self.send(command)
            if response.ok:
                if not self._locked:
                    self._modes, self._locked = [mode], True
                return apdu.tlv_value(response.data, tag)
            last_try = index == len(self._modes) - 1
            if not self._locked and not last_try and response.sw in (0x6A83, 0x6A86, 0x6B00):
                continue  # this card does not know this READ RECORD mode: try the other one
            if response.sw == 0x6A83 and not required:
                return None
            raise apdu.status_error(response.sw, f"READ RECORD {command.header} "
                                    f"({LAYOUT[tag][2]})", user_messages=_USER_MESSAGES)
        raise AssertionError("unreachable")  # pragma: no cover


def read_social_security_card(transmit: Transmit, *,
                              record_mode: RecordMode = "auto") -> SocialSecurityCard:
    """Run the read sequence (module docstring) and decode the fields.

    Raises ``CardStatusError`` (with a Chinese message) when the card refuses a step and
    ``CardDataError`` when a field cannot be decoded; whatever ``transmit`` raises (card
    removed, reader gone) passes through.
    """
    reader = _Reader(transmit, record_mode, prefer_number=False)
    if not reader.select_application():
        reader = _Reader(transmit, record_mode, prefer_number=True)

    reader.select_ef(EF05)
    card_number = apdu.decode_ascii(_required(reader.read(0x07)))
    card_id = reader.read(0x01, required=False)
    version = reader.read(0x03, required=False)
    issued = reader.read(0x05, required=False)
    expiry = reader.read(0x06, required=False)

    reader.select_ef(EF06)
    id_number = apdu.decode_ascii(_required(reader.read(0x08))).upper()
    name = apdu.decode_gbk(_required(reader.read(0x09)))
    sex = reader.read(0x0A, required=False)
    nation = reader.read(0x0B, required=False)
    birth = reader.read(0x0D, required=False)

    if not card_number or not id_number or not name:
        raise CardDataError("card number, ID number or name is empty")
    region = card_id.hex().upper()[:6] if card_id else ""
    return SocialSecurityCard(
        card_number=card_number,
        name=name,
        id_number=id_number,
        sex=_sex(sex),
        nation=_nation(nation),
        birth=apdu.bcd_date(birth) if birth else None,
        region_code=region if region.isdigit() else "",
        issue_date=apdu.bcd_date(issued) if issued else None,
        expiry=apdu.bcd_date(expiry) if expiry else None,
        spec_version=apdu.decode_ascii(version) if version else "",
    )


def _required(value: bytes | None) -> bytes:
    if value is None:  # pragma: no cover - read(required=True) never returns None
        raise CardDataError("required record missing")
    return value


def _sex(value: bytes | None) -> str:
    if not value:
        return ""
    code = apdu.decode_ascii(value)
    return SEX.get(code, code)


def _nation(value: bytes | None) -> str:
    if not value:
        return ""
    if len(value) == 2 and value.isdigit():  # some issuers write the code as ASCII
        code = int(value)
    elif len(value) == 1:
        code = value[0]
    else:
        raise CardDataError(f"民族 field of {len(value)} bytes")
    return NATIONS.get(code, f"{code:02d}")


__all__ = [
    "EF05", "EF06", "LAYOUT", "NATIONS", "SSSE_AID", "CardDataError", "CardStatusError",
    "RecordMode", "SocialSecurityCard", "read_social_security_card", "register_card_sensitive",
    "unregister_card_sensitive",
]
