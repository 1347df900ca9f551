"""Receipt slips on ESC/POS printers: layout, bytes, status, and the backends.

Rendering (pure, no I/O): :func:`layout_receipt` turns a ``ReceiptData`` and a receipt
template into lines wrapped by *display width* for 58 mm (32 columns) or 80 mm (48 columns)
paper — a character the printer prints from its Chinese font takes 2 columns, ASCII 1 —
and :func:`encode_slip` turns them into bytes with python-escpos (``Dummy``):

* ``ESC @``, then ``FS &`` (Chinese character mode) once, and every text line encoded by us
  as GB18030 — never through python-escpos' ``MagicEncode``, which guesses from the first
  ideograph and prints a line of only full-width punctuation ("：，。") as ``??``;
* a line holding a character the printer's font lacks (outside GBK by default: 䶮, 𠮷,
  emoji …) is drawn with Pillow and a CJK font found through fontconfig (WenQuanYi Micro
  Hei, else a Noto CJK face that has the glyph) and sent as a raster image (``GS v 0``),
  cell-aligned with the text lines so it never exceeds the paper width;
* control, format and surrogate characters are dropped, unassigned and private-use ones
  shown as □; sizes use ``GS !`` (which also scales Chinese characters, ``ESC !`` does not);
* the QR code is native (``GS ( k``, model 2, EC level M) or, with ``qr_mode="raster"``,
  drawn with ``qrcode`` and sent as a raster image for printers without ``GS ( k``;
* ``FS .`` and a full cut (``ESC d 6``, ``GS V 0``) end the job.

The port (:class:`ReceiptPrinter`, a ``devices.base.Device``)::

    status() -> PrinterStatus            DLE EOT 1, 2, 3 and 4; UNKNOWN when any reply is
                                         missing or implausible (never "OK"), OFFLINE when
                                         the printer cannot be reached
    print_receipt(data, template=None) -> PrintOutcome
    print_test_page() -> PrintOutcome
    render(data, template=None) -> bytes
    self_test(), describe()

``print_receipt`` checks the status before the job (paper end, cover open, offline,
unknown → *not printed*, nothing sent; the outcome carries the number and QR payload and
offers the A4 notice or an on-screen QR), sends the job, waits ``settle_s`` and checks
again (anything but OK → *uncertain*: ask the citizen whether the slip came out). Device
conditions are outcomes, not exceptions; only a template that cannot be rendered raises
``PrintError``. Backends implement ``_open``/``_close``/``_write``/``_read``/``_drain``:

=========================  ===================================================================
``SerialEscposPrinter``    ``port`` path or pyserial URL (``serial_for_url``: ``/dev/ttyS0``,
                           ``socket://host:port``, ``rfc2217://…``), ``baudrate`` …
``NetworkEscposPrinter``   ``host``, ``port=9100``, ``timeout_s=3`` (raw TCP, JetDirect)
``UsbEscposPrinter``       ``vendor_id``, ``product_id`` (python-escpos ``Usb``; needs pyusb)
``FileEscposPrinter``      ``path`` (``/dev/usb/lp0``); write-only: status is always UNKNOWN,
                           so every job ends *uncertain* (the screen offers the QR)
``SimulatedReceiptPrinter`` records bytes; ``FaultScript``; ``set_status`` /
                           ``set_status_after_job`` (paper_ok, near_end, paper_end,
                           cover_open, offline, error)
=========================  ===================================================================

Common options: ``paper_width_mm`` (58/80), ``qr_mode`` (native/raster), ``charset`` (gbk —
the printer's Chinese font; gb2312 for old printers; gb18030 when it has the full set),
``status_timeout_s``, ``settle_s``, ``print_when_status_unknown`` (for clones that ignore
DLE EOT) and ``templates`` (path of a template overlay, see ``printing.templates``).
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Self

import qrcode
from escpos.constants import QR_ECLEVEL_M
from escpos.image import EscposImage
from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

from devices.base import Device, FaultScript, SelfTestResult
from kiosk.errors import (
    ConfigError,
    DeviceError,
    DeviceTimeoutError,
    DeviceUnavailableError,
    PrintError,
)
from printing import default_face, face_for
from printing.model import (
    MaterialLine,
    PrinterState,
    PrinterStatus,
    PrintOutcome,
    PrintResult,
    ReceiptData,
    sanitize,
)
from printing.templates import KindTemplate, TemplateSet, default_templates, load_templates

__all__ = [
    "PAPERS",
    "FileEscposPrinter",
    "Line",
    "NetworkEscposPrinter",
    "Paper",
    "Qr",
    "ReceiptPrinter",
    "SerialEscposPrinter",
    "SimulatedReceiptPrinter",
    "UsbEscposPrinter",
    "decode_status",
    "display_width",
    "encode_slip",
    "layout_receipt",
    "render_receipt",
    "sanitize",
    "wrap",
]

log = logging.getLogger(__name__)

ESC, GS, FS, DLE, EOT = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04"
FS_CHINESE_ON = FS + b"&"
FS_CHINESE_OFF = FS + b"."
CHARSETS = ("gbk", "gb2312", "gb18030")


@dataclass(frozen=True)
class Paper:
    width_mm: int
    columns: int  # font A columns (12 dots); a Chinese character takes 2
    dots: int  # printable width at 203 dpi

    @property
    def qr_module(self) -> int:
        return 6 if self.width_mm >= 80 else 5


PAPERS: Mapping[int, Paper] = {58: Paper(58, 32, 384), 80: Paper(80, 48, 576)}
CELL_W, CELL_H, LINE_GAP = 12, 24, 6  # font A cell and the default line spacing excess


def paper_for(width_mm: int) -> Paper:
    try:
        return PAPERS[int(width_mm)]
    except (KeyError, TypeError, ValueError) as err:
        raise ConfigError(f"devices.receipt_printer.options.paper_width_mm: expected 58 or 80, "
                          f"got {width_mm!r}",
                          key="devices.receipt_printer.options.paper_width_mm") from err


# -- characters ------------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def glyph_bytes(ch: str, charset: str = "gbk") -> bytes | None:
    """Bytes that print ``ch`` from the printer's own font in Chinese mode, or None when
    the font lacks it (the line then goes out as an image)."""
    if " " <= ch <= "~":
        return ch.encode("ascii")
    try:
        data = ch.encode("gb18030")
    except UnicodeEncodeError:
        return None
    if charset == "gb18030":
        return data
    if len(data) != 2:  # 4-byte GB18030: outside GBK
        return None
    try:
        # Python's gbk maps a few code points (e.g. €) differently from GB18030: only
        # characters with one and the same double-byte code in both are safe.
        if ch.encode(charset) != data:
            return None
    except UnicodeEncodeError:
        return None
    return data


@lru_cache(maxsize=65536)
def char_width(ch: str, charset: str = "gbk") -> int:
    data = glyph_bytes(ch, charset)
    if data is not None:
        return 1 if len(data) == 1 else 2
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1


def display_width(text: str, charset: str = "gbk") -> int:
    return sum(char_width(ch, charset) for ch in text)


def encode_text(text: str, charset: str = "gbk") -> bytes | None:
    """GB18030 bytes of a sanitized line, or None when a character needs the raster path."""
    parts = []
    for ch in text:
        data = glyph_bytes(ch, charset)
        if data is None:
            return None
        parts.append(data)
    return b"".join(parts)


# Characters that must not begin a line (kinsoku): pulled back with the previous character.
_NO_LINE_START = frozenset("，。、；：！？）》」』】〕〉’”％…—,.;:!?)]}%")
_WORD = re.compile(r"[A-Za-z0-9]")


def wrap(text: str, width: int, *, hang: int = 0, charset: str = "gbk") -> list[str]:
    """Wrap sanitized ``text`` to ``width`` columns; continuation lines start with ``hang``
    spaces. Chinese breaks anywhere except before closing punctuation; a run of ASCII
    letters/digits moves whole to the next line when it fits there. Every returned line
    has display width ≤ ``width``."""
    width = max(width, 2)
    hang = max(0, min(hang, width - 2))
    lines: list[str] = []
    cur: list[str] = []
    cur_w = 0
    prefix_w = 0
    for ch in text:
        w = char_width(ch, charset)
        if cur_w + w > width and len(cur) > prefix_w:
            carry: list[str] = []
            if (ch in _NO_LINE_START and len(cur) - 1 > prefix_w
                    and hang + char_width(cur[-1], charset) + w <= width):
                carry = [cur.pop()]
            elif _WORD.match(ch):
                j = len(cur)
                while j > prefix_w and _WORD.match(cur[j - 1]):
                    j -= 1
                run = cur[j:]
                if j > prefix_w and display_width("".join(run) + ch, charset) <= width - hang:
                    carry = run
                    del cur[j:]
            lines.append("".join(cur).rstrip())
            cur = [" "] * hang + carry
            prefix_w = hang
            cur_w = hang + display_width("".join(carry), charset)
            if ch == " " and not carry:
                continue
        cur.append(ch)
        cur_w += w
    tail = "".join(cur).rstrip()
    if tail.strip() or not lines:
        lines.append(tail)
    return lines


# -- layout ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    text: str
    align: str = "left"
    bold: bool = False
    size: int = 1


@dataclass(frozen=True)
class Qr:
    payload: str


@dataclass(frozen=True)
class Feed:
    lines: int = 1


Element = Line | Qr | Feed
_CODE_LIKE = re.compile(r"[\x21-\x7e]+")


def _para(text: str, cols: int, *, align: str = "left", bold: bool = False, size: int = 1,
          hang: int = 0, charset: str = "gbk") -> list[Line]:
    out = []
    for para in text.split("\n"):
        for ln in wrap(sanitize(para), cols // size, hang=hang, charset=charset):
            out.append(Line(ln, align, bold, size))
    return out


def _field(label: str, value: str, cols: int, *, bold: bool, charset: str) -> list[Line]:
    label, value = sanitize(label), sanitize(value)
    head = f"{label}：" if label else ""
    lw = display_width(head, charset)
    if lw + display_width(value, charset) <= cols:
        return [Line(head + value, bold=bold)]
    if head and lw <= cols // 2 and not _CODE_LIKE.fullmatch(value):
        # hanging value: continuation lines line up under the value
        return [Line(t, bold=bold) for t in wrap(head + value, cols, hang=lw, charset=charset)]
    out = [Line(head, bold=bold)] if head else []
    return out + [Line(t, bold=bold) for t in wrap("  " + value, cols, hang=2, charset=charset)]


def _material_text(m: MaterialLine) -> str:
    return f"{m.name}（{m.trust_level}级 {m.trust_label}）"


def layout_receipt(data: ReceiptData, template: KindTemplate, paper: Paper, *,
                   charset: str = "gbk") -> list[Element]:
    """The slip as lines, QR and feeds (see the module docstring)."""
    cols = paper.columns
    out: list[Element] = []
    for b in template.visible_blocks(data):
        if b.type == "title":
            out += _para(template.fill(template.title, data), cols, align="center", bold=True,
                         size=2, charset=charset)
        elif b.type == "text":
            out += _para(template.fill(b.text, data), cols, align=b.align, bold=b.bold,
                         size=b.size, charset=charset)
        elif b.type == "field":
            out += _field(template.fill(b.label, data), template.fill(b.value, data), cols,
                          bold=b.bold, charset=charset)
        elif b.type == "rule":
            out.append(Line("-" * cols))
        elif b.type == "materials":
            received = data.received_materials
            if not received:
                out.append(Line("  （无）"))
            for i, m in enumerate(received, 1):
                num = f"{i}. "
                out += _para(num + _material_text(m), cols, hang=len(num), charset=charset)
        elif b.type == "steps":
            for i, step in enumerate(template.steps_for(data), 1):
                num = f"{i}. "
                out += _para(num + step, cols, hang=len(num), charset=charset)
        elif b.type == "qr":
            if template.qr_caption:
                out += _para(template.fill(template.qr_caption, data), cols, align="center",
                             charset=charset)
            if data.qr_payload:
                out.append(Qr(data.qr_payload))
        elif b.type == "feed":
            out.append(Feed(b.lines))
    return out


# -- raster text -----------------------------------------------------------------------------

@lru_cache(maxsize=32)
def _pil_font(path: str | None, index: int, px: int) -> Any:
    if path is None:
        return ImageFont.load_default(size=px)
    try:
        return ImageFont.truetype(path, px, index=index)
    except OSError:
        return ImageFont.load_default(size=px)


def _font_for(ch: str, px: int) -> Any:
    face = face_for(ch) or default_face()
    return _pil_font(face.path if face else None, face.index if face else 0, px)


@lru_cache(maxsize=4096)
def _glyph(ch: str, w: int, h: int, bold: bool) -> Image.Image:
    """``ch`` drawn black on white in a ``w`` × ``h`` cell (scaled down if wider)."""
    px = round(h * 0.86)
    font = _font_for(ch, px)
    baseline = round(h * 0.84)
    stroke = max(1, h // 24) if bold else 0
    canvas = Image.new("L", (max(w, 1) * 3 + px, h), 255)
    draw = ImageDraw.Draw(canvas)
    try:
        left, _top, right, _bottom = draw.textbbox((0, baseline), ch, font=font, anchor="ls",
                                                   stroke_width=stroke)
    except (ValueError, OSError):
        return Image.new("L", (w, h), 255)
    gw = max(right - left, 1)
    draw.text((-left + max(0, (w - gw) // 2), baseline), ch, font=font, fill=0, anchor="ls",
              stroke_width=stroke, stroke_fill=0)
    if gw <= w:
        return canvas.crop((0, 0, w, h))
    glyph = canvas.crop((0, 0, gw, h))
    scaled = glyph.resize((w, max(1, round(h * w / gw))), Image.Resampling.LANCZOS)
    cell = Image.new("L", (w, h), 255)
    cell.paste(scaled, (0, (h - scaled.height) // 2))
    return cell


def render_text_image(text: str, paper: Paper, *, align: str = "left", bold: bool = False,
                      size: int = 1, charset: str = "gbk") -> Image.Image:
    """One slip line as a 1-bit image ``paper.dots`` wide, each character in the cell it
    would occupy as text (so it lines up with, and is as wide as, a text line)."""
    cw, ch_h = CELL_W * size, CELL_H * size
    cols = paper.columns // size
    total = min(display_width(text, charset), cols)
    start = {"left": 0, "center": (cols - total) // 2, "right": cols - total}.get(align, 0)
    img = Image.new("L", (paper.dots, ch_h + LINE_GAP), 255)
    col = start
    for c in text:
        w = char_width(c, charset)
        if col + w > cols:
            break
        if c != " ":
            img.paste(_glyph(c, w * cw, ch_h, bold), (col * cw, LINE_GAP // 2))
        col += w
    return img.point(lambda v: 0 if v < 150 else 255).convert("1")


def qr_image(payload: str, paper: Paper) -> Image.Image:
    """Raster QR (fallback for printers without ``GS ( k``), centred on the paper width."""
    box = paper.qr_module
    while True:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box,
                             border=2)
        code.add_data(payload)
        code.make(fit=True)
        img = code.make_image().get_image().convert("L")
        if img.width <= paper.dots or box == 1:
            break
        box -= 1
    if img.width > paper.dots:  # cannot happen for a query key; keep the width contract
        img = img.resize((paper.dots, paper.dots), Image.Resampling.NEAREST)
    page = Image.new("L", (paper.dots, img.height), 255)
    page.paste(img, ((paper.dots - img.width) // 2, 0))
    return page.convert("1")


def _raster(p: Dummy, img: Image.Image) -> None:
    """``GS v 0`` through python-escpos' image encoder (``Escpos.image`` would print a
    warning on stdout for profiles without a paper width)."""
    im = EscposImage(img)
    header = GS + b"v0" + b"\x00" + Dummy._int_low_high(im.width_bytes, 2) \
        + Dummy._int_low_high(im.height, 2)
    p._raw(header + im.to_raster_format())


# -- bytes ---------------------------------------------------------------------------------------

class _Style:
    def __init__(self, p: Dummy) -> None:
        self.p = p
        self.align, self.bold, self.size = "left", False, 1

    def apply(self, align: str, bold: bool, size: int) -> None:
        if align != self.align:
            self.p.set(align=align)
            self.align = align
        if bold != self.bold:
            self.p.set(bold=bold)
            self.bold = bold
        if size != self.size:
            self.p.set(custom_size=True, width=size, height=size)
            self.size = size


def encode_slip(elements: Sequence[Element], paper: Paper, *, qr_mode: str = "native",
                charset: str = "gbk", cut: bool = True) -> bytes:
    """ESC/POS bytes for laid-out elements (see the module docstring)."""
    p = Dummy()
    p.hw("INIT")
    p._raw(FS_CHINESE_ON)
    style = _Style(p)
    for el in elements:
        if isinstance(el, Line):
            data = encode_text(el.text, charset)
            if data is None:
                style.apply("left", style.bold, style.size)
                _raster(p, render_text_image(el.text, paper, align=el.align, bold=el.bold,
                                             size=el.size, charset=charset))
            else:
                style.apply(el.align, el.bold, el.size)
                p._raw(data + b"\n")
        elif isinstance(el, Qr):
            if qr_mode == "native":
                style.apply("center", False, 1)
                p.qr(el.payload, ec=QR_ECLEVEL_M, size=paper.qr_module, native=True)
                p._raw(b"\n")
            else:
                style.apply("left", False, 1)
                _raster(p, qr_image(el.payload, paper))
        elif isinstance(el, Feed):
            p.print_and_feed(max(1, min(el.lines, 10)))
    style.apply("left", False, 1)
    p._raw(FS_CHINESE_OFF)
    if cut:
        p.cut()
    return bytes(p.output)


def render_receipt(data: ReceiptData, template: KindTemplate | None = None, *,
                   paper: Paper | int = 80, qr_mode: str = "native",
                   charset: str = "gbk") -> bytes:
    """The slip's bytes. ``PrintError`` when the template cannot be rendered."""
    if isinstance(paper, int):
        paper = paper_for(paper)
    tpl = template or default_templates().receipt(data.service_code)
    try:
        elements = layout_receipt(data, tpl, paper, charset=charset)
        return encode_slip(elements, paper, qr_mode=qr_mode, charset=charset)
    except (KeyError, ValueError, IndexError) as err:
        raise PrintError(f"cannot render receipt {data.provisional_no}: {err!r}",
                         user_message="回执生成失败，请联系工作人员") from err


def diagnostic_page_elements(paper: Paper, where: str) -> list[Element]:
    cols = paper.columns
    lines: list[Element] = [*_para("打印机自检页", cols, align="center", bold=True, size=2),
                            Line("-" * cols)]
    lines += _para(f"接口：{where or '模拟'}", cols)
    lines += _para(f"纸宽：{paper.width_mm}毫米，每行{cols}列", cols)
    lines += _para("中文：政务服务一体机回执打印测试", cols)
    lines += [Line("：，。；！？（）【】“”"), Line("生僻字：䶮 𠮷")]
    lines.append(Line(("1234567890" * 5)[:cols]))
    lines += [Qr("TEST-PAGE"), *_para("自检完成", cols, align="center")]
    return lines


# -- status --------------------------------------------------------------------------------------

def decode_status(replies: Mapping[int, int]) -> PrinterStatus:
    """Real-time status from the replies to ``DLE EOT 1..4`` (reference/devices.md §D.2)."""
    s1, s2, s3, s4 = (replies.get(n, 0x12) for n in (1, 2, 3, 4))
    found = []
    if s1 & 0x08:
        found.append("offline")
    if s2 & 0x04:
        found.append("cover open")
    if s2 & 0x20:
        found.append("stopped: paper end")
    if s2 & 0x40:
        found.append("error")
    if s3 & 0x04:
        found.append("recoverable/mechanical error")
    if s3 & 0x08:
        found.append("autocutter error")
    if s3 & 0x20:
        found.append("unrecoverable error")
    if s3 & 0x40:
        found.append("auto-recoverable error")
    paper_end = (s4 & 0x60) == 0x60 or bool(s2 & 0x20)
    near_end = (s4 & 0x0C) == 0x0C
    if paper_end and "stopped: paper end" not in found:
        found.append("paper end")
    if near_end:
        found.append("paper near end")
    if s2 & 0x04:
        state = PrinterState.COVER_OPEN
    elif paper_end:
        state = PrinterState.PAPER_END
    elif s1 & 0x08 or s2 & 0x40 or s3 & 0x6C:
        state = PrinterState.OFFLINE
    elif near_end:
        state = PrinterState.NEAR_END
    else:
        state = PrinterState.PAPER_OK
    return PrinterStatus(state, ", ".join(found) or "ready", dict(replies))


def _plausible(reply: int) -> bool:
    return (reply & 0x93) == 0x12  # bits 1 and 4 always set, bits 0 and 7 always clear


# -- the port ----------------------------------------------------------------------------------

class ReceiptPrinter(Device):
    """The receipt-printer port; see the module docstring."""

    kind: ClassVar[str] = "receipt_printer"
    label_zh: ClassVar[str] = "回执打印机"
    reads_status: ClassVar[bool] = True

    def __init__(self, *, paper_width_mm: int = 80, qr_mode: str = "native",
                 charset: str = "gbk", status_timeout_s: float = 1.0, settle_s: float = 0.5,
                 print_when_status_unknown: bool = False,
                 templates: str | Path | TemplateSet | None = None) -> None:
        super().__init__()
        self.paper = paper_for(paper_width_mm)
        if qr_mode not in ("native", "raster"):
            raise ConfigError(f"devices.receipt_printer.options.qr_mode: expected native or "
                              f"raster, got {qr_mode!r}",
                              key="devices.receipt_printer.options.qr_mode")
        if charset not in CHARSETS:
            raise ConfigError(f"devices.receipt_printer.options.charset: expected one of "
                              f"{', '.join(CHARSETS)}, got {charset!r}",
                              key="devices.receipt_printer.options.charset")
        self.qr_mode = qr_mode
        self.charset = charset
        self.status_timeout_s = float(status_timeout_s)
        self.settle_s = float(settle_s)
        self.print_when_status_unknown = bool(print_when_status_unknown)
        self._template_source = templates
        if templates is None or isinstance(templates, TemplateSet):
            self.templates = templates or default_templates()
        else:
            self.templates = load_templates(templates)
        self._io = threading.RLock()
        self.last_status: PrinterStatus | None = None

    def __enter__(self) -> Self:
        self.open()
        return self

    def use_catalogue_templates(self, print_templates: Mapping[str, Any] | None) -> None:
        """Layer the catalogue's ``print_templates`` between the default and the template
        source of this printer's options (``ConfigError`` when the result is invalid; the
        templates in use are then unchanged)."""
        source = self._template_source
        if isinstance(source, TemplateSet):
            return  # an explicit set is final
        self.templates = load_templates(source, catalogue={"print_templates": print_templates})

    # -- rendering --------------------------------------------------------------------------
    def render(self, data: ReceiptData, template: KindTemplate | None = None) -> bytes:
        tpl = template or self.templates.receipt(data.service_code)
        return render_receipt(data, tpl, paper=self.paper, qr_mode=self.qr_mode,
                              charset=self.charset)

    def render_test_page(self) -> bytes:
        return encode_slip(diagnostic_page_elements(self.paper, self.location()), self.paper,
                           qr_mode=self.qr_mode, charset=self.charset)

    # -- status -----------------------------------------------------------------------------
    def status(self) -> PrinterStatus:
        with self._io:
            st = self._status()
            self.last_status = st
            return st

    def _status(self) -> PrinterStatus:
        if not self.reads_status:
            return PrinterStatus(PrinterState.UNKNOWN,
                                 "this interface cannot read the printer's status")
        try:
            self.open()
        except DeviceError as err:
            return PrinterStatus(PrinterState.OFFLINE, f"cannot connect: {err.detail}")
        replies: dict[int, int] = {}
        try:
            for n in (1, 2, 3, 4):
                reply = self._query(n)
                if reply is None:
                    return PrinterStatus(PrinterState.UNKNOWN,
                                         f"no answer to DLE EOT {n} within "
                                         f"{self.status_timeout_s:g} s", replies)
                if not _plausible(reply):
                    return PrinterStatus(PrinterState.UNKNOWN,
                                         f"implausible reply 0x{reply:02X} to DLE EOT {n}",
                                         replies)
                replies[n] = reply
        except (DeviceError, OSError) as err:
            self.close()  # reconnect next time
            return PrinterStatus(PrinterState.OFFLINE, f"status query failed: {err}", replies)
        return decode_status(replies)

    def _query(self, n: int) -> int | None:
        self._drain()
        self._write(DLE + EOT + bytes((n,)))
        data = self._read(1, self.status_timeout_s)
        return data[0] if data else None

    # -- jobs ------------------------------------------------------------------------------------
    def print_receipt(self, data: ReceiptData,
                      template: KindTemplate | None = None) -> PrintOutcome:
        payload = self.render(data, template)
        return self._run(payload, number=data.number, qr_payload=data.qr_payload)

    def print_test_page(self) -> PrintOutcome:
        return self._run(self.render_test_page(), number="TEST-PAGE", qr_payload="")

    def print_raw(self, payload: bytes, *, number: str = "", qr_payload: str = "") \
            -> PrintOutcome:
        """Send already rendered bytes with the same status checks (reprints, tools)."""
        return self._run(payload, number=number, qr_payload=qr_payload)

    def _run(self, payload: bytes, *, number: str, qr_payload: str) -> PrintOutcome:
        with self._io:
            before = self.status()
            may_try = before.can_print or (
                before.state is PrinterState.UNKNOWN
                and (not self.reads_status or self.print_when_status_unknown))
            if not may_try:
                log.warning("%s: receipt %s not printed: %s (%s)", self, number,
                            before.state.value, before.detail)
                return PrintOutcome(PrintResult.NOT_PRINTED, before, None, number, qr_payload,
                                    f"not sent: printer {before.state.value}: {before.detail}")
            try:
                self.open()
            except DeviceError as err:
                return PrintOutcome(PrintResult.NOT_PRINTED, before, None, number, qr_payload,
                                    f"not sent: cannot connect: {err.detail}")
            try:
                self._write(payload)
            except (DeviceError, OSError) as err:
                self.close()
                log.warning("%s: receipt %s interrupted: %s", self, number, err)
                return PrintOutcome(PrintResult.UNCERTAIN, before, None, number, qr_payload,
                                    f"sending interrupted: {err}")
            if self.settle_s > 0:
                time.sleep(self.settle_s)
            after = self.status()
            if after.can_print:
                result, detail = PrintResult.PRINTED, "printed"
            else:
                result = PrintResult.UNCERTAIN
                detail = f"sent; printer afterwards {after.state.value}: {after.detail}"
            log.info("%s: receipt %s %s (%d bytes)", self, number, result.value, len(payload))
            return PrintOutcome(result, before, after, number, qr_payload, detail,
                                bytes_sent=len(payload))

    # -- maintenance ----------------------------------------------------------------------------
    def self_test(self) -> SelfTestResult:
        st = self.status()
        checks = {"status": "ok" if st.can_print else f"{st.state.value}: {st.detail}"}
        if not self.reads_status:
            try:
                self.open()
            except DeviceError as err:
                return SelfTestResult(False, f"{self.label_zh}无法打开：{err.user_message}",
                                      {"open": err.detail}, err.detail)
            return SelfTestResult(True, f"{self.label_zh}已连接（该接口无法读取纸张状态）",
                                  {"open": "ok", "status": "unknown: write-only interface"},
                                  st.detail)
        return SelfTestResult(st.can_print, f"{self.label_zh}{st.label_zh}", checks, st.detail)

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update({"paper_width_mm": self.paper.width_mm, "columns": self.paper.columns,
                    "qr_mode": self.qr_mode, "charset": self.charset,
                    "reads_status": self.reads_status,
                    "last_status": self.last_status.as_dict() if self.last_status else None})
        return out

    # -- transport hooks --------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        raise NotImplementedError

    def _read(self, n: int, timeout_s: float) -> bytes:
        """Up to ``n`` bytes; ``b""`` when nothing came within ``timeout_s``."""
        return b""

    def _drain(self) -> None:
        """Discard unread input (a late answer to an earlier query)."""


# -- backends ------------------------------------------------------------------------------------

class NetworkEscposPrinter(ReceiptPrinter):
    backend: ClassVar[str] = "escpos_network"

    def __init__(self, host: str, port: int = 9100, timeout_s: float = 3.0,
                 **options: Any) -> None:
        options.setdefault("status_timeout_s", timeout_s)
        super().__init__(**options)
        self.host, self.port, self.timeout_s = host, int(port), float(timeout_s)
        self._sock: socket.socket | None = None

    def location(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def _open(self) -> None:
        try:
            self._sock = socket.create_connection((self.host, self.port),
                                                  timeout=self.timeout_s)
        except OSError as err:
            raise DeviceUnavailableError(f"{self.location()}: {err}",
                                         user_message="回执打印机未连接，请联系工作人员") from err

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def _conn(self) -> socket.socket:
        if self._sock is None:
            raise DeviceUnavailableError(f"{self.location()}: not connected")
        return self._sock

    def _write(self, data: bytes) -> None:
        sock = self._conn()
        sock.settimeout(max(self.timeout_s, 10.0))
        sock.sendall(data)

    def _read(self, n: int, timeout_s: float) -> bytes:
        sock = self._conn()
        sock.settimeout(timeout_s)
        try:
            data = sock.recv(n)
        except TimeoutError:
            return b""
        if not data:
            raise ConnectionError("printer closed the connection")
        return data

    def _drain(self) -> None:
        sock = self._conn()
        sock.setblocking(False)
        try:
            while True:
                if not sock.recv(256):
                    raise ConnectionError("printer closed the connection")
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            sock.setblocking(True)


class SerialEscposPrinter(ReceiptPrinter):
    backend: ClassVar[str] = "escpos_serial"

    def __init__(self, port: str, baudrate: int = 9600, timeout_s: float = 1.0,
                 rtscts: bool = False, dsrdtr: bool = False, xonxoff: bool = False,
                 write_timeout_s: float = 20.0, **options: Any) -> None:
        options.setdefault("status_timeout_s", timeout_s)
        super().__init__(**options)
        self.port, self.baudrate = port, int(baudrate)
        self.timeout_s, self.write_timeout_s = float(timeout_s), float(write_timeout_s)
        self.rtscts, self.dsrdtr, self.xonxoff = rtscts, dsrdtr, xonxoff
        self._ser: Any = None

    def location(self) -> str:
        return self.port

    def _open(self) -> None:
        try:
            import serial
        except ImportError as err:
            raise DeviceUnavailableError(f"pyserial missing: {err}") from err
        try:
            self._ser = serial.serial_for_url(
                self.port, baudrate=self.baudrate, timeout=self.timeout_s,
                write_timeout=self.write_timeout_s, rtscts=self.rtscts, dsrdtr=self.dsrdtr,
                xonxoff=self.xonxoff)
        except (serial.SerialException, ValueError, OSError) as err:
            raise DeviceUnavailableError(f"{self.port}: {err}",
                                         user_message="回执打印机未连接，请联系工作人员") from err

    def _close(self) -> None:
        ser, self._ser = self._ser, None
        if ser is not None:
            ser.close()

    def _write(self, data: bytes) -> None:
        if self._ser is None:
            raise DeviceUnavailableError(f"{self.port}: not open")
        self._ser.write(data)
        self._ser.flush()

    def _read(self, n: int, timeout_s: float) -> bytes:
        if self._ser is None:
            raise DeviceUnavailableError(f"{self.port}: not open")
        self._ser.timeout = timeout_s
        return bytes(self._ser.read(n))

    def _drain(self) -> None:
        if self._ser is not None:
            self._ser.reset_input_buffer()


def _usb_id(value: int | str) -> int:
    return value if isinstance(value, int) else int(str(value), 16)


class UsbEscposPrinter(ReceiptPrinter):
    backend: ClassVar[str] = "escpos_usb"

    def __init__(self, vendor_id: int | str, product_id: int | str, timeout_s: float = 3.0,
                 in_ep: int = 0x82, out_ep: int = 0x01, **options: Any) -> None:
        options.setdefault("status_timeout_s", timeout_s)
        super().__init__(**options)
        try:
            self.vendor_id, self.product_id = _usb_id(vendor_id), _usb_id(product_id)
        except ValueError as err:
            raise ConfigError(f"devices.receipt_printer.options: bad USB id: {err}",
                              key="devices.receipt_printer.options.vendor_id") from err
        self.timeout_s, self.in_ep, self.out_ep = float(timeout_s), in_ep, out_ep
        self._dev: Any = None

    def location(self) -> str:
        return f"usb://{self.vendor_id:04x}:{self.product_id:04x}"

    def _open(self) -> None:
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise DeviceUnavailableError("pyusb is not installed (python-escpos[usb])")
        try:
            dev = Usb(self.vendor_id, self.product_id, timeout=int(self.timeout_s * 1000),
                      in_ep=self.in_ep, out_ep=self.out_ep)
            dev.open()
        except Exception as err:  # pyusb/libusb raise many types: wrap them all here
            raise DeviceUnavailableError(f"{self.location()}: {err}",
                                         user_message="回执打印机未连接，请联系工作人员") from err
        self._dev = dev

    def _close(self) -> None:
        dev, self._dev = self._dev, None
        if dev is not None:
            dev.close()

    def _write(self, data: bytes) -> None:
        if self._dev is None:
            raise DeviceUnavailableError(f"{self.location()}: not open")
        try:
            self._dev._raw(data)
        except Exception as err:
            raise OSError(f"USB write failed: {err}") from err

    def _read(self, n: int, timeout_s: float) -> bytes:
        if self._dev is None:
            raise DeviceUnavailableError(f"{self.location()}: not open")
        try:
            return bytes(self._dev.device.read(self.in_ep, 16, int(timeout_s * 1000)))[:n]
        except Exception as err:
            if "timeout" in type(err).__name__.lower() or "timed out" in str(err).lower():
                return b""
            raise OSError(f"USB read failed: {err}") from err


class FileEscposPrinter(ReceiptPrinter):
    """Write-only character device or file (``/dev/usb/lp0``): status is UNKNOWN."""

    backend: ClassVar[str] = "escpos_file"
    reads_status: ClassVar[bool] = False

    def __init__(self, path: str, **options: Any) -> None:
        options.setdefault("settle_s", 0.0)
        super().__init__(**options)
        self.path = str(path)
        self._f: Any = None

    def location(self) -> str:
        return self.path

    def _open(self) -> None:
        try:
            self._f = open(self.path, "ab", buffering=0)  # noqa: SIM115 - held while open
        except OSError as err:
            raise DeviceUnavailableError(f"{self.path}: {err}",
                                         user_message="回执打印机未连接，请联系工作人员") from err

    def _close(self) -> None:
        f, self._f = self._f, None
        if f is not None:
            f.close()

    def _write(self, data: bytes) -> None:
        if self._f is None:
            raise DeviceUnavailableError(f"{self.path}: not open")
        self._f.write(data)
        self._f.flush()


# Reply bytes to DLE EOT 1..4 for each scripted condition (reference/devices.md §D.2).
STATUS_TABLES: Mapping[str, Mapping[int, int]] = {
    "paper_ok": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "near_end": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    "paper_end": {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
    "cover_open": {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
    "offline": {1: 0x1A, 2: 0x12, 3: 0x12, 4: 0x12},
    "error": {1: 0x1A, 2: 0x52, 3: 0x1A, 4: 0x12},  # autocutter error
}


class SimulatedReceiptPrinter(ReceiptPrinter):
    """In-process printer: records every job's bytes in ``jobs``; status scripted."""

    backend: ClassVar[str] = "simulated"

    def __init__(self, status: str = "paper_ok", faults: FaultScript | None = None,
                 **options: Any) -> None:
        options.setdefault("settle_s", 0.0)
        options.setdefault("status_timeout_s", 0.2)
        super().__init__(**options)
        self.faults = faults or FaultScript()
        self._state_lock = threading.Lock()
        self._table = dict(STATUS_TABLES[self._check_state(status)])
        self._after_job: str | None = None
        self.jobs: list[bytes] = []

    @staticmethod
    def _check_state(name: str) -> str:
        if name not in STATUS_TABLES:
            raise ConfigError(f"devices.receipt_printer.options.status: expected one of "
                              f"{', '.join(STATUS_TABLES)}, got {name!r}",
                              key="devices.receipt_printer.options.status")
        return name

    def set_status(self, name: str) -> None:
        with self._state_lock:
            self._table = dict(STATUS_TABLES[self._check_state(name)])

    def set_status_after_job(self, name: str | None) -> None:
        """The status the printer will report once the next job has been received."""
        with self._state_lock:
            self._after_job = self._check_state(name) if name else None

    @property
    def output(self) -> bytes:
        return b"".join(self.jobs)

    def _open(self) -> None:
        self.faults.check("open", timeout_s=self.status_timeout_s)

    def _close(self) -> None:
        pass

    def _query(self, n: int) -> int | None:
        try:
            self.faults.check("status", timeout_s=self.status_timeout_s)
        except DeviceTimeoutError:
            return None
        with self._state_lock:
            return self._table.get(n)

    def _write(self, data: bytes) -> None:
        self.faults.check("print", timeout_s=self.status_timeout_s)
        with self._state_lock:
            self.jobs.append(bytes(data))
            if self._after_job:
                self._table = dict(STATUS_TABLES[self._after_job])
                self._after_job = None
