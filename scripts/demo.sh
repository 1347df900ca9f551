#!/usr/bin/env bash
# Start the kiosk in demo mode: simulated devices, the embedded reference platform,
# data in the per-user data directory. Set-up runs first (idempotent).
# Extra arguments go to `kiosk demo`, e.g. scripts/demo.sh --orientation landscape --windowed
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
VENV="${KIOSK_VENV:-$ROOT/.venv}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "[demo] no display found: running offscreen (use --screenshot FILE.png to see a screen)"
  export QT_QPA_PLATFORM=offscreen
fi
exec "$VENV/bin/kiosk" demo "$@"
