"""The seeded instance generator: determinism, shape, and acceptance by the parser."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.checker import check
from benchmarks.generate import FAMILIES, generate, main
from matchmaking.scheduling.parse import parse_instance

SMALL = ["chongqing", "regional", "starved"]


@pytest.mark.parametrize("family", SMALL)
def test_same_seed_same_instance(family: str) -> None:
    assert generate(family, 7) == generate(family, 7)
    assert generate(family, 7) != generate(family, 8)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_generated_instances_parse_and_fixed_meetings_are_valid(family: str) -> None:
    data = generate(family, 1)
    instance = parse_instance(data)
    assert instance.timezone == "Asia/Shanghai"
    assert len(instance.fixed) == len(data.get("fixed", []))
    assert check(data, {"meetings": data.get("fixed", [])}) == []


def test_chongqing_shape() -> None:
    data = generate("chongqing", 1)
    companies = data["companies"]
    assert sum(1 for c in companies if c["country"] != "CN") == 40
    assert sum(1 for c in companies if c["country"] == "CN") == 180
    assert sorted(zone["tables"] for zone in data["zones"]) == [10, 15, 20]
    assert len(data["slots"]) == 21
    assert data["slots"][0]["start"] == "2025-06-12T09:00:00+08:00"
    assert data["slots"][-1]["end"] == "2025-06-12T17:00:00+08:00"
    assert not any(s["start"].endswith("12:00:00+08:00") for s in data["slots"])
    candidates = data["candidates"]
    must = sum(1 for c in candidates if c.get("must"))
    assert 0.10 <= must / len(candidates) <= 0.15
    imported = [c for c in candidates if c["zone"] == "imp"]
    assert imported
    assert all(
        c["buyer"].startswith("cq-") and not c["supplier"].startswith("cq-") for c in imported
    )
    assert all(0 < c["score"] <= 1 for c in candidates)
    assert any("available" in c for c in companies)
    assert all(8 <= c["max_meetings"] <= 12 for c in companies if "max_meetings" in c)


def test_large_and_starved_sizes() -> None:
    large = generate("large", 1)
    assert len(large["companies"]) == 4000
    assert 45_000 <= len(large["candidates"]) <= 55_000
    assert len({s["start"][:10] for s in large["slots"]}) == 3
    starved = generate("starved", 1)
    capacity = sum(zone["tables"] for zone in starved["zones"]) * len(starved["slots"])
    assert sum(1 for c in starved["candidates"] if c.get("must")) > capacity


def test_command_line_writes_the_instance(tmp_path: Path) -> None:
    out = tmp_path / "i.json"
    assert main(["starved", "--seed", "2", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == generate("starved", 2)


def test_same_seed_same_file_whatever_the_hash_seed() -> None:
    command = [sys.executable, "-m", "benchmarks.generate", "starved", "--seed", "4"]
    outputs = {
        subprocess.run(
            command, capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
