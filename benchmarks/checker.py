"""An independent checker of the hard rules of ``shared/formats/scheduling.md``.

It reads the raw JSON dicts and imports nothing from ``matchmaking``, so a bug in the
project's parser or model cannot hide a bug in its solver. Each violation is one line that
starts with a stable code (``not-candidate:``, ``table-clash:``...) followed by the details.

    python -m benchmarks.checker INSTANCE.json SCHEDULE.json   # exit 0 valid, 1 invalid
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from typing import Any

MEETING_KEYS = ("buyer", "supplier", "slot", "zone", "table")


def _describe(meeting: dict[str, Any]) -> str:
    """Name a meeting in messages: who meets when and where."""
    return (
        f"{meeting.get('buyer')}/{meeting.get('supplier')} "
        f"at {meeting.get('slot')} in {meeting.get('zone')} table {meeting.get('table')}"
    )


def _malformed(meeting: Any) -> str | None:
    """Say what is wrong with a meeting's shape, or None when it has every field right."""
    if not isinstance(meeting, dict):
        return "not an object"
    for key in MEETING_KEYS:
        if key not in meeting:
            return f"missing {key!r}"
    for key in MEETING_KEYS[:4]:
        if not isinstance(meeting[key], str):
            return f"{key!r} is not a string"
    table = meeting["table"]
    if isinstance(table, bool) or not isinstance(table, int):
        return "'table' is not an integer"
    return None


def check(instance: dict[str, Any], schedule: dict[str, Any]) -> list[str]:
    """Return every hard-rule violation of ``schedule`` for ``instance``; empty when valid.

    Rules checked: each meeting is a candidate pair, in its zone and (when listed) one of its
    slots; a pair meets once; a company has at most one meeting per slot, only in available
    slots, at most max_meetings; tables per zone and slot are distinct and within 1..tables;
    every fixed meeting appears unchanged; hard rule 4 (``_interpreter_violations``). The
    instance itself is trusted to be well formed.
    """
    slot_ids = [slot["id"] for slot in instance.get("slots", [])]
    known_slots = set(slot_ids)
    tables = {zone["id"]: zone["tables"] for zone in instance.get("zones", [])}
    companies = {company["id"]: company for company in instance.get("companies", [])}
    candidates = {
        (candidate["buyer"], candidate["supplier"]): candidate
        for candidate in instance.get("candidates", [])
    }
    meetings = schedule.get("meetings")
    if not isinstance(meetings, list):
        return ["malformed: schedule has no 'meetings' list"]

    violations: list[str] = []
    pair_count: Counter[tuple[str, str]] = Counter()
    company_slots: dict[tuple[str, str], list[int]] = defaultdict(list)
    company_total: Counter[str] = Counter()
    zone_tables: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for index, meeting in enumerate(meetings):
        problem = _malformed(meeting)
        if problem:
            violations.append(f"malformed: meeting #{index}: {problem}")
            continue
        label = f"meeting #{index} {_describe(meeting)}"
        buyer, supplier, slot, zone = (meeting[key] for key in MEETING_KEYS[:4])
        table = meeting["table"]
        if slot not in known_slots:
            violations.append(f"unknown-slot: {label}: no such slot")
        candidate = candidates.get((buyer, supplier))
        if candidate is None:
            violations.append(f"not-candidate: {label}: the pair is no candidate")
        else:
            if zone != candidate["zone"]:
                violations.append(f"wrong-zone: {label}: candidate zone is {candidate['zone']}")
            if "slots" in candidate and slot not in candidate["slots"]:
                violations.append(f"slot-not-allowed: {label}: the pair may not meet then")
        pair_count[(buyer, supplier)] += 1
        if pair_count[(buyer, supplier)] == 2:
            violations.append(f"pair-repeated: {label}: the pair already meets")
        for company_id in (buyer, supplier):
            company = companies.get(company_id)
            if company is None:
                violations.append(f"unknown-company: {label}: no company {company_id}")
                continue
            company_slots[(company_id, slot)].append(index)
            company_total[company_id] += 1
            if "available" in company and slot not in company["available"]:
                violations.append(f"company-unavailable: {label}: {company_id} is not available")
        if zone not in tables:
            violations.append(f"unknown-zone: {label}: no such zone")
        elif not 1 <= table <= tables[zone]:
            violations.append(f"table-out-of-range: {label}: zone has tables 1..{tables[zone]}")
        zone_tables[(zone, slot, table)].append(index)

    for (company_id, slot), indices in company_slots.items():
        if len(indices) > 1:
            listed = ", ".join(f"#{i}" for i in indices)
            violations.append(f"double-booked: {company_id} has meetings {listed} at {slot}")
    for company_id, total in company_total.items():
        cap = companies[company_id].get("max_meetings")
        if cap is not None and total > cap:
            violations.append(f"over-cap: {company_id} has {total} meetings, cap {cap}")
    for (zone, slot, table), indices in zone_tables.items():
        if len(indices) > 1:
            listed = ", ".join(f"#{i}" for i in indices)
            violations.append(
                f"table-clash: meetings {listed} share {zone} table {table} at {slot}"
            )

    violations += _interpreter_violations(instance, candidates, meetings)
    present = {
        (*(meeting[key] for key in MEETING_KEYS), meeting.get("interpreter"))
        for meeting in meetings
        if _malformed(meeting) is None
    }
    for fixed in instance.get("fixed", []):
        if (*(fixed.get(key) for key in MEETING_KEYS), fixed.get("interpreter")) not in present:
            violations.append(
                f"fixed-missing: fixed meeting {_describe(fixed)} is not in the schedule"
            )
    return violations


def _interpreter_violations(
    instance: dict[str, Any],
    candidates: dict[tuple[str, str], dict[str, Any]],
    meetings: list[Any],
) -> list[str]:
    """Hard rule 4: a meeting of a candidate with ``interpreter`` has exactly one interpreter
    who speaks one of the buyer's and one of the supplier's listed languages, is available in
    that slot and serves that zone; an interpreter has one meeting per slot at most and no
    more than its max_meetings; a meeting of a candidate without ``interpreter`` has none."""
    people = {person["id"]: person for person in instance.get("interpreters", [])}
    violations: list[str] = []
    seats: dict[tuple[str, str], list[int]] = defaultdict(list)
    total: Counter[str] = Counter()
    for index, meeting in enumerate(meetings):
        if _malformed(meeting) is not None:
            continue
        candidate = candidates.get((meeting["buyer"], meeting["supplier"]))
        if candidate is None:
            continue
        label = f"meeting #{index} {_describe(meeting)}"
        need, person_id = candidate.get("interpreter"), meeting.get("interpreter")
        if need is None:
            if person_id is not None:
                violations.append(f"interpreter-not-needed: {label}: has {person_id}")
            continue
        if person_id is None:
            violations.append(f"interpreter-missing: {label}: the pair needs an interpreter")
            continue
        person = people.get(person_id) if isinstance(person_id, str) else None
        if person is None:
            violations.append(f"interpreter-unknown: {label}: no interpreter {person_id!r}")
            continue
        spoken = set(person["languages"])
        if spoken.isdisjoint(need["buyer"]) or spoken.isdisjoint(need["supplier"]):
            violations.append(f"interpreter-unqualified: {label}: {person_id} lacks a language")
        if person.get("available") is not None and meeting["slot"] not in person["available"]:
            violations.append(f"interpreter-unavailable: {label}: {person_id} is not available")
        if person.get("zones") is not None and meeting["zone"] not in person["zones"]:
            violations.append(f"interpreter-wrong-zone: {label}: {person_id} does not serve it")
        seats[(person_id, meeting["slot"])].append(index)
        total[person_id] += 1
    for (person_id, slot), indices in seats.items():
        if len(indices) > 1:
            listed = ", ".join(f"#{i}" for i in indices)
            violations.append(f"interpreter-double-booked: {person_id} has {listed} at {slot}")
    for person_id, count in total.items():
        cap = people[person_id].get("max_meetings")
        if cap is not None and count > cap:
            violations.append(f"interpreter-over-cap: {person_id} has {count} meetings, cap {cap}")
    return violations


def main(argv: list[str] | None = None) -> int:
    """Check SCHEDULE.json against INSTANCE.json; print violations; return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m benchmarks.checker INSTANCE.json SCHEDULE.json", file=sys.stderr)
        return 1
    try:
        documents = []
        for path in args:
            with open(path, encoding="utf-8") as handle:
                documents.append(json.load(handle))
    except (OSError, ValueError) as error:
        print(f"cannot read: {error}", file=sys.stderr)
        return 1
    violations = check(*documents)
    for violation in violations:
        print(violation)
    meetings = len(documents[1].get("meetings") or [])
    print(
        f"{'INVALID' if violations else 'valid'}: {meetings} meetings, {len(violations)} problems"
    )
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
