"""A4 PDFs: 受理通知书 (acceptance notice) and 材料清单 (materials list), with reportlab.

``render_notice(data, template=None, *, printed_at=None) -> bytes`` and
``render_materials_list(data, template=None, *, printed_at=None) -> bytes`` (or
``render_document(kind, …)``) lay out the same facts as the slip plus the full guide of what
comes next: title, number, the application's data (masked), the materials with their trust
levels, time limits, fee, where the result is collected, how to query, FAQ, a QR code, and a
footer on every page with the hall, the kiosk code, the print time and the page number.

Fonts: the best installed CJK face with TrueType outlines (WenQuanYi Micro Hei from
``fonts-wqy-microhei``; found with fontconfig, see ``printing.cjk_faces``) is embedded and
subset, so the page prints the same everywhere. reportlab cannot load CFF/OTF faces (Noto
CJK), so without a TrueType CJK face the text falls back to the built-in ``STSong-Light``
CID font, which is *not* embedded (the printer or viewer must supply a CJK font). A
character the chosen font lacks (䶮, 𠮷 …) is drawn as a small image rendered with Pillow
from a face that has it (Noto CJK) — it prints correctly but is not extractable as text.
Output is deterministic for the same input and ``printed_at`` (reportlab invariant mode).
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import qrcode
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from kiosk.errors import PrintError
from printing import face_for, truetype_face
from printing.model import TRUST_LEVEL_TEXT, ReceiptData, format_time, sanitize
from printing.templates import KindTemplate, default_templates

__all__ = ["PdfFont", "pdf_font", "render_document", "render_materials_list",
           "render_notice"]

FONT_NAME = "KioskCJK"
CID_FONT = "STSong-Light"
_lock = threading.Lock()


@dataclass(frozen=True)
class PdfFont:
    name: str
    embedded: bool
    path: str | None
    cmap: frozenset[int] | None  # code points with a glyph; None: assume the BMP

    def covers(self, ch: str) -> bool:
        cp = ord(ch)
        if self.cmap is None:
            return cp <= 0xFFFF
        return cp in self.cmap or ch == " "


@lru_cache(maxsize=1)
def pdf_font() -> PdfFont:
    """Register (once) and return the CJK font for PDFs (see the module docstring)."""
    with _lock:
        face = truetype_face()
        if face is not None:
            try:
                font = TTFont(FONT_NAME, face.path, subfontIndex=face.index)
                pdfmetrics.registerFont(font)
                return PdfFont(FONT_NAME, True, face.path, frozenset(font.face.charToGlyph))
            except (TTFError, OSError) as err:
                import logging

                logging.getLogger(__name__).warning("cannot use %s: %s", face.path, err)
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        return PdfFont(CID_FONT, False, None, None)


# -- text drawing with per-character fallback -------------------------------------------------

@lru_cache(maxsize=512)
def _char_image(ch: str, px: int) -> Image.Image:
    face = face_for(ch)
    try:
        font: Any = (ImageFont.truetype(face.path, px, index=face.index) if face
                     else ImageFont.load_default(size=px))
    except OSError:
        font = ImageFont.load_default(size=px)
    img = Image.new("LA", (px, px), (0, 0))
    ImageDraw.Draw(img).text((px // 2, int(px * 0.88)), ch, font=font, fill=(0, 255),
                             anchor="ms")
    return img


def _char_width(ch: str, font: PdfFont, size: float) -> float:
    if font.covers(ch):
        return pdfmetrics.stringWidth(ch, font.name, size)
    return size


def draw_text(c: Canvas, x: float, y: float, text: str, font: PdfFont, size: float, *,
              bold: bool = False, color: Any = colors.black) -> None:
    """Draw one line at baseline ``y``: runs in ``font``, missing characters as images."""
    run: list[str] = []

    def flush() -> None:
        nonlocal x
        if not run:
            return
        s = "".join(run)
        t = c.beginText(x, y)
        t.setFont(font.name, size)
        t.setFillColor(color)
        if bold:
            t.setTextRenderMode(2)  # fill + stroke: a bold face the CJK fonts do not have
            c.setStrokeColor(color)
            c.setLineWidth(size * 0.035)
        t.textOut(s)
        c.drawText(t)
        x += pdfmetrics.stringWidth(s, font.name, size)
        run.clear()

    for ch in text:
        if font.covers(ch):
            run.append(ch)
            continue
        flush()
        img = _char_image(ch, max(24, int(size * 4)))
        c.drawImage(ImageReader(img), x, y - size * 0.15, width=size, height=size,
                    mask="auto")
        x += size
    flush()


_NO_LINE_START = frozenset("，。、；：！？）》」』】〕〉’”％…,.;:!?)]}%")


def wrap_width(text: str, width: float, font: PdfFont, size: float) -> list[str]:
    lines: list[str] = []
    cur: list[str] = []
    cur_w = 0.0
    for ch in text:
        w = _char_width(ch, font, size)
        if cur and cur_w + w > width:
            carry: list[str] = []
            if ch in _NO_LINE_START and len(cur) > 1:
                carry = [cur.pop()]
            elif ch.isascii() and ch.isalnum():
                j = len(cur)
                while j > 0 and cur[j - 1].isascii() and cur[j - 1].isalnum():
                    j -= 1
                if 0 < j < len(cur):
                    carry = cur[j:]
                    del cur[j:]
            lines.append("".join(cur).rstrip())
            cur = carry
            cur_w = sum(_char_width(x, font, size) for x in cur)
            if ch == " " and not cur:
                continue
        cur.append(ch)
        cur_w += w
    if cur or not lines:
        lines.append("".join(cur).rstrip())
    return lines


class CJKText(Flowable):
    """Wrapped Chinese text; used for paragraphs and table cells."""

    def __init__(self, text: str, size: float = 10.5, *, leading: float | None = None,
                 align: str = "left", bold: bool = False, color: Any = colors.black,
                 hang: str = "", space_after: float = 0) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.leading = leading or size * 1.5
        self.align = align
        self.bold = bold
        self.color = color
        self.hang = hang  # prefix of the first line ("1. "); later lines are indented by it
        self.space_after = space_after
        self.font = pdf_font()
        self._lines: list[tuple[float, str]] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._lines = []
        font, size = self.font, self.size
        indent = pdfmetrics.stringWidth(self.hang, font.name, size) if self.hang else 0.0
        for n, para in enumerate(self.text.split("\n")):
            para = sanitize(para)
            if n == 0 and self.hang:
                first = self.hang + para
                head = wrap_width(first, avail_width - 1, font, size)[0]
                self._lines.append((0.0, head))
                rest = first[len(head):].lstrip()
                if rest:
                    self._lines += [(indent, t) for t in
                                    wrap_width(rest, avail_width - indent - 1, font, size)]
            else:
                self._lines += [(0.0, t) for t in wrap_width(para, avail_width - 1, font, size)]
        self.width = avail_width
        self.height = len(self._lines) * self.leading
        return self.width, self.height + self.space_after

    def draw(self) -> None:
        top = self.height + self.space_after
        for i, (indent, line) in enumerate(self._lines):
            baseline = top - self.leading * (i + 0.5) - self.size * 0.36
            w = sum(_char_width(ch, self.font, self.size) for ch in line)
            if self.align == "center":
                x = (self.width - w) / 2
            elif self.align == "right":
                x = self.width - w
            else:
                x = indent
            draw_text(self.canv, x, baseline, line, self.font, self.size, bold=self.bold,
                      color=self.color)


class QrFlowable(Flowable):
    def __init__(self, payload: str, size: float = 32 * mm) -> None:
        super().__init__()
        self.payload = payload
        self.size = size
        self.width = self.height = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        # Modules as rectangles (renderPDF would pull in a Helvetica font resource).
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        code.add_data(self.payload)
        code.make(fit=True)
        matrix = code.get_matrix()
        n = len(matrix)
        cell = self.size / n
        c = self.canv
        c.setFillColor(colors.black)
        for row, bits in enumerate(matrix):
            col = 0
            while col < n:
                if not bits[col]:
                    col += 1
                    continue
                start = col
                while col < n and bits[col]:
                    col += 1
                c.rect(start * cell, self.size - (row + 1) * cell, (col - start) * cell,
                       cell, stroke=0, fill=1)


# -- documents ------------------------------------------------------------------------------

GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#EEF1F5")
ACCENT = colors.HexColor("#B0171F")  # 政务红 for the reprint stamp
CONTENT_W = A4[0] - 40 * mm


def _heading(text: str) -> list[Flowable]:
    out: list[Flowable] = [Spacer(1, 4 * mm), CJKText(text, 12.5, bold=True,
                                                      space_after=1.5 * mm)]
    for f in out:
        f.keepWithNext = True  # never a heading alone at the foot of a page
    return out


def _grid(rows: Sequence[Sequence[Flowable]], widths: Sequence[float], *,
          header: bool = False) -> Table:
    t = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=1 if header else 0)
    style = [("FONTNAME", (0, 0), (-1, -1), pdf_font().name),  # else Table sets Helvetica
             ("GRID", (0, 0), (-1, -1), 0.6, GRID),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
             ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), SHADE))
    t.setStyle(TableStyle(style))
    return t


def _kv_table(pairs: Sequence[tuple[str, str]]) -> Table:
    rows = [[CJKText(k, 10.5, bold=True), CJKText(v, 10.5)] for k, v in pairs if v]
    return _grid(rows, [32 * mm, CONTENT_W - 32 * mm])


def _header(title: str, data: ReceiptData) -> list[Flowable]:
    out: list[Flowable] = [CJKText(data.hall_name, 11, align="center", color=GRID),
                           Spacer(1, 2 * mm),
                           CJKText(title, 20, align="center", bold=True, leading=28),
                           Spacer(1, 2 * mm),
                           CJKText(f"{data.number_label}：{data.number}", 10.5, align="right")]
    if data.reprint:
        out.append(CJKText(f"补打　{format_time(data.reprint_at or 0)}", 10.5, align="right",
                           bold=True, color=ACCENT))
    return out


def _qr_block(data: ReceiptData, caption: str) -> Table:
    text = CJKText(f"{caption}\n查询编号：{data.provisional_no}", 10.5, leading=16)
    t = Table([[QrFlowable(data.qr_payload), text]], colWidths=[36 * mm, CONTENT_W - 36 * mm])
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), pdf_font().name),
                           ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return t


def _application_rows(data: ReceiptData) -> list[tuple[str, str]]:
    return [
        ("事项名称", data.service_name),
        ("事项编码", data.service_code),
        ("实施部门", data.department_name),
        ("临时受理编号", data.provisional_no),
        ("办件编号", data.case_no or ""),
        ("办理状态", data.status_label),
        ("申请人", data.masked_name),
        ("证件号码", data.masked_id),
        ("提交时间", format_time(data.submitted_at)),
        ("受理地点", f"{data.hall_name}（自助终端 {data.kiosk_code}）"),
    ]


def _notice_story(data: ReceiptData, tpl: KindTemplate) -> list[Flowable]:
    story = _header(tpl.fill(tpl.title, data), data)
    story.append(Spacer(1, 4 * mm))
    story.append(CJKText(tpl.fill(tpl.intro, data), 11, leading=18))
    story += _heading("一、申请信息")
    story.append(_kv_table(_application_rows(data)))
    story += _heading("二、已收取材料")
    received = data.received_materials
    if received:
        rows: list[list[Flowable]] = [[CJKText(h, 10.5, bold=True, align="center")
                                       for h in ("序号", "材料名称", "可信等级", "说明")]]
        for i, m in enumerate(received, 1):
            rows.append([CJKText(str(i), 10.5, align="center"), CJKText(m.name, 10.5),
                         CJKText(f"{m.trust_level}级", 10.5, align="center"),
                         CJKText(m.trust_label, 10.5)])
        story.append(_grid(rows, [14 * mm, 80 * mm, 22 * mm, CONTENT_W - 116 * mm],
                           header=True))
    else:
        story.append(CJKText("本次申请未收取材料。", 10.5))
    story += _heading("三、办理须知")
    story.append(_kv_table([
        ("承诺办结时限", data.placeholders()["promised_time_limit"]),
        ("法定办结时限", data.placeholders()["legal_time_limit"]),
        ("收费标准", data.placeholders()["fee"]),
        ("办理结果", data.result_collection),
        ("查询渠道", data.placeholders()["channels"]),
    ]))
    steps = tpl.steps_for(data)
    if steps:
        story += _heading("四、后续办理")
        for i, step in enumerate(steps, 1):
            story.append(CJKText(step, 10.5, hang=f"{i}. ", space_after=1 * mm))
    if data.faq:
        story += _heading("五、常见问题" if steps else "四、常见问题")
        for q, a in data.faq:
            story.append(CJKText(f"问：{q}", 10.5, bold=True))
            story.append(CJKText(f"答：{a}", 10.5, space_after=1.5 * mm))
    story.append(Spacer(1, 5 * mm))
    story.append(_qr_block(data, tpl.fill(tpl.qr_caption, data)))
    for note in tpl.notes_for(data):
        story.append(CJKText(note, 9, color=GRID))
    return story


def _materials_story(data: ReceiptData, tpl: KindTemplate) -> list[Flowable]:
    story = _header(tpl.fill(tpl.title, data), data)
    story.append(Spacer(1, 4 * mm))
    if tpl.intro:
        story.append(CJKText(tpl.fill(tpl.intro, data), 10.5, leading=17))
    story.append(Spacer(1, 3 * mm))
    rows: list[list[Flowable]] = [[CJKText(h, 10, bold=True, align="center") for h in
                                   ("序号", "材料名称", "形式及份数", "提交要求", "可信等级",
                                    "收取情况")]]
    for i, m in enumerate(data.materials, 1):
        form = f"{m.forms_text or '—'}，{m.count}份"
        level = f"{m.trust_level}级 {m.trust_label}" if m.received else f"{m.trust_level}级"
        rows.append([CJKText(str(i), 10, align="center"), CJKText(m.name, 10),
                     CJKText(form, 10), CJKText(m.requirement_text, 10),
                     CJKText(level, 10),
                     CJKText("已收取" if m.received else "未提交", 10, align="center",
                             bold=not m.received and m.required,
                             color=colors.black if m.received or not m.required else ACCENT)])
    if len(rows) == 1:
        rows.append([CJKText("—", 10, align="center"), CJKText("本事项无需提交材料", 10),
                     *[CJKText("", 10) for _ in range(4)]])
    story.append(_grid(rows, [12 * mm, 38 * mm, 32 * mm, 34 * mm, 36 * mm,
                              CONTENT_W - 152 * mm], header=True))
    story += _heading("可信等级说明")
    for level in "ABCD":
        story.append(CJKText(TRUST_LEVEL_TEXT[level], 10, leading=15))
    story.append(Spacer(1, 5 * mm))
    story.append(_qr_block(data, tpl.fill(tpl.qr_caption, data)))
    for note in tpl.notes_for(data):
        story.append(CJKText(note, 9, color=GRID))
    return story


def page_footer(left: str, printed_at: float | None) -> Callable[[Canvas, Any], None]:
    """The footer of every A4 page: a rule, ``left`` (the hall …), then the print time and
    the page number at the right (reportlab ``onPage`` callback)."""
    printed = format_time(time.time() if printed_at is None else printed_at)
    font = pdf_font()

    def on_page(c: Canvas, doc: Any) -> None:
        c.saveState()
        c.setStrokeColor(GRID)
        c.setLineWidth(0.5)
        c.line(20 * mm, 16 * mm, A4[0] - 20 * mm, 16 * mm)
        draw_text(c, 20 * mm, 11 * mm, left, font, 8.5, color=GRID)
        right = f"打印时间 {printed}　第 {doc.page} 页"
        w = sum(_char_width(ch, font, 8.5) for ch in right)
        draw_text(c, A4[0] - 20 * mm - w, 11 * mm, right, font, 8.5, color=GRID)
        c.restoreState()

    return on_page


def render_document(kind: str, data: ReceiptData, template: KindTemplate | None = None, *,
                    printed_at: float | None = None) -> bytes:
    """``kind`` is ``notice`` or ``materials``; returns the PDF bytes (``PrintError`` when
    it cannot be built)."""
    if kind not in ("notice", "materials"):
        raise PrintError(f"unknown A4 document kind {kind!r}")
    tpl = template or default_templates().get(kind, data.service_code)
    font = pdf_font()
    footer = sanitize(tpl.fill(tpl.footer, data)) if tpl.footer else data.hall_name
    on_page = page_footer(footer, printed_at)

    buf = io.BytesIO()
    title = sanitize(tpl.fill(tpl.title, data))
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=22 * mm, title=title,
                            author=sanitize(data.hall_name), subject=data.number,
                            creator="gov-kiosk", invariant=True,
                            initialFontName=font.name)
    story = _notice_story(data, tpl) if kind == "notice" else _materials_story(data, tpl)
    try:
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    except Exception as err:  # reportlab raises plain exceptions (LayoutError, ValueError …)
        raise PrintError(f"cannot build {kind} PDF for {data.provisional_no}: {err!r}",
                         user_message="通知书生成失败，请联系工作人员") from err
    return buf.getvalue()


def render_notice(data: ReceiptData, template: KindTemplate | None = None, *,
                  printed_at: float | None = None) -> bytes:
    return render_document("notice", data, template, printed_at=printed_at)


def render_materials_list(data: ReceiptData, template: KindTemplate | None = None, *,
                          printed_at: float | None = None) -> bytes:
    return render_document("materials", data, template, printed_at=printed_at)
