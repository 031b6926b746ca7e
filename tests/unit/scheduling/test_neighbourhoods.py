"""The large-neighbourhood search with the window model (``windows.Neighbourhoods``) and its
place in the break searches (``maxsat._Searches.neighbourhoods``): from a schedule far above
the optimum it finds valid schedules with fewer breaks, keeping the pairs outside each
neighbourhood where they were."""

from __future__ import annotations

import threading
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


def test_the_neighbourhood_search_takes_a_far_schedule_to_the_bound() -> None:
    # Four hubs whose meetings are two slots apart: 8 breaks, where none are needed. With
    # nothing else running, the neighbourhood search alone takes the schedule down to the
    # proven bound (0), where it is proven optimal.
    data = stars(4, 3, per_day=9, tables=4)
    problem = build_problem(parse_instance(data))
    slots = spread(problem, 2)
    assert valid(data, problem, slots) and _breaks(problem, slots) == 8
    model = BreakMaxSat(problem, range(len(problem.pairs)))
    searches = maxsat._Searches(model, slots, time.monotonic() + 20)
    searches.neighbourhoods()
    assert searches.best is not None
    breaks, found, proven = searches.best
    assert breaks == 0 and _breaks(problem, found) == 0 and valid(data, problem, found)
    assert proven
    assert searches.found == 0  # bounds the window searches' K


def _far_search(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A whole search from a schedule far above the bound (8 breaks, none needed) where RC2
    is stalled and the ascending window search gets nowhere until it is asked to step
    aside; it ends with the optimum (no break), proven."""
    data = stars(4, 3, per_day=9, tables=4)
    problem = build_problem(parse_instance(data))
    slots = spread(problem, 2)
    rounds_of = maxsat._Searches.rounds_of

    def stuck(self: Any, name: str, window: Any, timed: bool, above: int = 0) -> None:
        if name == "ascending":
            while not self.aside() and not self.stop.wait(0.01):
                pass
        rounds_of(self, name, window, timed, above)

    monkeypatch.setattr(maxsat._Searches, "rounds_of", stuck)
    monkeypatch.setattr(maxsat, "RC2Stratified", StalledRC2)
    monkeypatch.setattr(maxsat, "FOCUS_AFTER", 0.0)
    caplog.set_level("DEBUG", logger=maxsat.__name__)
    model = BreakMaxSat(problem, range(len(problem.pairs)))
    found, proven = model.minimise_breaks(slots, time.monotonic() + 10)
    assert found is not None and proven and _breaks(problem, found) == 0
    assert "focused search joins, normal" in caplog.text


def test_the_focused_search_improves_a_far_schedule_after_a_normal_join(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Without caps the focused search has nothing to ask capped; after a normal join it
    # runs the neighbourhood search itself (the ascending search keeps its rounds).
    monkeypatch.setattr(maxsat, "CAPS", ())
    _far_search(monkeypatch, caplog)
    assert "neighbourhood search from 8 breaks" in caplog.text
    assert "capped search" not in caplog.text


def test_the_focused_search_asks_capped_from_a_far_schedule(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # With the caps, the whole schedule asked for with one break per company at most (at
    # the K above RC2's, which goes on) is the optimum (no break), proven.
    _far_search(monkeypatch, caplog)
    assert "capped search (1) at K=1: True" in caplog.text
    assert "capped search found 0 breaks" in caplog.text


def _joining(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The searches over a schedule 8 breaks above a bound of 0, before they start."""
    monkeypatch.setattr(maxsat, "FOCUS_AFTER", 0.0)
    problem = build_problem(parse_instance(stars(4, 3, per_day=9, tables=4)))
    model = BreakMaxSat(problem, range(len(problem.pairs)))
    return maxsat._Searches(model, spread(problem, 2), time.monotonic() + 10)


@pytest.mark.parametrize(
    ("refuted", "rising", "expected"),
    [
        (1, True, "early"),  # RC2 behind the window proofs and still rising
        (1, False, "normal"),  # RC2 stalled
        (0, False, "normal"),
    ],
)
def test_the_focused_search_joins_early_while_rc2_rises_behind_the_window_proofs(
    refuted: int, rising: bool, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    searches = _joining(monkeypatch)
    searches.refuted = refuted
    searches.rose = time.monotonic() + (60 if rising else -60)
    assert searches.joined() == expected


def test_the_focused_search_does_not_join_early_near_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # RC2 rising behind the window proofs, but the schedule is near them: no early join
    # (the timer stops the wait).
    searches = _joining(monkeypatch)
    searches.refuted = 7
    searches.rose = time.monotonic() + 60
    threading.Timer(0.5, searches.halt).start()
    assert searches.joined() is None


@pytest.mark.parametrize("behind", [True, False])
def test_the_paused_ascending_search_turns_when_rc2_stalls(
    behind: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Paused after an early join, the ascending search waits while RC2's bound rises; once
    # it stalls, RC2 yields if behind the window proofs (else goes on) and the ascending
    # search turns to the neighbourhoods, the schedule being far.
    searches = _joining(monkeypatch)
    searches.lower, searches.refuted = (0, 1) if behind else (1, 1)
    searches.paused.set()
    searches.rose = time.monotonic() + 60
    searches.hand_over()
    assert searches.paused.is_set() and not searches.turn.is_set()
    searches.rose = time.monotonic() - 60
    searches.hand_over()
    assert not searches.paused.is_set() and searches.turn.is_set()
    assert searches.yielded.is_set() == behind


def test_the_ascending_search_does_not_turn_once_near_the_bound(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Asked to turn when the schedule was far, but near the bound by the time it looks (its
    # own probe has just found one): the ascending search goes on with its rounds.
    caplog.set_level("DEBUG", logger=maxsat.__name__)
    searches = _joining(monkeypatch)
    searches.refuted = 7  # 8 breaks, 7 proven at least: near
    searches.turn.set()
    window = searches.window_model()
    assert window is not None
    try:
        searches.rounds_of("ascending", window, timed=True)
    finally:
        searches.release(window, "ascending")
    assert not searches.turn.is_set()
    assert "neighbourhood search" not in caplog.text
    assert "ascending search found" in caplog.text
