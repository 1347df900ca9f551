#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: set-up (idempotent), lint,
# type check, QML lint, then pytest (offscreen Qt). Screenshots land in artifacts/.
# Extra arguments go to pytest, e.g. scripts/test.sh -k journey
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh" --dev
cd "$ROOT"
VENV="${KIOSK_VENV:-$ROOT/.venv}"
export QT_QPA_PLATFORM=offscreen
export KTEST_ARTIFACTS="${KTEST_ARTIFACTS:-$ROOT/artifacts}"
mkdir -p "$KTEST_ARTIFACTS"

echo "[test] ruff"
"$VENV/bin/ruff" check .
echo "[test] mypy"
"$VENV/bin/mypy" --no-error-summary kiosk devices sync printing ui refplatform bench tools main.py
echo "[test] qmllint"
"$VENV/bin/pyside6-qmllint" -I ui/qml --max-warnings 0 ui/qml/Main.qml $(ls ui/qml/Kiosk/*.qml | grep -v /Theme.qml)
echo "[test] pytest"
"$VENV/bin/python" -m pytest "$@"
