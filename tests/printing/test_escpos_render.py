"""The slip, decoded back from the exact bytes sent to the printer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from escpos.printer import Dummy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from kiosk.config import KioskIdentity
from printing.escpos import (
    PAPERS,
    SimulatedReceiptPrinter,
    display_width,
    render_receipt,
    wrap,
)
from printing.model import sanitize
from tests.printing.conftest import FULL_ID, FULL_NAME, PROVISIONAL, MakeData
from tests.printing.escpos_decoder import Cut, Feed, QrCode, Raster, TextLine, decode, to_png

FULL_ID_DIGITS = FULL_ID[:-1]


def qr_text(img: Image.Image) -> str:
    import cv2

    arr = np.array(img.convert("L"))
    arr = np.pad(arr, 40, constant_values=255)
    text, _pts, _ = cv2.QRCodeDetector().detectAndDecode(arr)
    return str(text)


def test_magicencode_trap_is_real() -> None:
    """Why we encode ourselves: python-escpos prints full-width punctuation alone as ?."""
    p = Dummy()
    p.text("：，。\n")
    assert b"???" in p.output


def test_slip_80mm_decodes_to_exact_chinese_lines(make_data: MakeData,
                                                  printing_artifacts: Path) -> None:
    raw = render_receipt(make_data(), paper=80)
    slip = decode(raw)
    assert slip.switches[:2] == ["init", "chinese_on"] and slip.switches[-1] == "chinese_off"
    assert all(t.chinese for t in slip.text_lines)
    lines = slip.lines
    for expected in [
        "贵阳市政务服务中心（演示）",
        "政务服务受理回执",
        "事项名称：户口迁出（省内）",
        "事项编码：QR00107002",
        f"临时受理编号：{PROVISIONAL}",
        "办理状态：待上报",
        "申请人：欧阳**",
        "证件号码：110***********002X",
        "提交时间：2026-11-22 12:00",
        "受理终端：DEMO0001",
        "已收取材料（3件）：",
        "1. 居民身份证（B级 已核验原件）",
        "2. 居民户口簿（A级 电子证照）",
        "3. 迁入地落户依据材料（C级 原件待窗口核验）",
        "后续办理：",
        "扫码查询办理进度",
        "请妥善保管本回执",
    ]:
        assert expected in lines
    title = next(t for t in slip.text_lines if t.text == "政务服务受理回执")
    assert (title.width_mult, title.height_mult, title.align, title.bold) == (2, 2, "center",
                                                                              True)
    assert slip.qr_codes == [QrCode(PROVISIONAL, 6, "M", 2)]
    assert slip.rasters == []
    assert isinstance(slip.items[-2], Feed) and slip.items[-1] == Cut(partial=False)
    to_png(slip, PAPERS[80].dots, printing_artifacts / "slip-80mm.png")


def test_line_of_only_full_width_punctuation_is_encoded_not_guessed(
        make_data: MakeData) -> None:
    data = make_data(ident=KioskIdentity(hall_name="：，。"))
    raw = render_receipt(data, paper=58)
    assert b"\xa3\xba\xa3\xac\xa1\xa3\n" in raw  # GB18030 of ：，。
    assert "：，。" in decode(raw).lines
    assert b"?" not in raw.replace(b"\x1dv0", b"")  # no replacement characters anywhere


def test_no_personal_data_in_bytes_in_any_encoding(make_data: MakeData) -> None:
    raw = render_receipt(make_data(), paper=80) + render_receipt(make_data(), paper=58,
                                                                   qr_mode="raster")
    for enc in ("ascii", "utf-8", "gb18030", "utf-16-le", "utf-16-be", "utf-32-le"):
        assert FULL_ID_DIGITS.encode(enc) not in raw
        if enc != "ascii":
            assert FULL_NAME.encode(enc) not in raw
            assert FULL_NAME[2:].encode(enc) not in raw  # given name


def test_58mm_wraps_narrower_than_80mm(make_data: MakeData, printing_artifacts: Path) -> None:
    narrow, wide = decode(render_receipt(make_data(), paper=58)), \
        decode(render_receipt(make_data(), paper=80))
    assert all(t.columns <= 32 for t in narrow.text_lines)
    assert all(t.columns <= 48 for t in wide.text_lines)
    assert max(t.columns for t in wide.text_lines) > 32
    assert len(narrow.lines) > len(wide.lines)
    # the number does not fit after its label on 58 mm: it moves whole to the next line
    i = narrow.lines.index("临时受理编号：")
    assert narrow.lines[i + 1].strip() == PROVISIONAL
    assert "--------------------------------" in narrow.lines
    assert "3. 迁入地落户依据材料（C级 原件" in narrow.lines
    assert "   待窗口核验）" in narrow.lines  # hanging indent under the text
    to_png(narrow, PAPERS[58].dots, printing_artifacts / "slip-58mm.png")


def test_no_line_starts_with_closing_punctuation() -> None:
    for width in (8, 16, 32):
        for line in wrap(sanitize("一二三四五六七，八九十。一二三四五六七八：九十"), width):
            assert line[:1] not in "，。：" and display_width(line) <= width


def test_rare_characters_print_as_a_raster_line(make_data: MakeData,
                                                printing_artifacts: Path) -> None:
    data = make_data(masked_name="䶮明", service_name="𠮷野家证明")
    raw = render_receipt(data, paper=58)
    slip = decode(raw)
    assert not any("䶮" in t or "𠮷" in t or "?" in t for t in slip.lines)
    kinds = [type(i).__name__ for i in slip.items]
    i = slip.lines.index("办理状态：待上报")
    after = slip.items[next(n for n, it in enumerate(slip.items)
                            if isinstance(it, TextLine) and it.text == "办理状态：待上报") + 1]
    assert isinstance(after, Raster), kinds  # 申请人：䶮* as an image
    assert slip.lines[i + 1] == "证件号码：110***********002X"
    assert len(slip.rasters) == 2  # the name line and the service-name line
    for r in slip.rasters:
        assert r.width == PAPERS[58].dots and r.height == 30
        ink = sum(r.image.histogram()[:128])
        assert ink > 150  # something is drawn (not blank, not a lone ?)
    to_png(slip, PAPERS[58].dots, printing_artifacts / "slip-58mm-rare-characters.png")


def test_raster_qr_fallback_decodes_to_the_query_key(make_data: MakeData,
                                                     printing_artifacts: Path) -> None:
    raw = render_receipt(make_data(), paper=80, qr_mode="raster")
    slip = decode(raw)
    assert slip.qr_codes == [] and b"\x1d(k" not in raw
    (qr,) = slip.rasters
    assert qr.width == PAPERS[80].dots
    assert qr_text(qr.image) == PROVISIONAL
    to_png(slip, PAPERS[80].dots, printing_artifacts / "slip-80mm-raster-qr.png")


def test_test_page_prints_punctuation_and_rare_characters(printing_artifacts: Path) -> None:
    with SimulatedReceiptPrinter(paper_width_mm=58) as printer:
        outcome = printer.print_test_page()
        assert outcome.printed
        page = decode(printer.output)
    assert "：，。；！？（）【】“”" in page.lines
    assert len(page.rasters) == 1 and page.qr_codes[0].data == "TEST-PAGE"
    to_png(page, PAPERS[58].dots, printing_artifacts / "test-page-58mm.png")


weird_text = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                           exclude_categories=["Cs"]), max_size=120) | st.sampled_from([
    "", " " * 200, "\n\n\n", "䶮" * 90, "𠮷" * 90, "A" * 300, "：" * 100, "\x00\x1b\x1d\x10\x04",
    "👨‍👩‍👧‍👦" * 10, "e\u0301" * 50, "\u202e" + "右到左" * 10])


@settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(service_name=weird_text, hall_name=weird_text, paper=st.sampled_from([58, 80]),
       qr_mode=st.sampled_from(["native", "raster"]))
def test_any_names_render_within_the_paper(make_data: MakeData, service_name: str,
                                           hall_name: str, paper: int, qr_mode: str) -> None:
    data = make_data(service_name=service_name,
                     ident=KioskIdentity(hall_name=hall_name or "大厅"))
    raw = render_receipt(data, paper=paper, qr_mode=qr_mode)
    slip = decode(raw)  # strict: unknown commands or stray bytes raise
    spec = PAPERS[paper]
    assert all(t.columns <= spec.columns for t in slip.text_lines)
    assert all(r.width <= spec.dots for r in slip.rasters)
    assert slip.cuts == [Cut(partial=False)]
    assert "事项编码：QR00107002" in slip.lines


@pytest.mark.parametrize("paper", [58, 80])
def test_long_names_wrap_inside_the_paper(make_data: MakeData, paper: int) -> None:
    data = make_data(service_name="城乡居民基本养老保险参保登记（含个人缴费档次变更）" * 3)
    slip = decode(render_receipt(data, paper=paper))
    cols = PAPERS[paper].columns
    assert all(t.columns <= cols for t in slip.text_lines)
    name_lines = [t for t in slip.lines if "养老" in t or "缴费" in t]
    assert len(name_lines) >= 3
