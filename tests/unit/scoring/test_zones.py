"""The organiser's sector-to-zone mapping decides where a pair meets."""

from __future__ import annotations

import pytest

from matchmaking.scoring import zone_for

MAPPING = {"machinery": "machinery", "machinery.parts": "nev", "auto": "nev", "food": "imported"}


@pytest.mark.parametrize(
    ("interest", "offer", "expected"),
    [
        pytest.param("machinery.agricultural", "machinery.agricultural", "machinery", id="top"),
        pytest.param("machinery.parts", "machinery.parts", "nev", id="subsector-wins"),
        pytest.param("machinery", "machinery.parts", "nev", id="offer-subsector-over-sector"),
        pytest.param("machinery.parts", "machinery", "nev", id="interest-subsector-over-sector"),
        pytest.param("auto.parts", "machinery.parts", "nev", id="subsector-over-other-sector"),
        pytest.param("food.oils", "machinery.general", "machinery", id="offer-first"),
        pytest.param("textile", "textile.wool", None, id="unmapped"),
        pytest.param(None, "food.oils", "imported", id="no-interest"),
        pytest.param(None, None, None, id="nothing"),
    ],
)
def test_zone_for(interest: str | None, offer: str | None, expected: str | None) -> None:
    assert zone_for(interest, offer, MAPPING) == expected
