"""Press views: only what organisers published (the snapshot), never a company's figures."""

from __future__ import annotations

from collections.abc import Iterator

from flask import abort, render_template
from werkzeug.wrappers import Response

from matchmaking.blueprints.access import event_or_404
from matchmaking.blueprints.csv_response import csv_response
from matchmaking.blueprints.press import bp
from matchmaking.extensions import db
from matchmaking.models import Event, TallySnapshot
from matchmaking.models.types import utcnow
from matchmaking.services.memoranda import list_memoranda
from matchmaking.services.tally import (
    TallyUnavailable,
    list_published_events,
    published_snapshot,
)
from matchmaking.tally.outcomes import DIMENSIONS


def _event(slug: str) -> Event:
    return event_or_404(slug, public=True)  # drafts are not public, not even by name


@bp.get("/")
def index() -> str:
    return render_template("press/index.html", events=list_published_events(db.session, utcnow()))


@bp.get("/events/<slug>")
def event(slug: str) -> tuple[str, int]:
    event = _event(slug)
    try:
        snapshot = published_snapshot(db.session, event, utcnow())
    except TallyUnavailable as error:
        return render_template("press/event.html", event=event, notice=error.message), error.status
    return render_template(
        "press/event.html",
        event=event,
        snapshot=snapshot,
        dimensions=DIMENSIONS,
        memoranda=list_memoranda(db.session, event),
        notice=None,
    ), 200


TOTALS_CSV_COLUMNS = ("dimension", "key", "label", "value_cny", "value_usd", "deals", "companies")


def snapshot_rows(snapshot: TallySnapshot) -> Iterator[list[object]]:
    """The published figures: the total, then every group of every dimension (none if withheld)."""
    if snapshot.suppressed:
        return
    yield ["total", "", "", snapshot.total_cny, snapshot.total_usd, snapshot.deals,
           snapshot.companies]  # fmt: skip
    for dimension in DIMENSIONS:
        for g in snapshot.groups_by(dimension):
            yield [dimension, g.key, g.label, g.value_cny, g.value_usd, g.deals, g.companies]


@bp.get("/events/<slug>/totals.csv")
def totals_csv(slug: str) -> Response:
    event = _event(slug)
    try:
        snapshot = published_snapshot(db.session, event, utcnow())
    except TallyUnavailable:
        abort(404)
    return csv_response(
        f"{event.slug}-deal-totals.csv", TOTALS_CSV_COLUMNS, snapshot_rows(snapshot)
    )
