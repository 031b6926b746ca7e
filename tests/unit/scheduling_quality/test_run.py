"""The benchmark harness: target judgement, and one end-to-end run with the FCFS solver."""

from __future__ import annotations

import pytest

from benchmarks import run
from benchmarks.checker import check
from benchmarks.generate import generate
from matchmaking.scheduling import parse_instance
from matchmaking.scheduling.quality import first_come_first_served


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


def test_judge_variant_accepts_breaks_at_or_below_the_papers_optimum() -> None:
    row = run.Row("tic-13.fixed040", "fixed040", 47, 180, must=180, must_bound=180)
    row.optimum = run._optimum("tic-13.fixed040", "fixed040")
    assert row.optimum == 13
    row.score_percent, row.breaks, row.fcfs_breaks, row.seconds = 100.0, 12, 44, 9.9
    run._judge(row)
    assert row.missed == []
    row.breaks, row.missed = 14, []
    run._judge(row)
    assert row.missed == ["breaks +1 over optimum"]


def test_judge_variant_without_optimum_wants_every_must_pair_the_bound_allows() -> None:
    row = run.Row("tic-12.fixed040", "fixed040", 42, 125, must=123, must_bound=125)
    assert run._optimum("tic-12.fixed040", "fixed040") is None
    row.score_percent, row.breaks, row.fcfs_breaks, row.seconds = 98.4, 10, 36, 5.0
    run._judge(row)
    assert row.missed == ["must -2", "score"]


def test_regenerated_instance_fixes_a_quarter_and_cuts_availability() -> None:
    data = generate("starved", 1)
    first = first_come_first_served(parse_instance(data))
    schedule = {"meetings": [meeting.to_dict() for meeting in first]}
    again = run._regenerated(data, schedule, 1)
    assert len(again["fixed"]) == round(run.REGEN_FIXED * len(first))
    cut = [c for c, old in zip(again["companies"], data["companies"], strict=True) if c != old]
    assert len(cut) >= 0.1 * len(data["companies"])
    # Valid input: the fixed meetings keep every rule, in slots their companies still attend.
    parse_instance(again)
    assert check(again, {"meetings": again["fixed"]}) == []
