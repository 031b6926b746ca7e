"""On the demo event with recorded outcomes, every way of reading the tally gives one figure."""

from __future__ import annotations

import csv
import io
import random
import re
from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from matchmaking.models.types import utcnow
from matchmaking.services.demo import DEMO_ORGANISER, DEMO_SLUG, publish_demo_schedule, seed_demo
from matchmaking.services.demo_deals import seed_demo_outcomes
from tests.functional.helpers import login

DIMENSIONS = ("zone", "country", "sector", "day", "stage")


def _figure(html: str, element_id: str) -> Decimal:
    match = re.search(rf'id="{element_id}">(?:CN¥|\$)([0-9,.]+)<', html)  # "CN¥13,020.50"
    assert match, element_id
    return Decimal(match.group(1).replace(",", ""))


def test_dashboard_press_page_csv_and_api_agree(client: FlaskClient, dbs: Session):
    summary = seed_demo(dbs, utcnow())
    publish_demo_schedule(dbs, summary.event, utcnow(), time_limit=3)
    assert seed_demo_outcomes(dbs, summary.event, utcnow(), random.Random(7)) > 0
    dbs.flush()

    api = client.get(f"/api/v1/events/{DEMO_SLUG}/deals/totals").get_json()
    total_cny, total_usd = Decimal(api["total"]["cny"]), Decimal(api["total"]["usd"])
    assert total_cny > Decimal("100000000")  # the demo reaches hundreds of millions of yuan

    press = client.get(f"/press/events/{DEMO_SLUG}").get_data(as_text=True)
    assert (_figure(press, "total-cny"), _figure(press, "total-usd")) == (total_cny, total_usd)

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/press/events/{DEMO_SLUG}/totals.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    total_row = next(r for r in rows if r["dimension"] == "total")
    assert (Decimal(total_row["value_cny"]), Decimal(total_row["value_usd"])) == (
        total_cny,
        total_usd,
    )

    for dimension in DIMENSIONS:
        grouped = client.get(
            f"/api/v1/events/{DEMO_SLUG}/deals/totals", query_string={"group_by": dimension}
        ).get_json()
        assert sum(Decimal(g["cny"]) for g in grouped["groups"]) == total_cny, dimension
        assert sum(Decimal(g["usd"]) for g in grouped["groups"]) == total_usd, dimension
        csv_groups = {
            r["key"]: Decimal(r["value_cny"]) for r in rows if r["dimension"] == dimension
        }
        assert csv_groups == {g["key"]: Decimal(g["cny"]) for g in grouped["groups"]}

    login(client, DEMO_ORGANISER[0], DEMO_ORGANISER[1])
    dashboard = client.get(f"/deals/events/{DEMO_SLUG}/").get_data(as_text=True)
    assert (_figure(dashboard, "total-cny"), _figure(dashboard, "total-usd")) == (
        total_cny,
        total_usd,
    )
