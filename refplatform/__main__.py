"""``python -m refplatform serve --data-dir DIR``."""

from __future__ import annotations

from refplatform.server import main

raise SystemExit(main())
