"""The longest-first dealing of tests/scheduling.py: every test kept once, the long ones at the head of each
process's chunk in descending order."""

from dataclasses import dataclass

from tests.scheduling import deal_longest_first


@dataclass
class Item:
    nodeid: str


def test_long_tests_lead_each_chunk_and_nothing_is_lost_or_repeated():
    names = [f"tests/x/test_{n}.py::t" for n in range(20)]
    names[3] = "tests/sinopsis/test_demo.py::test_demo_runs_end_to_end"
    names[17] = "tests/hq/test_restart.py::test_a[1]"
    names[18] = "tests/hq/test_restart.py::test_a[2]"
    names[19] = "tests/kiosk/test_screenshots.py::test_all"
    items = [Item(n) for n in names]
    deal_longest_first(items, 4)
    assert sorted(i.nodeid for i in items) == sorted(names)
    chunk = len(items) // 4
    heads = [items[p * chunk].nodeid for p in range(4)]
    assert heads[0].startswith("tests/sinopsis/test_demo.py") and heads[1].startswith("tests/kiosk/test_screenshots")
    assert all(h.startswith("tests/hq/test_restart.py") for h in heads[2:])
    short = [n for n in names if n.startswith("tests/x/")]
    assert [i.nodeid for i in items if i.nodeid.startswith("tests/x/")] == short


def test_one_process_keeps_the_collection_order():
    items = [Item("tests/a.py::t"), Item("tests/sinopsis/test_demo.py::test_demo_runs_end_to_end")]
    deal_longest_first(items, 1)
    assert [i.nodeid for i in items] == ["tests/a.py::t", "tests/sinopsis/test_demo.py::test_demo_runs_end_to_end"]
