"""The reference provincial platform: the other end of docs/platform-api.md, used by the
demo and by the tests. Run it with ``python -m refplatform serve --data-dir DIR`` or embed
it with :class:`PlatformServer`. How to operate it: docs/refplatform.md.

The names below are imported when first used (PEP 562): ``refplatform.spawn``, which a
benchmark imports to run the platform in another process, must not load the platform (its
web framework, store and keys: ≈ 17 MB) into the process being measured."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from refplatform.app import PlatformState, create_app
    from refplatform.faults import FaultKind, FaultPlan, FaultProxy, FaultRule
    from refplatform.server import PlatformServer, main

__all__ = ["FaultKind", "FaultPlan", "FaultProxy", "FaultRule", "PlatformServer",
           "PlatformState", "create_app", "main"]

_HOMES = {"PlatformState": "app", "create_app": "app", "FaultKind": "faults",
          "FaultPlan": "faults", "FaultProxy": "faults", "FaultRule": "faults",
          "PlatformServer": "server", "main": "server"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'refplatform' has no attribute {name!r}")
    return getattr(importlib.import_module(f"refplatform.{home}"), name)
