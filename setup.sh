#!/usr/bin/env bash
# setup.sh: install everything SINOPSIS needs on Debian 12 (apt, .venv, C build), then start the demo.
#   ./setup.sh            install (quick when nothing changed) and run `sinopsis demo`
#   ./setup.sh --no-run   install only (what ./test.sh and CI use)
set -euo pipefail
cd "$(dirname "$0")"

run_demo=1
for arg in "$@"; do
  case "$arg" in
    --no-run) run_demo=0 ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (use --no-run or --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# 1. Debian packages. Only asks apt when something is missing, so a second run is quick.
APT_PACKAGES=(
  python3 python3-venv python3-dev gcc libgl1 libegl1 libmtdev1
  mosquitto mosquitto-clients socat systemd
  chromium chromium-driver
  poppler-utils  # pdftoppm: the tests look at HQ's PDFs (SPT, service report) as images
  postgresql  # HQ's PostgreSQL test runs a throw-away cluster (HQ itself defaults to SQLite)
  cage udev  # the kit's compositor (systemd-analyze verify checks the kiosk unit's ExecStart) and udevadm (rule tests)
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  say "apt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 2. The virtual environment and the package (editable, which also compiles the C parts through cffi).
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $($PYTHON --version)"
  $PYTHON -m venv .venv
fi
stamp=.venv/.sinopsis-installed
want=$(cat pyproject.toml setup.py native/_build.py native/*.c native/*.h native/vendor/*.h native/sim/*.c native/sim/*.h | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "pip: installing sinopsis and its pinned dependencies (with the C build)"
  .venv/bin/python -m pip install -q --upgrade pip==25.3
  .venv/bin/python -m pip install -q -e '.[test]'
  echo "$want" > "$stamp"
else
  say "Python packages and C build are up to date"
fi
.venv/bin/python -c "import native._native" || { echo "setup.sh: the C extension did not build" >&2; exit 1; }

if [ "$run_demo" -eq 1 ]; then
  say "starting the demo (sinopsis demo)"
  exec .venv/bin/sinopsis demo
fi
say "installed; run ./test.sh for the tests or .venv/bin/sinopsis demo for the demo"
