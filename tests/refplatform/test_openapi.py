"""docs/openapi.yaml covers every route of the reference platform, and real answers
validate against its schemas."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
import yaml

from refplatform import PlatformServer, PlatformState, create_app
from tests.conftest import ROOT
from tests.refplatform.client import API, SignedClient, application, event

SPEC: dict[str, Any] = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text("utf-8"))


def _validate(instance: Any, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": SPEC["components"]}
    jsonschema.Draft202012Validator(schema).validate(instance)


def test_spec_is_openapi_3_1_and_its_refs_resolve() -> None:
    assert SPEC["openapi"] == "3.1.0"
    text = (ROOT / "docs" / "openapi.yaml").read_text("utf-8")
    for ref in set(re.findall(r"#/components/(\w+)/(\w+)", text)):
        assert ref[1] in SPEC["components"][ref[0]], ref
    for name in SPEC["components"]["schemas"]:
        jsonschema.Draft202012Validator.check_schema(SPEC["components"]["schemas"][name])


def test_every_route_is_documented_and_nothing_else(tmp_path: Path) -> None:
    state = PlatformState(tmp_path / "p")
    try:
        app = create_app(state)
        routes = set()
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).replace("{sha}", "{sha256}")
            methods = rule.methods or set()
            for method in methods - {"OPTIONS"}:
                if method == "HEAD" and "GET" in methods:
                    continue
                routes.add((path, method.lower()))
    finally:
        state.close()
    documented = {(path, method) for path, item in SPEC["paths"].items() for method in item
                  if method in ("get", "post", "put", "patch", "delete", "head")}
    assert routes == documented


def test_answers_match_the_schemas(platform: PlatformServer, kiosk: SignedClient,
                                   admin: requests.Session) -> None:
    enc = platform.state.encryption_public_b64
    item = application(enc)
    batch = kiosk.batch([item, item, {"idempotency_key": None}]).json()
    _validate(batch, "BatchResults")
    _validate(kiosk.batch([event("rating", {"provisional_no": item["provisional_no"],
                                            "level": 4})], kind="events").json(),
              "BatchResults")
    _validate(kiosk.get(f"{API}/status?cursor=0").json(), "StatusFeed")
    _validate(kiosk.get(f"{API}/applications/lookup?no={item['provisional_no']}").json(),
              "Lookup")
    _validate(kiosk.get(f"{API}/ping", timestamp=1).json(), "Error")
    _validate(admin.get(f"{platform.url}/admin/applications").json()["applications"][0],
              "AdminApplication")
    _validate(admin.get(f"{platform.url}/admin/stats").json(), "Stats")
    rule = admin.post(f"{platform.url}/admin/faults", json={"kind": "slow", "count": 2}).json()
    _validate(rule, "FaultRule")


@pytest.mark.parametrize("schema_name", ["ApplicationItem", "EventItem"])
def test_test_items_match_the_request_schemas(schema_name: str) -> None:
    from kiosk.crypto import EncryptionKeyPair

    if schema_name == "ApplicationItem":
        _validate(application(EncryptionKeyPair.generate().public_b64()), schema_name)
    else:
        _validate(event("rating", {"case_no": "x", "level": 5}), schema_name)
        with pytest.raises(jsonschema.ValidationError):
            _validate(event("rating", {"level": 9}), schema_name)
