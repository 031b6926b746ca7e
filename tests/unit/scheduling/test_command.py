"""The ``solve`` click command: exit 2 with one line on bad input, exit 0 with a schedule."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

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
