"""The large-neighbourhood search with the window model (``windows.Neighbourhoods``) and its
place in the break searches (``maxsat._Searches.neighbourhoods``): from a schedule far above
the optimum it finds valid schedules with fewer breaks, keeping the pairs outside each
neighbourhood where they were."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pytest

from matchmaking.scheduling import maxsat, parse_instance
from matchmaking.scheduling.maxsat import BreakMaxSat
from matchmaking.scheduling.problem import build_problem, company_breaks
from matchmaking.scheduling.solver import _breaks, _tables
from matchmaking.scheduling.windows import Neighbourhoods, WindowSat

from .builders import instance
from .checker import violations
from .test_breaks_optimal import StalledRC2, by_breaks
from .test_windows import random_instance


def stars(n_stars: int, leaves: int, per_day: int, tables: int) -> dict:
    """``n_stars`` hubs, each meeting its own ``leaves`` companies: with room, no breaks."""
    pairs = []
    for s in range(n_stars):
        hub = s * (leaves + 1)
        pairs += [(hub, hub + 1 + j) for j in range(leaves)]
    return instance(companies=n_stars * (leaves + 1), pairs=pairs, per_day=per_day, tables=tables)


def spread(problem, step: int) -> list[int]:
    """Every hub's meetings ``step`` slots apart (a break between each two)."""
    placed: dict[int, int] = {}
    result = []
    for pair in problem.pairs:
        t = placed.get(pair.a, pair.a % 2)
        placed[pair.a] = t + step
        result.append(t)
    return result


def valid(data: dict, problem, slots: list[int]) -> bool:
    schedule = {"format": "matchmaking-schedule/1", "meetings": []}
    schedule["meetings"] = [m.to_dict() for m in _tables(problem, slots)]
    return violations(data, schedule) == []


def test_kept_pairs_stay_where_they_are() -> None:
    data = stars(2, 3, per_day=8, tables=2)
    problem = build_problem(parse_instance(data))
    slots = spread(problem, 2)
    assert valid(data, problem, slots) and _breaks(problem, slots) == 4
    window = WindowSat(problem, range(len(problem.pairs)), 8)
    # Only the first hub's last pair may move: into slot 1, it closes both of its hub's gaps.
    keep = list(slots)
    keep[2] = -1
    answer, result = window.solve(2, keep)
    assert answer is True and result is not None
    assert [t for k, t in enumerate(result) if k != 2] == [t for k, t in enumerate(slots) if k != 2]
    assert result[2] == 1 and _breaks(problem, result) == 2 and valid(data, problem, result)
    # The other hub's gaps stay in that neighbourhood; the whole model has none.
    assert window.solve(1, keep) == (False, None)
    assert window.solve(0)[0] is True
    window.close()


@pytest.mark.parametrize("seed", range(12))
def test_steps_go_down_to_the_optimum_through_valid_schedules(seed: int) -> None:
    data = random_instance(seed)
    problem = build_problem(parse_instance(data))
    if len(problem.pairs) < len(data["candidates"]):
        return
    schedules = by_breaks(problem)
    if not schedules or max(schedules) == min(schedules):
        return
    slots, breaks = schedules[max(schedules)], max(schedules)
    window = WindowSat(problem, range(len(problem.pairs)), breaks)
    search = Neighbourhoods(window, seed)
    for _ in range(500):
        found = search.step(slots, breaks)
        if found is None:
            continue
        assert _breaks(problem, found) < breaks and valid(data, problem, found)
        slots, breaks = found, _breaks(problem, found)
        if breaks == min(schedules):
            break
    assert breaks == min(schedules)
    window.close()


def test_each_step_caps_the_companies_with_at_most_one_break() -> None:
    # Four hubs two slots apart (two breaks each) and their partners (none): each step asks
    # the model (built with company caps) to keep every company with at most one break
    # there at one; the hubs, with two, are not capped. The search still reaches the
    # optimum (no break) through valid schedules.
    data = stars(4, 3, per_day=9, tables=4)
    problem = build_problem(parse_instance(data))
    slots = spread(problem, 2)
    window = WindowSat(problem, range(len(problem.pairs)), 8, company_caps=True)
    asked: list[list[int]] = []
    solve = window.solve

    def recording(*args: Any, capped: Sequence[int] = (), **kwargs: Any) -> Any:
        asked.append(sorted(capped))
        return solve(*args, capped=capped, **kwargs)

    window.solve = recording  # type: ignore[method-assign]
    search = Neighbourhoods(window, 0)
    breaks = _breaks(problem, slots)
    for _ in range(300):
        if breaks == 0:
            break
        expected = sorted(
            c for c in search.companies if company_breaks(problem, slots).get(c, 0) <= 1
        )
        found = search.step(slots, breaks)
        assert asked[-1] == expected
        if found is not None:
            assert _breaks(problem, found) < breaks and valid(data, problem, found)
            slots, breaks = found, _breaks(problem, found)
    assert breaks == 0
    assert [c for c in search.companies if c not in asked[0]] == sorted(
        company_breaks(problem, spread(problem, 2))
    )
    window.close()


@pytest.mark.parametrize("gap", [0, 2])
def test_the_searches_take_a_far_schedule_near_the_bound(
    gap: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Four hubs whose meetings are two slots apart: 8 breaks, where none are needed. With
    # nothing else running, the neighbourhood search alone takes the schedule down to at
    # most LNS_GAP breaks above the proven bound (0), where it stops; at the bound it is
    # proven optimal.
    monkeypatch.setattr(maxsat, "LNS_GAP", gap)
    data = stars(4, 3, per_day=9, tables=4)
    problem = build_problem(parse_instance(data))
    slots = spread(problem, 2)
    assert valid(data, problem, slots) and _breaks(problem, slots) == 8
    model = BreakMaxSat(problem, range(len(problem.pairs)))
    searches = maxsat._Searches(model, slots, time.monotonic() + 20)
    searches.neighbourhoods()
    assert searches.best is not None
    breaks, found, proven = searches.best
    assert breaks <= gap and _breaks(problem, found) == breaks and valid(data, problem, found)
    assert proven == (breaks == 0)
    assert searches.found == breaks  # bounds the window searches' K


def _far_search(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A whole search whose other searches get nowhere (RC2 stalled, no ascending window
    search), from a schedule more than LNS_GAP breaks above the bound when the second
    search joins; it ends with the optimum (no break), proven."""
    data = stars(4, 3, per_day=9, tables=4)
    problem = build_problem(parse_instance(data))
    slots = spread(problem, 2)
    monkeypatch.setattr(maxsat, "RC2Stratified", StalledRC2)
    monkeypatch.setattr(maxsat._Searches, "ascending", lambda self: None)
    monkeypatch.setattr(maxsat, "FOCUS_AFTER", 0.0)
    monkeypatch.setattr(maxsat, "LNS_GAP", 2)
    caplog.set_level("DEBUG", logger=maxsat.__name__)
    model = BreakMaxSat(problem, range(len(problem.pairs)))
    found, proven = model.minimise_breaks(slots, time.monotonic() + 10)
    assert found is not None and proven and _breaks(problem, found) == 0


def test_the_focused_search_first_improves_a_far_schedule(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Without caps the far schedule goes to the neighbourhood search first; the focused
    # search then proves the optimum.
    monkeypatch.setattr(maxsat, "CAPS", ())
    _far_search(monkeypatch, caplog)
    assert "neighbourhood search found" in caplog.text
    assert "neighbourhood search from 8 breaks" in caplog.text


def test_the_capped_search_comes_before_the_neighbourhoods(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # With the caps, the whole schedule asked for at the lowest open K with one break per
    # company at most is the optimum (no break), proven: the neighbourhood search never
    # starts.
    _far_search(monkeypatch, caplog)
    assert "capped search found 0 breaks" in caplog.text
    assert "neighbourhood search" not in caplog.text
