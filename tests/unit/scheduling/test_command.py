"""The ``solve`` click command: exit 2 with one line on bad input, exit 0 with a schedule."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from benchmarks.checker import check
from benchmarks.generate import generate
from matchmaking.scheduling.command import solve

from .builders import changed, instance
from .checker import violations


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(solve, args)
    return result.exit_code, result.stdout, result.stderr


def test_good_instance_writes_valid_schedule(tmp_path: Path) -> None:
    data = instance()
    source, out = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    code, _stdout, stderr = run([str(source), "--out", str(out), "--time-limit", "2"])
    assert (code, stderr) == (0, "")
    schedule = json.loads(out.read_text(encoding="utf-8"))
    assert schedule["format"] == "matchmaking-schedule/1"
    assert len(schedule["meetings"]) == 3
    assert violations(data, schedule) == []
    assert schedule["statistics"]["meetings"] == 3


def test_bad_instance_exits_2_with_one_line(tmp_path: Path) -> None:
    source, out = tmp_path / "in.json", tmp_path / "out.json"
    data = changed(instance(), "candidates[1].buyer", "nobody")
    source.write_text(json.dumps(data), encoding="utf-8")
    code, _stdout, stderr = run([str(source), "--out", str(out)])
    assert code == 2
    assert stderr == "error: candidates[1].buyer: unknown company 'nobody'\n"
    assert not out.exists()


def test_missing_file_and_bad_json_exit_2(tmp_path: Path) -> None:
    out = str(tmp_path / "out.json")
    code, _, stderr = run([str(tmp_path / "none.json"), "--out", out])
    assert code == 2 and stderr.startswith("error: ") and stderr.count("\n") == 1
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    code, _, stderr = run([str(broken), "--out", out])
    assert code == 2 and "invalid JSON" in stderr and stderr.count("\n") == 1
    assert "Traceback" not in stderr


def test_time_limit_must_be_positive(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(instance()), encoding="utf-8")
    code, _, _ = run([str(source), "--out", str(tmp_path / "o.json"), "--time-limit", "0"])
    assert code == 2
    code, _, _ = run([str(source)])
    assert code == 2


def write_generated(tmp_path: Path, family: str) -> tuple[dict[str, Any], Path]:
    data = generate(family, 1)
    source = tmp_path / f"{family}.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    return data, source


def skipped_figures(quality: dict[str, Any]) -> set[str]:
    return {entry["figure"] for entry in quality["skipped"]}


def test_time_limit_covers_the_whole_command(tmp_path: Path) -> None:
    data, source = write_generated(tmp_path, "regional")
    out = tmp_path / "out.json"
    started = time.monotonic()
    code, _stdout, stderr = run([str(source), "--out", str(out), "--time-limit", "2"])
    elapsed = time.monotonic() - started
    assert (code, stderr) == (0, "")
    schedule = json.loads(out.read_text(encoding="utf-8"))
    assert check(data, schedule) == []
    statistics, quality = schedule["statistics"], schedule["quality"]
    assert statistics["time_limit"] == 2.0
    # Parse, search and quality figures stop by the limit (LP and solver stops lag a little);
    # the wall-clock bound is loose for slow shared machines.
    assert statistics["command_seconds"] <= 2.0 + 1.0
    assert elapsed <= 2.0 + 3.0
    assert quality["figures"]["meetings"] == len(schedule["meetings"])
    # A figure is either there or listed as skipped with a reason, never silently missing.
    assert skipped_figures(quality) == {f for f in ("bound", "baseline") if quality[f] is None}
    assert all(entry["reason"] for entry in quality["skipped"])


def test_no_time_left_still_writes_a_valid_schedule_and_says_what_was_skipped(
    tmp_path: Path,
) -> None:
    data, source = write_generated(tmp_path, "chongqing")
    out = tmp_path / "out.json"
    code, _stdout, stderr = run([str(source), "--out", str(out), "--time-limit", "0.001"])
    assert (code, stderr) == (0, "")
    schedule = json.loads(out.read_text(encoding="utf-8"))
    assert check(data, schedule) == []
    assert schedule["meetings"]
    quality = schedule["quality"]
    assert skipped_figures(quality) == {"bound", "baseline"}
    assert all("time" in entry["reason"] for entry in quality["skipped"])
    assert (quality["bound"], quality["baseline"]) == (None, None)
    assert quality["must"]["bound"] is None and quality["must"]["all_kept"] is None
    assert quality["score"]["percent_of_bound"] is None
    assert quality["breaks"]["baseline"] is None
    assert quality["figures"]["meetings"] == len(schedule["meetings"])
    assert quality["score"]["value"] > 0


def test_without_time_limit_the_quality_block_is_complete(tmp_path: Path) -> None:
    data = instance()
    source, out = tmp_path / "in.json", tmp_path / "out.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    code, _stdout, stderr = run([str(source), "--out", str(out)])
    assert (code, stderr) == (0, "")
    schedule = json.loads(out.read_text(encoding="utf-8"))
    assert "skipped" not in schedule["quality"]
    assert "time_limit" not in schedule["statistics"]
    assert schedule["quality"]["bound"]["score"] == 3.0
    assert schedule["quality"]["baseline"]["meetings"] == 3


def test_loading_the_command_leaves_or_tools_for_inside_the_time_limit() -> None:
    probe = "import sys, matchmaking.scheduling.command; print('ortools' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "False"
