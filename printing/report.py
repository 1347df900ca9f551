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
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer

from kiosk.errors import PrintError
from printing.model import sanitize
from printing.notice import (
    CONTENT_W,
    GRID,
    CJKText,
    _grid,
    _heading,
    _kv_table,
    page_footer,
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
    font = pdf_font()
    on_page = page_footer(sanitize(f"{hall_name}　自助终端 {kiosk_code}"), printed_at)

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
