#!/usr/bin/env bash
# test.sh: run every test (lint included). Installs first when .venv is missing. Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/sinopsis ] || ./setup.sh --no-run
.venv/bin/ruff check .
# The layering (pyproject.toml [tool.importlinter]; docs/architecture.md, "The map").
.venv/bin/lint-imports --no-cache
# Four processes on the 2 cores (pytest-xdist; many tests wait on brokers, servers and sockets, so the extra processes
# fill those waits; worksteal: an idle process takes queued tests from a busy one). `./test.sh -n0 …`
# runs in one process, e.g. to debug.
exec .venv/bin/python -m pytest -n 4 --dist worksteal "$@"
