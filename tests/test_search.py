"""Search by hanzi, pinyin and initials, and the ranking rules."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalogue import Catalogue, Department, Service, load_catalogue
from kiosk.search import SearchIndex, normalize_query


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def names(catalogue: Catalogue, query: str, limit: int = 20) -> list[str]:
    return [hit.service.name for hit in catalogue.search(query, limit)]


def test_initials_hkqc_find_household_move_out_first(catalogue: Catalogue) -> None:
    hits = catalogue.search("hkqc")
    assert hits[0].service.name == "户口迁出（省内）"
    assert hits[0].matched == "initials"


@pytest.mark.parametrize("query", ["shebao", "sbk", "社保卡", "SheBaoKa"])
def test_social_security_card_is_found_by_common_short_forms(
    catalogue: Catalogue, query: str
) -> None:
    found = names(catalogue, query, 4)
    assert "社会保障卡补换" in found and "社会保障卡申领" in found


@pytest.mark.parametrize(
    ("query", "expected", "matched"),
    [
        ("迁出", "户口迁出（省内）", "name"),
        ("户口", "户口迁出（省内）", "name"),
        ("hukou", "户口迁出（省内）", "pinyin"),
        ("hukouqian", "户口迁出（省内）", "pinyin"),
        ("hukouqianchushengnei", "户口迁出（省内）", "pinyin"),
        ("yidijiuyi", "异地就医备案", "pinyin"),
        ("ydjy", "异地就医备案", "initials"),
        ("公积金", "住房公积金提取（租房）", "name"),
        ("个体户", "个体工商户设立登记", "keyword"),
    ],
)
def test_queries_find_the_expected_service_first(
    catalogue: Catalogue, query: str, expected: str, matched: str
) -> None:
    hit = catalogue.search(query)[0]
    assert (hit.service.name, hit.matched) == (expected, matched)


@pytest.mark.parametrize(
    "query",
    ["ＨＫＱＣ", "  hkqc\t", "HKQC", "hu kou qian", "hu'kou", "户口 迁出", "户口迁出(省内)"],
)
def test_case_width_and_spacing_do_not_matter(catalogue: Catalogue, query: str) -> None:
    assert catalogue.search(query)[0].service.name == "户口迁出（省内）"


def test_exact_name_scores_highest(catalogue: Catalogue) -> None:
    hit = catalogue.search("出生登记")[0]
    assert (hit.service.name, hit.score, hit.matched) == ("出生登记", 100.0, "name")


def test_department_name_finds_its_services_last(catalogue: Catalogue) -> None:
    hits = catalogue.search("公安")
    assert hits and all(h.matched == "department" for h in hits)
    assert {h.service.department_id for h in hits} == {"gaj"}


@pytest.mark.parametrize("query", ["", "   ", "\u3000", "'"])
def test_empty_query_returns_nothing(catalogue: Catalogue, query: str) -> None:
    assert catalogue.search(query) == []


def test_miss_returns_nothing(catalogue: Catalogue) -> None:
    assert catalogue.search("火箭发射") == []
    assert catalogue.search("xyzq") == []




def test_limit_is_respected(catalogue: Catalogue) -> None:
    assert len(catalogue.search("d", 3)) == 3
    assert catalogue.search("d", 0) == []


def test_normalize_query_folds_width_case_and_separators() -> None:
    assert normalize_query(" Ｈｕ Kou’qian \n") == "hukouqian"


# ------------------------------------------------------------------ ranking rules


def make(base: Service, code: str, name: str, pinyin: str, initials: str,
         keywords: tuple[str, ...] = (), popular: bool = False,
         department_id: str = "d1") -> Service:
    return dataclasses.replace(base, code=code, name=name, pinyin=pinyin, initials=initials,
                               keywords=keywords, popular=popular, department_id=department_id)


@pytest.fixture(scope="module")
def base(catalogue: Catalogue) -> Service:
    return catalogue.services[0]


def test_hanzi_tiers_rank_exact_prefix_substring_keyword_department(base: Service) -> None:
    services = [
        make(base, "GF00000006", "其他事项", "qitashixiang", "qtsx", department_id="d2"),
        make(base, "GF00000005", "另一事项", "lingyishixiang", "lysx", keywords=("测试办理",)),
        make(base, "GF00000004", "甲测试乙", "jiaceshiyi", "jcsy"),
        make(base, "GF00000003", "测试事项", "ceshishixiang", "cssx"),
        make(base, "GF00000002", "测试", "ceshi", "cs"),
    ]
    departments = [Department("d1", "某局", "x", "civil"), Department("d2", "测试局", "y", "tax")]
    hits = SearchIndex(services, departments).search("测试")
    assert [h.service.code for h in hits] == [
        "GF00000002", "GF00000003", "GF00000004", "GF00000005", "GF00000006"]
    assert [h.matched for h in hits] == ["name", "name", "name", "keyword", "department"]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_latin_tiers_rank_initials_then_pinyin_then_substring_then_keyword(base: Service) -> None:
    services = [
        make(base, "GF00000005", "戊", "wu", "w", keywords=("abcde",)),
        make(base, "GF00000004", "丁", "xxabc", "x"),
        make(base, "GF00000003", "丙", "zhabc", "zabc"),
        make(base, "GF00000002", "乙", "abcxyz", "ax"),
        make(base, "GF00000001", "甲", "ajbjcj", "abcd"),
    ]
    hits = SearchIndex(services).search("abc")
    assert [h.matched for h in hits] == ["initials", "pinyin", "initials", "pinyin", "keyword"]
    assert [h.service.code for h in hits] == [
        "GF00000001", "GF00000002", "GF00000003", "GF00000004", "GF00000005"]


def test_latin_keyword_aliases_match_only_from_the_start(base: Service) -> None:
    service = make(base, "GF00000001", "甲", "jia", "j",
                   keywords=("暂住证", "zanzhuzheng", "zzz"))
    index = SearchIndex([service])
    assert [h.matched for h in index.search("zanzhu")] == ["keyword"]
    assert [h.matched for h in index.search("住证")] == ["keyword"]  # hanzi: anywhere
    assert index.search("anzhu") == []  # inside a Latin alias means nothing


def test_ties_go_to_popular_services_then_by_code(base: Service) -> None:
    services = [
        make(base, "GF00000003", "测试三", "ceshisan", "css"),
        make(base, "GF00000002", "测试二", "ceshier", "cse"),
        make(base, "GF00000009", "测试九", "ceshijiu", "csj", popular=True),
    ]
    hits = SearchIndex(services).search("测试")
    assert [h.service.code for h in hits] == ["GF00000009", "GF00000002", "GF00000003"]


@given(st.text(max_size=12))
def test_any_query_returns_sorted_hits_without_raising(query: str) -> None:
    index = _bundled_index()
    hits = index.search(query, 50)
    keys = [(-h.score, not h.service.popular, h.service.code) for h in hits]
    assert keys == sorted(keys)
    assert len({h.service.code for h in hits}) == len(hits)
    assert all(h.matched in {"name", "pinyin", "initials", "keyword", "department"} for h in hits)


_INDEX: list[SearchIndex] = []


def _bundled_index() -> SearchIndex:
    if not _INDEX:
        _INDEX.append(load_catalogue().index)
    return _INDEX[0]
