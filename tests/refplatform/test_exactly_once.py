"""reliability.md T4 against the real platform: lost answers, shedding and duplicate
deliveries from several kiosks at once leave every application stored exactly once."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from kiosk.crypto import canonical_json, sha256_hex
from refplatform import PlatformServer
from tests.refplatform.client import SignedClient, application, enroll

KIOSKS, ITEMS = 4, 25


def _deliver(client: SignedClient, items: list[dict[str, Any]], seed: int,
             ) -> dict[str, str]:
    """Send until every item is acknowledged; resend some acknowledged ones too."""
    rng = random.Random(seed)
    receipts: dict[str, str] = {}
    pending = list(items)
    attempts = 0
    while pending:
        attempts += 1
        assert attempts < 50 * len(items), "no progress"
        batch = pending[:rng.randint(1, 5)]
        if receipts and rng.random() < 0.3:  # a duplicate delivery of an acked item
            batch.append(next(i for i in items if i["idempotency_key"] in receipts))
        try:
            r = client.batch(batch)
            if r.status_code != 200:
                continue  # shed (503): retry
            results = r.json()["results"]
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                ValueError):
            continue  # lost or cut answer: retry the same bytes
        for item, result in zip(batch, results, strict=True):
            key = item["idempotency_key"]
            assert result["status"] in ("accepted", "duplicate", "in_flight"), result
            if result["status"] in ("accepted", "duplicate"):
                assert receipts.setdefault(key, result["case_no"]) == result["case_no"]
        pending = [i for i in pending if i["idempotency_key"] not in receipts]
    return receipts


def test_every_application_is_stored_exactly_once(platform: PlatformServer) -> None:
    enc = platform.state.encryption_public_b64
    clients, work = [], []
    for n in range(KIOSKS):
        client, r = enroll(platform.url, f"FLEET{n:03d}", platform.state.mint_enrollment_token())
        assert r.status_code == 201
        clients.append(client)
        work.append([application(enc) for _ in range(ITEMS)])
    platform.state.faults.seed(7)
    batches = "/api/v1/applications:batch"
    platform.inject("unavailable_503", path_prefix=batches, probability=0.1)
    platform.inject("drop_after_commit", path_prefix=batches, probability=0.2)
    platform.inject("truncated", path_prefix=batches, probability=0.05)
    with ThreadPoolExecutor(KIOSKS) as pool:
        receipts = list(pool.map(_deliver, clients, work, range(KIOSKS)))
    for client in clients:
        client.close()
    stored = platform.state.applications()
    assert len(stored) == KIOSKS * ITEMS
    assert len({(a["kiosk_id"], a["idempotency_key"]) for a in stored}) == KIOSKS * ITEMS
    by_key = {a["idempotency_key"]: a for a in stored}
    for items, acked in zip(work, receipts, strict=True):
        for item in items:
            row = by_key[item["idempotency_key"]]
            assert acked[item["idempotency_key"]] == row["case_no"]
            assert row["fingerprint"] == sha256_hex(canonical_json(item))
    applied = platform.state.faults.applied
    assert applied["drop_after_commit"] > 0 and applied["unavailable_503"] > 0
    assert platform.state.stats()["duplicates_detected"] > 0
