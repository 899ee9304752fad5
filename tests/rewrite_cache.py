"""Write pytest's assertion-rewritten bytecode of the test modules once, before ./test.sh starts its test processes.

Each pytest process rewrites the asserts of every test module and conftest it imports (≈ 5 s of CPU for this
suite) unless it finds the rewritten bytecode pytest keeps beside the module (`__pycache__/*-pytest-*.pyc`, hash
checked, so it stays valid in a fresh clone). In a fresh checkout, such as CI's, all four test processes started at
once and each rewrote everything: ≈ 20 s of CPU on two cores. Here it is done once, on two cores, with pytest's own
rewriting and its own file format; a module whose bytecode is already valid is skipped, and anything pytest's
internals no longer offer only makes this a no-op (the test processes then rewrite as before).
"""

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

TESTS = Path(__file__).resolve().parent


class _Quiet:
    """pytest's AssertionState as far as writing a pyc uses it: a trace that says nothing."""

    @staticmethod
    def trace(*_args: object) -> None:
        return None


def _write(fn: Path) -> bool:
    from _pytest.assertion import rewrite

    pyc = rewrite.get_cache_dir(fn) / (fn.name[:-3] + rewrite.PYC_TAIL)
    if rewrite._read_pyc(fn, pyc, _Quiet.trace) is not None:
        return False
    rewrite.try_makedirs(pyc.parent)
    source_hash, code = rewrite._rewrite_test(fn, None)  # no config: the defaults, as pyproject.toml leaves them
    return rewrite._write_pyc(_Quiet(), code, source_hash, pyc)


def main() -> int:
    """Rewrite what needs it; prints nothing, always exits 0 (an optimisation, never a gate)."""
    try:
        from _pytest.assertion import rewrite

        needed = (rewrite.get_cache_dir, rewrite._read_pyc, rewrite._rewrite_test, rewrite._write_pyc,
                  rewrite.try_makedirs, rewrite.PYC_TAIL)
    except (ImportError, AttributeError):
        return 0
    del needed
    modules = sorted(p for p in TESTS.rglob("*.py") if p.name == "conftest.py" or p.name.startswith("test_"))
    try:
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(_write, modules, chunksize=8))
    except Exception as e:  # noqa: BLE001 - never a gate: the test processes rewrite what is left
        print(f"tests/rewrite_cache.py: skipped ({e})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
