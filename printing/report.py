"""A4 reports for staff and technicians (日终汇总 and the like), with the notice's fonts.

``render_report(title, sections, *, hall_name, kiosk_code, printed_at=None) -> bytes``
lays out a title block, then each :class:`Section` — a heading and either key/value
``pairs``, a ``table`` (first row is the header) or ``paragraphs`` — with the same CJK font
handling, grid style and page footer (hall, kiosk code, print time, page number) as the
受理通知书 (``printing.notice``). Deterministic for the same input and ``printed_at``.

Reports carry counts, numbers, service names and masked values only: they are printed in a
hall and may be left on a desk.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer

from kiosk.errors import PrintError
from printing.model import format_time, sanitize
from printing.notice import (
    CONTENT_W,
    GRID,
    CJKText,
    _char_width,
    _grid,
    _heading,
    _kv_table,
    draw_text,
    pdf_font,
)

__all__ = ["Section", "render_report"]


@dataclass(frozen=True)
class Section:
    heading: str
    pairs: Sequence[tuple[str, str]] = ()
    table: Sequence[Sequence[str]] = ()  # first row: column titles
    widths: Sequence[float] = ()  # relative column widths of ``table`` (default: equal)
    paragraphs: Sequence[str] = field(default_factory=tuple)


def _table(section: Section) -> Flowable:
    cols = len(section.table[0])
    weights = list(section.widths) or [1.0] * cols
    total = sum(weights)
    widths = [CONTENT_W * w / total for w in weights]
    rows = [[CJKText(str(cell), 9.5, bold=(r == 0)) for cell in row]
            for r, row in enumerate(section.table)]
    return _grid(rows, widths, header=True)


def render_report(title: str, sections: Sequence[Section], *, hall_name: str,
                  kiosk_code: str, subtitle: str = "",
                  printed_at: float | None = None) -> bytes:
    printed = format_time(time.time() if printed_at is None else printed_at)
    font = pdf_font()
    footer = f"{hall_name}　自助终端 {kiosk_code}"

    def on_page(c: Canvas, doc: Any) -> None:
        c.saveState()
        c.setStrokeColor(GRID)
        c.setLineWidth(0.5)
        c.line(20 * mm, 16 * mm, A4[0] - 20 * mm, 16 * mm)
        draw_text(c, 20 * mm, 11 * mm, sanitize(footer), font, 8.5, color=GRID)
        right = f"打印时间 {printed}　第 {doc.page} 页"
        w = sum(_char_width(ch, font, 8.5) for ch in right)
        draw_text(c, A4[0] - 20 * mm - w, 11 * mm, right, font, 8.5, color=GRID)
        c.restoreState()

    story: list[Flowable] = [CJKText(hall_name, 11, align="center", color=GRID),
                             Spacer(1, 2 * mm),
                             CJKText(title, 20, align="center", bold=True, leading=28)]
    if subtitle:
        story.append(CJKText(subtitle, 10.5, align="center", color=GRID))
    for section in sections:
        story += _heading(section.heading)
        if section.pairs:
            story.append(_kv_table(section.pairs))
        if section.table:
            story.append(_table(section))
        for para in section.paragraphs:
            story.append(CJKText(para, 10.5, space_after=1.5 * mm))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=22 * mm, title=sanitize(title),
                            author=sanitize(hall_name), subject=kiosk_code,
                            creator="gov-kiosk", invariant=True, initialFontName=font.name)
    try:
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    except Exception as err:  # reportlab raises plain exceptions (LayoutError, ValueError …)
        raise PrintError(f"cannot build report {title!r}: {err!r}",
                         user_message="报表生成失败，请联系技术人员") from err
    return buf.getvalue()
