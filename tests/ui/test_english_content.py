"""Issue 6 (languages): a citizen who switches to English reads English everywhere the
view-models hand catalogue text to QML — the guide, the service, department and bundle
lists, the form rows, the material rows and the review — for every service in the
catalogue. The value stored for a select field stays the Chinese option."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QAbstractListModel

from kiosk.catalogue import Catalogue, Service, load_catalogue
from kiosk.validation import validate_field
from tests.ui.journey_helpers import fill_form, identify, kiosk_window
from tests.ui.test_screens import check_text, grab
from ui.form import FormViewModel, message_in
from ui.models import BundleListModel, DepartmentListModel, ServiceListModel
from ui.session import CitizenSession
from ui.steps import MaterialsViewModel, ReviewViewModel
from ui.viewmodels import GuideViewModel

#: Han ideographs, CJK punctuation and full-width forms
CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")

GUIDE_PROPERTIES = ("name", "summary", "department", "kindName", "conditions", "materials",
                    "legalBasis", "timeLimit", "fee", "channels", "channelsText",
                    "resultCollection", "faq", "availability", "identifyMethods")
CATALOGUE = load_catalogue()
SERVICES = [pytest.param(s, id=s.code) for s in CATALOGUE.services]


def strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string inside ``value`` (nested lists and dicts), with where it was found."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from strings(item, f"{where}[{i}]")


def chinese(value: Any, where: str) -> list[str]:
    return [f"{w}: {text!r}" for w, text in strings(value, where) if CJK_RE.search(text)]


def model_rows(model: QAbstractListModel, skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    names = {role: bytes(name.data()).decode() for role, name in model.roleNames().items()}
    return [{names[role]: model.data(model.index(row), role) for role in names
             if names[role] not in skip}
            for row in range(model.rowCount())]


@pytest.mark.parametrize("service", SERVICES)
def test_guide_form_materials_and_review_are_english(qapp, service: Service) -> None:  # type: ignore[no-untyped-def]
    english = lambda: "en"  # noqa: E731
    guide = GuideViewModel()
    guide.show(service, CATALOGUE, "en")
    shown = {name: getattr(guide, name) for name in GUIDE_PROPERTIES}
    assert shown["summary"] == service.summary_en
    assert len(shown["faq"]) == len(service.faq) and len(shown["materials"]) == len(
        service.materials)
    problems = chinese(shown, "guide")

    session = CitizenSession()
    form = FormViewModel(session, english)
    form.open(service)
    rows = form.fields.rows()
    assert [r["label"] for r in rows] == [f.label_en for f in service.fields]
    problems += chinese([{k: r[k] for k in ("label", "help", "error")} for r in rows], "form")
    for row, f in zip(rows, service.fields, strict=True):
        problems += chinese([o["label"] for o in row["options"]], f"form.{f.id}.options")
        # the value behind each label stays the Chinese option
        assert [o["value"] for o in row["options"]] == list(f.options)

    materials = MaterialsViewModel(session, english)
    materials.open(service, online=True)
    problems += chinese([{k: r[k] for k in ("name", "condition", "note", "eLicence", "choices")}
                         for r in materials.rows], "materials")
    assert [r["note"] for r in materials.rows] == [m.note_en for m in service.materials]

    # every select field answered with its first option: stored Chinese, reviewed English
    for f in service.fields:
        if f.options:
            form.setValue(f.id, f.options[0])
            assert session.form[f.id] == f.options[0]
    review = ReviewViewModel(session, english, lambda: 0.0)
    review.open(service, [])
    problems += chinese(review.rows, "review")

    # 下一步 with the text fields still empty: the messages name the English labels
    assert not form.complete()
    errors = [r["error"] for r in form.fields.rows()]
    problems += chinese(errors, "form.errors")
    assert any(e.startswith("Please fill in: ") for e in errors)
    assert problems == [], f"{service.code}: {problems}"


#: values that break every rule of kiosk.validation and kiosk.idcheck
BAD_VALUES = ("", "x", "王", "王@", "1391234", "23912345678", "12345678901234567",
              "11010519491231002Y", "99010519491231002X", "11010519491331002X",
              "91350100M000100Y4", "91350100M000100Y44", "9135010OM000100Y43", "2025-02-30",
              "2025/01/31", "abc", "短", "x" * 2001, "AB" * 31)


def test_every_validation_message_has_english() -> None:
    seen = set()
    for service in CATALOGUE.services:
        for f in service.fields:
            for value in BAD_VALUES:
                message = validate_field(f, value)
                if message:
                    seen.add(message)
                    english = message_in("en", f, message)
                    assert not CJK_RE.search(english), (f.label, value, message, english)
                    assert message_in("zh_CN", f, message) == message
    assert len(seen) > 40  # the values above do reach the many kinds of message
    phone = CATALOGUE.service("QR00107002").field("phone")
    assert message_in("en", phone, validate_field(phone, "") or "") == \
        "Please fill in: Mobile phone"
    assert message_in("en", phone, validate_field(phone, "1391234") or "") == \
        "A mobile number has 11 digits"


def test_lists_are_english(qapp) -> None:  # type: ignore[no-untyped-def]
    english = lambda: "en"  # noqa: E731
    catalogue: Catalogue = CATALOGUE
    problems = []
    for model, rows in ((ServiceListModel(catalogue, english), catalogue.services),
                        (DepartmentListModel(catalogue, english), catalogue.departments),
                        (BundleListModel(catalogue, english), catalogue.bundles)):
        model.set_rows(rows)
        # nameAlt is the other language on purpose (a bilingual second line)
        problems += chinese(model_rows(model, skip=("nameAlt",)), type(model).__name__)
    assert problems == []
    bundles = BundleListModel(catalogue, english)
    bundles.set_rows(catalogue.bundles)
    assert model_rows(bundles)[0]["description"] == catalogue.bundles[0].description_en


def test_chinese_session_still_sees_chinese(qapp) -> None:  # type: ignore[no-untyped-def]
    service = next(s for s in CATALOGUE.services if any(f.options for f in s.fields))
    guide = GuideViewModel()
    guide.show(service, CATALOGUE, "zh_CN")
    assert guide.summary == service.summary
    assert guide.conditions == list(service.conditions)
    assert guide.channelsText == "、".join(service.channels)
    form = FormViewModel(CitizenSession(), lambda: "zh_CN")
    form.open(service)
    select = next(r for r in form.fields.rows() if r["options"])
    assert all(o["label"] == o["value"] for o in select["options"])


@pytest.mark.parametrize(("orientation", "elder"), [("portrait", True), ("landscape", False)],
                         ids=["portrait-elder", "landscape-standard"])
def test_every_service_renders_in_english_without_clipping(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path, artifacts_dir: Path, english: None, orientation: str,
        elder: bool) -> None:
    """The guide, the form (select answered, so a chosen English label shows) and the
    materials of every service, rendered in English: no hanzi from the catalogue, nothing
    elided or off the edge. Saved as en-<orientation>-<code>-<screen>.png."""
    out = artifacts_dir / "screenshots"
    out.mkdir(exist_ok=True)
    with kiosk_window(tmp_path, orientation=orientation, with_sync=False) as (kw, core):
        vm = kw.view_model
        qtbot.waitExposed(kw.window)
        problems: list[str] = []
        for service in core.catalogue.services:
            vm.wake()
            vm.setElderMode(elder)
            vm.setLanguage("en")

            def shot(screen: str, code: str = service.code) -> None:
                assert vm.screen == screen, (code, vm.screen)
                image = grab(qtbot, kw)
                name = f"en-{orientation}{'-elder' if elder else ''}-{code}-{screen}.png"
                assert image.save(str(out / name))
                problems.extend(f"{name}: {p}" for p in check_text(kw))

            vm.openService(service.code)
            shot("guide")
            identify(qtbot, kw, service.code)
            vm.completeStep()
            for f in service.fields:
                if f.options:
                    vm.form_vm.setValue(f.id, f.options[-1])  # the longest labels come last
            shot("form")
            fill_form(kw, service)
            vm.completeStep()
            shot("materials")
            vm.endSession()
            kw.devices.idcard.remove()  # the next citizen places a card again
            qtbot.waitUntil(lambda: not vm.identify_vm.idcardPresent, timeout=5000)
        assert problems == [], "\n".join(problems)


def test_the_header_names_the_hall_in_the_session_language(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    from tests.ui.test_screens import text_items

    with kiosk_window(tmp_path, with_sync=False) as (kw, core):
        vm = kw.view_model
        qtbot.waitExposed(kw.window)
        vm.wake()

        def shown() -> str:
            qtbot.wait(30)
            return " ".join(str(i.property("text")) for i in text_items(kw.window.contentItem()))

        hall = core.config.kiosk
        assert hall.hall_name in shown() and hall.hall_name_en not in shown()
        vm.setLanguage("en")
        assert hall.hall_name_en in shown() and hall.hall_name not in shown()
        vm.setLanguage("zh_CN")
        assert hall.hall_name in shown()
