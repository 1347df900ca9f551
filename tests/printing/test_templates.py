from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kiosk.errors import ConfigError
from printing.escpos import layout_receipt, paper_for
from printing.templates import default_templates, load_templates
from tests.printing.conftest import MakeData


def test_default_templates_have_every_kind() -> None:
    t = default_templates()
    assert t.receipt().title == "政务服务受理回执"
    assert t.notice().title == "政务服务事项受理通知书"
    assert t.materials().title == "申请材料清单"


def test_overlay_from_config_path_replaces_only_given_keys(tmp_path: Path,
                                                           make_data: MakeData) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"kinds": {"receipt": {"title": "受理凭条"}},
                                "services": {"QR00107002": {"receipt": {
                                    "steps": ["请于三日内到派出所办理落户。"]}}}},
                               ensure_ascii=False), encoding="utf-8")
    t = load_templates(path)
    assert t.receipt().title == "受理凭条"
    assert t.receipt().blocks == default_templates().receipt().blocks
    assert t.receipt("GF00000000").steps == default_templates().receipt().steps
    data = make_data()
    assert t.receipt("QR00107002").steps_for(data) == ["请于三日内到派出所办理落户。"]
    texts = [getattr(e, "text", "") for e in
             layout_receipt(data, t.receipt("QR00107002"), paper_for(80))]
    assert "1. 请于三日内到派出所办理落户。" in texts
    assert "受理凭条" in texts


def test_catalogue_member_is_an_overlay() -> None:
    t = load_templates(catalogue={"print_templates": {
        "kinds": {"notice": {"title": "受理告知书"}}}})
    assert t.notice().title == "受理告知书"


@pytest.mark.parametrize("layer, where, what", [
    ({"kinds": {"receipt": {"steps": ["{full_id}"]}}}, "$.kinds.receipt.steps[0]",
     "unknown placeholder {full_id}"),
    ({"kinds": {"receipt": {"blocks": [{"type": "barcode"}]}}},
     "$.kinds.receipt.blocks[0].type", "unknown block type"),
    ({"kinds": {"receipt": {"blocks": [{"type": "text", "text": "x", "align": "middle"}]}}},
     "$.kinds.receipt.blocks[0].align", "expected left, center or right"),
    ({"kinds": {"notice": {"steps": [{"text": "x", "when": "sunny"}]}}},
     "$.kinds.notice.steps[0].when", "unknown condition"),
    ({"kinds": {"notice": {"colour": "red"}}}, "$.kinds.notice.colour", "unknown member"),
    ({"kinds": {"leaflet": {}}}, "$.kinds.leaflet", "unknown kind"),
    ({"services": {"bad": {"receipt": {}}}}, "$.services.bad", "not a service code"),
    ({"kinds": {"receipt": {"title": "{number:>10}"}}}, "$.kinds.receipt.title",
     "format spec"),
    ({"kinds": {"receipt": {"title": "{"}}}, "$.kinds.receipt.title", "bad braces"),
    ({"version": 2}, "$.version", "expected 1"),
])
def test_bad_template_names_source_and_path(layer: dict[str, Any], where: str,
                                           what: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_templates(layer)
    assert where in exc.value.detail and what in exc.value.detail
    assert "<mapping>" in exc.value.detail
    assert exc.value.key == "printing.templates"


def test_unreadable_or_invalid_json_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_templates(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid UTF-8 JSON"):
        load_templates(bad)
