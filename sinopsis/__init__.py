"""sinopsis: the application — the composition root that wires the packages together.

The `sinopsis` command (`sinopsis.cli`, also `python -m sinopsis`), the demo, soak, simulate and bench runners,
the kiosk's wiring to the kit and the demo's HQ seeding live here. This package may import every other package;
none of them imports it (an import-linter contract in pyproject.toml, run by ./test.sh).
"""
