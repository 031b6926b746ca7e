"""The score of one buyer interest against one supplier offer: a weighted mean of components."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import components
from .model import Interest, Offer, Participant, Request
from .result import Component, Score, clamp
from .text import Corpus, Document
from .weights import Weights

DEFAULT_WEIGHTS = Weights()
_EMPTY = Corpus()


@dataclass(frozen=True, slots=True)
class Match:
    """Everything a score depends on: both companies, the matched interest and offer, requests."""

    buyer: Participant
    supplier: Participant
    interest: Interest | None
    offer: Offer | None
    interest_doc: Document
    offer_doc: Document
    requested_by: frozenset[str]
    accepted: bool
    weights: Weights
    interpreters: bool


def weighted(
    weights: Weights, sector: float, text: float, request: float, language: float, capacity: float
) -> float:
    """The clamped weighted mean of the component values (one formula for every code path)."""
    fit = weights.sector * sector + weights.text * text + weights.capacity * capacity
    return clamp((fit + weights.request * request + weights.language * language) / weights.total())


def combine(match: Match) -> Score:
    """The score of a match with its components and reasons."""
    parts = {
        "sector": components.sector(match.interest, match.offer),
        "text": components.text(match.interest_doc, match.offer_doc),
        "request": components.request(
            match.buyer.id, match.supplier.id, match.requested_by, match.accepted
        ),
        "language": components.language(match.buyer, match.supplier, match.interpreters),
        "capacity": components.capacity(match.interest, match.offer),
    }
    built = tuple(
        Component(name, value, match.weights.of(name), detail)
        for name, (value, detail, _) in parts.items()
    )
    value = weighted(match.weights, *(c.value for c in built))
    reasons = tuple(reason for _, _, found in parts.values() for reason in found)
    return Score(value, built, reasons)


def as_request(request: Request | tuple[str, str, bool]) -> Request:
    """Accept (from_id, to_id, accepted) tuples wherever requests are taken."""
    return request if isinstance(request, Request) else Request(*request)


def request_state(
    buyer: str, supplier: str, requests: Iterable[Request | tuple[str, str, bool]]
) -> tuple[frozenset[str], bool]:
    """Who of the two asked the other for a meeting, and whether any such request was accepted."""
    requested_by: set[str] = set()
    accepted = False
    for r in map(as_request, requests):
        if {r.from_id, r.to_id} == {buyer, supplier} and buyer != supplier:
            requested_by.add(r.from_id)
            accepted = accepted or r.accepted
    return frozenset(requested_by), accepted


def score_match(
    buyer: Participant,
    supplier: Participant,
    interest: Interest | None,
    offer: Offer | None,
    *,
    requests: Iterable[Request | tuple[str, str, bool]] = (),
    weights: Weights = DEFAULT_WEIGHTS,
    corpus: Corpus | None = None,
    interpreters: bool = True,
) -> Score:
    """Score ``buyer``'s ``interest`` against ``supplier``'s ``offer`` (either may be absent).

    ``corpus`` gives the IDF (default: none, i.e. plain token-set cosine); ``interpreters``
    says whether the organiser provides interpreters to those who asked for one.
    """
    requested_by, accepted = request_state(buyer.id, supplier.id, requests)
    corpus = _EMPTY if corpus is None else corpus
    interest_doc = Document.of(interest.description if interest else "", corpus)
    offer_doc = Document.of(offer.description if offer else "", corpus)
    match = Match(
        buyer=buyer,
        supplier=supplier,
        interest=interest,
        offer=offer,
        interest_doc=interest_doc,
        offer_doc=offer_doc,
        requested_by=requested_by,
        accepted=accepted,
        weights=weights,
        interpreters=interpreters,
    )
    return combine(match)
