"""Retry timing: exponential backoff with full jitter, Retry-After, and spread starts.

Pure functions and a small policy object, shared by the sync worker and the fleet
simulation, so what the tests measure is what kiosks do (reliability.md §1.5):

* ``delay(attempts)`` = uniform(0, min(cap, base · 2^attempts)) — full jitter;
* a ``Retry-After`` from the platform is a floor (clamped to 1 s … 1 h);
* the first attempt after start-up or after the link comes back is spread uniformly over
  ``spread_s`` so a thousand kiosks reconnecting at once do not arrive at once.
"""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass, field

RETRY_AFTER_MIN_S = 1.0
RETRY_AFTER_MAX_S = 3600.0


@dataclass
class BackoffPolicy:
    base_s: float = 2.0
    cap_s: float = 900.0
    spread_s: float = 60.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempts: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait before attempt number ``attempts + 1``."""
        ceiling = min(self.cap_s, self.base_s * (2 ** min(attempts, 32)))
        wait = self.rng.uniform(0, ceiling)
        if retry_after_s is not None:
            wait = max(wait, clamp_retry_after(retry_after_s))
        return wait

    def first_attempt_delay(self) -> float:
        return self.rng.uniform(0, self.spread_s)


def clamp_retry_after(seconds: float) -> float:
    return min(RETRY_AFTER_MAX_S, max(RETRY_AFTER_MIN_S, seconds))


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """``Retry-After`` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); None if absent or
    unreadable. ``now`` is the platform-aligned Unix time used for the date form."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return clamp_retry_after(float(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return clamp_retry_after(when.timestamp() - now)
