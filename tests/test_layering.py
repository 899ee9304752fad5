"""The import graph of the whole tree (grimp, the graph import-linter checks in ./test.sh): no module takes part in
an import cycle, nothing outside the application imports `sinopsis`, and the station side never imports `hq`."""

import grimp
import pytest

PACKAGES = ("sinopsis", "kiosk", "edge_agent", "hq", "provisioning", "station", "drivers", "native", "contract")
STATION_SIDE = ("drivers", "native", "station", "edge_agent", "kiosk", "contract")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_is_part_of_an_import_cycle(graph):
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    g = grimp.ImportGraph()
    for name in ("a", "b", "c", "d"):
        g.add_module(name)
    g.add_import(importer="a", imported="b")
    g.add_import(importer="b", imported="c")
    g.add_import(importer="c", imported="a")
    g.add_import(importer="c", imported="d")
    assert _cycles(g) == [["a", "b", "c"]]


def test_nothing_outside_the_application_imports_it(graph):
    importers = {m for m in graph.find_modules_that_directly_import("sinopsis") if not m.startswith("sinopsis")}
    for module in graph.find_descendants("sinopsis"):
        importers |= {m for m in graph.find_modules_that_directly_import(module) if not m.startswith("sinopsis")}
    assert importers == set()


@pytest.mark.parametrize("package", STATION_SIDE)
def test_the_station_side_never_reaches_hq(graph, package):
    assert not graph.chain_exists(importer=package, imported="hq", as_packages=True)
