"""The pipeline's dependencies point one way: nothing below the orchestration imports it."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "biosig"
BELOW = ("datasets", "preprocessing", "windows", "features", "models", "training", "evaluation")
ABOVE = ("biosig.study", "biosig.cli")


def _imports(path):
    """Every module a file imports, relative imports resolved, wherever the import sits."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize("package", BELOW)
def test_no_stage_imports_the_orchestration(package):
    files = sorted((PACKAGE / package).rglob("*.py"))
    assert files
    offending = {f"{path.relative_to(PACKAGE.parent)}: {name}" for path in files
                 for name in _imports(path)
                 if name == "biosig" or name.startswith(ABOVE) or name == "biosig.__version__"}
    assert not offending, sorted(offending)


def test_the_check_sees_relative_imports(tmp_path):
    module = PACKAGE / "windows" / "_store.py"
    names = set(_imports(module))
    assert "biosig._config" in names and "biosig.windows._windows" in names
