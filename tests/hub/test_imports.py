"""Imports sit at the top of a module, where import-linter and a reader see them."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "cms", "communities", "hub", "marketplace", "messaging")


def _imports_inside_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        # An app's ready() is where Django wants its start-up imports.
        if function.name == "ready" and path.name == "apps.py":
            continue
        found += [
            f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
            for node in ast.walk(function)
            if isinstance(node, ast.Import | ast.ImportFrom)
        ]
    return found


def test_no_app_module_imports_inside_a_function():
    sources = [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]

    hidden = [line for path in sources for line in _imports_inside_functions(path)]

    assert sources
    assert hidden == []
