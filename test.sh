#!/usr/bin/env bash
# test.sh: run every test (lint included). Installs first when .venv is missing. Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/sinopsis ] || ./setup.sh --no-run
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
