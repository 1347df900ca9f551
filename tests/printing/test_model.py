from __future__ import annotations

import pytest

from kiosk.errors import ConfigError
from printing.model import (
    PLACEHOLDERS,
    PrinterState,
    PrinterStatus,
    PrintOutcome,
    PrintResult,
    qr_payload_for,
    sanitize,
)
from tests.printing.conftest import FULL_ID, FULL_NAME, PROVISIONAL, MakeData


def test_receipt_masks_name_and_id_even_when_given_full_values(make_data: MakeData) -> None:
    data = make_data()
    assert data.masked_id == "110***********002X"
    assert data.masked_name == "欧阳**"
    flat = repr(data)
    assert FULL_ID not in flat and FULL_NAME not in flat


def test_undelivered_receipt_shows_provisional_number_pending(make_data: MakeData) -> None:
    data = make_data()
    assert (data.number, data.number_label, data.status_label) == (
        PROVISIONAL, "临时受理编号", "待上报")
    for state in ("sending", "retry_scheduled", "dead_letter"):
        assert make_data(state=state).status_label == "待上报"


def test_accepted_receipt_shows_case_number(make_data: MakeData) -> None:
    data = make_data(state="accepted", case_no="520100-QR00107002-20261122-000123")
    assert data.number == "520100-QR00107002-20261122-000123"
    assert data.number_label == "办件编号"
    assert data.status_label == "已受理"
    assert data.qr_payload == PROVISIONAL  # the QR keeps the stable provisional number


def test_materials_carry_received_trust_level(make_data: MakeData) -> None:
    data = make_data(materials=[("hukou_book", "A"), ("move_in_proof", "C")])
    levels = {m.material_id: (m.received, m.trust_level) for m in data.materials}
    assert levels["hukou_book"] == (True, "A")
    assert levels["move_in_proof"] == (True, "C")
    assert levels["idcard"] == (False, "B")  # not received: the guide's level
    assert "originals_needed" in data.flags()


def test_qr_payload_is_query_key_or_url_only() -> None:
    assert qr_payload_for(PROVISIONAL) == PROVISIONAL
    assert qr_payload_for(PROVISIONAL, "https://zwfw.example.gov.cn/q?no={number}") == \
        f"https://zwfw.example.gov.cn/q?no={PROVISIONAL}"
    for bad in ("https://x/q?no={number}&n={masked_name}", "ftp://x/{number}",
                "https://x/q", "https://x/{number}/{number}"):
        with pytest.raises(ConfigError):
            qr_payload_for(PROVISIONAL, bad)


def test_sanitize_drops_controls_and_boxes_unassigned() -> None:
    assert sanitize("a\x00b\u200bc\nd\U0010fffd\ue000") == "abc d□□"
    assert sanitize("\ud800x") == "x"


def test_placeholders_known() -> None:
    assert {"hall_name", "number", "masked_id", "promised_time_limit"} <= PLACEHOLDERS


def test_outcome_offers_fallbacks_unless_printed() -> None:
    ok = PrinterStatus(PrinterState.PAPER_OK)
    printed = PrintOutcome(PrintResult.PRINTED, ok, ok, "N", "Q")
    assert printed.fallback == () and printed.message_zh == "请取走您的回执"
    lost = PrintOutcome(PrintResult.NOT_PRINTED, PrinterStatus(PrinterState.PAPER_END), None,
                        "N", "Q")
    assert lost.fallback == ("a4_notice", "screen_qr") and lost.qr_payload == "Q"
    assert PrinterStatus(PrinterState.UNKNOWN).can_print is False
