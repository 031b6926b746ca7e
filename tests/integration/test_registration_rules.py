"""The registration service owns its rules: wrong input is InvalidInput (422) naming the field,
whoever calls it (a form, the CLI, the demo), never an access error (issue 20, item 2)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy.orm import Session

from matchmaking.errors import InvalidInput
from matchmaking.models import Event
from matchmaking.services.registration import (
    AvailabilityInput,
    CompanyInput,
    ContactInput,
    OfferingInput,
    ParticipationInput,
    register_company,
    update_participation,
)
from tests.conftest import sector
from tests.functional.helpers import make_company_user

pytestmark = pytest.mark.dates


def _participation(event: Event, **changes: object) -> ParticipationInput:
    values: dict[str, object] = {
        "offerings": (
            OfferingInput("buy", sector(event, "agrimachinery.tractors").id, "tractors"),
        ),
        "availability": (AvailabilityInput(event.start_date, time(9), time(17)),),
    }
    values.update(changes)
    return ParticipationInput(**values)  # type: ignore[arg-type]


def _register(dbs: Session, event: Event, data: ParticipationInput) -> None:
    register_company(
        dbs,
        event,
        CompanyInput(legal_name="Steppe Agro LLP", country="KZ", city="Almaty"),
        ContactInput(full_name="Aigerim Sadykova", email="aigerim@steppe.kz", password=None),
        data,
        datetime.now(UTC),
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"availability": ()}, "availability", "at least one day", id="no-day"),
        pytest.param({"offerings": ()}, "sells", "at least one sector", id="no-sector"),
        pytest.param(
            {"offerings": (OfferingInput("buy", -1, "x"),)}, "buys", "Unknown sector", id="sector"
        ),
        pytest.param(
            {"availability": (AvailabilityInput(datetime(2001, 1, 1).date(), time(9), time(17)),)},
            "availability",
            "not part of the event",
            id="day",
        ),
    ],
)
def test_registration_refuses_invalid_input_naming_the_field(
    dbs: Session, event: Event, changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as raised:
        _register(dbs, event, _participation(event, **changes))
    assert (raised.value.field, raised.value.status) == (field, 422)


def test_participation_edits_follow_the_same_rules(dbs: Session, event: Event) -> None:
    user = make_company_user(dbs, event)
    assert user.company is not None
    participation = user.company.participations[0]
    now = datetime.now(UTC)
    with pytest.raises(InvalidInput, match="at least one day") as raised:
        update_participation(dbs, participation, _participation(event, availability=()), user, now)
    assert raised.value.field == "availability"
    outside = AvailabilityInput(event.end_date + timedelta(days=1), time(9), time(17))
    with pytest.raises(InvalidInput, match="not part of the event"):
        update_participation(
            dbs, participation, _participation(event, availability=(outside,)), user, now
        )
    update_participation(dbs, participation, _participation(event), user, now)
    assert [a.day for a in participation.availability] == [event.start_date]


def test_a_service_refusal_on_the_command_line_is_one_line_and_exit_2() -> None:
    from click.testing import CliRunner

    from matchmaking import create_app
    from matchmaking.cli import _Group

    group = _Group(create_app=create_app, add_default_commands=False)

    @group.command("register")
    def register() -> None:
        raise InvalidInput("Choose at least one day you attend.", field="availability")

    result = CliRunner().invoke(group, ["register"])
    assert result.exit_code == 2
    assert result.stderr == "error: Choose at least one day you attend. (availability)\n"
    assert result.stdout == ""


def test_seeded_participations_meet_the_same_rules(dbs: Session, event: Event, app) -> None:
    """The demo builds participations without the forms; the service's check still applies."""
    from matchmaking.models import Availability, Company, Participation
    from matchmaking.services.registration import check_seeded_participation

    def seeded(**fields: object) -> Participation:
        company = Company(legal_name="ТОО «Демо»", country="KZ", city="Алматы", languages=["ru"])
        values: dict[str, object] = {"event": event, "company": company, "offerings": []}
        values.update(fields)
        participation = Participation(**values)
        dbs.add_all([company, participation])
        return participation

    with app.test_request_context():
        with pytest.raises(InvalidInput) as no_sector:
            check_seeded_participation(dbs, seeded())
        assert no_sector.value.field == "sells"
        from matchmaking.models import Offering

        outside = seeded(
            offerings=[Offering(kind="buy", sector=sector(event, "nev.parts"), description="x")],
            availability=[
                Availability(
                    day=event.end_date + timedelta(days=5), start_time=time(9), end_time=time(17)
                )
            ],
        )
        with pytest.raises(InvalidInput) as wrong_day:
            check_seeded_participation(dbs, outside)
        assert wrong_day.value.field == "availability"
