"""The reference provincial platform: the other end of docs/platform-api.md, used by the
demo and by the tests. Run it with ``python -m refplatform serve --data-dir DIR`` or embed
it with :class:`PlatformServer`. How to operate it: docs/refplatform.md."""

from __future__ import annotations

from refplatform.app import PlatformState, create_app
from refplatform.faults import FaultKind, FaultPlan, FaultProxy, FaultRule
from refplatform.server import PlatformServer, main

__all__ = ["FaultKind", "FaultPlan", "FaultProxy", "FaultRule", "PlatformServer",
           "PlatformState", "create_app", "main"]
