"""The service catalogue (政务服务事项目录): domain model and loader.

A catalogue bundle is one JSON document (format: ``docs/catalogue.md``; schema:
``kiosk/data/catalogue.schema.json``, the single source of truth). ``load_catalogue``

1. parses the JSON,
2. validates it against the schema (structure, enums, code patterns),
3. cross-checks what a schema cannot express: unique service codes, department and
   bundle references, field and material ids unique per service, select fields with
   options, patterns that compile, promised ≤ legal time limit, conditional materials
   that say when they are needed, implementing codes that belong to the service and
   region, and pinyin/initials that are consistent with the name (shape only: the
   exact spelling is produced by ``tools/gen_pinyin.py`` and checked by the tests, so
   loading never needs pypinyin),

and returns frozen dataclasses.

Every citizen-visible text has an English twin named ``<member>_en`` (``summary_en``,
``conditions_en``, ``options_en`` …), required by the schema wherever the Chinese one is;
lists have the same length and order as the Chinese lists, and a nullable or empty text is
null or empty in both languages. The Chinese stays the value of record: a select field
stores the Chinese option, receipts print the Chinese. The UI chooses the language
(``ui.models.pick``). Every problem raises :class:`~kiosk.errors.CatalogueError`
whose detail names the JSON path (``$.services[3].code``) or the service code and the bad
value. The dataclasses carry no behaviour beyond lookups; they are safe to share between
threads once built.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kiosk.errors import CatalogueError
from kiosk.idcheck import is_valid_uscc
from kiosk.search import SearchHit, SearchIndex

#: Chinese names of the service types (事项类型), keyed by the code's two-letter prefix.
SERVICE_KINDS: Mapping[str, str] = {
    "XK": "行政许可",
    "QR": "行政确认",
    "GF": "公共服务",
    "QT": "其他",
    "JF": "行政给付",
    "ZS": "行政征收",
    "CJ": "行政裁决",
    "JL": "行政奖励",
    "JC": "行政检查",
    "CF": "行政处罚",
    "QZ": "行政强制",
}

#: English names of the service types, same keys as :data:`SERVICE_KINDS`.
SERVICE_KINDS_EN: Mapping[str, str] = {
    "XK": "Administrative licence",
    "QR": "Administrative confirmation",
    "GF": "Public service",
    "QT": "Other",
    "JF": "Administrative payment",
    "ZS": "Administrative levy",
    "CJ": "Administrative ruling",
    "JL": "Administrative reward",
    "JC": "Administrative inspection",
    "CF": "Administrative penalty",
    "QZ": "Administrative enforcement",
}

#: 2-letter type + 5-digit main item + 3-digit sub-item (000 when there is none).
SERVICE_CODE_RE = re.compile(r"^(XK|QR|GF|QT|JF|ZS|CJ|JL|JC|CF|QZ)\d{8}$")

MATERIAL_FORMS = ("original", "copy", "electronic")
TRUST_LEVELS = ("A", "B", "C", "D")
FIELD_KINDS = (
    "text", "name", "id_number", "uscc", "phone", "date", "number", "select", "address",
    "textarea",
)
PREFILL_SOURCES = ("idcard.name", "idcard.id_number", "idcard.address", "idcard.birth",
                   "idcard.sex")
IDENTIFY_METHODS = ("idcard", "sscard", "qr")

_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_SCHEMA_RESOURCE = "catalogue.schema.json"
_CATALOGUE_RESOURCE = "catalogue.json"


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    name_en: str
    icon: str  # short key: police social medical market estate fund civil tax


@dataclass(frozen=True)
class Material:
    """One item of the material list (材料清单) with how it may be supplied.

    ``trust_level`` is the level the guide assigns (PRODUCT.md §5: A e-licence, B checked
    against the original by staff, C uploaded, original checked at the window, D
    self-declared). When ``e_licence`` names an electronic licence type and it is pulled
    from the platform, the material counts as A: see :meth:`trust_level_for`.
    """

    id: str
    name: str
    name_en: str
    forms: tuple[str, ...]  # subset of "original", "copy", "electronic"
    count: int
    required: bool
    condition: str | None  # when it is needed, for conditional materials
    trust_level: str  # "A".."D"
    note: str
    e_licence: str | None  # licence type as the platform names it (sent, never translated)
    # English twins (defaults keep direct construction in tests short)
    condition_en: str | None = None
    note_en: str = ""
    e_licence_en: str | None = None  # what the citizen reads for e_licence

    def trust_level_for(self, *, e_licence_pulled: bool) -> str:
        return "A" if e_licence_pulled and self.e_licence else self.trust_level


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    label_en: str
    kind: str  # one of FIELD_KINDS
    required: bool
    prefill: str | None  # one of PREFILL_SOURCES
    max_length: int | None
    pattern: str | None  # full-match regular expression applied after normalisation
    options: tuple[str, ...]  # the stored values, always Chinese
    help: str
    options_en: tuple[str, ...] = ()  # labels for options, same order
    help_en: str = ""


@dataclass(frozen=True)
class Service:
    """A service and its complete guide (办事指南, 一次性告知)."""

    code: str
    name: str
    name_en: str
    department_id: str
    kind: str  # the code's two-letter type
    legal_basis: tuple[str, ...]
    conditions: tuple[str, ...]
    materials: tuple[Material, ...]
    time_limit_legal_days: int  # working days; 0 = 即办
    time_limit_promised_days: int  # working days; 0 = 即办
    fee: str
    channels: tuple[str, ...]
    result_collection: str
    faq: tuple[tuple[str, str], ...]  # (question, answer)
    offline_allowed: bool
    identify_methods: tuple[str, ...]  # subset of IDENTIFY_METHODS
    needs_face: bool
    fields: tuple[FormField, ...]
    pinyin: str
    initials: str
    keywords: tuple[str, ...]  # hanzi search terms plus their generated Latin aliases
    popular: bool
    implementing_code: str  # region (6) + authority USCC (18) + code (10)
    summary: str
    # English twins of the guide texts: same lengths and order as the Chinese
    summary_en: str = ""
    legal_basis_en: tuple[str, ...] = ()
    conditions_en: tuple[str, ...] = ()
    fee_en: str = ""
    channels_en: tuple[str, ...] = ()
    result_collection_en: str = ""
    faq_en: tuple[tuple[str, str], ...] = ()  # (question, answer)

    @property
    def kind_name(self) -> str:
        return SERVICE_KINDS[self.kind]

    @property
    def kind_name_en(self) -> str:
        return SERVICE_KINDS_EN[self.kind]

    @property
    def region_code(self) -> str:
        return self.implementing_code[:6]

    @property
    def authority_code(self) -> str:
        return self.implementing_code[6:24]

    def field(self, field_id: str) -> FormField:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)


@dataclass(frozen=True)
class Bundle:
    """A 一件事 bundle / life event: several services applied for together."""

    id: str
    name: str
    name_en: str
    description: str
    service_codes: tuple[str, ...]
    icon: str
    description_en: str = ""


@dataclass(frozen=True)
class Catalogue:
    version: str
    issued_at: str
    region_code: str
    departments: tuple[Department, ...]
    services: tuple[Service, ...]
    bundles: tuple[Bundle, ...]
    #: the bundle's optional ``print_templates`` overlay (``printing.templates``), or None
    print_templates: Mapping[str, Any] | None = None

    # cached_property writes to the instance __dict__, which frozen dataclasses allow.
    @cached_property
    def _services_by_code(self) -> dict[str, Service]:
        return {s.code: s for s in self.services}

    @cached_property
    def _departments_by_id(self) -> dict[str, Department]:
        return {d.id: d for d in self.departments}

    @cached_property
    def _bundles_by_id(self) -> dict[str, Bundle]:
        return {b.id: b for b in self.bundles}

    @cached_property
    def index(self) -> SearchIndex:
        """The search index, built on first use."""
        return SearchIndex(self.services, self.departments)

    def service(self, code: str) -> Service:
        return self._services_by_code[code]

    def department(self, department_id: str) -> Department:
        return self._departments_by_id[department_id]

    def bundle(self, bundle_id: str) -> Bundle:
        return self._bundles_by_id[bundle_id]

    def services_in(self, department_id: str) -> list[Service]:
        return [s for s in self.services if s.department_id == department_id]

    def bundle_services(self, bundle_id: str) -> list[Service]:
        return [self.service(code) for code in self.bundle(bundle_id).service_codes]

    def popular(self, limit: int = 8) -> list[Service]:
        return [s for s in self.services if s.popular][: max(limit, 0)]

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        return self.index.search(query, limit)


# --------------------------------------------------------------------------- loading


def load_catalogue(source: Path | bytes | None = None) -> Catalogue:
    """Load, validate and cross-check a catalogue bundle.

    ``source`` is a file path, the raw JSON bytes, or ``None`` for the bundled sample
    (``kiosk/data/catalogue.json``). Raises :class:`CatalogueError` on any problem.
    """
    if source is None:
        raw = resources.files("kiosk.data").joinpath(_CATALOGUE_RESOURCE).read_bytes()
        origin = "bundled catalogue"
    elif isinstance(source, bytes | bytearray):
        raw, origin = bytes(source), "catalogue bytes"
    else:
        origin = str(source)
        try:
            raw = Path(source).read_bytes()
        except OSError as err:
            raise CatalogueError(f"{origin}: cannot read: {err}") from err
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CatalogueError(f"{origin}: not valid JSON: {err}") from err
    _validate_schema(document, origin)
    _cross_check(document, origin)
    return _build(document)


def schema() -> dict[str, Any]:
    """The catalogue JSON Schema (draft 2020-12), read from package data."""
    text = resources.files("kiosk.data").joinpath(_SCHEMA_RESOURCE).read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema  # imported lazily (~0.1 s): only loading a bundle needs it

    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


def _json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _validate_schema(document: Any, origin: str) -> None:
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.path)))
    if not errors:
        return
    first = errors[0]
    where = _json_path(first.absolute_path)
    code = _service_code_at(document, list(first.absolute_path))
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    value = json.dumps(first.instance, ensure_ascii=False)
    if len(value) > 120:
        value = value[:117] + "..."
    raise CatalogueError(
        f"{origin}: {where}{code}: {first.message}; value {value}{more}"
    )


def _service_code_at(document: Any, path: Sequence[Any]) -> str:
    if len(path) >= 2 and path[0] == "services" and isinstance(path[1], int):
        try:
            return f" (service {document['services'][path[1]]['code']})"
        except (KeyError, IndexError, TypeError):
            return ""
    return ""


def _cross_check(doc: dict[str, Any], origin: str) -> None:
    def fail(path: str, message: str, value: object) -> None:
        shown = json.dumps(value, ensure_ascii=False)
        raise CatalogueError(f"{origin}: {path}: {message}; value {shown}")

    department_ids: set[str] = set()
    for i, dep in enumerate(doc["departments"]):
        if dep["id"] in department_ids:
            fail(f"$.departments[{i}].id", "duplicate department id", dep["id"])
        department_ids.add(dep["id"])

    codes: set[str] = set()
    for i, svc in enumerate(doc["services"]):
        code = svc["code"]
        at = f"$.services[{i}]"
        where = f"{at} (service {code})"
        if not SERVICE_CODE_RE.match(code):  # also in the schema; kept for direct callers
            fail(f"{at}.code", "service code must be 2 letters + 8 digits", code)
        if code in codes:
            fail(f"{at}.code", "duplicate service code", code)
        codes.add(code)
        if svc["kind"] != code[:2]:
            fail(f"{where}.kind", f"kind must equal the code prefix {code[:2]}", svc["kind"])
        if svc["department_id"] not in department_ids:
            fail(f"{where}.department_id", "unknown department", svc["department_id"])
        if svc["time_limit_promised_days"] > svc["time_limit_legal_days"]:
            fail(f"{where}.time_limit_promised_days", "promised time limit exceeds the legal one",
                 svc["time_limit_promised_days"])
        _check_implementing_code(svc, where, doc["region_code"], fail)
        _check_spelling(svc, where, fail)
        for name in ("legal_basis", "conditions", "channels"):
            _check_twin(svc, name, where, fail)

        material_ids: set[str] = set()
        for j, mat in enumerate(svc["materials"]):
            mat_at = f"{where}.materials[{j}]"
            if mat["id"] in material_ids:
                fail(f"{mat_at}.id", "duplicate material id", mat["id"])
            material_ids.add(mat["id"])
            if not mat["required"] and not mat["condition"]:
                fail(f"{mat_at}.condition", "a conditional material must say when it is needed",
                     mat["condition"])
            if mat["e_licence"] and "electronic" not in mat["forms"]:
                fail(f"{mat_at}.forms", "a material with an e-licence must allow 'electronic'",
                     mat["forms"])
            for name in ("condition", "note", "e_licence"):
                _check_twin(mat, name, mat_at, fail)

        field_ids: set[str] = set()
        for j, fld in enumerate(svc["fields"]):
            fld_at = f"{where}.fields[{j}]"
            if fld["id"] in field_ids:
                fail(f"{fld_at}.id", "duplicate field id", fld["id"])
            field_ids.add(fld["id"])
            if fld["kind"] == "select" and not fld["options"]:
                fail(f"{fld_at}.options", "a select field needs options", fld["options"])
            for name in ("options", "help"):
                _check_twin(fld, name, fld_at, fail)
            if fld["pattern"] is not None:
                try:
                    re.compile(fld["pattern"])
                except re.error as err:
                    fail(f"{fld_at}.pattern", f"invalid regular expression ({err})",
                         fld["pattern"])

    bundle_ids: set[str] = set()
    for i, bundle in enumerate(doc["bundles"]):
        if bundle["id"] in bundle_ids:
            fail(f"$.bundles[{i}].id", "duplicate bundle id", bundle["id"])
        bundle_ids.add(bundle["id"])
        for j, code in enumerate(bundle["service_codes"]):
            if code not in codes:
                fail(f"$.bundles[{i}].service_codes[{j}] (bundle {bundle['id']})",
                     "unknown service code", code)


def _check_twin(obj: dict[str, Any], name: str, where: str,
                fail: Callable[[str, str, object], None]) -> None:
    """``<name>_en`` mirrors ``<name>``: a list of the same length, null when it is null,
    empty when it is empty (and only then)."""
    zh, en = obj[name], obj[f"{name}_en"]
    if isinstance(zh, list):
        if len(en) != len(zh):
            fail(f"{where}.{name}_en", f"needs {len(zh)} item(s), one per item of {name}", en)
    elif (zh is None) != (en is None) or (zh == "") != (en == ""):
        fail(f"{where}.{name}_en", f"must be null or empty exactly when {name} is", en)


def _check_implementing_code(svc: dict[str, Any], where: str, region: str,
                             fail: Callable[[str, str, object], None]) -> None:
    impl: str = svc["implementing_code"]
    if impl[24:] != svc["code"]:
        fail(f"{where}.implementing_code", f"must end with the service code {svc['code']}", impl)
    if impl[:2] != region[:2]:
        fail(f"{where}.implementing_code",
             f"region {impl[:6]} is outside the catalogue's province {region[:2]}0000", impl)
    if not is_valid_uscc(impl[6:24]):
        fail(f"{where}.implementing_code", "authority code fails the GB 32100 check", impl)


def _check_spelling(svc: dict[str, Any], where: str,
                    fail: Callable[[str, str, object], None]) -> None:
    """Cheap shape check; the exact spelling is verified against pypinyin by the tests."""
    han = _HAN_RE.findall(svc["name"])
    pinyin: str = svc["pinyin"]
    initials: str = svc["initials"]
    if len(initials) != len(han):
        fail(f"{where}.initials",
             f"expected one letter per hanzi of {svc['name']!r} ({len(han)})", initials)
    if not pinyin and han:
        fail(f"{where}.pinyin", f"missing pinyin for {svc['name']!r}", pinyin)
    # Every initial must appear, in order, in the full pinyin (a subsequence test).
    rest = iter(pinyin)
    if pinyin and (pinyin[0] != initials[:1] or not all(ch in rest for ch in initials)):
        fail(f"{where}.pinyin", f"does not match initials {initials!r}", pinyin)


def _build(doc: dict[str, Any]) -> Catalogue:
    departments = tuple(
        Department(id=d["id"], name=d["name"], name_en=d["name_en"], icon=d["icon"])
        for d in doc["departments"]
    )
    services = tuple(_build_service(s) for s in doc["services"])
    bundles = tuple(
        Bundle(id=b["id"], name=b["name"], name_en=b["name_en"], description=b["description"],
               description_en=b["description_en"], service_codes=tuple(b["service_codes"]),
               icon=b["icon"])
        for b in doc["bundles"]
    )
    return Catalogue(version=doc["version"], issued_at=doc["issued_at"],
                     region_code=doc["region_code"], departments=departments,
                     services=services, bundles=bundles,
                     print_templates=doc.get("print_templates"))


def _build_service(s: dict[str, Any]) -> Service:
    return Service(
        code=s["code"],
        name=s["name"],
        name_en=s["name_en"],
        department_id=s["department_id"],
        kind=s["kind"],
        legal_basis=tuple(s["legal_basis"]),
        conditions=tuple(s["conditions"]),
        materials=tuple(
            Material(id=m["id"], name=m["name"], name_en=m["name_en"], forms=tuple(m["forms"]),
                     count=m["count"], required=m["required"], condition=m["condition"],
                     condition_en=m["condition_en"], trust_level=m["trust_level"],
                     note=m["note"], note_en=m["note_en"], e_licence=m["e_licence"],
                     e_licence_en=m["e_licence_en"])
            for m in s["materials"]
        ),
        time_limit_legal_days=s["time_limit_legal_days"],
        time_limit_promised_days=s["time_limit_promised_days"],
        fee=s["fee"],
        channels=tuple(s["channels"]),
        result_collection=s["result_collection"],
        faq=tuple((f["q"], f["a"]) for f in s["faq"]),
        faq_en=tuple((f["q_en"], f["a_en"]) for f in s["faq"]),
        offline_allowed=s["offline_allowed"],
        identify_methods=tuple(s["identify_methods"]),
        needs_face=s["needs_face"],
        fields=tuple(
            FormField(id=f["id"], label=f["label"], label_en=f["label_en"], kind=f["kind"],
                      required=f["required"], prefill=f["prefill"], max_length=f["max_length"],
                      pattern=f["pattern"], options=tuple(f["options"]),
                      options_en=tuple(f["options_en"]), help=f["help"], help_en=f["help_en"])
            for f in s["fields"]
        ),
        pinyin=s["pinyin"],
        initials=s["initials"],
        keywords=tuple(s["keywords"]),
        popular=s["popular"],
        implementing_code=s["implementing_code"],
        summary=s["summary"],
        summary_en=s["summary_en"],
        legal_basis_en=tuple(s["legal_basis_en"]),
        conditions_en=tuple(s["conditions_en"]),
        fee_en=s["fee_en"],
        channels_en=tuple(s["channels_en"]),
        result_collection_en=s["result_collection_en"],
    )
