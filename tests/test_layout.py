"""The stage layout (docs/contributing.md): imports go one way, from a stage to those before it.

Read from the source with ``ast`` (imports inside functions count too), so a
lazy import cannot hide a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ANALYSIS = REPO / "analysis"

# The stages of analysis/, in data-flow order. The foundation modules at the top of
# analysis/ (errors, results, parallel) may be imported by every stage.
FOUNDATION = ("errors", "results", "parallel")
STAGES = ("config", "store", "text", "io", "process", "counts", "stats", "lenses", "reports")
# Inside lenses/, no lens imports another: shared work belongs one stage down.
NO_SIDEWAYS = ("lenses",)


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    parts = tuple(p for p in parts if p != "__init__")
    return "framelens." + ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute framelens modules imported anywhere in ``path``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import (imports are absolute)"
            base = node.module or ""
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("framelens.")}


def _modules(folder: Path) -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(folder.rglob("*.py"))}


ANALYSIS_MODULES = _modules(ANALYSIS)


def _stage(module: str) -> str | None:
    """``framelens.analysis.<stage>...`` -> stage, or the foundation module's name."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "analysis" else None


def _rank(stage: str) -> int:
    return -1 if stage in FOUNDATION else STAGES.index(stage)


def test_every_analysis_folder_is_a_known_stage():
    folders = {p.name for p in ANALYSIS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(STAGES)
    modules = {p.stem for p in ANALYSIS.glob("*.py")} - {"__init__"}
    assert modules == set(FOUNDATION)


@pytest.mark.parametrize("module", sorted(ANALYSIS_MODULES))
def test_a_stage_imports_only_the_stages_before_it(module):
    stage = _stage(module)
    for imported in _imports(ANALYSIS_MODULES[module]):
        assert not imported.startswith("framelens.cli"), f"{module} imports the CLI ({imported})"
        target = _stage(imported)
        if target is None or imported not in ANALYSIS_MODULES and \
                imported.rsplit(".", 1)[0] not in ANALYSIS_MODULES:
            continue
        if stage in FOUNDATION:
            assert target in FOUNDATION, f"foundation module {module} imports {imported}"
            continue
        assert _rank(target) <= _rank(stage), \
            f"{module} ({stage}) imports {imported} ({target}), a later stage"
        if stage in NO_SIDEWAYS and target == stage:
            own = module.split(".")[3]
            other = imported.split(".")[3]
            assert own == other, f"lens {module} imports another lens ({imported})"


def test_analysis_never_imports_typer_or_rich_or_prints():
    for module, path in ANALYSIS_MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                    else [node.module or ""]
                assert not any(n.split(".")[0] in ("typer", "rich", "click") for n in names), \
                    f"{module} imports {names}"
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                raise AssertionError(f"{module} prints (line {node.lineno})")


def test_no_import_cycles():
    modules = {**ANALYSIS_MODULES, **_modules(REPO / "cli")}
    graph = {}
    for module, path in modules.items():
        edges = set()
        for imported in _imports(path):
            target = imported if imported in modules else imported.rsplit(".", 1)[0]
            if target in modules and target != module:
                edges.add(target)
        graph[module] = edges
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done:
            return
        assert module not in visiting, "import cycle: " + " -> ".join(
            visiting[visiting.index(module):] + [module])
        visiting.append(module)
        for target in sorted(graph[module]):
            visit(target)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_every_package_is_installed():
    """pyproject.toml lists every package folder (setuptools does not find them by itself)."""
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    folders = {_module_name(p.parent / "__init__.py")
               for top in ("analysis", "cli", "sources") for p in (REPO / top).rglob("__init__.py")}
    assert folders == listed


def test_no_module_cites_files_outside_the_repository():
    for top in ("analysis", "cli"):
        for path in (REPO / top).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for outside in ("DESIGN.md", "STYLE.md", "../shared"):
                assert outside not in text, f"{path} cites {outside}: cite docs/ instead"
