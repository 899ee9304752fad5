#!/usr/bin/env bash
# test.sh: run every test (lint included). Installs first when .venv is missing. Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/sinopsis ] || ./setup.sh --no-run
.venv/bin/ruff check .
# The layering (pyproject.toml [tool.importlinter]; docs/architecture.md, "The map").
.venv/bin/lint-imports --no-cache
# Two processes (pytest-xdist; worksteal: an idle process takes queued tests from the busy one). `./test.sh -n0 …`
# runs in one process, e.g. to debug.
exec .venv/bin/python -m pytest -n 2 --dist worksteal "$@"
