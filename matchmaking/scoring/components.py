"""The additive score components; each returns (value in [0, 1], detail, reasons)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from .model import Interest, Offer, Participant, SizeRange
from .result import Reason
from .text import Document, cosine, shared_phrases, shared_terms

Part = tuple[float, dict[str, Any], tuple[Reason, ...]]

SAME_SUBSECTOR = 1.0
SAME_SECTOR = 0.5
ONE_SIDED_REQUEST = 0.6
MUTUAL_REQUEST = 1.0
INTERPRETER = 0.5
UNKNOWN = 0.5  # no information (no languages declared, no sizes given): neither credit nor penalty
CAPACITY_CLOSE = 0.5  # capacity at least half the smallest order, or above the largest order
FAR_BELOW = Decimal("0.5")  # capacity below this share of the smallest order scores 0


def sector_value(interest: Interest | None, offer: Offer | None) -> float:
    """1 for the same sub-sector, 0.5 for the same top sector, 0 otherwise."""
    if interest is None or offer is None or interest.sector != offer.sector:
        return 0.0
    if interest.subsector is not None and interest.subsector == offer.subsector:
        return SAME_SUBSECTOR
    return SAME_SECTOR


def sector(interest: Interest | None, offer: Offer | None) -> Part:
    """Sector fit on the two-level taxonomy."""
    value = sector_value(interest, offer)
    detail = {
        "buyer": None if interest is None else interest.subsector or interest.sector,
        "supplier": None if offer is None else offer.subsector or offer.sector,
    }
    if value == SAME_SUBSECTOR and interest is not None:
        return (
            value,
            detail | {"level": "subsector"},
            (Reason("same_subsector", {"sector": interest.subsector}),),
        )
    if value == SAME_SECTOR and interest is not None:
        return (
            value,
            detail | {"level": "sector"},
            (Reason("same_sector", {"sector": interest.sector}),),
        )
    return value, detail | {"level": "none"}, ()


def text(interest_doc: Document, offer_doc: Document) -> Part:
    """TF-IDF cosine of the interest and offer descriptions."""
    value = cosine(interest_doc, offer_doc)
    shared = shared_terms(interest_doc, offer_doc) if value > 0 else []
    detail = {"similarity": round(value, 4), "terms": [term for term, _ in shared]}
    if not shared:
        return value, detail, ()
    # "words" holds the buyer's whole product phrases ("brake systems"), as it wrote them.
    phrases = shared_phrases(interest_doc, offer_doc) or [word for _, word in shared]
    params = {"terms": [term for term, _ in shared], "words": phrases}
    return value, detail, (Reason("shared_terms", params),)


def request_value(buyer: str, supplier: str, requested_by: Collection[str]) -> float:
    """1 when both asked for the meeting, 0.6 when one did, 0 otherwise."""
    asked = (buyer in requested_by) + (supplier in requested_by)
    return (0.0, ONE_SIDED_REQUEST, MUTUAL_REQUEST)[asked]


def request(buyer: str, supplier: str, requested_by: Collection[str], accepted: bool) -> Part:
    """Meeting requests between the two companies, in either direction."""
    by = [company for company in (buyer, supplier) if company in requested_by]
    detail = {"requested_by": by, "accepted": accepted}
    reasons: list[Reason] = []
    value = request_value(buyer, supplier, requested_by)
    if len(by) == 2:
        reasons.append(Reason("mutual_request", {}))
    elif by:
        role = "buyer" if by[0] == buyer else "supplier"
        reasons.append(Reason("requested", {"company": by[0], "role": role}))
    if by and accepted:
        reasons.append(Reason("request_accepted", {}))
    return value, detail, tuple(reasons)


def common_languages(a: Sequence[str], b: Sequence[str]) -> list[str]:
    """Languages both declare, in the order of ``a``."""
    return [code for code in a if code in b]


def language(buyer: Participant, supplier: Participant, interpreters: bool) -> Part:
    """A common language; else half credit when an interpreter is needed and provided."""
    common = common_languages(buyer.languages, supplier.languages)
    detail: dict[str, Any] = {"common": common}
    if common:
        return 1.0, detail, (Reason("common_language", {"language": common[0]}),)
    wants = [p.id for p in (buyer, supplier) if p.interpreter_needed]
    if wants and interpreters:
        detail["interpreter_for"] = wants
        languages = {"buyer_languages": list(buyer.languages)}
        languages["supplier_languages"] = list(supplier.languages)
        return INTERPRETER, detail, (Reason("interpreter_needed", languages),)
    if not buyer.languages or not supplier.languages:
        return UNKNOWN, detail, ()
    return 0.0, detail, (Reason("no_common_language", {}),)


def capacity_value(order: SizeRange | None, capacity: SizeRange | None) -> float:
    """1 when the ranges overlap, 0 when capacity is far below the order, 0.5 in between."""
    if order is None or capacity is None or order.unit != capacity.unit:
        return UNKNOWN
    if capacity.high >= order.low and capacity.low <= order.high:
        return 1.0
    if capacity.low > order.high:
        return CAPACITY_CLOSE
    return CAPACITY_CLOSE if capacity.high >= order.low * FAR_BELOW else 0.0


def capacity(interest: Interest | None, offer: Offer | None) -> Part:
    """Order size against supply capacity, where both are given in the same unit."""
    order = None if interest is None else interest.order
    supply = None if offer is None else offer.capacity
    value = capacity_value(order, supply)
    if order is None or supply is None:
        return value, {}, ()
    params = {"order": str(order), "capacity": str(supply)}
    if order.unit != supply.unit:
        return value, params | {"units": "differ"}, ()
    if value == 1.0:
        return value, params, (Reason("capacity_fits", params),)
    if supply.low > order.high:
        return value, params, (Reason("order_below_minimum", params),)
    return value, params, (Reason("capacity_short", params | {"far": value == 0.0}),)
