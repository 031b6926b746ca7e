"""The candidate list for the scheduler: the best interest-offer match per couple of companies."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from . import components
from .diversity import discounts
from .index import NOBODY, EventIndex, Fit, FitSource, Pair, any_fit, sector_matches
from .model import Interest, Offer, Participant, Request
from .pair import ScoredPair
from .prune import kept
from .result import FLOOR, clamp
from .score import DEFAULT_WEIGHTS, as_request
from .text import Corpus
from .weights import Weights
from .zones import zone_for


def _requests(
    requests: Iterable[Request | tuple[str, str, bool]], known: Mapping[str, Any]
) -> dict[frozenset[str], tuple[frozenset[str], bool]]:
    """Requests per unordered couple: who asked, and whether any request was accepted."""
    couples: dict[frozenset[str], tuple[frozenset[str], bool]] = {}
    for r in map(as_request, requests):
        for company in (r.from_id, r.to_id):
            if company not in known:
                raise ValueError(f"meeting request names unknown company {company!r}")
        if r.from_id == r.to_id:
            continue
        couple = frozenset((r.from_id, r.to_id))
        by, accepted = couples.get(couple, (NOBODY, False))
        couples[couple] = (by | {r.from_id}, accepted or r.accepted)
    return couples


def _orient(
    index: EventIndex, best: dict[Pair, Fit], couple: frozenset[str], by: frozenset[str], w: Weights
) -> Pair:
    """The one ordered pair a request applies to, so that a request never yields two meetings.

    Prefer a direction with sector fit, then one where the buyer has interests and the
    supplier offers, then the better fit, then the requester as buyer, then by ids.
    """
    a, b = sorted(couple)
    options = []
    for pair in ((a, b), (b, a)):
        fit = best.get(pair) or any_fit(index, *pair, w)
        complete = fit[1] >= 0 and fit[2] >= 0
        options.append(((pair in best, complete, fit[0], pair[0] in by), pair, fit))
    _, pair, fit = max(options, key=lambda option: option[0])
    best.setdefault(pair, fit)
    return pair


def build_candidates(
    participants: Iterable[Participant],
    requests: Iterable[Request | tuple[str, str, bool]] = (),
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    mapping: Mapping[str, str] | None = None,
    min_score: float = 0.0,
    diversity: bool = True,
    interpreters: bool = True,
    default_zone: str | None = None,
    corpus: Corpus | None = None,
    caps: Mapping[str, int | None] | None = None,
    keep: Collection[frozenset[str]] = (),
) -> list[ScoredPair]:
    """Scored candidate pairs, sorted by (buyer, supplier), at most one per couple of companies.

    A pair is considered when an interest of the buyer and an offer of the supplier share a top
    sector, or when either company asked the other for a meeting; requested pairs are always
    kept, others only when they score at least ``min_score`` (before the diversity discount).
    Each pair uses its best-scoring interest-offer match. A company may be the buyer in one
    pair and the supplier in another, but two companies get one pair (the exchange format lists
    a pair once): the requested direction, else the better-scoring one.
    ``interpreters`` says whether the organiser provides interpreters; ``corpus`` defaults to all
    descriptions of ``participants``; ``default_zone`` is used where ``mapping`` has no zone.
    With ``caps`` (meeting cap per company), each company keeps only its best pairs, requested
    ones and couples in ``keep`` always (:mod:`.prune`, on scores before the diversity discount).
    """
    index = EventIndex(participants, corpus)
    fits = sector_matches(index, weights)
    requested: dict[Pair, tuple[frozenset[str], bool]] = {}
    couples = _requests(requests, index.by_id)
    for couple in sorted(couples, key=sorted):
        requested[_orient(index, fits, couple, couples[couple][0], weights)] = couples[couple]
    source = FitSource(index, fits, requested, weights, interpreters)
    rows = _one_per_couple(_rows(index, fits, requested, weights, interpreters, min_score))
    if caps is not None:
        stays = kept([row[:4] for row in rows], caps, weights, keep)
        rows = [row for row, stay in zip(rows, stays, strict=True) if stay]
    zones: dict[tuple[str | None, str | None], str | None] = {}
    countries = {pid: p.country for pid, p in index.by_id.items()}
    found = discounts([row[:3] for row in rows], countries, weights) if diversity else {}
    pairs = []
    for n, (buyer, supplier, score, _, must) in enumerate(rows):
        d = found.get(n)
        if d is not None:
            score = clamp(score * d.factor)
        _, i, o, *_ = fits[buyer, supplier]
        codes = (
            _code(index.by_id[buyer].interests[i]) if i >= 0 else None,
            _code(index.by_id[supplier].offers[o]) if o >= 0 else None,
        )
        if codes not in zones:
            zones[codes] = zone_for(*codes, mapping or {}) or default_zone
        pairs.append(ScoredPair(buyer, supplier, zones[codes], score, must, source, d))
    return pairs


def _code(item: Interest | Offer) -> str:
    return item.subsector or item.sector


# (buyer, supplier, score, requested, must)
Row = tuple[str, str, float, bool, bool]


def _rows(
    index: EventIndex,
    fits: dict[Pair, Fit],
    requested: dict[Pair, tuple[frozenset[str], bool]],
    weights: Weights,
    interpreters: bool,
    min_score: float,
) -> list[Row]:
    """Scores of the chosen fits, sorted by pair; unrequested pairs below ``min_score`` dropped."""
    # The arithmetic of score.weighted, inlined (the hot loop): a fit's first entry is already
    # its sector, text and capacity part. Few distinct language profiles: each scored once.
    profiles = {pid: (p.languages, p.interpreter_needed) for pid, p in index.by_id.items()}
    languages: dict[tuple[Any, ...], float] = {}
    w_request, w_language, total = weights.request, weights.language, weights.total()
    not_requested = (NOBODY, False)
    rows: list[Row] = []
    for (buyer_id, supplier_id), fit in sorted(fits.items()):
        by, accepted = requested.get((buyer_id, supplier_id), not_requested)
        key = (profiles[buyer_id], profiles[supplier_id])
        language = languages.get(key)
        if language is None:
            buyer, supplier = index.by_id[buyer_id], index.by_id[supplier_id]
            language = languages[key] = components.language(buyer, supplier, interpreters)[0]
        request = components.request_value(buyer_id, supplier_id, by) if by else 0.0
        score = min(1.0, max(FLOOR, (fit[0] + w_request * request + w_language * language) / total))
        if by or score >= min_score:
            rows.append((buyer_id, supplier_id, score, bool(by), bool(by) and accepted))
    return rows


def _one_per_couple(rows: list[Row]) -> list[Row]:
    """Keep one direction per couple, as the exchange format requires: requested, then better.

    Two companies that could each sell to the other still meet once; ties keep the pair
    whose buyer id sorts first. Order is preserved.
    """
    kept: dict[tuple[str, str], int] = {}
    for n, (buyer, supplier, score, asked, _) in enumerate(rows):
        couple = (buyer, supplier) if buyer < supplier else (supplier, buyer)
        other = kept.get(couple)
        if other is None or (asked, score) > (rows[other][3], rows[other][2]):
            kept[couple] = n
    if len(kept) == len(rows):
        return rows
    return [rows[n] for n in sorted(kept.values())]


def to_candidate_dicts(pairs: Iterable[ScoredPair]) -> list[dict[str, Any]]:
    """Candidates in the scheduling exchange format (score rounded to 4 places, > 0).

    Raises ValueError for a pair without zone or a couple listed twice.
    """
    out = []
    seen: set[frozenset[str]] = set()
    for p in pairs:
        if p.zone is None:
            raise ValueError(f"pair {p.buyer} -> {p.supplier} has no zone: map its sector")
        if frozenset((p.buyer, p.supplier)) in seen:
            raise ValueError(f"pair {p.buyer} -> {p.supplier} is listed twice")
        seen.add(frozenset((p.buyer, p.supplier)))
        out.append(
            {
                "buyer": p.buyer,
                "supplier": p.supplier,
                "zone": p.zone,
                "score": max(0.0001, round(p.score, 4)),
                "must": p.must,
            }
        )
    return out
