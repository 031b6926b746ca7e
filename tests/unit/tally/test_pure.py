"""matchmaking/tally is pure: no web framework, ORM or application layer (as scoring/scheduling)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_pure_core import PROBE, ROOT, forbidden, imported

FILES = sorted((ROOT / "matchmaking" / "tally").glob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_forbidden_import_statement(path: Path) -> None:
    assert [name for name in imported(path) if forbidden(name)] == []


def test_importing_the_tally_loads_nothing_forbidden() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT), "matchmaking.tally"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "matchmaking.tally.groups" in loaded
    assert [m for m in loaded if forbidden(m)] == []
