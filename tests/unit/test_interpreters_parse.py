"""Interpreter fields of the exchange format: valid ones load, each bad one names its problem."""

from __future__ import annotations

import re
from typing import Any

import pytest

from matchmaking.scheduling import InstanceError, Meeting, parse_instance
from matchmaking.scheduling.model import LanguageNeed

from .scheduling.builders import DELETE, changed, instance


def base() -> dict[str, Any]:
    """c0 (Russian) meets c1 (Chinese) through an interpreter; c2-c3 share English."""
    data = instance(pairs=[(0, 1), (2, 3)])
    data["zones"].append({"id": "y", "name": "Other", "tables": 1})
    data["candidates"][0]["interpreter"] = {"buyer": ["ru", "kk"], "supplier": ["zh"]}
    data["interpreters"] = [
        {"id": "i1", "languages": ["zh", "ru"], "available": ["d1-00", "d1-01"], "zones": ["z"]},
        {"id": "i2", "languages": ["zh", "en", "ru"], "max_meetings": 1},
    ]
    return data


def test_valid_interpreter_fields_load() -> None:
    parsed = parse_instance(base())
    first, second = parsed.interpreters
    assert first.languages == frozenset({"zh", "ru"})
    assert first.available == frozenset({"d1-00", "d1-01"}) and first.zones == frozenset({"z"})
    assert second.available is None and second.zones is None and second.max_meetings == 1
    assert parsed.candidates[0].interpreter == LanguageNeed(("ru", "kk"), ("zh",))
    assert parsed.candidates[1].interpreter is None


def test_needs_without_interpreters_are_valid() -> None:
    data = base()
    del data["interpreters"]
    parsed = parse_instance(data)
    assert parsed.interpreters == () and parsed.candidates[0].interpreter is not None


def test_meeting_names_its_interpreter_only_when_it_has_one() -> None:
    assert Meeting("a", "b", "s", "z", 1, "i1").to_dict()["interpreter"] == "i1"
    assert "interpreter" not in Meeting("a", "b", "s", "z", 1).to_dict()


def test_fixed_meeting_keeps_its_interpreter() -> None:
    data = base()
    data["fixed"] = [
        {"buyer": "c0", "supplier": "c1", "slot": "d1-01", "zone": "z", "table": 1}
        | {"interpreter": "i1"}
    ]
    assert parse_instance(data).fixed[0].interpreter == "i1"


FIXED = {"buyer": "c0", "supplier": "c1", "slot": "d1-01", "zone": "z", "table": 1}


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("interpreters[0].languages[1]", "xx", "unknown language code 'xx'"),
        ("interpreters[0].languages", ["zh"], "at least two languages"),
        ("interpreters[0].languages", ["zh", "zh"], "at least two languages"),
        ("interpreters[0].languages", [], "at least one language"),
        ("interpreters[0].languages", DELETE, "missing required field"),
        ("interpreters[1].id", "i1", "duplicate id 'i1'"),
        ("interpreters[0].available[0]", "d9-00", "unknown slot 'd9-00'"),
        ("interpreters[0].zones[0]", "nowhere", "unknown zone 'nowhere'"),
        ("interpreters[1].max_meetings", -1, "integer >= 0"),
        ("interpreters", {"id": "i1"}, "must be a list"),
        ("candidates[0].interpreter.buyer[0]", "russian", "unknown language code 'russian'"),
        ("candidates[0].interpreter.supplier", [], "at least one language"),
        ("candidates[0].interpreter.supplier", DELETE, "missing required field"),
        ("candidates[0].interpreter.supplier", ["ru"], "shares 'ru' with the buyer"),
        ("candidates[0].interpreter", ["ru", "zh"], "must be an object"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_interpreter_fields_are_named(path: str, value: Any, message: str) -> None:
    with pytest.raises(InstanceError, match=f"^{re.escape(path)}: .*{re.escape(message)}"):
        parse_instance(changed(base(), path, value))


@pytest.mark.parametrize(
    ("fixed", "message"),
    [
        ([FIXED], "fixed[0]: the candidate pair needs an interpreter"),
        ([FIXED | {"interpreter": "i9"}], "fixed[0].interpreter: unknown interpreter 'i9'"),
        ([FIXED | {"slot": "d1-02", "interpreter": "i1"}], "'i1' is not available in slot"),
        ([FIXED | {"zone": "y", "interpreter": "i1"}], "fixed[0].zone: candidate pair is in zone"),
        (
            [
                FIXED | {"interpreter": "i2"},
                FIXED | {"buyer": "c2", "supplier": "c3", "slot": "d1-02", "interpreter": "i2"},
            ],
            "fixed[1].interpreter: the candidate pair needs no interpreter",
        ),
    ],
    ids=["missing", "unknown", "unavailable", "zone", "not-needed"],
)
def test_fixed_meetings_keep_hard_rule_4(fixed: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(InstanceError, match=re.escape(message)):
        parse_instance(changed(base(), "fixed", fixed))


def test_fixed_interpreter_once_per_slot_and_within_cap() -> None:
    data = instance(companies=4, pairs=[(0, 1), (2, 3)], tables=2)
    for cand in data["candidates"]:
        cand["interpreter"] = {"buyer": ["ru"], "supplier": ["zh"]}
    data["interpreters"] = [{"id": "i1", "languages": ["ru", "zh"], "max_meetings": 1}]
    first = {"buyer": "c0", "supplier": "c1", "slot": "d1-00", "zone": "z", "table": 1}
    second = {"buyer": "c2", "supplier": "c3", "zone": "z", "table": 2, "interpreter": "i1"}
    clash = [first | {"interpreter": "i1"}, second | {"slot": "d1-00"}]
    with pytest.raises(InstanceError, match="'i1' already interprets in slot 'd1-00'"):
        parse_instance(changed(data, "fixed", clash))
    over = [first | {"interpreter": "i1"}, second | {"slot": "d1-01"}]
    with pytest.raises(InstanceError, match="'i1' exceeds max_meetings 1"):
        parse_instance(changed(data, "fixed", over))


def test_unqualified_fixed_interpreter_is_refused() -> None:
    data = changed(base(), "interpreters[1].languages", ["en", "fr"])
    with pytest.raises(InstanceError, match="'i2' does not speak the pair's languages"):
        parse_instance(changed(data, "fixed", [FIXED | {"interpreter": "i2"}]))
    data = changed(base(), "interpreters[0].zones", ["y"])
    with pytest.raises(InstanceError, match="'i1' does not serve zone 'z'"):
        parse_instance(changed(data, "fixed", [FIXED | {"interpreter": "i1"}]))
