"""When a new public snapshot may follow the earlier ones, and how its groups are folded.

Anyone can keep every snapshot and subtract two of them. Between two snapshots a figure changes
by the changes of the deals it covers: a deal added, withdrawn, or counted with another value,
stage or group key is a *changed* deal (its ``Version`` differs). Within one dimension, the
differences an observer can isolate are, for two snapshots A (earlier) and B (new):

- each group published under its own key in both A and B (its own difference), and
- the rest: every key not published by name in both, i.e. "other" of either snapshot and the
  groups named in only one of them (these differences only add up to one sum).

The total's difference is the sum of all of them. ``plan_release`` releases a new snapshot only
when, against every earlier snapshot that published figures, the total's difference and each
of these differences covers no changed deal or changed deals of at least ``MIN_PER_SIDE``
distinct buyers and as many distinct suppliers. A group whose own difference falls short is
folded into "other" in the new snapshot (its change then joins the rest's); when the rest falls
short, the named group whose change brings it closest to the rule is folded too. When nothing
helps (or nothing changed), the earlier snapshot stays. Comparing with every earlier snapshot,
not only the latest, covers changes that are later undone (a deal changed and changed back).
Differences between groups of two dimensions (a zone's figure minus a country's) are outside
this model, as they are within a single snapshot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from matchmaking.tally.groups import (
    MIN_PER_SIDE,
    OTHER,
    Folding,
    Group,
    enough,
    fold,
    group_deals,
)
from matchmaking.tally.outcomes import DIMENSIONS, Deal


@dataclass(frozen=True)
class Version:
    """A deal as a snapshot counted it: its companies, group keys and a digest of its values."""

    meeting_id: int
    buyer: int
    supplier: int
    keys: Mapping[str, str]  # one per dimension of ``DIMENSIONS``
    fingerprint: str  # SHA-256 of the exact CNY and USD values


def _plain(value: Decimal) -> str:
    """``value`` without exponent or trailing zeros, so equal values give equal text."""
    return format(value.normalize(), "f")


def version(deal: Deal) -> Version:
    """The version of ``deal`` a snapshot covering it records."""
    values = f"{_plain(deal.value_cny)} CNY {_plain(deal.value_usd)} USD"
    return Version(
        meeting_id=deal.meeting_id,
        buyer=deal.buyer,
        supplier=deal.supplier,
        keys={d: deal.keys.get(d, "") for d in DIMENSIONS},
        fingerprint=hashlib.sha256(values.encode()).hexdigest(),
    )


@dataclass(frozen=True)
class Published:
    """An earlier snapshot: the deal versions it covered and the keys it named per dimension."""

    versions: tuple[Version, ...]
    named: Mapping[str, frozenset[str]] = field(default_factory=dict)
    suppressed: bool = False


@dataclass(frozen=True)
class Change:
    """A deal whose version differs between two snapshots (None: absent from that one)."""

    old: Version | None
    new: Version | None

    @property
    def either(self) -> Version:
        either = self.new if self.new is not None else self.old
        assert either is not None
        return either

    @property
    def meeting_id(self) -> int:
        return self.either.meeting_id

    @property
    def parties(self) -> tuple[int, int]:
        return self.either.buyer, self.either.supplier

    def keys(self, dimension: str) -> set[str]:
        """The groups of ``dimension`` whose figure this change moves."""
        return {v.keys[dimension] for v in (self.old, self.new) if v is not None}


def changes_between(earlier: Iterable[Version], now: Iterable[Version]) -> list[Change]:
    """The deals changed from ``earlier`` to ``now``, by meeting."""
    before = {v.meeting_id: v for v in earlier}
    after = {v.meeting_id: v for v in now}
    return [
        Change(before.get(m), after.get(m))
        for m in sorted(before.keys() | after.keys())
        if before.get(m) != after.get(m)
    ]


@dataclass(frozen=True)
class Release:
    """A snapshot to publish: one folding per dimension, and the deal versions it covers."""

    foldings: Mapping[str, Folding]
    versions: tuple[Version, ...]

    @property
    def suppressed(self) -> bool:
        return any(f.suppressed for f in self.foldings.values())

    def published(self) -> Published:
        """This release as a later ``plan_release`` compares it."""
        named = {d: frozenset(g.key for g in f.groups) for d, f in self.foldings.items()}
        return Published(self.versions, named, self.suppressed)


class _Parties:
    """Distinct buyers and suppliers of some changes."""

    def __init__(self, changes: Iterable[Change] = ()) -> None:
        self.buyers: set[int] = set()
        self.suppliers: set[int] = set()
        for change in changes:
            self.add(change)

    def add(self, change: Change) -> None:
        buyer, supplier = change.parties
        self.buyers.add(buyer)
        self.suppliers.add(supplier)

    def union(self, other: _Parties) -> _Parties:
        joined = _Parties()
        joined.buyers = self.buyers | other.buyers
        joined.suppliers = self.suppliers | other.suppliers
        return joined

    def empty(self) -> bool:
        return not self.buyers

    def safe(self, minimum: int) -> bool:
        """No change at all, or changes of enough buyers and suppliers."""
        return self.empty() or enough(frozenset(self.buyers), frozenset(self.suppliers), minimum)

    def reach(self) -> int:
        return min(len(self.buyers), len(self.suppliers))


@dataclass
class _Comparison:
    """The changes since one earlier snapshot, indexed by the group keys they move."""

    earlier: Published
    changes: list[Change]
    by_key: dict[str, dict[str, _Parties]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for dimension in DIMENSIONS:
            index: dict[str, _Parties] = {}
            for change in self.changes:
                for key in change.keys(dimension):
                    index.setdefault(key, _Parties()).add(change)
            self.by_key[dimension] = index

    def to_fold(self, dimension: str, named: set[str], minimum: int) -> set[str] | None:
        """Keys ``named`` now that must be folded for this comparison; None: cannot release."""
        index = self.by_key[dimension]
        both = named & self.earlier.named.get(dimension, frozenset())
        short = {k for k in both if k in index and not index[k].safe(minimum)}
        if short:
            return short
        rest = _Parties()
        for key, parties in index.items():
            if key not in both:
                rest = rest.union(parties)
        if rest.safe(minimum):
            return set()
        candidates = sorted(k for k in both if k in index)
        if not candidates:
            return None
        return {max(candidates, key=lambda k: rest.union(index[k]).reach())}


def plan_release(
    deals: Sequence[Deal], earlier: Sequence[Published], minimum: int = MIN_PER_SIDE
) -> Release | None:
    """The snapshot to publish after ``earlier`` (oldest first), or None to keep the latest."""
    versions = tuple(sorted((version(d) for d in deals), key=lambda v: v.meeting_id))
    if earlier and not changes_between(earlier[-1].versions, versions):
        return None
    comparisons = [
        _Comparison(e, changes_between(e.versions, versions)) for e in earlier if not e.suppressed
    ]
    if not all(_Parties(c.changes).safe(minimum) for c in comparisons):
        return None  # the difference of the totals
    foldings: dict[str, Folding] = {}
    for dimension in DIMENSIONS:
        folding = _fold_against(group_deals(deals, dimension), dimension, comparisons, minimum)
        if folding is None:
            return None
        foldings[dimension] = folding
    return Release(foldings, versions)


def _fold_against(
    groups: list[Group], dimension: str, comparisons: list[_Comparison], minimum: int
) -> Folding | None:
    """``fold`` the groups, folding more keys until every comparison's differences are safe."""
    forced: set[str] = set()
    while True:
        folding = fold(groups, minimum, frozenset(forced))
        if folding.suppressed:
            return folding
        named = {g.key for g in folding.groups} - {OTHER}
        more: set[str] = set()
        for comparison in comparisons:
            keys = comparison.to_fold(dimension, named, minimum)
            if keys is None:
                return None
            more |= keys
        if not more:
            return folding
        forced |= more
