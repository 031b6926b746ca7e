"""Diversity: a supplier should not meet buyers from one country only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from .pair import Discount, ScoredPair
from .result import clamp
from .weights import Weights


def discounts(
    pairs: Sequence[tuple[str, str, float]],
    countries: Mapping[str, str | None],
    weights: Weights,
) -> dict[int, Discount]:
    """Discounts by position in ``pairs`` of (buyer, supplier, score).

    Per supplier, buyers are ranked by score (ties by buyer id); the k-th buyer from a country
    (k from 1) gets the factor (1 - weights.diversity) ** (k - same_country_free) when that
    exponent is positive. Buyers of unknown country are never discounted.
    """
    if weights.diversity == 0:
        return {}
    by_supplier: dict[str, list[int]] = defaultdict(list)
    for index, (_, supplier, _) in enumerate(pairs):
        by_supplier[supplier].append(index)
    made: dict[tuple[str, int], Discount] = {}  # shared: few distinct (country, rank)
    found: dict[int, Discount] = {}
    for indices in by_supplier.values():
        indices.sort(key=lambda i: (-pairs[i][2], pairs[i][0]))
        seen: dict[str, int] = defaultdict(int)
        for i in indices:
            country = countries.get(pairs[i][0])
            if not country:
                continue
            seen[country] += 1
            excess = seen[country] - int(weights.same_country_free)
            if excess > 0:
                key = (country, seen[country])
                if key not in made:
                    factor = (1.0 - weights.diversity) ** excess
                    made[key] = Discount(country, seen[country], factor, weights.diversity)
                found[i] = made[key]
    return found


def diversify(
    pairs: Iterable[ScoredPair],
    countries: Mapping[str, str | None],
    weights: Weights,
) -> list[ScoredPair]:
    """Apply :func:`discounts` once (a second call would discount again); order is kept."""
    pairs = list(pairs)
    found = discounts([(p.buyer, p.supplier, p.score) for p in pairs], countries, weights)
    for i, d in found.items():
        pairs[i] = replace(pairs[i], score=clamp(pairs[i].score * d.factor), discount=d)
    return pairs
