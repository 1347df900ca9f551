"""Fixtures: a real reference platform on loopback (SQLite file, fault proxy in front),
an enrolled test kiosk and an admin session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from refplatform import PlatformServer
from tests.refplatform.client import SignedClient, enroll

ADMIN_TOKEN = "test-admin-token"


@pytest.fixture
def platform_dir(tmp_path: Path) -> Path:
    return tmp_path / "platform"


@pytest.fixture
def platform(platform_dir: Path) -> Iterator[PlatformServer]:
    # advancement off: tests switch it on when they look at it
    with PlatformServer(platform_dir, admin_token=ADMIN_TOKEN, accept_after_s=None,
                        complete_after_s=None) as server:
        yield server


@pytest.fixture
def kiosk(platform: PlatformServer) -> Iterator[SignedClient]:
    client, r = enroll(platform.url, "TEST0001", platform.state.mint_enrollment_token())
    assert r.status_code == 201, r.text
    yield client
    client.close()


@pytest.fixture
def admin(platform: PlatformServer) -> Iterator[requests.Session]:
    session = requests.Session()
    session.headers["X-Admin-Token"] = ADMIN_TOKEN
    yield session
    session.close()
