"""The signed catalogue download (§6)."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest
import requests

from kiosk.catalogue import load_catalogue
from kiosk.crypto import CryptoError, verify_bytes
from refplatform import PlatformServer
from tests.refplatform.client import API, SignedClient

BUNDLED = resources.files("kiosk.data").joinpath("catalogue.json").read_bytes()


def _new_version(version: str) -> bytes:
    doc = json.loads(BUNDLED)
    doc["version"] = version
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def test_catalogue_is_the_bundled_one_signed_by_the_platform(platform: PlatformServer,
                                                             kiosk: SignedClient) -> None:
    r = kiosk.get(f"{API}/catalogue")
    assert r.status_code == 200
    assert r.content == BUNDLED
    assert r.headers["ETag"] == f'"{hashlib.sha256(BUNDLED).hexdigest()}"'
    verify_bytes(platform.state.signing_public_b64, r.headers["X-Catalogue-Signature"],
                 r.content)
    assert load_catalogue(r.content).version == r.headers["X-Catalogue-Version"]


def test_tampered_catalogue_does_not_verify(platform: PlatformServer,
                                            kiosk: SignedClient) -> None:
    r = kiosk.get(f"{API}/catalogue")
    tampered = r.content.replace("贵阳".encode(), "遵义".encode(), 1)
    with pytest.raises(CryptoError):
        verify_bytes(platform.state.signing_public_b64, r.headers["X-Catalogue-Signature"],
                     tampered)


def test_if_none_match_answers_304_until_a_new_version(platform: PlatformServer,
                                                       kiosk: SignedClient,
                                                       admin: requests.Session) -> None:
    etag = kiosk.get(f"{API}/catalogue").headers["ETag"]
    r = kiosk.get(f"{API}/catalogue", headers={"If-None-Match": etag})
    assert r.status_code == 304
    assert r.content == b""
    assert r.headers["ETag"] == etag and r.headers["Date"]
    body = _new_version("2025.07.1")
    published = admin.post(f"{platform.url}/admin/catalogue", data=body)
    assert published.status_code == 201, published.text
    assert published.json()["version"] == "2025.07.1"
    r = kiosk.get(f"{API}/catalogue", headers={"If-None-Match": etag})
    assert r.status_code == 200
    assert r.content == body
    assert r.headers["ETag"] != etag
    verify_bytes(platform.state.signing_public_b64, r.headers["X-Catalogue-Signature"], body)


def test_badly_signed_catalogue_is_served_for_tests(platform: PlatformServer,
                                                    kiosk: SignedClient) -> None:
    body = _new_version("2025.08.1")
    platform.state.publish_catalogue(body, bad_signature=True)
    r = kiosk.get(f"{API}/catalogue")
    assert r.content == body
    with pytest.raises(CryptoError):
        verify_bytes(platform.state.signing_public_b64, r.headers["X-Catalogue-Signature"],
                     r.content)


def test_invalid_catalogue_is_not_published(platform: PlatformServer,
                                            admin: requests.Session) -> None:
    r = admin.post(f"{platform.url}/admin/catalogue", data=b'{"version": "x"}')
    assert r.status_code == 400
    assert admin.post(f"{platform.url}/admin/catalogue?validate=0",
                      data=b'{"version": "x"}').status_code == 201
