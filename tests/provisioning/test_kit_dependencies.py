"""The kit's venv holds what the kit's code imports (issue 23: the image recipe installed the project without its
`kit` extra, and the kiosk and agent could not have started on a real kit). Every third-party module imported by
the packages a kit runs is provided by a base dependency or the `kit` extra of pyproject.toml, and the recipe
installs that extra."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
KIT_PACKAGES = ("contract", "station", "native", "drivers", "kiosk", "edge_agent", "provisioning")
OURS = {"sinopsis", "hq", *KIT_PACKAGES}
# The maintainer's scripts that rebuild a sample set from public snapshots (native/samples/*/build_devset.py): run by
# hand in a scratch venv, never imported by the kit (checked below), so what they need is not the kit's.
MAINTAINER_TOOLS = "native/samples/*/build_devset.py"


def _name(requirement: str) -> str:
    return re.split(r"[ ;=<>\[!~]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imported(package: str) -> set[str]:
    found = set()
    for path in (PROJECT / package).rglob("*.py"):
        if path.relative_to(PROJECT).match(MAINTAINER_TOOLS):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_every_module_a_kit_imports_comes_with_the_kit_extra():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    allowed = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["kit"]}
    modules = set().union(*(_imported(p) for p in KIT_PACKAGES)) - OURS - set(sys.stdlib_module_names)
    by_module = packages_distributions()
    missing = {m: by_module.get(m, ["?"]) for m in sorted(modules)
               if not {d.lower().replace("_", "-") for d in by_module.get(m, [])} & allowed}
    assert not missing, f"imported by the kit's code but not in pyproject's kit extra: {missing}"


def test_no_module_imports_a_maintainers_build_script():
    tools = {".".join(path.relative_to(PROJECT).with_suffix("").parts) for path in PROJECT.glob(MAINTAINER_TOOLS)}
    assert tools, f"no {MAINTAINER_TOOLS} found: the exclusion above names nothing"
    folders = [d for d in PROJECT.iterdir() if d.is_dir() and not d.name.startswith(".")]  # not .venv, .git
    for path in [*PROJECT.glob("*.py"), *(p for d in folders for p in d.rglob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        if not any(tool.rsplit(".", 1)[-1] in text for tool in tools):  # an import names the module
            continue
        names = set()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
        assert not names & tools, f"{path} imports a maintainer's build script ({names & tools})"


def test_the_image_recipe_installs_the_kit_extra():
    script = (PROJECT / "provisioning" / "image" / "build-image.sh").read_text()
    assert re.search(r'pip install -q -e "\$install_dir\[kit\]"', script)
