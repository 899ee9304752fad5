"""The order tests are handed to the test processes: the longest first, one per process in turn (./test.sh runs
`pytest -n 4 --dist worksteal`).

Worksteal gives each process one contiguous quarter of the collection and an idle process then takes the back half
of the longest queue. A 40-second test that happens to sit late in the collection therefore starts late and runs
alone at the end: the run's tail. Dealt out longest-first (the classic LPT rule), each process starts with its share
of the long tests and the short ones fill the gaps by stealing. The list holds the tests measured slowest by
`pytest --durations=80` (approximate seconds on the 2-core development VM); a name that no longer matches is simply
not moved, and the order changes nothing but the time (every test still runs, in its own fixtures)."""

import pytest

LONGEST = {  # node id prefix -> seconds measured (2026-12-06, ./test.sh --durations=80)
    "tests/sinopsis/test_demo.py::test_demo_runs_end_to_end": 42,
    "tests/native/test_face_eval.py": 24,
    "tests/kiosk/test_screenshots.py": 24,
    "tests/hq/test_restart.py": 20,
    "tests/hq/applications/test_journey_browser.py": 21,
    "tests/e2e/test_network_faults.py::test_a_broker_crash_that_outlives": 20,
    "tests/sinopsis/test_cli_quality.py::test_eval_fingerprints": 17,
    "tests/sinopsis/test_field_day.py": 17,
    "tests/e2e/test_network_faults.py::test_acks_slower": 14,
    "tests/kiosk/test_bench_ui.py": 14,
    "tests/e2e/test_network_faults.py::test_hqs_link_stalled": 13,
    "tests/e2e/test_network_faults.py::test_hq_ingest_down": 13,
    "tests/e2e/test_network_faults.py::test_a_stalled_connection": 12,
    "tests/e2e/test_network_faults.py::test_an_idle_link": 12,
    "tests/hq/lists/test_browser.py": 11,
    "tests/hq/helpdesk/test_browser.py": 10,
    "tests/hq/test_postgres.py": 10,
    "tests/hq/test_dashboard_browser.py": 8,
    "tests/kiosk/test_capture_decisions.py::test_four_four_two": 8,
}


def weight(item: pytest.Item) -> int:
    """The measured seconds of the first LONGEST entry `item`'s node id starts with; 0 for every other test."""
    return next((s for prefix, s in LONGEST.items() if item.nodeid.startswith(prefix)), 0)


def deal_longest_first(items: list[pytest.Item], processes: int) -> None:
    """Reorder `items` in place: the long tests in descending order dealt round-robin to the head of each of the
    `processes` equal chunks worksteal will hand out; every other test keeps its relative order behind them."""
    if processes < 2:
        return
    long = sorted((i for i in items if weight(i)), key=weight, reverse=True)
    if not long:
        return
    rest = [i for i in items if not weight(i)]
    chunk = len(items) // processes
    heads: list[list[pytest.Item]] = [long[p::processes] for p in range(processes)]
    ordered: list[pytest.Item] = []
    for p in range(processes):
        ordered += heads[p]
        take = max(0, chunk - len(heads[p])) if p < processes - 1 else len(rest)
        ordered += rest[:take]
        rest = rest[take:]
    items[:] = ordered
