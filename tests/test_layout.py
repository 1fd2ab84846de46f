"""The house: index never imports the bot, no import circles, every module says its job."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT


def test_index_never_imports_bot_or_telegram() -> None:
    modules = sorted(_module_names("index"))
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('bot', 'telegram'))\n"
        + "print(','.join(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
    assert len(modules) >= 8


def _module_names(package: str) -> dict[str, Path]:
    """Every module of a package, by dotted name (a package by its own name)."""
    names = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _imports(path: Path, known: set[str]) -> set[str]:
    """The package's own modules a module imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in known}
    return found


def test_no_module_imports_itself_through_others() -> None:
    """A circle of imports (a imports b, which imports a, even inside a function) means
    two modules that are one job, or a layer reaching up: neither can change alone."""
    modules = _module_names("index") | _module_names("bot")
    graph = {name: _imports(path, set(modules)) - {name} for name, path in modules.items()}
    circles = []
    for start in graph:  # every module reachable from start: does start come back?
        seen, todo = set(), list(graph[start])
        while todo:
            name = todo.pop()
            if name == start:
                circles.append(start)
                break
            if name not in seen:
                seen.add(name)
                todo.extend(graph[name])
    assert circles == []


def test_every_module_says_its_job_in_a_one_line_docstring() -> None:
    for package in ("index", "bot"):
        for path in sorted(Path(ROOT / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            assert source.startswith('"""'), path
            first = source.splitlines()[0]
            assert first.endswith('"""') and len(first) > 10, path


def test_the_license_the_package_declares_is_shipped() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert declared["project"]["license"] in ("MIT", {"text": "MIT"}, {"file": "LICENSE"})
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
