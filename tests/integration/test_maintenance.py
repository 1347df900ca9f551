"""Maintenance back-ends against the real reference platform on loopback: the audit log
delivered upstream exactly once; sneakernet export and import (sync/export.py,
refplatform/importer.py)."""

from __future__ import annotations

from kiosk.crypto import canonical_json, sha256_hex
from sync.audit import GENESIS_HASH, AuditLog
from tests.integration.conftest import Rig


def fill(log: AuditLog, n: int, start: int = 1) -> list[str]:
    return [log.record("staff:0421", "reprint", {"n": i}) for i in range(start, start + n)]


def test_platform_receives_every_entry_exactly_once(rig: Rig) -> None:
    log = AuditLog(rig.outbox)
    fill(log, 4)
    rig.drain()
    # a lost acknowledgement: the platform commits, the kiosk resends, nothing doubles
    rig.platform.inject("drop_after_commit", path_prefix="/api/v1/events", count=1)
    fill(log, 3, start=5)
    rig.drain()
    rig.drain()
    assert rig.platform.state.stats()["faults_applied"] == {"drop_after_commit": 1}
    received = rig.platform.state.events("audit")
    bodies = sorted((e["body"] for e in received), key=lambda b: b["seq"])
    assert [b["seq"] for b in bodies] == list(range(1, 8))
    assert len({e["idempotency_key"] for e in received}) == 7
    assert bodies == [e.body() for e in reversed(log.entries())]
    prev = GENESIS_HASH
    for b in bodies:  # the platform can verify the chain from the bodies alone
        assert b["prev_hash"] == prev
        assert b["hash"] == sha256_hex(canonical_json(
            {k: v for k, v in b.items() if k != "hash"}))
        prev = b["hash"]
    assert rig.outbox.stats().undelivered == 0
