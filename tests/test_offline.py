from __future__ import annotations

import dataclasses

import pytest

from kiosk.catalogue import Catalogue, Service, load_catalogue
from kiosk.config import OfflineLimits
from kiosk.offline import Situation, service_availability

LIMITS = OfflineLimits(max_hours_since_contact=72, max_queued_items=10, max_queued_bytes=1000,
                       max_catalogue_age_hours=168, min_free_disk_bytes=500)
FINE = Situation(online=False, hours_since_contact=1.0, queued_items=0, queued_bytes=0,
                 catalogue_age_hours=2.0, free_disk_bytes=10_000)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def offline_ok(c: Catalogue) -> Service:
    return next(s for s in c.services if s.offline_allowed)


def online_only(c: Catalogue) -> Service:
    return next(s for s in c.services if not s.offline_allowed)


def test_offline_eligible_service_is_accepted_offline(catalogue: Catalogue) -> None:
    a = service_availability(offline_ok(catalogue), FINE, LIMITS)
    assert a.available and a.offline_acceptance and "自动上报" in a.reason_zh


def test_online_only_service_is_disabled_offline_but_not_online(catalogue: Catalogue) -> None:
    svc = online_only(catalogue)
    a = service_availability(svc, FINE, LIMITS)
    assert not a.available and "需联网" in a.reason_zh
    assert service_availability(svc, dataclasses.replace(FINE, online=True), LIMITS).available


@pytest.mark.parametrize(("change", "word"), [
    ({"hours_since_contact": 73.0}, "断开时间过长"),
    ({"hours_since_contact": None}, "断开时间过长"),
    ({"catalogue_age_hours": 200.0}, "办事指南"),
])
def test_age_limits_disable_only_offline_acceptance(catalogue: Catalogue, change: dict[str, object],
                                                    word: str) -> None:
    svc = offline_ok(catalogue)
    s = dataclasses.replace(FINE, **change)  # type: ignore[arg-type]
    a = service_availability(svc, s, LIMITS)
    assert not a.available and word in a.reason_zh and a.detail
    assert service_availability(svc, dataclasses.replace(s, online=True), LIMITS).available


@pytest.mark.parametrize(("change", "word"), [
    ({"free_disk_bytes": 499}, "存储空间"),
    ({"queued_items": 10}, "申请过多"),
    ({"queued_bytes": 1000}, "材料过多"),
])
def test_storage_limits_block_every_submission_even_online(catalogue: Catalogue,
                                                           change: dict[str, object],
                                                           word: str) -> None:
    s = dataclasses.replace(FINE, online=True, **change)  # type: ignore[arg-type]
    for svc in (offline_ok(catalogue), online_only(catalogue)):
        a = service_availability(svc, s, LIMITS)
        assert not a.available and word in a.reason_zh
