"""Group deals, fold small groups into "other" and present figures rounded to the fen.

Disclosure rule (``fold``): a published group must hold deals of at least ``minimum``
distinct buyers AND ``minimum`` distinct suppliers (``enough``), so neither one buyer with
many suppliers nor one supplier with many buyers is published alone. Groups below the
threshold go to "other"; while "other" is non-empty and still short of buyers or suppliers,
the smallest published group (fewest buyers or suppliers, then fewest companies, then lowest
CNY value, then key) joins it. Every published figure, "other" included, therefore passes
the rule, and so does the total minus any set of published groups (what is left is a union
of published groups, and a union has at least the buyers and suppliers of each part). When
the total itself falls short, nothing is published (``suppressed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from matchmaking.tally.money import apportion, exact_sum, to_fen
from matchmaking.tally.outcomes import Deal

OTHER = "other"
MIN_PER_SIDE = 3  # distinct buyers and, separately, distinct suppliers a published figure needs


@dataclass(frozen=True)
class Group:
    """Exact figures of a set of deals."""

    key: str
    value_cny: Decimal
    value_usd: Decimal
    deals: int
    buyers: frozenset[int]
    suppliers: frozenset[int]

    @property
    def companies(self) -> frozenset[int]:
        return self.buyers | self.suppliers


def enough(buyers: frozenset[int], suppliers: frozenset[int], minimum: int = MIN_PER_SIDE) -> bool:
    """The disclosure rule: at least ``minimum`` distinct buyers and as many suppliers."""
    return len(buyers) >= minimum and len(suppliers) >= minimum


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
    buyers: int
    suppliers: int


def figure(group: Group, value_cny: Decimal, value_usd: Decimal, key: str | None = None) -> Figure:
    """``group``'s counts with presented values."""
    return Figure(
        group.key if key is None else key,
        value_cny,
        value_usd,
        group.deals,
        len(group.companies),
        len(group.buyers),
        len(group.suppliers),
    )


def merge(key: str, groups: Iterable[Group]) -> Group:
    """One group holding all deals of ``groups``."""
    groups = list(groups)
    return Group(
        key=key,
        value_cny=exact_sum([g.value_cny for g in groups]),
        value_usd=exact_sum([g.value_usd for g in groups]),
        deals=sum(g.deals for g in groups),
        buyers=frozenset().union(*(g.buyers for g in groups)),
        suppliers=frozenset().union(*(g.suppliers for g in groups)),
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
    return Group(
        key, deal.value_cny, deal.value_usd, 1, frozenset({deal.buyer}), frozenset({deal.supplier})
    )


def fold(
    groups: list[Group], minimum: int = MIN_PER_SIDE, fold_keys: frozenset[str] = frozenset()
) -> Folding:
    """Apply the disclosure rule to ``groups`` (a partition of all deals).

    ``fold_keys`` go to "other" even when they would pass the rule (``release`` uses this
    so that a figure's change between two snapshots cannot isolate a few deals).
    """
    total = merge("total", groups)
    if not enough(total.buyers, total.suppliers, minimum):
        return Folding(total, (), None, True)
    kept = [
        g
        for g in groups
        if enough(g.buyers, g.suppliers, minimum) and g.key != OTHER and g.key not in fold_keys
    ]
    folded = [g for g in groups if g not in kept]
    while folded and kept:
        pooled = merge(OTHER, folded)
        if enough(pooled.buyers, pooled.suppliers, minimum):
            break
        smallest = min(kept, key=_size)
        kept.remove(smallest)
        folded.append(smallest)
    kept.sort(key=lambda g: (-g.value_cny, g.key))
    other = merge(OTHER, folded) if folded else None
    return Folding(total, tuple(kept), other, False)


def _size(group: Group) -> tuple[int, int, Decimal, str]:
    """Which published group joins "other" first: the one closest to the threshold."""
    sides = min(len(group.buyers), len(group.suppliers))
    return (sides, len(group.companies), group.value_cny, group.key)


def present(folding: Folding) -> tuple[Figure, list[Figure]]:
    """The total and published groups rounded to the fen; the groups add up to the total."""
    total = folding.total
    shown = folding.published
    cny = apportion([g.value_cny for g in shown])
    usd = apportion([g.value_usd for g in shown])
    figures = [figure(g, c, u) for g, c, u in zip(shown, cny, usd, strict=True)]
    head = figure(total, to_fen(total.value_cny), to_fen(total.value_usd), key="total")
    return head, figures


def present_all(groups: list[Group]) -> list[Figure]:
    """Unfolded groups rounded to the fen, adding up to the rounded total (organisers only)."""
    cny = apportion([g.value_cny for g in groups])
    usd = apportion([g.value_usd for g in groups])
    return [figure(g, c, u) for g, c, u in zip(groups, cny, usd, strict=True)]


def cumulative(figures: list[Figure]) -> list[tuple[str, Decimal]]:
    """Running CNY sums of ``figures`` in their order (e.g. by day for a chart)."""
    running = Decimal(0)
    result = []
    for item in figures:
        running += item.value_cny
        result.append((item.key, running))
    return result
