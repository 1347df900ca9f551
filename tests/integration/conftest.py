"""A kiosk's sync stack against the real reference platform on loopback: the platform
(SQLite, fault proxy in front), an enrolled kiosk key, a real outbox file, the HTTP client
and the worker. Scheduling runs on a controllable clock so tests never sleep through
backoff; the client signs with real time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.config import OfflineLimits
from kiosk.crypto import SigningKeyPair
from refplatform import PlatformServer
from sync.backoff import BackoffPolicy
from sync.client import PlatformClient, enroll
from sync.outbox import ApplicationDraft, MaterialInput, Outbox, Person
from sync.worker import SyncWorker

KIOSK = "GY0101A001"


class Clock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@dataclass
class Rig:
    platform: PlatformServer
    outbox: Outbox
    client: PlatformClient
    worker: SyncWorker
    clock: Clock
    key: SigningKeyPair

    def drain(self, *, max_passes: int = 200, step_s: float = 1000.0) -> int:
        """Run passes, jumping the clock past every backoff, until nothing is undelivered
        (dead letters aside). Returns the number of passes."""
        for n in range(1, max_passes + 1):
            self.worker.run_once(pull_status=False)
            stats = self.outbox.stats(self.clock())
            if stats.undelivered - stats.dead_letters == 0:
                return n
            self.clock.t += step_s
        raise AssertionError(f"not drained after {max_passes} passes: {stats}")


def draft(i: int, *, scans: int = 1, size: int = 20_000) -> ApplicationDraft:
    return ApplicationDraft(
        service_code="QR00107002", service_name="户口迁出（省内）",
        catalogue_version="2025.06.1",
        applicant=Person(name="张三丰", id_number="11010519491231002X", phone="13812345678"),
        form={"reason": f"工作调动 {i}"},
        materials=[MaterialInput(f"m{j}", "C", bytes([i % 256, j]) * (size // 2))
                   for j in range(scans)])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rig(tmp_path: Path, clock: Clock) -> Iterator[Rig]:
    with PlatformServer(tmp_path / "platform", accept_after_s=None,
                        complete_after_s=None) as platform:
        key = SigningKeyPair.generate()
        keys = enroll(platform.url, kiosk_id=KIOSK, region_code="520100", hall_name="测试大厅",
                      public_key_b64=key.public_b64(),
                      token=platform.state.mint_enrollment_token())
        outbox = Outbox.open(tmp_path / "kiosk" / "queue.sqlite3", tmp_path / "kiosk" / "att",
                             kiosk_code=KIOSK,
                             platform_encryption_key=keys["platform_encryption_key"],
                             limits=OfflineLimits(min_free_disk_bytes=1), clock=clock)
        client = PlatformClient(platform.url, KIOSK, key, connect_timeout_s=2,
                                read_timeout_s=5)
        worker = SyncWorker(outbox, client, policy=BackoffPolicy(spread_s=0.0), clock=clock)
        yield Rig(platform, outbox, client, worker, clock, key)
        worker.stop()
        client.close()
        outbox.close()
