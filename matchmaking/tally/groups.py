"""Group deals, fold small groups into "other" and present figures rounded to the fen.

Disclosure rule (``fold``): a published group must cover at least ``min_companies`` distinct
companies. Groups below the threshold go to "other"; while "other" is non-empty and still
covers fewer companies, the smallest published group (fewest companies, then lowest CNY value,
then key) joins it. So every published figure, "other" included, and the difference between
the total and any set of published groups, covers at least ``min_companies`` companies. When
the total itself covers fewer, nothing is published (``suppressed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from matchmaking.tally.money import apportion, exact_sum, to_fen
from matchmaking.tally.outcomes import Deal

OTHER = "other"
MIN_COMPANIES = 3


@dataclass(frozen=True)
class Group:
    """Exact figures of a set of deals."""

    key: str
    value_cny: Decimal
    value_usd: Decimal
    deals: int
    companies: frozenset[int]


@dataclass(frozen=True)
class Folding:
    """Groups safe to publish; ``other`` is None when no group had to be folded."""

    total: Group
    groups: tuple[Group, ...]
    other: Group | None
    suppressed: bool

    @property
    def published(self) -> tuple[Group, ...]:
        return (*self.groups, self.other) if self.other is not None else self.groups


@dataclass(frozen=True)
class Figure:
    """A presented figure: CNY and USD rounded to the fen, counts."""

    key: str
    value_cny: Decimal
    value_usd: Decimal
    deals: int
    companies: int


def merge(key: str, groups: Iterable[Group]) -> Group:
    """One group holding all deals of ``groups``."""
    groups = list(groups)
    return Group(
        key=key,
        value_cny=exact_sum([g.value_cny for g in groups]),
        value_usd=exact_sum([g.value_usd for g in groups]),
        deals=sum(g.deals for g in groups),
        companies=frozenset().union(*(g.companies for g in groups)),
    )


def total_of(deals: Iterable[Deal]) -> Group:
    """All ``deals`` as one group keyed 'total'."""
    return merge("total", (_single(d, "total") for d in deals))


def group_deals(deals: Iterable[Deal], dimension: str) -> list[Group]:
    """The deals grouped by their key in ``dimension``, sorted by key."""
    buckets: dict[str, list[Group]] = {}
    for deal in deals:
        key = deal.keys.get(dimension, "")
        buckets.setdefault(key, []).append(_single(deal, key))
    return [merge(key, buckets[key]) for key in sorted(buckets)]


def _single(deal: Deal, key: str) -> Group:
    return Group(key, deal.value_cny, deal.value_usd, 1, deal.companies)


def fold(groups: list[Group], min_companies: int = MIN_COMPANIES) -> Folding:
    """Apply the disclosure rule to ``groups`` (a partition of all deals)."""
    total = merge("total", groups)
    if len(total.companies) < min_companies:
        return Folding(total, (), None, True)
    kept = [g for g in groups if len(g.companies) >= min_companies and g.key != OTHER]
    folded = [g for g in groups if g not in kept]

    def covered() -> int:
        return len(frozenset().union(*(g.companies for g in folded)))

    while folded and covered() < min_companies and kept:
        smallest = min(kept, key=lambda g: (len(g.companies), g.value_cny, g.key))
        kept.remove(smallest)
        folded.append(smallest)
    kept.sort(key=lambda g: (-g.value_cny, g.key))
    other = merge(OTHER, folded) if folded else None
    return Folding(total, tuple(kept), other, False)


def present(folding: Folding) -> tuple[Figure, list[Figure]]:
    """The total and published groups rounded to the fen; the groups add up to the total."""
    total = folding.total
    shown = folding.published
    cny = apportion([g.value_cny for g in shown])
    usd = apportion([g.value_usd for g in shown])
    figures = [
        Figure(g.key, c, u, g.deals, len(g.companies))
        for g, c, u in zip(shown, cny, usd, strict=True)
    ]
    head = Figure(
        "total", to_fen(total.value_cny), to_fen(total.value_usd), total.deals, len(total.companies)
    )
    return head, figures


def present_all(groups: list[Group]) -> list[Figure]:
    """Unfolded groups rounded to the fen, adding up to the rounded total (organisers only)."""
    cny = apportion([g.value_cny for g in groups])
    usd = apportion([g.value_usd for g in groups])
    return [
        Figure(g.key, c, u, g.deals, len(g.companies))
        for g, c, u in zip(groups, cny, usd, strict=True)
    ]


def cumulative(figures: list[Figure]) -> list[tuple[str, Decimal]]:
    """Running CNY sums of ``figures`` in their order (e.g. by day for a chart)."""
    running = Decimal(0)
    result = []
    for figure in figures:
        running += figure.value_cny
        result.append((figure.key, running))
    return result
