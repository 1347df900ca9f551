"""Offline policy: which services can take an application right now, and why not.

Every application is stored in the local queue first, online or not, so storage limits
(free disk, queued items and bytes) apply to every submission. The link and the age
limits apply only when the platform is unreachable (PRODUCT.md §4):

========================================  ==========================================
condition                                 services affected
========================================  ==========================================
free disk below ``min_free_disk_bytes``   every submission (browsing, guides, 办件查询 stay)
queue over ``max_queued_items``/``bytes`` every submission
platform unreachable                      services whose catalogue entry says they need it
… for more than ``max_hours_since_contact``  every offline-accepted service
… with a catalogue older than             every offline-accepted service (the guide and
    ``max_catalogue_age_hours``              the rules may have changed)
========================================  ==========================================

The functions are pure: the caller gathers a ``Situation`` (link, queue figures, ages,
free disk) and asks for a service's ``Availability``, which carries a short Chinese
reason for the citizen and an English detail for the maintenance screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.catalogue import Service
from kiosk.config import OfflineLimits


@dataclass(frozen=True)
class Situation:
    online: bool
    hours_since_contact: float | None  # None: never reached the platform
    queued_items: int
    queued_bytes: int
    catalogue_age_hours: float | None  # since the platform last confirmed it; None: unknown
    free_disk_bytes: int


@dataclass(frozen=True)
class Availability:
    available: bool
    reason_zh: str = ""
    detail: str = ""

    @property
    def offline_acceptance(self) -> bool:
        """True when it is available only because the kiosk accepts it offline."""
        return self.available and self.detail == "offline"


OK_ONLINE = Availability(True)
OK_OFFLINE = Availability(True, "当前网络中断，申请将在恢复连接后自动上报", "offline")


def storage_block(s: Situation, limits: OfflineLimits) -> Availability | None:
    """The reason no submission can be stored at all, or None."""
    if s.free_disk_bytes < limits.min_free_disk_bytes:
        return Availability(False, "终端存储空间不足，暂不能受理新的申请，请联系工作人员",
                            f"free disk {s.free_disk_bytes} < {limits.min_free_disk_bytes}")
    if s.queued_items >= limits.max_queued_items:
        return Availability(False, "终端待上报的申请过多，暂不能受理新的申请，请联系工作人员",
                            f"queued items {s.queued_items} >= {limits.max_queued_items}")
    if s.queued_bytes >= limits.max_queued_bytes:
        return Availability(False, "终端待上报的材料过多，暂不能受理新的申请，请联系工作人员",
                            f"queued bytes {s.queued_bytes} >= {limits.max_queued_bytes}")
    return None


def service_availability(service: Service, s: Situation, limits: OfflineLimits) -> Availability:
    blocked = storage_block(s, limits)
    if blocked is not None:
        return blocked
    if s.online:
        return OK_ONLINE
    if not service.offline_allowed:
        return Availability(False,
                            "该事项需联网办理，当前无法连接政务服务平台，请稍后再试或到窗口办理",
                            "platform unreachable and service not offline-eligible")
    if s.hours_since_contact is None or s.hours_since_contact > limits.max_hours_since_contact:
        hours = "never" if s.hours_since_contact is None else f"{s.hours_since_contact:.1f} h"
        return Availability(False, "终端与政务服务平台断开时间过长，暂停离线受理，请到窗口办理",
                            f"last contact {hours} > {limits.max_hours_since_contact} h")
    if s.catalogue_age_hours is None or s.catalogue_age_hours > limits.max_catalogue_age_hours:
        age = "unknown" if s.catalogue_age_hours is None else f"{s.catalogue_age_hours:.1f} h"
        return Availability(False, "办事指南长时间未更新，暂停离线受理，请到窗口办理",
                            f"catalogue age {age} > {limits.max_catalogue_age_hours} h")
    return OK_OFFLINE
