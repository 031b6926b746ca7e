"""The pure core (scoring, scheduling, tally) imports no web framework, ORM or application layer."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = ("matchmaking/scoring", "matchmaking/scheduling", "matchmaking/tally")
FORBIDDEN_TOP = ("flask", "sqlalchemy", "werkzeug", "wtforms")
FORBIDDEN_APP = tuple(
    f"matchmaking.{name}" for name in ("extensions", "models", "services", "blueprints")
)


def forbidden(module: str) -> bool:
    """True for flask, flask_*, sqlalchemy, werkzeug, wtforms and the app's impure layers."""
    top = module.split(".")[0]
    if top in FORBIDDEN_TOP or top.startswith("flask_"):
        return True
    return any(module == app or module.startswith(app + ".") for app in FORBIDDEN_APP)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> list[str]:
    """Every module an import statement (or a literal importlib call) in ``path`` may load."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> list[str]:
    """The modules ``source``, a module of ``package``, may load; relative imports resolved."""
    tree = ast.parse(source)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(base)
            # "from matchmaking import models" loads matchmaking.models.
            found += [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = getattr(func, "attr", None) or getattr(func, "id", None)
            first = node.args[0]
            if name in ("import_module", "__import__") and isinstance(first, ast.Constant):
                found.append(str(first.value))
    return found


PURE_FILES = sorted(p for d in PURE for p in (ROOT / d).rglob("*.py"))


def test_the_pure_packages_exist() -> None:
    assert {d.rsplit("/", 1)[1] for d in PURE} <= {p.parent.name for p in PURE_FILES}


@pytest.mark.parametrize("path", PURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_forbidden_import_statement(path: Path) -> None:
    bad = [name for name in imported(path) if forbidden(name)]
    assert bad == [], f"{path.relative_to(ROOT)} imports {bad}"


# Importing a subpackage runs matchmaking/__init__.py (the app factory, which may import Flask).
# The probe registers a bare namespace for "matchmaking" so that only the pure code is judged.
PROBE = """
import importlib, json, pkgutil, sys, types
root, packages = sys.argv[1], sys.argv[2:]
shell = types.ModuleType("matchmaking")
shell.__path__ = [root + "/matchmaking"]
sys.modules["matchmaking"] = shell
for package in packages:
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        if not info.name.rsplit(".", 1)[-1].startswith("__"):
            importlib.import_module(info.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_the_pure_packages_loads_nothing_forbidden() -> None:
    packages = [d.replace("/", ".") for d in PURE if (ROOT / d / "__init__.py").exists()]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT), *packages],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert [m for m in packages if m not in loaded] == []
    assert [m for m in loaded if forbidden(m)] == []


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("flask", True),
        ("flask_babel", True),
        ("flask.json", True),
        ("sqlalchemy.orm", True),
        ("werkzeug", True),
        ("wtforms.fields", True),
        ("matchmaking.models.company", True),
        ("matchmaking.extensions", True),
        ("matchmaking.scoring.model", False),
        ("flasky", False),
        ("ortools.sat.python.cp_model", False),
    ],
    ids=lambda v: str(v),
)
def test_forbidden_names(module: str, expected: bool) -> None:
    assert forbidden(module) is expected


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from flask_babel import gettext",
        "from sqlalchemy.orm import Session",
        "from matchmaking import models",
        "from matchmaking.extensions import db",
        "from .. import services",
        "from ..blueprints.admin import routes",
        "import importlib\nimportlib.import_module('werkzeug')",
    ],
    ids=[
        "flask",
        "flask_ext",
        "sqlalchemy",
        "app_models",
        "extensions",
        "relative",
        "rel_deep",
        "dyn",
    ],
)
def test_the_checker_catches_violations(source: str) -> None:
    assert any(forbidden(m) for m in imports_in(source, "matchmaking.scoring"))


def test_relative_imports_are_resolved() -> None:
    package = ROOT / "matchmaking" / "scoring"
    assert "matchmaking.scoring.model" in imported(package / "__init__.py")
    assert "matchmaking.scoring.result" in imported(package / "score.py")
    assert imports_in("from . import text", "matchmaking.scoring") == [
        "matchmaking.scoring",
        "matchmaking.scoring.text",
    ]
