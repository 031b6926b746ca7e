"""Statuses and roles are StrEnums: the migrated database allows exactly their values, and
templates compare with them."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask_migrate import upgrade
from sqlalchemy import inspect

from matchmaking import create_app
from matchmaking.extensions import db
from matchmaking.models import (
    STATE_ENUMS,
    Attendance,
    CompanySize,
    ConflictRule,
    EventStatus,
    MeetingStatus,
    MessageStatus,
    OfferingKind,
    OutcomeStage,
    ParticipationStatus,
    ProposalStatus,
    RefillStatus,
    RequestStatus,
    Role,
    TallyDimension,
    VersionStatus,
)
from matchmaking.models.deal import DEAL_STAGES

# (table, check constraint, the values it must allow)
CHECKS: list[tuple[str, str, tuple[StrEnum, ...]]] = [
    ("events", "status_known", tuple(EventStatus)),
    ("companies", "size_known", tuple(CompanySize)),
    ("participations", "status_known", tuple(ParticipationStatus)),
    ("offerings", "kind_known", tuple(OfferingKind)),
    ("meeting_requests", "status_known", tuple(RequestStatus)),
    ("schedule_versions", "status_known", tuple(VersionStatus)),
    ("meetings", "status_known", tuple(MeetingStatus)),
    ("meetings", "attendance_known", tuple(Attendance)),
    ("reschedule_proposals", "status_known", tuple(ProposalStatus)),
    ("users", "role_known", tuple(Role)),
    ("outcomes", "stage_known", tuple(OutcomeStage)),
    ("outcome_changes", "stage_known", tuple(OutcomeStage)),
    ("tally_settings", "rule_known", tuple(ConflictRule)),
    ("tally_snapshot_groups", "dimension_known", tuple(TallyDimension)),
    ("tally_snapshot_deals", "stage_is_deal", DEAL_STAGES),
    ("sent_messages", "status_known", tuple(MessageStatus)),
    ("refill_offers", "status_known", tuple(RefillStatus)),
]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Check constraints by table and name, from an empty database upgraded to head."""
    path = Path(tmp_path_factory.mktemp("enums")) / "head.sqlite"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        inspector = inspect(db.engine)
        checks = {
            table: {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
            for table in {table for table, _name, _values in CHECKS}
        }
        db.engine.dispose()
    return checks


@pytest.mark.parametrize(
    ("table", "name", "values"), CHECKS, ids=[f"{t}.{n}" for t, n, _v in CHECKS]
)
def test_migrations_allow_exactly_the_enum_values(
    migrated: dict[str, dict[str, str]], table: str, name: str, values: tuple[StrEnum, ...]
):
    sql = migrated[table][f"ck_{table}_{name}"]
    assert sorted(re.findall(r"'([a-z_]+)'", sql)) == sorted(values)


def test_templates_compare_with_the_enums(app: Flask):
    with app.test_request_context():
        shown = render_template_string(
            "{{ 'yes' if status == ParticipationStatus.APPROVED else 'no' }} {{ Role.ADMIN }}",
            status="approved",
        )
    assert shown == "yes admin"
    assert {e.__name__ for e in STATE_ENUMS} <= set(app.jinja_env.globals)
