"""Which negotiation zone a pair meets in, from the organiser's sector-to-zone mapping."""

from __future__ import annotations

from collections.abc import Mapping


def _top(code: str) -> str:
    return code.split(".", 1)[0]


def zone_for(
    buyer_interest_sector: str | None,
    supplier_offer_sector: str | None,
    mapping: Mapping[str, str],
) -> str | None:
    """The zone of a pair: sub-sector codes before top sectors, the offer's before the interest's.

    Either code may be a sector ("machinery") or a sub-sector ("machinery.agricultural");
    None when nothing maps.
    """
    codes = [code for code in (supplier_offer_sector, buyer_interest_sector) if code]
    for code in [c for c in codes if "." in c] + [_top(c) for c in codes]:
        if code in mapping:
            return mapping[code]
    return None
