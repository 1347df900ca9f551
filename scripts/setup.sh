#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine with Python 3.11.
#
#   scripts/setup.sh          runtime: Debian packages + .venv with the pinned runtime set
#   scripts/setup.sh --dev    the same plus the pinned test and lint tools
#
# Each step checks first and does nothing when already done, so running it
# before every start costs about a second. It prints what it does.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${KIOSK_VENV:-$ROOT/.venv}"
DEV=0
[ "${1:-}" = "--dev" ] && DEV=1

say() { printf '[setup] %s\n' "$*"; }

# --- Debian packages --------------------------------------------------------
# Runtime: Qt's offscreen/xcb needs EGL, xkbcommon, fontconfig, dbus; CJK fonts so
# Chinese never renders as tofu; pcscd/vpcd/socat/cups/poppler for the device and
# printing layers and their test rigs; swig + libpcsclite-dev + gcc to build pyscard.
APT_PACKAGES=(
  python3-venv python3-dev gcc swig libpcsclite-dev pcscd vsmartcard-vpcd socat
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libpulse0 fonts-noto-cjk fonts-wqy-microhei poppler-utils cups cups-client cups-bsd
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "need root or sudo to install: ${missing[*]}"; exit 1; }
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages present"
fi

# --- Python ------------------------------------------------------------------
PY="${KIOSK_PYTHON:-python3}"
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), sys.version' \
  || { say "Python 3.11 or newer is required"; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
  say "creating virtualenv $VENV"
  "$PY" -m venv "$VENV"
fi

# Reinstall only when a pinned set changes: each stamp holds the hash of its inputs.
install_if_changed() {  # name, then pip arguments
  local name="$1"; shift
  local want; want="$(cat "$@" 2>/dev/null | sha256sum | cut -c1-16)"
  local stamp="$VENV/.kiosk-$name"
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    say "installing pinned $name packages into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$1" 2>&1 \
      | { grep -v "is ignored: it is neither a file nor a directory" || true; }
    echo "$want" > "$stamp"
  else
    say "$name packages up to date"
  fi
}
install_if_changed runtime "$ROOT/requirements.lock"
[ "$DEV" -eq 1 ] && install_if_changed dev "$ROOT/requirements-dev.lock"
# The project itself, editable; reinstalled when pyproject.toml changes (packages, scripts).
want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ "$(cat "$VENV/.kiosk-project" 2>/dev/null || true)" != "$want" ] || [ ! -x "$VENV/bin/kiosk" ]; then
  say "installing the kiosk package (editable)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e "$ROOT" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  echo "$want" > "$VENV/.kiosk-project"
fi

# --- Build steps -------------------------------------------------------------
# Qt translations (.ts -> .qm) are built, not committed.
if compgen -G "$ROOT/ui/i18n/*.ts" >/dev/null; then
  for ts in "$ROOT"/ui/i18n/*.ts; do
    qm="${ts%.ts}.qm"
    if [ ! -f "$qm" ] || [ "$ts" -nt "$qm" ]; then
      say "building translation $(basename "$qm")"
      "$VENV/bin/pyside6-lrelease" -silent "$ts" -qm "$qm"
    fi
  done
fi
say "ready"
