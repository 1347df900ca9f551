"""Print templates are data: wording and order of the slip, the notice and the materials list.

A template document (JSON; the packaged default is ``printing/templates/default.json``)::

    {"version": 1,
     "kinds":    {"receipt": {...}, "notice": {...}, "materials": {...}},
     "services": {"QR00107002": {"receipt": {"steps": [...]}, "notice": {...}}}}

Keys of a kind (all optional in an overlay, see below):

==============  ===========================================================================
``title``       heading (slip: printed by the ``{"type": "title"}`` block)
``intro``       notice / materials list: opening paragraph(s), ``\\n`` separates paragraphs
``blocks``      slip only: the ordered blocks, each ``{"type": …}`` with type
                ``title``, ``text`` (``text``, ``align`` left/center/right, ``bold``,
                ``size`` 1/2), ``field`` (``label``, ``value``, ``bold``), ``rule``,
                ``materials`` (received materials with trust level), ``steps``, ``qr``
                (``qr_caption`` above the code), ``feed`` (``lines``)
``steps``       "what happens next", numbered
``notes``       notice / materials list: small print at the end
``qr_caption``  the line printed with the QR code
``footer``      notice / materials list: page footer (page number and time are added)
==============  ===========================================================================

Texts may contain ``{placeholder}`` from ``printing.model.PLACEHOLDERS`` (``{{``/``}}`` for
literal braces). Any block, step or note may carry ``"when": "flag"`` (or ``"!flag"``) with
a flag from ``printing.model.FLAGS``: it is printed only when the receipt has (has not) it.

Loading (:func:`load_templates`): the packaged default, then the catalogue bundle's optional
``print_templates`` member, then each given source (a path, JSON bytes or a mapping), each
*overlaid* on the previous: a kind's keys replace the same keys only, a service's overrides
likewise. ``services`` maps a service code to per-kind overrides, merged over the kind when
that service is printed (:meth:`TemplateSet.get`). The merged document is validated at load
time; every problem is a ``ConfigError`` (key ``printing.templates``) whose detail names the
source and the JSON path (``$.kinds.receipt.blocks[3].text: unknown placeholder {foo}``).
"""

from __future__ import annotations

import copy
import json
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kiosk.errors import ConfigError
from printing.model import FLAGS, PLACEHOLDERS, ReceiptData

__all__ = ["KINDS", "Block", "KindTemplate", "TemplateSet", "TextItem", "default_templates",
           "load_templates"]

KINDS = ("receipt", "notice", "materials")
BLOCK_TYPES = ("title", "text", "field", "rule", "materials", "steps", "qr", "feed")
_KEYS: Mapping[str, frozenset[str]] = {
    "receipt": frozenset({"title", "blocks", "steps", "qr_caption"}),
    "notice": frozenset({"title", "intro", "steps", "notes", "qr_caption", "footer"}),
    "materials": frozenset({"title", "intro", "notes", "qr_caption", "footer"}),
}
_REQUIRED: Mapping[str, frozenset[str]] = {
    "receipt": frozenset({"title", "blocks"}),
    "notice": frozenset({"title", "intro"}),
    "materials": frozenset({"title"}),
}
_BLOCK_KEYS = frozenset({"type", "text", "label", "value", "align", "bold", "size", "when",
                         "lines"})
_SERVICE_CODE = re.compile(r"[A-Z]{2}\d{8}")
_FORMATTER = string.Formatter()
_KEY = "printing.templates"


@dataclass(frozen=True)
class TextItem:
    text: str
    when: str | None = None


@dataclass(frozen=True)
class Block:
    type: str
    text: str = ""
    label: str = ""
    value: str = ""
    align: str = "left"
    bold: bool = False
    size: int = 1
    when: str | None = None
    lines: int = 1


def _applies(when: str | None, flags: frozenset[str]) -> bool:
    if not when:
        return True
    if when.startswith("!"):
        return when[1:] not in flags
    return when in flags


def fill(text: str, data: ReceiptData) -> str:
    """Fill the placeholders of a validated template text."""
    return text.format_map(data.placeholders())


@dataclass(frozen=True)
class KindTemplate:
    kind: str
    title: str = ""
    intro: str = ""
    blocks: tuple[Block, ...] = ()
    steps: tuple[TextItem, ...] = ()
    notes: tuple[TextItem, ...] = ()
    qr_caption: str = ""
    footer: str = ""

    def visible_blocks(self, data: ReceiptData) -> list[Block]:
        flags = data.flags()
        return [b for b in self.blocks if _applies(b.when, flags)]

    def steps_for(self, data: ReceiptData) -> list[str]:
        return self._items(self.steps, data)

    def notes_for(self, data: ReceiptData) -> list[str]:
        return self._items(self.notes, data)

    @staticmethod
    def _items(items: Sequence[TextItem], data: ReceiptData) -> list[str]:
        flags = data.flags()
        return [fill(i.text, data) for i in items if _applies(i.when, flags)]

    def fill(self, text: str, data: ReceiptData) -> str:
        return fill(text, data)


@dataclass(frozen=True)
class TemplateSet:
    version: int
    kinds: Mapping[str, KindTemplate]
    overrides: Mapping[str, Mapping[str, KindTemplate]]  # service code → kind → merged
    document: Mapping[str, Any]  # the merged, validated document (for diagnostics)

    def get(self, kind: str, service_code: str | None = None) -> KindTemplate:
        if kind not in self.kinds:
            raise ConfigError(f"no print template of kind {kind!r}", key=_KEY)
        if service_code and service_code in self.overrides:
            per = self.overrides[service_code]
            if kind in per:
                return per[kind]
        return self.kinds[kind]

    def receipt(self, service_code: str | None = None) -> KindTemplate:
        return self.get("receipt", service_code)

    def notice(self, service_code: str | None = None) -> KindTemplate:
        return self.get("notice", service_code)

    def materials(self, service_code: str | None = None) -> KindTemplate:
        return self.get("materials", service_code)


# -- loading ------------------------------------------------------------------------------

def _read_source(source: Path | str | bytes | Mapping[str, Any]) -> tuple[str, Any]:
    if isinstance(source, Mapping):
        return "<mapping>", copy.deepcopy(dict(source))
    if isinstance(source, bytes):
        origin, raw = "<bytes>", source
    else:
        origin = str(source)
        try:
            raw = Path(source).read_bytes()
        except OSError as err:
            raise ConfigError(f"{origin}: cannot read print templates: {err}", key=_KEY) \
                from err
    try:
        return origin, json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ConfigError(f"{origin}: print templates are not valid UTF-8 JSON: {err}",
                          key=_KEY) from err


def _overlay(base: dict[str, Any], top: Any, origin: str) -> None:
    if not isinstance(top, dict):
        raise ConfigError(f"{origin}: $: expected a JSON object", key=_KEY)
    unknown = set(top) - {"version", "kinds", "services"}
    if unknown:
        raise ConfigError(f"{origin}: $.{sorted(unknown)[0]}: unknown member "
                          f"(known: version, kinds, services)", key=_KEY)
    if "version" in top:
        base["version"] = top["version"]
    for section in ("kinds", "services"):
        if section not in top:
            continue
        if not isinstance(top[section], dict):
            raise ConfigError(f"{origin}: $.{section}: expected an object", key=_KEY)
        target = base.setdefault(section, {})
        for name, value in top[section].items():
            if section == "kinds":
                if not isinstance(value, dict):
                    raise ConfigError(f"{origin}: $.kinds.{name}: expected an object",
                                      key=_KEY)
                target.setdefault(name, {}).update(copy.deepcopy(value))
            else:
                if not isinstance(value, dict):
                    raise ConfigError(f"{origin}: $.services.{name}: expected an object",
                                      key=_KEY)
                per = target.setdefault(name, {})
                for kind, kv in value.items():
                    if not isinstance(kv, dict):
                        raise ConfigError(f"{origin}: $.services.{name}.{kind}: expected an "
                                          f"object", key=_KEY)
                    per.setdefault(kind, {}).update(copy.deepcopy(kv))


class _Checker:
    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, path: str, message: str) -> ConfigError:
        return ConfigError(f"{self.origin}: {path}: {message}", key=_KEY)

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"expected a string, got {type(value).__name__}")
        try:
            parts = list(_FORMATTER.parse(value))
        except ValueError as err:
            raise self.fail(path, f"bad braces ({err}); write {{{{ and }}}} for literal "
                                  f"braces") from err
        for _literal, name, spec, conversion in parts:
            if name is None:
                continue
            if name not in PLACEHOLDERS:
                raise self.fail(path, f"unknown placeholder {{{name}}} (known: "
                                      f"{', '.join(sorted(PLACEHOLDERS))})")
            if spec or conversion:
                raise self.fail(path, f"placeholder {{{name}}} must not carry a format "
                                      f"spec or conversion")
        return value

    def when(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or value.lstrip("!") not in FLAGS:
            raise self.fail(path, f"unknown condition {value!r} (known: "
                                  f"{', '.join(sorted(FLAGS))}, optionally prefixed by !)")
        return value

    def items(self, value: Any, path: str) -> tuple[TextItem, ...]:
        if not isinstance(value, list):
            raise self.fail(path, "expected a list of texts")
        out = []
        for i, item in enumerate(value):
            p = f"{path}[{i}]"
            if isinstance(item, str):
                out.append(TextItem(self.text(item, p)))
            elif isinstance(item, dict):
                extra = set(item) - {"text", "when"}
                if extra:
                    raise self.fail(f"{p}.{sorted(extra)[0]}", "unknown member (known: text, "
                                                                "when)")
                out.append(TextItem(self.text(item.get("text"), f"{p}.text"),
                                    self.when(item.get("when"), f"{p}.when")))
            else:
                raise self.fail(p, "expected a string or {\"text\", \"when\"}")
        return tuple(out)

    def block(self, value: Any, path: str) -> Block:
        if not isinstance(value, dict):
            raise self.fail(path, "expected an object with a type")
        extra = set(value) - _BLOCK_KEYS
        if extra:
            raise self.fail(f"{path}.{sorted(extra)[0]}",
                            f"unknown member (known: {', '.join(sorted(_BLOCK_KEYS))})")
        btype = value.get("type")
        if btype not in BLOCK_TYPES:
            raise self.fail(f"{path}.type", f"unknown block type {btype!r} (known: "
                                            f"{', '.join(BLOCK_TYPES)})")
        align = value.get("align", "left")
        if align not in ("left", "center", "right"):
            raise self.fail(f"{path}.align", f"expected left, center or right, got {align!r}")
        size = value.get("size", 1)
        if size not in (1, 2) or isinstance(size, bool):
            raise self.fail(f"{path}.size", f"expected 1 or 2, got {size!r}")
        bold = value.get("bold", False)
        if not isinstance(bold, bool):
            raise self.fail(f"{path}.bold", f"expected true or false, got {bold!r}")
        lines = value.get("lines", 1)
        if isinstance(lines, bool) or not isinstance(lines, int) or not 1 <= lines <= 10:
            raise self.fail(f"{path}.lines", f"expected 1..10, got {lines!r}")
        if btype == "text" and "text" not in value:
            raise self.fail(path, "a text block needs text")
        if btype == "field" and ("label" not in value or "value" not in value):
            raise self.fail(path, "a field block needs label and value")
        return Block(
            type=btype,
            text=self.text(value.get("text", ""), f"{path}.text"),
            label=self.text(value.get("label", ""), f"{path}.label"),
            value=self.text(value.get("value", ""), f"{path}.value"),
            align=align, bold=bold, size=size,
            when=self.when(value.get("when"), f"{path}.when"), lines=lines)

    def kind(self, kind: str, value: dict[str, Any], path: str, *,
             complete: bool) -> KindTemplate:
        allowed = _KEYS[kind]
        extra = set(value) - allowed
        if extra:
            raise self.fail(f"{path}.{sorted(extra)[0]}", f"unknown member for {kind} "
                                                          f"(known: {', '.join(sorted(allowed))})")
        if complete:
            missing = _REQUIRED[kind] - set(value)
            if missing:
                raise self.fail(path, f"missing {sorted(missing)[0]}")
        blocks: tuple[Block, ...] = ()
        if "blocks" in value:
            if not isinstance(value["blocks"], list) or not value["blocks"]:
                raise self.fail(f"{path}.blocks", "expected a non-empty list of blocks")
            blocks = tuple(self.block(b, f"{path}.blocks[{i}]")
                           for i, b in enumerate(value["blocks"]))
        return KindTemplate(
            kind=kind,
            title=self.text(value.get("title", ""), f"{path}.title"),
            intro=self.text(value.get("intro", ""), f"{path}.intro"),
            blocks=blocks,
            steps=self.items(value.get("steps", []), f"{path}.steps"),
            notes=self.items(value.get("notes", []), f"{path}.notes"),
            qr_caption=self.text(value.get("qr_caption", ""), f"{path}.qr_caption"),
            footer=self.text(value.get("footer", ""), f"{path}.footer"))


def _build(doc: dict[str, Any], origin: str) -> TemplateSet:
    c = _Checker(origin)
    if doc.get("version") != 1:
        raise c.fail("$.version", f"expected 1, got {doc.get('version')!r}")
    kinds_doc = doc.get("kinds", {})
    for name in kinds_doc:
        if name not in KINDS:
            raise c.fail(f"$.kinds.{name}", f"unknown kind (known: {', '.join(KINDS)})")
    missing = [k for k in KINDS if k not in kinds_doc]
    if missing:
        raise c.fail("$.kinds", f"missing kind {missing[0]}")
    kinds = {k: c.kind(k, kinds_doc[k], f"$.kinds.{k}", complete=True) for k in KINDS}
    overrides: dict[str, dict[str, KindTemplate]] = {}
    for code, per in doc.get("services", {}).items():
        if not _SERVICE_CODE.fullmatch(code):
            raise c.fail(f"$.services.{code}", "not a service code (2 letters + 8 digits)")
        overrides[code] = {}
        for kind, kv in per.items():
            if kind not in KINDS:
                raise c.fail(f"$.services.{code}.{kind}", f"unknown kind (known: "
                                                          f"{', '.join(KINDS)})")
            c.kind(kind, kv, f"$.services.{code}.{kind}", complete=False)
            merged = {**kinds_doc[kind], **kv}
            overrides[code][kind] = c.kind(kind, merged, f"$.services.{code}.{kind}",
                                           complete=True)
    return TemplateSet(version=1, kinds=kinds, overrides=overrides, document=doc)


def _check_layer(layer: dict[str, Any], origin: str) -> None:
    c = _Checker(origin)
    for kind, kv in layer.get("kinds", {}).items():
        if kind not in KINDS:
            raise c.fail(f"$.kinds.{kind}", f"unknown kind (known: {', '.join(KINDS)})")
        c.kind(kind, kv, f"$.kinds.{kind}", complete=False)
    for code, per in layer.get("services", {}).items():
        for kind, kv in per.items():
            if kind in KINDS:
                c.kind(kind, kv, f"$.services.{code}.{kind}", complete=False)


def _default_document() -> dict[str, Any]:
    raw = resources.files("printing").joinpath("templates/default.json").read_bytes()
    return dict(json.loads(raw.decode("utf-8")))


def load_templates(*sources: Path | str | bytes | Mapping[str, Any] | None,
                   catalogue: Mapping[str, Any] | None = None) -> TemplateSet:
    """Default ← catalogue ``print_templates`` ← each source; validated (module docstring)."""
    doc = _default_document()
    origins = ["default.json"]
    layers: list[tuple[str, Any]] = []
    if catalogue is not None and catalogue.get("print_templates") is not None:
        layers.append(("catalogue print_templates",
                       copy.deepcopy(catalogue["print_templates"])))
    for source in sources:
        if source is not None:
            layers.append(_read_source(source))
    for origin, layer in layers:
        _overlay(doc, layer, origin)
        _check_layer(layer, origin)  # name the layer that holds a mistake
        origins.append(origin)
    return _build(doc, " + ".join(origins))


@lru_cache(maxsize=1)
def default_templates() -> TemplateSet:
    return load_templates()
