"""No code that runs in production imports a package requirements.txt does not install.

``django_stubs_ext`` (pulled in by django-stubs, a dev dependency) was once imported at run
time and the production image failed at its first request (issue 13). Imports under
``if TYPE_CHECKING:`` are for the type checker only and do not count. tests/deploy runs the
real thing from a clean virtualenv; this is the fast guard that names the file.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
NOT_SHIPPED = {"tests", "bench", "scripts", "var", "docs", "locale", "static", "templates"}


def project_packages() -> set[str]:
    return {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name not in NOT_SHIPPED}


def runtime_distributions() -> set[str]:
    """requirements.txt and everything those packages require, as installed here."""
    seen: set[str] = set()
    todo: list[Requirement] = []
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            todo.append(Requirement(line))
    while todo:
        requirement = todo.pop()
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if name in seen:
            continue
        seen.add(name)
        for text in metadata.requires(requirement.name) or []:
            child = Requirement(text)
            extras = requirement.extras or {""}
            if child.marker is None or any(child.marker.evaluate({"extra": extra}) for extra in extras):
                todo.append(child)
    return seen


def allowed_modules() -> set[str]:
    runtime = runtime_distributions()
    provided = {
        module
        for module, dists in metadata.packages_distributions().items()
        if any(re.sub(r"[-_.]+", "-", d).lower() in runtime for d in dists)
    }
    return provided | set(sys.stdlib_module_names) | project_packages() | {"__future__"}


def runtime_imports(tree: ast.AST) -> set[tuple[str, int]]:
    """Top-level module names imported outside ``if TYPE_CHECKING:`` blocks."""
    found: set[tuple[str, int]] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_no_runtime_import_comes_from_a_dev_only_package():
    allowed = allowed_modules()
    assert "django" in allowed and "celery" in allowed and "gunicorn" in allowed
    assert "django_stubs_ext" not in allowed and "pytest" not in allowed
    wrong = []
    for package in sorted(project_packages()):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for module, line in sorted(runtime_imports(tree)):
                if module not in allowed:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "not installed by requirements.txt:\n" + "\n".join(wrong)


def test_the_guard_sees_a_runtime_import_and_ignores_a_type_checking_one():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import django_stubs_ext\n"
        "if TYPE_CHECKING:\n    import mypy\n"
        "def f():\n    from pytest import fixture\n"
    )
    assert {m for m, _line in runtime_imports(ast.parse(source))} == {"typing", "django_stubs_ext", "pytest"}
