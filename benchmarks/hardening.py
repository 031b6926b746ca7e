"""Figures of the hardening pass (issue 14), measured on a throw-away SQLite file.

    .venv/bin/python -m benchmarks.hardening [--logins 30]

Prints:
- the median time of a failed login for a known and an unknown e-mail, with the app's own
  password hash (scrypt): equal times mean the login does not tell which addresses exist;
- for the seeded demo event's public snapshot, the distinct buyers and suppliers behind every
  published group, and how many groups have fewer than three of either (should be 0).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select

from matchmaking import create_app
from matchmaking.extensions import db
from matchmaking.models import Event, User
from matchmaking.models.types import utcnow


def login_times(rounds: int) -> dict[str, float]:
    """Median seconds of a failed login POST, for a known and for an unknown e-mail."""
    folder = tempfile.mkdtemp()
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/logins.sqlite",
        AUTH_RATE_LIMIT="100000 per minute",
        WTF_CSRF_ENABLED=False,
        MAIL_OUTBOX_DIR=folder,
    )
    with app.app_context():
        db.create_all()
        user = User(
            email="org@example.org",
            full_name="Org",
            role="organiser",
            email_confirmed_at=datetime.now(UTC),
        )
        user.set_password("the-right-password")
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for i in range(rounds):
        for kind, email in (("known", "org@example.org"), ("unknown", f"nobody{i}@example.org")):
            start = time.perf_counter()
            response = client.post("/login", data={"email": email, "password": "wrong-1"})
            times[kind].append(time.perf_counter() - start)
            assert response.status_code == 422, response.status_code
    return {kind: statistics.median(values) for kind, values in times.items()}


def demo_disclosure() -> tuple[int, int]:
    """(published groups, groups with fewer than 3 buyers or 3 suppliers) on the seeded demo."""
    import random

    from matchmaking.services.demo import publish_demo_schedule, seed_demo
    from matchmaking.services.demo_deals import seed_demo_outcomes
    from matchmaking.services.tally import compute_tally, get_snapshot
    from matchmaking.tally.outcomes import DIMENSIONS

    folder = tempfile.mkdtemp()
    app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/demo.sqlite")
    with app.app_context():
        db.create_all()
        summary = seed_demo(db.session, utcnow())
        db.session.commit()
        publish_demo_schedule(db.session, summary.event, utcnow())
        db.session.commit()
        seed_demo_outcomes(db.session, summary.event, utcnow(), random.Random(2025))
        db.session.commit()
        event = db.session.scalar(select(Event).where(Event.is_demo.is_(True)))
        snapshot = get_snapshot(db.session, event)
        if snapshot is None:
            print("demo: no public snapshot (too few companies reported deals)")
            return 0, 0
        rows = [r for r in compute_tally(db.session, event).rows if r.resolution.deal]
        published = small = 0
        for dimension in DIMENSIONS:
            groups = snapshot.groups_by(dimension)
            named = {g.key for g in groups} - {"other"}
            cells: dict[str, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
            for r in rows:
                key = r.resolution.deal.keys[dimension]
                cell = cells[key if key in named else "other"]
                cell[0].add(r.row.meeting.buyer.company_id)
                cell[1].add(r.row.meeting.supplier.company_id)
            for group in groups:
                buyers, suppliers = cells[group.key]
                published += 1
                short = len(buyers) < 3 or len(suppliers) < 3
                small += short
                flag = "  <-- fewer than 3" if short else ""
                print(
                    f"  {dimension:8} {group.key:16} buyers {len(buyers):3} "
                    f"suppliers {len(suppliers):3}{flag}"
                )
        return published, small


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=30, help="failed logins of each kind")
    args = parser.parse_args()
    medians = login_times(args.logins)
    print(
        f"failed login, median of {args.logins}: known e-mail {medians['known'] * 1000:.1f} ms, "
        f"unknown e-mail {medians['unknown'] * 1000:.1f} ms "
        f"(ratio {medians['unknown'] / medians['known']:.2f})"
    )
    print("demo public snapshot, distinct companies behind each published group:")
    published, small = demo_disclosure()
    print(f"published groups: {published}; with fewer than 3 buyers or 3 suppliers: {small}")


if __name__ == "__main__":
    main()
