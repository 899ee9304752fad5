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
# One thread a process for numpy's OpenBLAS and OpenCV's parallel loops: both start a thread per core in every
# process and keep them spinning after each call, which with four test processes (and their children) on 2 cores
# only burnt CPU the tests needed (measured: a CLI child's start 0.45 -> 0.3 s of CPU; the face evaluation and
# capture engine tests 33 -> 25 s of CPU, the same wall time). Nothing in the tests is timed; the benches
# (`sinopsis bench`) run with the libraries' defaults.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OPENCV_FOR_THREADS_NUM="${OPENCV_FOR_THREADS_NUM:-1}"
# The same for Mesa's llvmpipe, which draws the kiosk's offscreen windows here (no GPU): by default a drawing thread
# per core, spinning between frames; 0 draws in the calling thread. Measured on two kiosk tests: 15.5 -> 8.9 s of
# CPU, 11 -> 9.8 s of wall time.
export LP_NUM_THREADS="${LP_NUM_THREADS:-0}"
# Bytecode: where the environment sets PYTHONDONTWRITEBYTECODE (this workplace does), every test process and every
# child it starts (hundreds a run: CLI commands, servers, kiosks) compiled the project's modules from source again.
# Compiled once here into the tree's __pycache__ (git ignores it), every process reads them; the libraries' own
# bytecode is pip's. (PYTHONPYCACHEPREFIX is no help: it hides pip's bytecode too, and a fresh checkout then
# compiled all of Django, numpy and Kivy in every process that started before the cache filled.)
# pytest keeps its assertion-rewritten test modules there too once writing is allowed (≈ 5 s of CPU a test process);
# tests/rewrite_cache.py writes them once on both cores first, so a fresh checkout (CI's) does not pay it four times.
.venv/bin/python -m compileall -q -j 0 $(dirname ./*/__init__.py)  # every top-level package, tests included
unset PYTHONDONTWRITEBYTECODE
.venv/bin/python -m tests.rewrite_cache
exec .venv/bin/python -m pytest -n 4 --dist worksteal "$@"
