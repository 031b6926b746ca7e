"""The deal tally: computed from the outcomes for organisers, published as snapshots for others.

Organisers see every figure, live (``compute_tally``). Reporters and the public only ever read
the latest ``TallySnapshot`` of a published tally: totals and groups that passed the disclosure
rule of ``matchmaking.tally.groups.fold``, rounded as ``matchmaking.tally.money`` describes. A
new snapshot replaces it only when ``matchmaking.tally.release`` finds that subtracting any
earlier snapshot from it cannot single out a few companies' deals.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import pycountry
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from matchmaking.errors import DomainError, InvalidInput
from matchmaking.models import (
    Event,
    Meeting,
    Outcome,
    ScheduleVersion,
    TallySettings,
    TallySnapshot,
    TallySnapshotGroup,
    User,
)
from matchmaking.models.deal import CONFLICT_RULES, ConflictRule, OutcomeStage, TallySnapshotDeal
from matchmaking.models.schedule import Attendance, MeetingStatus, VersionStatus
from matchmaking.services.deals import MeetingOutcomes, list_event_outcomes
from matchmaking.services.rates import RateTable
from matchmaking.tally.groups import (
    OTHER,
    Figure,
    figure,
    group_deals,
    present,
    present_all,
    total_of,
)
from matchmaking.tally.money import apportion, convert, to_fen
from matchmaking.tally.outcomes import (
    DIMENSIONS,
    Deal,
    MeetingReports,
    Report,
    Resolution,
    resolve,
)
from matchmaking.tally.release import Published, Version, changes_between, plan_release, version

UNSPECIFIED = "unspecified"


class TallyUnavailable(DomainError):
    """The tally is not published, still under embargo, or not computed yet."""

    status = 404


@dataclass(frozen=True)
class DealRow:
    """A meeting as the tally sees it (organisers only)."""

    row: MeetingOutcomes
    resolution: Resolution
    day: str


@dataclass
class TallyView:
    """Everything the organiser dashboard shows."""

    event: Event
    rule: str
    total: Figure
    groups: dict[str, list[Figure]]
    labels: dict[str, dict[str, str]]
    rows: list[DealRow]
    meetings_held: int
    cumulative: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def conflicts(self) -> list[DealRow]:
        return [r for r in self.rows if r.resolution.conflict]

    @property
    def missing_rates(self) -> list[DealRow]:
        return [r for r in self.rows if r.resolution.rate_missing]

    @property
    def deal_rows(self) -> list[DealRow]:
        return [r for r in self.rows if r.resolution.deal is not None]


def get_settings(session: Session, event: Event) -> TallySettings:
    """``event``'s tally settings, created with the defaults when missing."""
    settings = session.scalar(select(TallySettings).where(TallySettings.event_id == event.id))
    if settings is None:
        settings = TallySettings(
            event_id=event.id, conflict_rule=ConflictRule.LOWER, published=False
        )
        session.add(settings)
        session.flush()
    return settings


def set_conflict_rule(session: Session, event: Event, rule: str, actor: User) -> None:
    """Choose which value counts when the two companies report different ones."""
    if rule not in CONFLICT_RULES:
        raise InvalidInput(_("Choose a rule."), field="rule")
    get_settings(session, event).conflict_rule = rule
    session.flush()


def _report(outcome: Outcome | None, rates: RateTable, local: datetime) -> Report | None:
    if outcome is None:
        return None
    sector = outcome.sector.parent or outcome.sector if outcome.sector else None
    value_cny = value_usd = None
    if outcome.is_deal and outcome.amount is not None and outcome.currency:
        amount = Decimal(outcome.amount)
        to_cny = rates.to_cny(outcome.currency, local.date())
        to_usd = rates.to_usd(outcome.currency, local.date())
        value_cny = convert(amount, to_cny) if to_cny is not None else None
        value_usd = convert(amount, to_usd) if to_usd is not None else None
    return Report(
        stage=outcome.stage,
        amount=Decimal(outcome.amount) if outcome.amount is not None else None,
        currency=outcome.currency,
        value_cny=value_cny,
        value_usd=value_usd,
        sector=sector.code if sector else UNSPECIFIED,
    )


def _labels(event: Event, rows: list[MeetingOutcomes]) -> dict[str, dict[str, str]]:
    """English labels of every group key (templates translate them)."""
    labels: dict[str, dict[str, str]] = {d: {} for d in DIMENSIONS}
    labels["sector"] = {s.code: s.name for s in event.sectors}
    labels["sector"][UNSPECIFIED] = "Unspecified"
    labels["zone"] = {z.code: z.name for z in event.zones}
    labels["stage"] = {
        OutcomeStage.TENTATIVE: "Tentative deal",
        OutcomeStage.PRELIMINARY: "Preliminary agreement",
        OutcomeStage.SIGNED: "Signed contract",
    }
    for row in rows:
        code = row.meeting.buyer.company.country
        country = pycountry.countries.get(alpha_2=code)
        labels["country"][code] = country.name if country else code
    for day in event.days:
        labels["day"][day.isoformat()] = day.isoformat()
    for dimension in DIMENSIONS:
        labels[dimension][OTHER] = "Other"
    return labels


def compute_tally(session: Session, event: Event) -> TallyView:
    """The full tally of ``event`` under its conflict rule (organisers only)."""
    rule = get_settings(session, event).conflict_rule
    rates = RateTable.for_event(session, event)
    rows = list_event_outcomes(session, event)
    deal_rows: list[DealRow] = []
    for row in rows:
        if row.buyer is None and row.supplier is None:
            continue
        meeting = row.meeting
        local = meeting.slot.starts_at.astimezone(event.tz)
        reports = MeetingReports(
            meeting_id=meeting.id,
            buyer_company=meeting.buyer.company_id,
            supplier_company=meeting.supplier.company_id,
            buyer=_report(row.buyer, rates, local),
            supplier=_report(row.supplier, rates, local),
            keys={
                "zone": meeting.zone.code,
                "country": meeting.buyer.company.country,
                "day": local.date().isoformat(),
            },
        )
        deal_rows.append(DealRow(row, resolve(reports, rule), local.date().isoformat()))
    deals = [r.resolution.deal for r in deal_rows if r.resolution.deal is not None]
    total = total_of(deals)
    head = figure(total, to_fen(total.value_cny), to_fen(total.value_usd))
    groups = {d: present_all(group_deals(deals, d)) for d in DIMENSIONS}
    running = Decimal(0)
    by_day = {f.key: f.value_cny for f in groups["day"]}
    cumulative = []
    for day in event.days:
        running += by_day.get(day.isoformat(), Decimal(0))
        cumulative.append((day.isoformat(), running))
    return TallyView(
        event=event,
        rule=rule,
        total=head,
        groups=groups,
        labels=_labels(event, rows),
        rows=deal_rows,
        meetings_held=count_meetings_held(session, event),
        cumulative=cumulative,
    )


def count_meetings_held(session: Session, event: Event) -> int:
    """Meetings of the published schedule marked as held."""
    return int(
        session.scalar(
            select(func.count(Meeting.id))
            .join(ScheduleVersion, Meeting.version_id == ScheduleVersion.id)
            .where(
                Meeting.event_id == event.id,
                ScheduleVersion.status == VersionStatus.PUBLISHED,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.attendance == Attendance.HELD,
            )
        )
        or 0
    )


DEALS_CSV_COLUMNS = (
    "meeting", "day", "zone", "buyer", "buyer_country", "supplier",
    "buyer_stage", "buyer_amount", "buyer_currency",
    "supplier_stage", "supplier_amount", "supplier_currency",
    "counted_side", "counted_stage", "value_cny", "value_usd", "conflict", "rate_missing",
)  # fmt: skip


def deals_rows(view: TallyView) -> Iterator[list[object]]:
    """One row per reported meeting, then a blank row and the total (``DEALS_CSV_COLUMNS``).

    The CNY/USD columns are apportioned so that they add up to the totals.
    """
    rows = view.rows
    values = [r.resolution.deal for r in rows]
    cny = apportion([d.value_cny if d else Decimal(0) for d in values])
    usd = apportion([d.value_usd if d else Decimal(0) for d in values])

    def report(o: Outcome | None) -> list[str]:
        if o is None:
            return ["", "", ""]
        return [o.stage, str(o.amount) if o.amount is not None else "", o.currency or ""]

    for r, c, u in zip(rows, cny, usd, strict=True):
        m = r.row.meeting
        deal = r.resolution.deal
        yield [
            m.id, r.day, m.zone.code,
            m.buyer.company.legal_name, m.buyer.company.country,
            m.supplier.company.legal_name,
            *report(r.row.buyer), *report(r.row.supplier),
            r.resolution.chosen or "", deal.stage if deal else "",
            c if deal else "", u if deal else "",
            "yes" if r.resolution.conflict else "", "yes" if r.resolution.rate_missing else "",
        ]  # fmt: skip
    yield []
    yield ["total", "", "", "", "", "", "", "", "", "", "", "", "", "",
           view.total.value_cny, view.total.value_usd, "", ""]  # fmt: skip


# --- publication -------------------------------------------------------------------------


def publish_tally(
    session: Session, event: Event, embargo_until: datetime | None, actor: User, now: datetime
) -> bool:
    """Publish ``event``'s tally (visible from ``embargo_until`` if given).

    Returns True when a new snapshot was written, False when the latest one stays because
    the deals changed since would single out a few companies (see ``write_snapshot``).
    """
    settings = get_settings(session, event)
    settings.published = True
    settings.embargo_until = embargo_until
    settings.published_at = now
    settings.published_by_id = actor.id
    session.flush()
    return write_snapshot(session, event, now)


def unpublish_tally(session: Session, event: Event, actor: User) -> None:
    """Withdraw the published tally.

    Its snapshots are kept, hidden: what the public saw once is what a re-publication must
    not be subtractable from.
    """
    get_settings(session, event).published = False
    session.flush()


def get_snapshot(session: Session, event: Event) -> TallySnapshot | None:
    """``event``'s latest snapshot (the one the public reads while the tally is published)."""
    return session.scalar(
        select(TallySnapshot)
        .where(TallySnapshot.event_id == event.id)
        .order_by(TallySnapshot.id.desc())
        .limit(1)
    )


def _published(snapshot: TallySnapshot) -> Published:
    """What ``snapshot`` published, as ``plan_release`` compares it."""
    named: dict[str, set[str]] = {d: set() for d in DIMENSIONS}
    for group in snapshot.groups:
        if group.key != OTHER:
            named[group.dimension].add(group.key)
    versions = tuple(
        Version(
            meeting_id=row.meeting_id,
            buyer=row.buyer_company_id,
            supplier=row.supplier_company_id,
            keys={d: getattr(row, d) for d in DIMENSIONS},
            fingerprint=row.fingerprint,
        )
        for row in snapshot.covered
    )
    return Published(versions, {d: frozenset(k) for d, k in named.items()}, snapshot.suppressed)


def _earlier(session: Session, event: Event) -> list[Published]:
    """Every snapshot of ``event`` so far, oldest first (three queries, whatever their number)."""
    snapshots = session.scalars(
        select(TallySnapshot)
        .where(TallySnapshot.event_id == event.id)
        .order_by(TallySnapshot.id)
        .options(selectinload(TallySnapshot.groups), selectinload(TallySnapshot.covered))
    ).all()
    return [_published(s) for s in snapshots]


def _deals(view: TallyView) -> list[Deal]:
    return [r.resolution.deal for r in view.rows if r.resolution.deal is not None]


def _changed_since(snapshot: TallySnapshot, deals: list[Deal]) -> bool:
    return bool(changes_between(_published(snapshot).versions, [version(d) for d in deals]))


def pending_changes(session: Session, event: Event, view: TallyView) -> bool:
    """The organiser's tally counts deals differently from the latest snapshot."""
    snapshot = get_snapshot(session, event)
    return snapshot is not None and _changed_since(snapshot, _deals(view))


def write_snapshot(session: Session, event: Event, now: datetime) -> bool:
    """Publish ``event``'s current figures as a new snapshot if that is safe; True if written.

    ``plan_release`` decides: a new snapshot needs changed deals of at least three buyers and
    three suppliers since every earlier snapshot, also within each group it publishes;
    otherwise the latest snapshot stays, with its time. Idempotent: unchanged deals write
    nothing. Locks the event's tally settings so that two writers (the job and an organiser
    publishing) compare with each other's snapshot instead of both with the same one.
    """
    session.execute(
        select(TallySettings.id).where(TallySettings.event_id == event.id).with_for_update()
    )
    view = compute_tally(session, event)
    deals = _deals(view)
    latest = get_snapshot(session, event)
    if latest is not None and not _changed_since(latest, deals):
        return False  # the usual case of the minute job: no need to load every snapshot
    release = plan_release(deals, _earlier(session, event))
    if release is None:
        return False
    snapshot = TallySnapshot(
        event_id=event.id,
        computed_at=now,
        conflict_rule=view.rule,
        suppressed=release.suppressed,
        total_cny=Decimal("0.00"),
        total_usd=Decimal("0.00"),
        deals=0,
        companies=0,
        meetings_held=view.meetings_held,
    )
    if not release.suppressed:
        for dimension in DIMENSIONS:
            head, figures = present(release.foldings[dimension])
            labels = view.labels[dimension]
            for position, item in enumerate(figures):
                snapshot.groups.append(
                    TallySnapshotGroup(
                        dimension=dimension,
                        position=position,
                        key=item.key,
                        label=labels.get(item.key, item.key)[:200],
                        value_cny=item.value_cny,
                        value_usd=item.value_usd,
                        deals=item.deals,
                        companies=item.companies,
                        buyers=item.buyers,
                        suppliers=item.suppliers,
                    )
                )
        snapshot.total_cny, snapshot.total_usd = head.value_cny, head.value_usd
        snapshot.deals, snapshot.companies = head.deals, head.companies
    for v in release.versions:
        snapshot.covered.append(
            TallySnapshotDeal(
                meeting_id=v.meeting_id,
                buyer_company_id=v.buyer,
                supplier_company_id=v.supplier,
                fingerprint=v.fingerprint,
                **{d: v.keys[d] for d in DIMENSIONS},
            )
        )
    session.add(snapshot)
    session.flush()
    return True


def refresh_tally_snapshots(session: Session, now: datetime) -> int:
    """Job: write a new snapshot of every published tally where that is safe; how many.

    Idempotent (unchanged deals write nothing); withdrawn tallies keep their hidden snapshots.
    Flushes only: the caller commits, so readers switch to the new figures at once. Run it on
    a schedule and at each embargo time (see ``next_embargo``).
    """
    changed = 0
    published = select(TallySettings).where(TallySettings.published.is_(True))
    for settings in session.scalars(published).all():
        changed += write_snapshot(session, settings.event, now)
    session.flush()
    return changed


def next_embargo(session: Session, now: datetime) -> datetime | None:
    """The earliest embargo of a published tally still in the future (to schedule a refresh)."""
    return session.scalar(
        select(func.min(TallySettings.embargo_until)).where(
            TallySettings.published.is_(True), TallySettings.embargo_until > now
        )
    )


def published_snapshot(session: Session, event: Event, now: datetime) -> TallySnapshot:
    """The snapshot reporters and the public may read; TallyUnavailable otherwise."""
    settings = session.scalar(select(TallySettings).where(TallySettings.event_id == event.id))
    if settings is None or not settings.published:
        raise TallyUnavailable(_("The organisers have not published the deal tally yet."))
    if settings.embargo_until is not None and now < settings.embargo_until:
        raise TallyUnavailable(_("The deal tally is under embargo."))
    snapshot = get_snapshot(session, event)
    if snapshot is None:
        raise TallyUnavailable(_("The deal tally is being computed. Please try again shortly."))
    return snapshot


def list_published_events(session: Session, now: datetime) -> list[Event]:
    """Events whose tally the public may read now."""
    settings = session.scalars(select(TallySettings).where(TallySettings.published.is_(True))).all()
    return [s.event for s in settings if s.embargo_until is None or s.embargo_until <= now]
