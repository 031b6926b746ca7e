"""Recommendations for a buyer: its needs weighed by order volume, each covered before any twice.

A need is what a buyer's interests ask for at their finest level (a sub-sector, else a sector);
a counterpart covers it when one of its offers is in that sub-sector (or sector). The top-N
first gives every need its best-scoring counterpart, largest volume first; the remaining places
go by score, a counterpart's score raised by the volume share of the needs it covers, divided
by how often each is covered already (so places follow volume with diminishing returns).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .model import Interest, Offer, Participant


def need_code(interest: Interest) -> str:
    """The need an interest states: its sub-sector, else its sector."""
    return interest.subsector or interest.sector


def covers(offer: Offer, need: str) -> bool:
    """True when ``offer`` sells what ``need`` (a sub-sector or sector code) asks for."""
    return need in (offer.subsector, offer.sector)


def needs(buyer: Participant) -> dict[str, float]:
    """Each need of ``buyer`` with its stated volume, largest first (ties in declared order).

    Volumes are the order midpoints in the unit of the first stated order; a need without a
    comparable volume counts as the mean stated one (1 each when none is stated).
    """
    stated = [i.order for i in buyer.interests if i.order is not None]
    unit = stated[0].unit if stated else None
    volumes: dict[str, Decimal | None] = {}
    for interest in buyer.interests:
        order = interest.order
        volume = (order.low + order.high) / 2 if order and order.unit == unit else None
        code = need_code(interest)
        known = volumes.get(code)
        volumes[code] = volume if known is None else known + (volume or 0)
    comparable = [v for v in volumes.values() if v is not None]
    default = sum(comparable) / len(comparable) if comparable else Decimal(1)
    found = {code: float(default if v is None else v) for code, v in volumes.items()}
    return dict(sorted(found.items(), key=lambda item: -item[1]))


def covered_needs(wanted: Mapping[str, float], counterpart: Participant) -> frozenset[str]:
    """The needs among ``wanted`` that ``counterpart`` offers something for."""
    return frozenset(n for n in wanted if any(covers(o, n) for o in counterpart.offers))


def coverage(buyer: Participant, chosen: Sequence[Participant]) -> float:
    """The share of ``buyer``'s need volume that ``chosen`` counterparts cover (1 if no needs)."""
    wanted = needs(buyer)
    total = sum(wanted.values())
    if not total:
        return 1.0
    hit: set[str] = set()
    for counterpart in chosen:
        hit |= covered_needs(wanted, counterpart)
    return sum(wanted[n] for n in hit) / total


@dataclass(frozen=True, slots=True)
class Option:
    """A possible recommendation: a counterpart's score and the needs of the buyer it covers."""

    score: float
    covers: frozenset[str] = frozenset()


def choose(options: Sequence[Option], wanted: Mapping[str, float], limit: int) -> list[int]:
    """Indices of up to ``limit`` ``options``, in the order they should be shown.

    First, for each need in ``wanted`` (largest volume first) not yet covered, the best-scoring
    option covering it; then greedily the option of highest score x (1 + the volume share it
    adds), a need's share divided by one more than the options already covering it.
    Ties keep the order of ``options``; without needs this is the order by score.
    """
    total = sum(wanted.values()) or 1.0
    share = {n: v / total for n, v in wanted.items()}
    order = sorted(range(len(options)), key=lambda k: -options[k].score)
    position = {k: p for p, k in enumerate(order)}
    chosen: list[int] = []
    times = dict.fromkeys(wanted, 0)

    def take(k: int) -> None:
        chosen.append(k)
        order.remove(k)
        for n in options[k].covers & times.keys():
            times[n] += 1

    for need in sorted(wanted, key=lambda n: -wanted[n]):  # stable: ties keep their order
        if len(chosen) == limit:
            break
        if times[need] == 0:
            best = next((k for k in order if need in options[k].covers), None)
            if best is not None:
                take(best)

    def gain(k: int) -> float:
        extra = sum(share[n] / (1 + times[n]) for n in options[k].covers & times.keys())
        return options[k].score * (1 + extra)

    while order and len(chosen) < limit:
        take(max(order, key=lambda k: (gain(k), -position[k])))
    return chosen


def pick_counterparts(
    me: Participant, counterparts: Sequence[tuple[Participant, float]], limit: int
) -> list[int]:
    """Indices of the ``counterparts`` (with their pair scores) to recommend to ``me``, in order.

    ``me``'s needs are weighed by volume and covered before any is repeated (:func:`choose`).
    """
    wanted = needs(me)
    options = [Option(score, covered_needs(wanted, other)) for other, score in counterparts]
    return choose(options, wanted, limit)
