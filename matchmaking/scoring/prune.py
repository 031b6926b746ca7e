"""Candidate pruning: each company keeps its best counterparts, so large events stay tractable.

A company with meeting cap ``m`` keeps its ``K = max(floor, per_meeting * m)`` best-scoring
pairs (:class:`Weights` ``candidates_per_meeting`` and ``candidates_floor``, by default 4 and
20); a pair stays when either company keeps it. Pairs in ``keep`` (requested, accepted, fixed)
and must-meet pairs always stay. Far more than ``m`` options per company leave the scheduler
room to work around busy companies and full tables, while the number of pairs grows with the
number of companies instead of its square.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from math import ceil

from .pair import ScoredPair
from .weights import Weights


def keep_count(cap: int | None, weights: Weights) -> int | None:
    """How many candidates a company with meeting cap ``cap`` keeps; None: all of them.

    ``candidates_per_meeting`` 0 turns pruning off; a company without cap keeps all.
    """
    if not weights.candidates_per_meeting or cap is None:
        return None
    return max(ceil(weights.candidates_floor), ceil(weights.candidates_per_meeting * cap))


def kept(
    pairs: Sequence[tuple[str, str, float, bool]],
    caps: Mapping[str, int | None],
    weights: Weights,
    keep: Collection[frozenset[str]] = (),
) -> list[bool]:
    """For each (buyer, supplier, score, always) in ``pairs``: whether it stays (see the module).

    Each company ranks its pairs by score, equal scores in the order of ``pairs``; ``caps`` gives
    each company's meeting cap (None: no cap).
    """
    limits: dict[str, float] = {}
    for buyer, supplier, _, _ in pairs:
        for company in (buyer, supplier):
            if company not in limits:
                count = keep_count(caps.get(company), weights)
                limits[company] = float("inf") if count is None else count
    taken = dict.fromkeys(limits, 0)
    stays = [False] * len(pairs)
    scores = [-score for _, _, score, _ in pairs]
    for n in sorted(range(len(pairs)), key=scores.__getitem__):  # stable: ties keep order
        buyer, supplier, _, always = pairs[n]
        stays[n] = (
            taken[buyer] < limits[buyer]
            or taken[supplier] < limits[supplier]
            or always
            or (bool(keep) and frozenset((buyer, supplier)) in keep)
        )
        taken[buyer] += 1
        taken[supplier] += 1
    return stays


def prune(
    pairs: Sequence[ScoredPair],
    caps: Mapping[str, int | None],
    weights: Weights,
    keep: Collection[frozenset[str]] = (),
) -> list[ScoredPair]:
    """The pairs kept by either company, must-meet pairs and ``keep`` couples, in order."""
    rows = [(p.buyer, p.supplier, p.score, p.must) for p in pairs]
    return [p for p, stays in zip(pairs, kept(rows, caps, weights, keep), strict=True) if stays]
