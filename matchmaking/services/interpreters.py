"""Interpreters of an event: registering them, what the solver is told, and who interprets a
moved meeting.

A pair of companies with no common language needs one interpreter who speaks one of the
buyer's languages and one of the supplier's, unless either company brings its own. The
solver assigns interpreters (``scheduling``, the exchange format's "Interpreters"); a
meeting moved by hand keeps its interpreter when it still may, else gets another free one.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pycountry
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import generate_password_hash

from matchmaking.errors import DomainError, InvalidInput, NotAllowed
from matchmaking.models import (
    Event,
    Interpreter,
    InterpreterAvailability,
    Meeting,
    Participation,
    Slot,
    User,
    Zone,
)
from matchmaking.models import user as user_model
from matchmaking.models.schedule import MeetingStatus
from matchmaking.models.user import Role
from matchmaking.services.registration import get_user_by_email, normalise_email

MAX_MEETINGS_CAP = 200


@dataclass(frozen=True)
class HoursInput:
    """An interpreter's working hours on one event day (event timezone)."""

    day: date
    start: time
    end: time


_HOURS = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}[:.]\d{2})\s*[-–—]\s*(\d{1,2}[:.]\d{2})$")


# The most an interpreter may cost per slot (form and import alike).
MAX_COST_PER_SLOT_USD = Decimal(10_000_000)


def hours_example(first_day: date) -> str:
    """How to write one day's hours, on the event's own first day (an example date outside
    the event would be refused)."""
    return f"{first_day.isoformat()} 09:00-17:00"


def read_hours(text: str) -> HoursInput:
    """One day's hours as written: “2027-05-20 09:00-17:00” (or 9.00, with an en or em dash);
    ``ValueError`` when the text is not that."""
    match = _HOURS.match(" ".join(text.split()))
    if match is None:
        raise ValueError(text)
    start, end = (
        datetime.strptime(match.group(i).replace(".", ":"), "%H:%M").time() for i in (2, 3)
    )
    return HoursInput(date.fromisoformat(match.group(1)), start, end)


@dataclass(frozen=True)
class InterpreterInput:
    """What an organiser gives for one interpreter (form or import row)."""

    name: str
    email: str
    languages: tuple[str, ...]
    hours: tuple[HoursInput, ...] = ()  # none: every slot of the event
    zones: tuple[str, ...] = ()  # zone codes; none: every zone
    max_meetings: int | None = None
    cost_per_slot_usd: Decimal | None = None
    locale: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)


def language_code(word: str) -> str | None:
    """The ISO 639-1 code ``word`` names (a code, a three-letter code or an English name),
    else None."""
    word = word.strip().lower()
    if not word:
        return None
    # Codes first: a name lookup of "en" finds the language named "En" (enc), not English.
    language = pycountry.languages.get(alpha_2=word) if len(word) == 2 else None
    if language is None and len(word) == 3:
        language = pycountry.languages.get(alpha_3=word) or pycountry.languages.get(
            bibliographic=word
        )
    if language is None and len(word) > 3:
        try:
            language = pycountry.languages.lookup(word)
        except LookupError:
            return None
    code = getattr(language, "alpha_2", None)
    return str(code).lower() if code else None


def check_languages(codes: Iterable[str]) -> tuple[str, ...]:
    """The languages as ISO 639-1 codes, at least two different; raises ``InvalidInput``."""
    result: list[str] = []
    for word in codes:
        code = language_code(word)
        if code is None:
            raise InvalidInput(
                _("Unknown language code “%(code)s”.", code=word.strip()[:40]), field="languages"
            )
        if code not in result:
            result.append(code)
    if len(result) < 2:
        raise InvalidInput(
            _("An interpreter needs at least two languages to interpret between."),
            field="languages",
        )
    return tuple(result)


def check_input(event: Event, data: InterpreterInput) -> InterpreterInput:
    """``data`` checked against the event (days, zones) and normalised; raises ``InvalidInput``
    naming the field."""
    name = data.name.strip()
    if not name:
        raise InvalidInput(_("Give the interpreter's name."), field="name")
    if len(name) > 200:
        raise InvalidInput(_("The name is longer than 200 characters."), field="name")
    email = normalise_email(data.email)
    if not email or "@" not in email or len(email) > 254:
        raise InvalidInput(_("Give a valid e-mail address."), field="email")
    languages = check_languages(data.languages)
    days = set(event.days)
    seen: set[date] = set()
    for hours in data.hours:
        if hours.day not in days:
            raise InvalidInput(
                _("%(day)s is not a day of the event.", day=hours.day.isoformat()), field="hours"
            )
        if hours.day in seen:
            raise InvalidInput(
                _("%(day)s is given twice.", day=hours.day.isoformat()), field="hours"
            )
        if hours.end <= hours.start:
            raise InvalidInput(_("Working hours must end after they start."), field="hours")
        seen.add(hours.day)
    known = {zone.code for zone in event.zones}
    unknown = [code for code in data.zones if code not in known]
    if unknown:
        raise InvalidInput(_("Unknown zone “%(zone)s”.", zone=unknown[0][:40]), field="zones")
    if data.max_meetings is not None and not 1 <= data.max_meetings <= MAX_MEETINGS_CAP:
        raise InvalidInput(
            _("Most meetings: a whole number from 1 to %(max)d.", max=MAX_MEETINGS_CAP),
            field="max_meetings",
        )
    cost = data.cost_per_slot_usd
    if cost is not None and (not cost.is_finite() or cost < 0 or cost >= Decimal("1e8")):
        raise InvalidInput(_("The cost per slot must be a positive amount."), field="cost")
    return InterpreterInput(
        name=name,
        email=email,
        languages=languages,
        hours=tuple(sorted(data.hours, key=lambda h: h.day)),
        zones=tuple(dict.fromkeys(data.zones)),
        max_meetings=data.max_meetings,
        cost_per_slot_usd=None if cost is None else cost.quantize(Decimal("0.01")),
        locale=data.locale,
    )


def _require_organiser(event: Event, actor: User) -> None:
    if not (actor.has_role(Role.ORGANISER) and event.managed_by(actor)):
        raise NotAllowed(_("Only the organisers of this event manage its interpreters."))


def _account(session: Session, event: Event, data: InterpreterInput, unusable: str) -> User:
    """The interpreter's account: the existing one of that address (an interpreter at another
    event), else a new one without a usable password (the invitation sets it)."""
    user = get_user_by_email(session, data.email)
    if user is not None:
        if user.role != Role.INTERPRETER:
            raise InvalidInput(
                _("This e-mail address belongs to an account that is not an interpreter's."),
                field="email",
            )
        already = session.scalar(
            select(Interpreter.id).where(
                Interpreter.event_id == event.id, Interpreter.user_id == user.id
            )
        )
        if already is not None:
            raise InvalidInput(
                _("%(email)s is already an interpreter of this event.", email=data.email),
                field="email",
            )
        return user
    user = User(
        email=data.email,
        full_name=data.name,
        role=Role.INTERPRETER,
        locale=data.locale,
        password_hash=unusable,
    )
    user.end_sessions()
    session.add(user)
    return user


def _apply(
    session: Session, event: Event, interpreter: Interpreter, data: InterpreterInput
) -> None:
    interpreter.name = data.name
    interpreter.languages = list(data.languages)
    interpreter.max_meetings = data.max_meetings
    interpreter.cost_per_slot_usd = data.cost_per_slot_usd
    by_code = {zone.code: zone for zone in event.zones}
    interpreter.zones = [by_code[code] for code in data.zones]
    if interpreter.availability:  # delete the old days before (interpreter, day) is reused
        interpreter.availability.clear()
        session.flush()
    interpreter.availability = [
        InterpreterAvailability(day=h.day, start_time=h.start, end_time=h.end) for h in data.hours
    ]


def register_interpreters(
    session: Session, event: Event, rows: Sequence[InterpreterInput], actor: User
) -> list[tuple[Interpreter, bool]]:
    """Register each interpreter at ``event`` (all or nothing); returns each with whether its
    account is new (new accounts get an invitation to choose a password). Flushes only."""
    _require_organiser(event, actor)
    if not rows:
        raise InvalidInput(_("No interpreter to register."))
    unusable = generate_password_hash(
        secrets.token_urlsafe(32), method=user_model.PASSWORD_HASH_METHOD
    )
    done: list[tuple[Interpreter, bool]] = []
    emails: set[str] = set()
    for row in rows:
        data = check_input(event, row)
        if data.email in emails:
            raise InvalidInput(_("%(email)s is given twice.", email=data.email), field="email")
        emails.add(data.email)
        user = _account(session, event, data, unusable)
        new = user.id is None
        interpreter = Interpreter(event=event, user=user)
        _apply(session, event, interpreter, data)
        session.add(interpreter)
        session.flush()
        done.append((interpreter, new))
    return done


def register_interpreter(
    session: Session, event: Event, data: InterpreterInput, actor: User
) -> tuple[Interpreter, bool]:
    """Register one interpreter (see ``register_interpreters``)."""
    return register_interpreters(session, event, [data], actor)[0]


def remove_interpreter(session: Session, interpreter: Interpreter, actor: User) -> None:
    """Take the interpreter off its event; its meetings keep taking place without it (the
    organisers see them as needing an interpreter). Its account stays for its other events."""
    _require_organiser(interpreter.event, actor)
    session.delete(interpreter)
    session.flush()


def list_interpreters(session: Session, event: Event) -> list[Interpreter]:
    """The event's interpreters by name, with their account, zones and hours (four statements)."""
    return list(
        session.scalars(
            select(Interpreter)
            .where(Interpreter.event_id == event.id)
            .options(
                selectinload(Interpreter.user),
                selectinload(Interpreter.zones),
                selectinload(Interpreter.availability),
            )
            .order_by(Interpreter.name, Interpreter.id)
        )
    )


def meeting_counts(session: Session, version_id: int | None) -> dict[int, int]:
    """Active meetings per interpreter in a schedule version."""
    if version_id is None:
        return {}
    rows = session.execute(
        select(Meeting.interpreter_id, func.count())
        .where(
            Meeting.version_id == version_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.interpreter_id.is_not(None),
        )
        .group_by(Meeting.interpreter_id)
    )
    return {int(i): int(n) for i, n in rows if i is not None}


def interpreters_of_user(session: Session, user: User) -> list[Interpreter]:
    """The events ``user`` interprets at (newest first)."""
    return list(
        session.scalars(
            select(Interpreter)
            .join(Interpreter.event)
            .where(Interpreter.user_id == user.id)
            .options(selectinload(Interpreter.event))
            .order_by(Event.start_date.desc(), Interpreter.id)
        )
    )


# --- the solver's view -----------------------------------------------------------------------


def interpreter_key(interpreter_id: int) -> str:
    """An interpreter's id in the exchange format."""
    return f"i{interpreter_id}"


def interpreter_id_of(key: str) -> int | None:
    """The database id behind an exchange-format interpreter id, else None."""
    return int(key[1:]) if key[:1] == "i" and key[1:].isdigit() else None


def language_need(buyer: Participation, supplier: Participation) -> dict[str, list[str]] | None:
    """What interpreter a pair needs: None when the companies share a language, when either
    brings its own interpreter or lists no language; else the two sides' languages."""
    ours = list(buyer.company.languages or [])
    theirs = list(supplier.company.languages or [])
    if not ours or not theirs or set(ours) & set(theirs):
        return None
    if buyer.brings_interpreter or supplier.brings_interpreter:
        return None
    return {"buyer": ours, "supplier": theirs}


def serves(interpreter: Interpreter, need: dict[str, list[str]]) -> bool:
    """Whether ``interpreter`` speaks one of the buyer's and one of the supplier's languages."""
    spoken = set(interpreter.languages or [])
    return bool(spoken & set(need["buyer"])) and bool(spoken & set(need["supplier"]))


def works_in(interpreter: Interpreter, slot: Slot) -> bool:
    """Whether ``slot`` lies inside the interpreter's hours (no hours given: every slot)."""
    if not interpreter.availability:
        return True
    start, end = slot.local_start(), slot.local_end()
    return any(
        a.day == start.date() and a.start_time <= start.time() and end.time() <= a.end_time
        for a in interpreter.availability
        if end.date() == start.date()
    )


def serves_zone(interpreter: Interpreter, zone: Zone) -> bool:
    return not interpreter.zones or any(z.id == zone.id for z in interpreter.zones)


def instance_interpreters(
    session: Session, event: Event, slots: Sequence[Slot], slot_key: Any
) -> list[dict[str, Any]]:
    """The event's pool as the exchange format's ``interpreters`` list."""
    pool = []
    for interpreter in list_interpreters(session, event):
        item: dict[str, Any] = {
            "id": interpreter_key(interpreter.id),
            "name": interpreter.name,
            "languages": list(interpreter.languages),
        }
        if interpreter.availability:
            item["available"] = [slot_key(s) for s in slots if works_in(interpreter, s)]
        if interpreter.zones:
            item["zones"] = [zone.code for zone in interpreter.zones]
        if interpreter.max_meetings is not None:
            item["max_meetings"] = interpreter.max_meetings
        pool.append(item)
    return pool


# --- moving a meeting by hand ------------------------------------------------------------------


class NoInterpreterFree(DomainError):
    """A meeting that needs an interpreter cannot move where none is free."""


def _busy(
    session: Session, version_id: int, slot: Slot, ignore: set[int]
) -> tuple[set[int], dict[int, int]]:
    """Interpreters busy in ``slot`` at meetings other than ``ignore``, and each one's load
    (active meetings of the version, ``ignore`` not counted)."""
    rows = session.execute(
        select(Meeting.id, Meeting.interpreter_id, Meeting.slot_id).where(
            Meeting.version_id == version_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.interpreter_id.is_not(None),
        )
    )
    busy: set[int] = set()
    load: dict[int, int] = {}
    for meeting_id, interpreter_id, slot_id in rows:
        if meeting_id in ignore or interpreter_id is None:
            continue
        load[interpreter_id] = load.get(interpreter_id, 0) + 1
        if slot_id == slot.id:
            busy.add(interpreter_id)
    return busy, load


def choose_interpreter(
    session: Session,
    version_id: int,
    buyer: Participation,
    supplier: Participation,
    slot: Slot,
    zone: Zone,
    current: Interpreter | None = None,
    ignore: Iterable[int] = (),
    required: bool = True,
) -> Interpreter | None:
    """Who interprets the pair's meeting at ``slot`` in ``zone``: ``current`` when it still may
    (speaks both sides, works then, serves the zone, is free, within its cap), else the least
    busy interpreter who may; None when the pair needs none or the event has no interpreters
    (it does not use them). ``ignore``: meetings that move away (the one being moved).

    Raises ``NoInterpreterFree`` when nobody may, unless not ``required`` (a meeting that had
    no interpreter before, arranged by hand: it moves without one rather than not at all).
    """
    need = language_need(buyer, supplier)
    if need is None:
        return None
    everyone = list_interpreters(session, buyer.event)
    if not everyone:
        return None
    busy, load = _busy(session, version_id, slot, set(ignore))

    def may(candidate: Interpreter) -> bool:
        cap = candidate.max_meetings
        return (
            serves(candidate, need)
            and works_in(candidate, slot)
            and serves_zone(candidate, zone)
            and candidate.id not in busy
            and (cap is None or load.get(candidate.id, 0) < cap)
        )

    if current is not None and may(current):
        return current
    pool = [i for i in everyone if may(i)]
    if not pool and not required:
        return None
    if not pool:
        from matchmaking.i18n import language_name

        raise NoInterpreterFree(
            _(
                "No interpreter between %(buyer)s and %(supplier)s is free at that time in "
                "that zone. Choose another time, or register another interpreter.",
                buyer=" / ".join(language_name(c) for c in need["buyer"]),
                supplier=" / ".join(language_name(c) for c in need["supplier"]),
            ),
            field="slot",
        )
    return min(pool, key=lambda i: (load.get(i.id, 0), i.name, i.id))


def slots_with_interpreter(
    session: Session, meeting: Meeting, slots: Sequence[Slot], zone: Zone | None = None
) -> set[int]:
    """Ids of ``slots`` where ``meeting`` (moved there, in ``zone``: its own by default)
    may go as far as interpreters go: all of them when its pair needs none, when the event has
    no interpreters or when the meeting has none now (``choose_interpreter``'s rules)."""
    need = language_need(meeting.buyer, meeting.supplier)
    everyone = list_interpreters(session, meeting.buyer.event) if need else []
    if need is None or not everyone or meeting.interpreter_id is None:
        return {slot.id for slot in slots}
    zone = zone or meeting.zone
    pool = [i for i in everyone if serves(i, need) and serves_zone(i, zone)]
    if not pool:
        return set()
    rows = session.execute(
        select(Meeting.interpreter_id, Meeting.slot_id).where(
            Meeting.version_id == meeting.version_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.interpreter_id.is_not(None),
            Meeting.id != meeting.id,
        )
    )
    busy: set[tuple[int, int]] = set()
    load: dict[int, int] = {}
    for interpreter_id, slot_id in rows:
        if interpreter_id is None:
            continue
        busy.add((interpreter_id, slot_id))
        load[interpreter_id] = load.get(interpreter_id, 0) + 1
    free = [i for i in pool if i.max_meetings is None or load.get(i.id, 0) < i.max_meetings]
    return {
        slot.id
        for slot in slots
        if any((i.id, slot.id) not in busy and works_in(i, slot) for i in free)
    }


def add_interpreters(
    session: Session,
    event: Event,
    slots: Sequence[Slot],
    instance: dict[str, Any],
    participations: dict[str, Participation],
    fixed: Sequence[Meeting],
    slot_key: Any,
) -> None:
    """Complete an instance with the event's interpreters: the ``interpreters`` pool, each
    candidate's ``interpreter`` need, and each fixed meeting's interpreter.

    ``fixed`` are the meetings behind ``instance["fixed"]``, in the same order. A fixed
    meeting whose interpreter no longer may interpret it there (hours, zone, cap, removed) or
    that never had one keeps its place, and its pair is sent without a need: the organisers
    arranged it by hand, and the solver must not drop it.
    """
    pool = instance_interpreters(session, event, slots, slot_key)
    if not pool:
        return  # a version-1 instance, as before interpreters existed
    instance["interpreters"] = pool
    by_pair = {(c["buyer"], c["supplier"]): c for c in instance["candidates"]}
    for candidate in instance["candidates"]:
        buyer = participations.get(candidate["buyer"])
        supplier = participations.get(candidate["supplier"])
        need = language_need(buyer, supplier) if buyer and supplier else None
        if need is not None:
            candidate["interpreter"] = need
    known = {item["id"]: item for item in pool}
    busy: set[tuple[str, str]] = set()
    load: dict[str, int] = {}
    for entry, meeting in zip(instance.get("fixed", []), fixed, strict=True):
        candidate = by_pair.get((entry["buyer"], entry["supplier"]))
        if candidate is None or "interpreter" not in candidate:
            continue
        key = interpreter_key(meeting.interpreter_id) if meeting.interpreter_id else None
        person = known.get(key) if key else None
        slot = entry["slot"]
        cap = person.get("max_meetings") if person else None
        if (
            person is None
            or not _speaks(person["languages"], candidate["interpreter"])
            or slot not in person.get("available", [slot])
            or entry["zone"] not in person.get("zones", [entry["zone"]])
            or (person["id"], slot) in busy
            or (cap is not None and load.get(person["id"], 0) >= cap)
        ):
            del candidate["interpreter"]
            continue
        busy.add((person["id"], slot))
        load[person["id"]] = load.get(person["id"], 0) + 1
        entry["interpreter"] = person["id"]


def _speaks(languages: Sequence[str], need: dict[str, list[str]]) -> bool:
    spoken = set(languages)
    return bool(spoken & set(need["buyer"])) and bool(spoken & set(need["supplier"]))


def update_interpreter(
    session: Session, interpreter: Interpreter, data: InterpreterInput, actor: User
) -> None:
    """Change an interpreter's name, languages, hours, zones, cap and cost (its e-mail is its
    login and stays). Meetings already assigned keep it: the next generation re-checks them
    (``add_interpreters``), and a hand move re-checks the moved one. Flushes only."""
    event = interpreter.event
    _require_organiser(event, actor)
    checked = check_input(event, replace(data, email=interpreter.user.email))
    _apply(session, event, interpreter, checked)
    interpreter.user.locale = checked.locale
    session.flush()
