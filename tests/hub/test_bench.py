"""The benchmarks run on a fresh clone as the README writes them (their timings
are not tested: only that what they need is there)."""

import ast
import importlib.util
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
BENCH = ROOT / "bench"


def _pinned(requirements: str) -> set[str]:
    names = set()
    for line in (ROOT / "requirements" / requirements).read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9_.\-]+)==", line):
            names.add(match.group(1).lower().replace("_", "-"))
    return names


def _imported_distributions(script: Path) -> set[str]:
    """Third-party distributions a script imports (at the top or inside functions)."""
    tree = ast.parse(script.read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module.split(".")[0])
    ours = {p.name for p in ROOT.iterdir() if p.is_dir()} | {
        p.stem for p in BENCH.glob("*.py")
    }
    distributions = packages_distributions()
    return {
        dist.lower().replace("_", "-")
        for module in modules - ours - set(sys.stdlib_module_names)
        for dist in distributions.get(module, [module])
    }


def _load(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(
            f"bench_{name}", BENCH / f"{name}.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def test_the_benchmarks_need_only_packages_that_make_bench_deps_installs():
    installed = _pinned("base.txt") | _pinned("bench.txt")
    makefile = (ROOT / "Makefile").read_text()

    for script in BENCH.glob("*.py"):
        missing = _imported_distributions(script) - installed
        assert not missing, f"{script.name} imports {missing}"
    assert "requirements/bench.txt" in makefile


def test_the_readme_sets_up_the_benchmarks_before_running_them():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Benchmarks") :]

    assert section.index("make bench-deps") < section.index("bench/realtime.py")


def test_the_realtime_benchmark_creates_its_sqlite_folder(tmp_path, monkeypatch):
    realtime = _load("realtime")
    monkeypatch.setattr(realtime, "ROOT", tmp_path / "fresh-clone")
    monkeypatch.delenv("DATABASE_URL", raising=False)

    env = realtime.server_env()

    assert Path(env["SQLITE_PATH"]).parent.is_dir()


def test_the_geo_benchmark_creates_the_folder_of_its_sqlite_file(tmp_path):
    support = _load("support")

    path = support.sqlite_file(tmp_path / "nowhere" / "bench-geo.sqlite3")

    assert Path(path).parent.is_dir()
