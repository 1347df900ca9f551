"""The bundled catalogue, its schema, and the loader's cross-checks."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pypinyin import Style, lazy_pinyin

from kiosk.catalogue import (
    SERVICE_CODE_RE,
    SERVICE_KINDS,
    Catalogue,
    Service,
    load_catalogue,
    schema,
)
from kiosk.errors import CatalogueError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def bundled_document() -> dict[str, Any]:
    raw = resources.files("kiosk.data").joinpath("catalogue.json").read_bytes()
    document: dict[str, Any] = json.loads(raw)
    return copy.deepcopy(document)


def load_modified(document: dict[str, Any]) -> Catalogue:
    return load_catalogue(json.dumps(document, ensure_ascii=False).encode())


# ------------------------------------------------------------------ bundled data


def test_bundled_catalogue_validates_against_the_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.Draft202012Validator(schema()).validate(bundled_document())


def test_bundled_catalogue_is_large_enough_and_covers_departments(catalogue: Catalogue) -> None:
    assert len(catalogue.services) >= 18
    assert len({s.department_id for s in catalogue.services}) >= 7
    assert len(catalogue.bundles) >= 3
    assert catalogue.region_code.startswith("52")


def test_every_service_has_a_complete_guide(catalogue: Catalogue) -> None:
    for s in catalogue.services:
        assert SERVICE_CODE_RE.match(s.code), s.code
        assert s.legal_basis and all(b.startswith("《") for b in s.legal_basis), s.code
        assert s.conditions and s.materials and s.channels and s.fields, s.code
        assert s.fee and s.result_collection and s.summary, s.code
        assert 2 <= len(s.faq) <= 3, s.code
        assert 0 <= s.time_limit_promised_days <= s.time_limit_legal_days, s.code
        assert s.implementing_code.endswith(s.code)
        assert s.kind_name == SERVICE_KINDS[s.code[:2]]


def test_materials_mix_all_trust_levels_and_e_licences(catalogue: Catalogue) -> None:
    materials = [m for s in catalogue.services for m in s.materials]
    assert {m.trust_level for m in materials} == {"A", "B", "C", "D"}
    licences = {m.e_licence for m in materials if m.e_licence}
    expected = {"居民身份证电子证照", "户口簿电子证照", "结婚证电子证照", "营业执照电子证照"}
    assert expected <= licences
    conditional = [m for m in materials if not m.required]
    assert conditional and all(m.condition for m in conditional)


def test_e_licence_material_counts_as_trust_a_when_pulled(catalogue: Catalogue) -> None:
    idcard = catalogue.service("QR00107002").materials[0]
    assert idcard.e_licence == "居民身份证电子证照"
    assert idcard.trust_level == "B"
    assert idcard.trust_level_for(e_licence_pulled=True) == "A"
    assert idcard.trust_level_for(e_licence_pulled=False) == "B"


def test_offline_and_face_flags_vary(catalogue: Catalogue) -> None:
    assert Counter(s.offline_allowed for s in catalogue.services).keys() == {True, False}
    assert any(s.needs_face for s in catalogue.services)
    assert not all(s.needs_face for s in catalogue.services)


def test_id_card_renewal_charges_the_regulated_fee(catalogue: Catalogue) -> None:
    renewal = next(s for s in catalogue.services if s.name == "居民身份证换领")
    assert renewal.fee.startswith("20元")
    assert sum(s.fee.startswith("不收费") for s in catalogue.services) >= 18


def test_pinyin_and_initials_match_pypinyin_for_every_service(catalogue: Catalogue) -> None:
    for s in catalogue.services:
        full = "".join(lazy_pinyin(s.name, style=Style.NORMAL, errors="ignore"))
        first = "".join(lazy_pinyin(s.name, style=Style.FIRST_LETTER, errors="ignore"))
        assert (s.pinyin, s.initials) == (full, first), s.name


def test_polyphones_in_names_are_read_correctly(catalogue: Catalogue) -> None:
    by_name = {s.name: s for s in catalogue.services}
    assert by_name["户口迁出（省内）"].pinyin == "hukouqianchushengnei"
    assert by_name["户口迁出（省内）"].initials == "hkqcsn"
    assert by_name["单位参保登记"].pinyin.startswith("danweicanbao")
    assert by_name["不动产登记资料查询"].pinyin.endswith("chaxun")
    assert "suode" in by_name["个人所得税综合所得汇算咨询"].pinyin


def test_generated_spellings_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "gen_pinyin.py"), "--check"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bundles_reference_services_in_the_catalogue(catalogue: Catalogue) -> None:
    names = {b.name for b in catalogue.bundles}
    assert {"新生儿出生一件事", "企业开办一件事", "退休一件事"} <= names
    for bundle in catalogue.bundles:
        assert [s.code for s in catalogue.bundle_services(bundle.id)] == list(bundle.service_codes)


# ------------------------------------------------------------------------ API


def test_lookups_return_the_right_objects(catalogue: Catalogue) -> None:
    service = catalogue.service("QR00107002")
    assert service.name == "户口迁出（省内）"
    assert catalogue.department(service.department_id).icon == "police"
    assert service in catalogue.services_in(service.department_id)
    assert all(s.department_id == "gaj" for s in catalogue.services_in("gaj"))
    assert catalogue.services_in("nope") == []
    assert catalogue.bundle("newborn").icon == "newborn"


@pytest.mark.parametrize("lookup", ["service", "department", "bundle"])
def test_unknown_keys_raise_key_error(catalogue: Catalogue, lookup: str) -> None:
    with pytest.raises(KeyError):
        getattr(catalogue, lookup)("XX99999999")


def test_popular_is_limited_and_only_popular(catalogue: Catalogue) -> None:
    assert len(catalogue.popular()) == 8
    assert all(s.popular for s in catalogue.popular(100))
    assert len(catalogue.popular(3)) == 3
    assert catalogue.popular(0) == []


def test_search_is_delegated_to_one_lazily_built_index(catalogue: Catalogue) -> None:
    assert catalogue.search("hkqc")[0].service.code == "QR00107002"
    assert catalogue.index is catalogue.index
    assert len(catalogue.index) == len(catalogue.services)


def test_model_is_immutable(catalogue: Catalogue) -> None:
    service: Service = catalogue.services[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        service.name = "x"  # type: ignore[misc]
    assert isinstance(service.materials, tuple) and isinstance(service.fields[0].options, tuple)
    assert all(isinstance(q, str) and isinstance(a, str) for q, a in service.faq)


def test_loads_from_a_path_and_from_bytes(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(bundled_document(), ensure_ascii=False), encoding="utf-8")
    from_path = load_catalogue(path)
    from_bytes = load_catalogue(path.read_bytes())
    assert from_path == from_bytes == load_catalogue()


# ---------------------------------------------------------------- broken bundles


def expect_error(document: dict[str, Any], *fragments: str) -> str:
    with pytest.raises(CatalogueError) as info:
        load_modified(document)
    detail = info.value.detail
    for fragment in fragments:
        assert fragment in detail, detail
    assert info.value.user_message  # a citizen-facing message exists too
    return detail


def test_missing_required_field_is_named() -> None:
    doc = bundled_document()
    del doc["services"][2]["fee"]
    code = doc["services"][2]["code"]
    expect_error(doc, "$.services[2]", code, "'fee' is a required property")


def test_bad_service_code_is_named() -> None:
    doc = bundled_document()
    doc["services"][1]["code"] = "QR0010700"
    expect_error(doc, "$.services[1].code", "QR0010700")


def test_unknown_type_prefix_is_rejected() -> None:
    doc = bundled_document()
    doc["services"][0]["code"] = "AB00107002"
    expect_error(doc, "$.services[0].code", "AB00107002")


def test_dangling_department_is_named() -> None:
    doc = bundled_document()
    code = doc["services"][4]["code"]
    doc["services"][4]["department_id"] = "weijian"
    expect_error(doc, f"service {code}", "department_id", "unknown department", "weijian")


def test_duplicate_service_code_is_named() -> None:
    doc = bundled_document()
    doc["services"][5]["code"] = doc["services"][0]["code"]
    doc["services"][5]["kind"] = doc["services"][0]["kind"]
    doc["services"][5]["implementing_code"] = doc["services"][0]["implementing_code"]
    expect_error(doc, "$.services[5].code", "duplicate service code", doc["services"][0]["code"])


def test_dangling_bundle_reference_is_named() -> None:
    doc = bundled_document()
    doc["bundles"][0]["service_codes"][1] = "GF09999001"
    expect_error(doc, "$.bundles[0].service_codes[1]", "newborn", "GF09999001")


def test_duplicate_field_id_is_named() -> None:
    doc = bundled_document()
    fields = doc["services"][0]["fields"]
    fields[1]["id"] = fields[0]["id"]
    expect_error(doc, "fields[1].id", "duplicate field id", fields[0]["id"])


def test_kind_must_match_the_code_prefix() -> None:
    doc = bundled_document()
    doc["services"][0]["kind"] = "XK"
    expect_error(doc, "kind", "XK")


def test_initials_inconsistent_with_the_name_are_rejected() -> None:
    doc = bundled_document()
    doc["services"][0]["initials"] = "hkqc"
    expect_error(doc, "$.services[0]", "initials", "hkqc")


def test_pinyin_inconsistent_with_initials_is_rejected() -> None:
    doc = bundled_document()
    doc["services"][0]["pinyin"] = "qianchuhukoushengnei"
    expect_error(doc, "pinyin", "qianchuhukoushengnei")


def test_promised_time_limit_beyond_the_legal_one_is_rejected() -> None:
    doc = bundled_document()
    doc["services"][0]["time_limit_promised_days"] = 99
    expect_error(doc, "time_limit_promised_days", "99")


def test_implementing_code_of_another_service_is_rejected() -> None:
    doc = bundled_document()
    doc["services"][0]["implementing_code"] = doc["services"][1]["implementing_code"]
    expect_error(doc, "implementing_code", "must end with the service code")


def test_implementing_authority_with_bad_check_character_is_rejected() -> None:
    doc = bundled_document()
    impl = doc["services"][0]["implementing_code"]
    bad = impl[:23] + ("1" if impl[23] != "1" else "2") + impl[24:]
    doc["services"][0]["implementing_code"] = bad
    expect_error(doc, "implementing_code", "GB 32100", bad)


def test_invalid_field_pattern_is_rejected() -> None:
    doc = bundled_document()
    doc["services"][0]["fields"][0]["pattern"] = "([a-z"
    expect_error(doc, "fields[0].pattern", "invalid regular expression")


def test_conditional_material_without_condition_is_rejected() -> None:
    doc = bundled_document()
    doc["services"][0]["materials"][0]["required"] = False
    doc["services"][0]["materials"][0]["condition"] = None
    expect_error(doc, "materials[0].condition", "conditional")


def test_bad_trust_level_is_rejected_by_the_schema() -> None:
    doc = bundled_document()
    doc["services"][3]["materials"][0]["trust_level"] = "E"
    expect_error(doc, "$.services[3].materials[0].trust_level", '"E"')


def test_unknown_property_is_rejected() -> None:
    doc = bundled_document()
    doc["services"][0]["colour"] = "red"
    expect_error(doc, "colour")


def test_invalid_json_and_unreadable_file_raise_catalogue_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="not valid JSON"):
        load_catalogue(b"{not json")
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "missing.json")


# ------------------------------------------------------------------ English twins

#: Han ideographs, CJK punctuation (《》（），。) and full-width forms: none may reach an
#: English text.
CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def english_texts(catalogue: Catalogue) -> list[tuple[str, str]]:
    """(where, text) for every English member of the catalogue."""
    out: list[tuple[str, str]] = []
    for d in catalogue.departments:
        out.append((d.id, d.name_en))
    for b in catalogue.bundles:
        out += [(b.id, b.name_en), (b.id, b.description_en)]
    for s in catalogue.services:
        out += [(s.code, t) for t in (s.name_en, s.summary_en, s.fee_en,
                                      s.result_collection_en, s.kind_name_en)]
        out += [(s.code, t) for t in s.legal_basis_en + s.conditions_en + s.channels_en]
        out += [(s.code, t) for qa in s.faq_en for t in qa]
        for m in s.materials:
            out += [(f"{s.code}/{m.id}", t or "")
                    for t in (m.name_en, m.note_en, m.condition_en, m.e_licence_en)]
        for f in s.fields:
            out += [(f"{s.code}/{f.id}", t) for t in (f.label_en, f.help_en, *f.options_en)]
    return out


def test_every_citizen_visible_text_has_english_without_cjk(catalogue: Catalogue) -> None:
    texts = english_texts(catalogue)
    assert len(texts) > 900
    assert [(w, t) for w, t in texts if CJK_RE.search(t)] == []
    for s in catalogue.services:
        assert s.summary_en and s.fee_en and s.result_collection_en, s.code
        assert len(s.legal_basis_en) == len(s.legal_basis), s.code
        assert len(s.conditions_en) == len(s.conditions), s.code
        assert len(s.channels_en) == len(s.channels), s.code
        assert len(s.faq_en) == len(s.faq) and all(q and a for q, a in s.faq_en), s.code
        for m in s.materials:
            assert (m.condition is None) == (m.condition_en is None), (s.code, m.id)
            assert bool(m.note) == bool(m.note_en), (s.code, m.id)
            assert (m.e_licence is None) == (m.e_licence_en is None), (s.code, m.id)
        for f in s.fields:
            assert len(f.options_en) == len(f.options), (s.code, f.id)
            assert bool(f.help) == bool(f.help_en), (s.code, f.id)
    assert all(b.description_en for b in catalogue.bundles)


def test_english_legal_basis_keeps_article_and_document_numbers(catalogue: Catalogue) -> None:
    checked = 0
    for s in catalogue.services:
        for zh, en in zip(s.legal_basis, s.legal_basis_en, strict=True):
            number = re.search(r"〔(\d{4})〕(\d+)号", zh)
            if number:
                assert f"[{number[1]}] No. {number[2]}" in en, (s.code, en)
                checked += 1
            if "第" in zh and "条" in zh:
                assert "Article" in en, (s.code, en)
    assert checked >= 5


def test_select_options_keep_the_chinese_value_and_translate_the_label(
        catalogue: Catalogue) -> None:
    sex = next(f for s in catalogue.services for f in s.fields if f.options == ("男", "女"))
    assert sex.options_en == ("Male", "Female")


def test_bundle_without_english_description_is_refused_with_its_path() -> None:
    doc = bundled_document()
    del doc["bundles"][1]["description_en"]
    expect_error(doc, "$.bundles[1]", "'description_en' is a required property")


def test_service_and_faq_without_english_are_refused_with_their_paths() -> None:
    doc = bundled_document()
    code = doc["services"][3]["code"]
    del doc["services"][3]["summary_en"]
    expect_error(doc, "$.services[3]", code, "'summary_en' is a required property")
    doc = bundled_document()
    del doc["services"][0]["faq"][1]["a_en"]
    expect_error(doc, "$.services[0].faq[1]", "'a_en' is a required property")
    doc = bundled_document()
    doc["services"][2]["materials"][0]["note_en"] = None
    expect_error(doc, "$.services[2].materials[0].note_en")


def test_english_list_of_another_length_is_refused() -> None:
    doc = bundled_document()
    i, j = next((i, j) for i, s in enumerate(doc["services"])
                for j, f in enumerate(s["fields"]) if len(f["options"]) > 2)
    doc["services"][i]["fields"][j]["options_en"].pop()
    code = doc["services"][i]["code"]
    expect_error(doc, f"$.services[{i}] (service {code}).fields[{j}].options_en",
                 "one per item of options")
    doc = bundled_document()
    doc["services"][0]["conditions_en"].append("Extra")
    expect_error(doc, ".conditions_en", "one per item of conditions")


def test_english_twin_of_a_null_condition_must_be_null() -> None:
    doc = bundled_document()
    doc["services"][0]["materials"][0]["condition_en"] = "If needed"
    expect_error(doc, "materials[0].condition_en", "null or empty exactly when condition is")
