"""A4 notice and materials list: text extracted with poppler, fonts, PNG renderings."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import printing.notice as notice
from printing.notice import render_materials_list, render_notice
from tests.printing.conftest import FULL_ID, FULL_NAME, PROVISIONAL, T0, MakeData


def pdftotext(pdf: Path) -> str:
    """The text with line breaks and blanks removed (wrapping is the layout's business)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True, timeout=30).stdout
    return "".join(out.split())


def pdffonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True,
                         timeout=30).stdout
    return [line.split() for line in out.splitlines()[2:]]


def to_pngs(pdf: Path, out_dir: Path, stem: str, dpi: int = 60) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out_dir / stem)],
                   check=True, timeout=60)
    return sorted(out_dir.glob(f"{stem}*.png"))


def test_notice_text_is_exact_chinese(make_data: MakeData, tmp_path: Path,
                                      printing_artifacts: Path) -> None:
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(render_notice(make_data(), printed_at=T0 + 3600))
    text = pdftotext(pdf)
    for expected in [
        "贵阳市政务服务中心（演示）", "政务服务事项受理通知书",
        f"临时受理编号：{PROVISIONAL}", "欧阳**：",
        "通过自助服务终端申请办理“户口迁出（省内）”（事项编码QR00107002）",
        "一、申请信息", "110***********002X", "贵阳市公安局", "二、已收取材料", "居民户口簿",
        "电子证照", "原件待窗口核验", "三、办理须知", "迁入地派出所窗口当场办结，新户口簿当场领取",
        "四、后续办理", "五、常见问题", "问：省内迁移还要开准迁证吗？", "扫码查询办理进度",
        f"查询编号：{PROVISIONAL}", "打印时间2026-11-2213:00", "终端DEMO0001", "第2页",
    ]:
        assert expected in text, expected
    assert FULL_ID not in text and FULL_ID[:-1] not in text and FULL_NAME not in text
    for page in to_pngs(pdf, printing_artifacts, "notice"):
        assert page.stat().st_size > 10_000


def test_notice_embeds_a_truetype_cjk_font(make_data: MakeData, tmp_path: Path) -> None:
    if notice.truetype_face() is None:
        pytest.fail("no TrueType CJK font: scripts/setup.sh installs fonts-wqy-microhei")
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(render_notice(make_data(), printed_at=T0))
    fonts = pdffonts(pdf)
    assert fonts and all("WenQuanYi" in row[0] for row in fonts)
    assert all(row[-5] == "yes" for row in fonts)  # emb column


def test_materials_list_table_and_reprint_mark(make_data: MakeData, tmp_path: Path,
                                               printing_artifacts: Path) -> None:
    pdf = tmp_path / "materials.pdf"
    pdf.write_bytes(render_materials_list(make_data().as_reprint(T0 + 7200),
                                          printed_at=T0 + 7200))
    text = pdftotext(pdf)
    for expected in ["申请材料清单", "事项：户口迁出（省内）（QR00107002）",
                     "监护人同意迁移的书面意见", "按条件提交", "未提交", "已收取",
                     "A级：有权机关签发的电子证照，无需再交原件",
                     "补打", "2026-11-2214:00"]:
        assert expected in text, expected
    to_pngs(pdf, printing_artifacts, "materials-list")


def test_notice_qr_decodes_to_the_query_key(make_data: MakeData, tmp_path: Path) -> None:
    import cv2

    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(render_materials_list(make_data(), printed_at=T0))
    (page,) = to_pngs(pdf, tmp_path, "qr", dpi=150)
    img = cv2.imread(str(page), cv2.IMREAD_GRAYSCALE)
    assert isinstance(img, np.ndarray)
    text, _pts, _ = cv2.QRCodeDetector().detectAndDecode(img)
    assert text == PROVISIONAL


def test_rare_character_is_drawn_not_dropped(make_data: MakeData, tmp_path: Path,
                                             printing_artifacts: Path) -> None:
    pdf = tmp_path / "rare.pdf"
    pdf.write_bytes(render_notice(make_data(masked_name="䶮明", service_name="𠮷祥证明"),
                                  printed_at=T0))
    text = pdftotext(pdf)
    assert "祥证明" in text and "?" not in text
    to_pngs(pdf, printing_artifacts, "notice-rare-characters")


@pytest.fixture
def cid_fallback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(notice, "truetype_face", lambda: None)
    notice.pdf_font.cache_clear()
    yield
    notice.pdf_font.cache_clear()


def test_without_truetype_font_falls_back_to_stsong(cid_fallback: None, make_data: MakeData,
                                                    tmp_path: Path) -> None:
    pdf = tmp_path / "cid.pdf"
    pdf.write_bytes(render_notice(make_data(), printed_at=T0))
    fonts = pdffonts(pdf)
    assert [row[0] for row in fonts] == ["STSong-Light"]
    assert "政务服务事项受理通知书" in pdftotext(pdf)
