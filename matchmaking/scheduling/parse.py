"""Validate the JSON form of an instance (``matchmaking-instance/1``) into an ``Instance``.

Every check raises ``InstanceError`` with one line ``<path>: <problem>`` naming the first
problem found, in document order: format, event, slots, zones, companies, candidates,
interpreters, fixed.
Unknown keys are ignored so that later versions can add descriptive fields.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InstanceError
from .model import (
    INSTANCE_FORMAT,
    Candidate,
    Company,
    Instance,
    Interpreter,
    LanguageNeed,
    Meeting,
    Slot,
    Zone,
)

ROLES = ("buyer", "supplier", "both")
# ISO 639-1 language codes (the two-letter ones), for interpreters and their pairs' needs.
_ISO_639_1 = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny
    oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg sh si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu"""
LANGUAGE_CODES = frozenset(_ISO_639_1.split())


def _fail(path: str, problem: str) -> InstanceError:
    return InstanceError(f"{path}: {problem}")


def _field(obj: dict[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise _fail(f"{path}.{key}" if path else key, "missing required field")
    return obj[key]


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, "must be an object")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(path, "must be a list")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, "must be a string")
    return value


def _ident(value: Any, path: str) -> str:
    text = _string(value, path)
    if not text.strip():
        raise _fail(path, "must be a non-empty string")
    return text


def _integer(value: Any, path: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(path, f"must be an integer >= {minimum}")
    return value


def _datetime(value: Any, path: str) -> datetime:
    problem = "not an ISO 8601 datetime with offset"
    if not isinstance(value, str):
        raise _fail(path, problem)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(path, problem) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _fail(path, problem)
    return moment


def _timezone(event: dict[str, Any]) -> ZoneInfo:
    name = _ident(_field(event, "timezone", "event"), "event.timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail("event.timezone", f"unknown time zone {name!r}") from None


def _slots(raw: Any, zone: ZoneInfo) -> tuple[Slot, ...]:
    slots: list[Slot] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(raw, "slots")):
        path = f"slots[{i}]"
        obj = _object(item, path)
        sid = _ident(_field(obj, "id", path), f"{path}.id")
        if sid in seen:
            raise _fail(f"{path}.id", f"duplicate id {sid!r}")
        seen.add(sid)
        start = _datetime(_field(obj, "start", path), f"{path}.start")
        end = _datetime(_field(obj, "end", path), f"{path}.end")
        if end <= start:
            raise _fail(f"{path}.end", "must be after start")
        if slots and start <= slots[-1].start:
            raise _fail(f"{path}.start", "slots must be ordered by start (strictly increasing)")
        slots.append(Slot(sid, start, end, start.astimezone(zone).date()))
    return tuple(slots)


def _zones(raw: Any) -> tuple[Zone, ...]:
    zones: list[Zone] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(raw, "zones")):
        path = f"zones[{i}]"
        obj = _object(item, path)
        zid = _ident(_field(obj, "id", path), f"{path}.id")
        if zid in seen:
            raise _fail(f"{path}.id", f"duplicate id {zid!r}")
        seen.add(zid)
        name = _string(obj.get("name", zid), f"{path}.name")
        tables = _integer(_field(obj, "tables", path), f"{path}.tables", 0)
        zones.append(Zone(zid, name, tables))
    return tuple(zones)


def _slot_set(raw: Any, path: str, slot_ids: set[str]) -> frozenset[str]:
    chosen: set[str] = set()
    for j, sid in enumerate(_list(raw, path)):
        sid = _string(sid, f"{path}[{j}]")
        if sid not in slot_ids:
            raise _fail(f"{path}[{j}]", f"unknown slot {sid!r}")
        chosen.add(sid)
    return frozenset(chosen)


def _companies(raw: Any, slot_ids: set[str]) -> tuple[Company, ...]:
    companies: list[Company] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(raw, "companies")):
        path = f"companies[{i}]"
        obj = _object(item, path)
        cid = _ident(_field(obj, "id", path), f"{path}.id")
        if cid in seen:
            raise _fail(f"{path}.id", f"duplicate id {cid!r}")
        seen.add(cid)
        role = obj.get("role", "both")
        if role not in ROLES:
            raise _fail(f"{path}.role", "must be 'buyer', 'supplier' or 'both'")
        country = obj.get("country")
        if country is not None:
            country = _string(country, f"{path}.country")
        languages = tuple(
            _string(lang, f"{path}.languages[{j}]")
            for j, lang in enumerate(_list(obj.get("languages", []), f"{path}.languages"))
        )
        available = None
        if obj.get("available") is not None:
            available = _slot_set(obj["available"], f"{path}.available", slot_ids)
        cap = None
        if obj.get("max_meetings") is not None:
            cap = _integer(obj["max_meetings"], f"{path}.max_meetings", 0)
        companies.append(Company(cid, role, country, languages, available, cap))
    return tuple(companies)


def _languages(raw: Any, path: str) -> tuple[str, ...]:
    """A non-empty list of ISO 639-1 codes, duplicates dropped, order kept."""
    codes: list[str] = []
    for j, code in enumerate(_list(raw, path)):
        code = _string(code, f"{path}[{j}]")
        if code not in LANGUAGE_CODES:
            raise _fail(f"{path}[{j}]", f"unknown language code {code!r} (ISO 639-1 expected)")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise _fail(path, "must list at least one language")
    return tuple(codes)


def _need(raw: Any, path: str) -> LanguageNeed:
    obj = _object(raw, path)
    buyer = _languages(_field(obj, "buyer", path), f"{path}.buyer")
    supplier = _languages(_field(obj, "supplier", path), f"{path}.supplier")
    shared = sorted(set(buyer) & set(supplier))
    if shared:
        raise _fail(
            f"{path}.supplier", f"shares {shared[0]!r} with the buyer: no interpreter is needed"
        )
    return LanguageNeed(buyer, supplier)


def _interpreters(raw: Any, slot_ids: set[str], zone_ids: set[str]) -> tuple[Interpreter, ...]:
    interpreters: list[Interpreter] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(raw, "interpreters")):
        path = f"interpreters[{i}]"
        obj = _object(item, path)
        iid = _ident(_field(obj, "id", path), f"{path}.id")
        if iid in seen:
            raise _fail(f"{path}.id", f"duplicate id {iid!r}")
        seen.add(iid)
        languages = _languages(_field(obj, "languages", path), f"{path}.languages")
        if len(languages) < 2:
            raise _fail(f"{path}.languages", "an interpreter needs at least two languages")
        available = None
        if obj.get("available") is not None:
            available = _slot_set(obj["available"], f"{path}.available", slot_ids)
        zones = None
        if obj.get("zones") is not None:
            chosen: set[str] = set()
            for j, zid in enumerate(_list(obj["zones"], f"{path}.zones")):
                zid = _string(zid, f"{path}.zones[{j}]")
                if zid not in zone_ids:
                    raise _fail(f"{path}.zones[{j}]", f"unknown zone {zid!r}")
                chosen.add(zid)
            zones = frozenset(chosen)
        cap = None
        if obj.get("max_meetings") is not None:
            cap = _integer(obj["max_meetings"], f"{path}.max_meetings", 0)
        interpreters.append(Interpreter(iid, frozenset(languages), available, zones, cap))
    return tuple(interpreters)


def _score(value: Any, path: str) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value <= 0:
        raise _fail(path, "must be a number > 0")
    return float(value)


def _candidates(
    raw: Any, company_ids: set[str], zone_ids: set[str], slot_ids: set[str]
) -> tuple[Candidate, ...]:
    candidates: list[Candidate] = []
    seen: dict[frozenset[str], int] = {}
    for i, item in enumerate(_list(raw, "candidates")):
        path = f"candidates[{i}]"
        obj = _object(item, path)
        ends = []
        for key in ("buyer", "supplier"):
            cid = _ident(_field(obj, key, path), f"{path}.{key}")
            if cid not in company_ids:
                raise _fail(f"{path}.{key}", f"unknown company {cid!r}")
            ends.append(cid)
        buyer, supplier = ends
        if buyer == supplier:
            raise _fail(f"{path}.supplier", f"same company as buyer {buyer!r}")
        zone = _ident(_field(obj, "zone", path), f"{path}.zone")
        if zone not in zone_ids:
            raise _fail(f"{path}.zone", f"unknown zone {zone!r}")
        score = _score(_field(obj, "score", path), f"{path}.score")
        must = obj.get("must", False)
        if not isinstance(must, bool):
            raise _fail(f"{path}.must", "must be true or false")
        slots = None
        if obj.get("slots") is not None:
            slots = _slot_set(obj["slots"], f"{path}.slots", slot_ids)
        need = None
        if obj.get("interpreter") is not None:
            need = _need(obj["interpreter"], f"{path}.interpreter")
        key2 = frozenset((buyer, supplier))
        if key2 in seen:
            raise _fail(
                path, f"pair {buyer!r}-{supplier!r} already listed at candidates[{seen[key2]}]"
            )
        seen[key2] = i
        candidates.append(Candidate(buyer, supplier, zone, score, must, slots, need))
    return tuple(candidates)


def _fixed(raw: Any, instance: Instance) -> tuple[Meeting, ...]:
    """Parse fixed meetings and check them against every hard rule."""
    by_pair = {c.pair: c for c in instance.candidates}
    companies = {c.id: c for c in instance.companies}
    tables = {z.id: z.tables for z in instance.zones}
    slot_ids = {s.id for s in instance.slots}
    busy: set[tuple[str, str]] = set()
    used_tables: set[tuple[str, str, int]] = set()
    pairs: set[tuple[str, str]] = set()
    count: dict[str, int] = {}
    staff = _FixedInterpreters(instance)
    meetings: list[Meeting] = []
    for i, item in enumerate(_list(raw, "fixed")):
        path = f"fixed[{i}]"
        obj = _object(item, path)
        buyer = _ident(_field(obj, "buyer", path), f"{path}.buyer")
        supplier = _ident(_field(obj, "supplier", path), f"{path}.supplier")
        slot = _ident(_field(obj, "slot", path), f"{path}.slot")
        zone = _ident(_field(obj, "zone", path), f"{path}.zone")
        table = _integer(_field(obj, "table", path), f"{path}.table", 1)
        if slot not in slot_ids:
            raise _fail(f"{path}.slot", f"unknown slot {slot!r}")
        if zone not in tables:
            raise _fail(f"{path}.zone", f"unknown zone {zone!r}")
        cand = by_pair.get((buyer, supplier))
        if cand is None:
            raise _fail(path, f"({buyer!r}, {supplier!r}) is not a candidate pair")
        if (buyer, supplier) in pairs:
            raise _fail(path, f"pair {buyer!r}-{supplier!r} already meets")
        pairs.add((buyer, supplier))
        if zone != cand.zone:
            raise _fail(f"{path}.zone", f"candidate pair is in zone {cand.zone!r}")
        if cand.slots is not None and slot not in cand.slots:
            raise _fail(f"{path}.slot", f"not one of the candidate's slots: {slot!r}")
        if table > tables[zone]:
            raise _fail(f"{path}.table", f"zone {zone!r} has only {tables[zone]} tables")
        if (zone, slot, table) in used_tables:
            raise _fail(f"{path}.table", f"table {table} in zone {zone!r} taken in slot {slot!r}")
        used_tables.add((zone, slot, table))
        for cid in (buyer, supplier):
            company = companies[cid]
            if company.available is not None and slot not in company.available:
                raise _fail(path, f"company {cid!r} is not available in slot {slot!r}")
            if (cid, slot) in busy:
                raise _fail(path, f"company {cid!r} already meets in slot {slot!r}")
            busy.add((cid, slot))
            count[cid] = count.get(cid, 0) + 1
            if company.max_meetings is not None and count[cid] > company.max_meetings:
                raise _fail(path, f"company {cid!r} exceeds max_meetings {company.max_meetings}")
        interpreter = staff.check(obj, path, cand, slot)
        meetings.append(Meeting(buyer, supplier, slot, zone, table, interpreter))
    return tuple(meetings)


class _FixedInterpreters:
    """Hard rule 4 for fixed meetings: one qualified, available interpreter serving the zone
    exactly when the candidate needs one, one meeting per slot, within its cap."""

    def __init__(self, instance: Instance) -> None:
        self.known = {i.id: i for i in instance.interpreters}
        self.busy: set[tuple[str, str]] = set()
        self.count: dict[str, int] = {}

    def check(self, obj: dict[str, Any], path: str, cand: Candidate, slot: str) -> str | None:
        raw = obj.get("interpreter")
        if cand.interpreter is None:
            if raw is not None:
                raise _fail(f"{path}.interpreter", "the candidate pair needs no interpreter")
            return None
        if raw is None:
            raise _fail(path, "the candidate pair needs an interpreter")
        iid = _ident(raw, f"{path}.interpreter")
        person = self.known.get(iid)
        if person is None:
            raise _fail(f"{path}.interpreter", f"unknown interpreter {iid!r}")
        if not cand.interpreter.served_by(person):
            raise _fail(f"{path}.interpreter", f"{iid!r} does not speak the pair's languages")
        if person.available is not None and slot not in person.available:
            raise _fail(f"{path}.interpreter", f"{iid!r} is not available in slot {slot!r}")
        if person.zones is not None and cand.zone not in person.zones:
            raise _fail(f"{path}.interpreter", f"{iid!r} does not serve zone {cand.zone!r}")
        if (iid, slot) in self.busy:
            raise _fail(f"{path}.interpreter", f"{iid!r} already interprets in slot {slot!r}")
        self.busy.add((iid, slot))
        self.count[iid] = self.count.get(iid, 0) + 1
        if person.max_meetings is not None and self.count[iid] > person.max_meetings:
            raise _fail(
                f"{path}.interpreter", f"{iid!r} exceeds max_meetings {person.max_meetings}"
            )
        return iid


def parse_instance(data: object) -> Instance:
    """Validate the decoded JSON of an instance and return its typed form."""
    root = _object(data, "instance")
    fmt = _field(root, "format", "")
    if fmt != INSTANCE_FORMAT:
        raise _fail("format", f"expected {INSTANCE_FORMAT!r}")
    event = _object(_field(root, "event", ""), "event")
    name = _string(event.get("name", ""), "event.name")
    zone = _timezone(event)
    slots = _slots(_field(root, "slots", ""), zone)
    zones = _zones(_field(root, "zones", ""))
    slot_ids = {s.id for s in slots}
    companies = _companies(_field(root, "companies", ""), slot_ids)
    candidates = _candidates(
        _field(root, "candidates", ""),
        {c.id for c in companies},
        {z.id for z in zones},
        slot_ids,
    )
    interpreters: tuple[Interpreter, ...] = ()
    if root.get("interpreters") is not None:
        interpreters = _interpreters(root["interpreters"], slot_ids, {z.id for z in zones})
    instance = Instance(name, zone.key, slots, zones, companies, candidates, (), interpreters)
    fixed_raw = root.get("fixed")
    if fixed_raw is None:
        return instance
    fixed = _fixed(fixed_raw, instance)
    return Instance(name, zone.key, slots, zones, companies, candidates, fixed, interpreters)


def parse_instance_file(path: str | Path) -> Instance:
    """Read and validate an instance file; unreadable files and bad JSON raise InstanceError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InstanceError(f"{path}: cannot read file: {reason}") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InstanceError(
            f"{path}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InstanceError(f"{path}: invalid JSON: {exc}") from None
    return parse_instance(data)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")
