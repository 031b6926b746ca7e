"""The benchmark harness: target judgement, and one end-to-end run with the FCFS solver."""

from __future__ import annotations

import pytest

from benchmarks import run


@pytest.mark.parametrize(
    ("fields", "missed"),
    [
        ({}, []),
        ({"must": 9}, ["must -1"]),
        ({"score_percent": 99.0}, ["score"]),
        ({"breaks": 31}, ["breaks > 30% FCFS"]),
        ({"seconds": 2.5}, ["time >= 2 s"]),
        ({"violations": ["table-clash: x"]}, ["invalid"]),
    ],
    ids=["all met", "must short", "score short", "breaks", "slow", "invalid"],
)
def test_judge_generated(fields: dict, missed: list[str]) -> None:
    row = run.Row("chongqing-s1", "chongqing", 220, 1000, must=10, must_bound=10)
    row.score_percent, row.breaks, row.fcfs_breaks, row.seconds = 99.95, 30, 100, 1.0
    for key, value in fields.items():
        setattr(row, key, value)
    run._judge(row)
    assert row.missed == missed


def test_judge_published_compares_breaks_with_the_optimum() -> None:
    row = run.Row("forum-14", "published", 78, 302, must=302, must_bound=302, optimum=2)
    row.score_percent, row.breaks, row.fcfs_breaks, row.seconds = 100.0, 3, 5, 1.0
    run._judge(row)
    assert row.missed == ["breaks +1 over optimum"]


def test_harness_end_to_end_with_fcfs(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--families", "starved", "--solver", "fcfs"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("starved-s1"))
    assert " pass " in row
    assert "check: 1/1 schedules valid" in out
