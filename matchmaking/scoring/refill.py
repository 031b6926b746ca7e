"""Who could take a table left empty on the day: candidate pairs for one freed table-slot.

Inputs are what the service already knows for the slot: the companies present and free then
(checked in, no meeting in the slot, under their cap, available), the stored candidate pairs
among them (the pairs the schedule was generated from, or the stored recommendations, and the
accepted requests: all scored before the day) and the freed table's zone. Nothing here
scores a pair: ranking a freed slot costs a sort of the pairs given, whatever the event's size.

Rules (a pair breaking one is left out):
- both companies are free (in ``free``) and different, and the pair does not already meet;
- one of them buys what the other sells, in a sector the zone hosts (a zone without sectors
  hosts any pair);
- they share a language, or one of them declared none or brings its own interpreter, or an
  interpreter free then speaks one language of each.

Order: requested pairs first, then pairs with more companies on the standby list ("I have free
slots today"), then the higher score; ties by the lower (buyer, supplier) ids, so the same
inputs always give the same proposals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FreeCompany:
    """A company present and free in the slot: what it buys and sells (sector codes, parents
    included), the languages it speaks and whether it joined the standby list."""

    id: int
    buys: frozenset[str]
    sells: frozenset[str]
    languages: frozenset[str]
    standby: bool = False
    own_interpreter: bool = False  # brings its own: its pairs need no common language


@dataclass(frozen=True)
class CandidatePair:
    """A stored candidate pair, unordered (``first``/``second``), its score and whether one of
    the two requested it (an accepted meeting request)."""

    first: int
    second: int
    score: float
    requested: bool = False


@dataclass(frozen=True)
class FreedTable:
    """A table left free in a slot; ``zone_sectors`` empty: the zone hosts any sector."""

    slot: int
    zone: int
    table: int
    zone_sectors: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RefillProposal:
    """A pair offered for a freed table; ``language`` is a common language, "" when neither
    declared one or an interpreter is needed (``interpreter``)."""

    buyer: int
    supplier: int
    score: float
    requested: bool
    standby: int  # how many of the two companies are on the standby list
    language: str
    interpreter: bool


def orient(first: FreeCompany, second: FreeCompany) -> tuple[FreeCompany, FreeCompany] | None:
    """(buyer, supplier) of two companies: the one buying what the other sells; the first
    given when both do; None when neither buys what the other sells."""
    if first.buys & second.sells:
        return first, second
    if second.buys & first.sells:
        return second, first
    return None


def _language(
    buyer: FreeCompany, supplier: FreeCompany, interpreters: Sequence[frozenset[str]]
) -> tuple[str, bool] | None:
    """(common language, an event interpreter needed), or None when they cannot talk: no
    common language, no own interpreter, and no free interpreter speaking one language of
    each side."""
    common = sorted(buyer.languages & supplier.languages)
    if common:
        return common[0], False
    if not buyer.languages or not supplier.languages:
        return "", False
    if buyer.own_interpreter or supplier.own_interpreter:
        return "", False
    for spoken in interpreters:
        if spoken & buyer.languages and spoken & supplier.languages:
            return "", True
    return None


def rank_refills(
    freed: FreedTable,
    pairs: Iterable[CandidatePair],
    free: Mapping[int, FreeCompany],
    meeting_pairs: frozenset[tuple[int, int]] = frozenset(),
    interpreters: Sequence[frozenset[str]] = (),
    limit: int = 5,
) -> list[RefillProposal]:
    """The best ``limit`` pairs for ``freed``, best first (see the module's rules and order).

    ``meeting_pairs`` holds the (buyer, supplier) pairs that already meet in the schedule;
    ``interpreters`` the languages of each event interpreter free then in the zone. A pair
    given twice (a recommendation each way, or also requested) counts once, requested and
    with its higher score.
    """
    best: dict[tuple[int, int], RefillProposal] = {}
    for pair in pairs:
        first, second = free.get(pair.first), free.get(pair.second)
        if first is None or second is None or first.id == second.id:
            continue
        sides = orient(first, second)
        if sides is None:
            continue
        buyer, supplier = sides
        key = (buyer.id, supplier.id)
        if key in meeting_pairs:
            continue
        if freed.zone_sectors and not freed.zone_sectors & (buyer.buys | supplier.sells):
            continue
        talk = _language(buyer, supplier, interpreters)
        if talk is None:
            continue
        seen = best.get(key)
        proposal = RefillProposal(
            buyer=buyer.id,
            supplier=supplier.id,
            score=max(pair.score, seen.score if seen else pair.score),
            requested=pair.requested or (seen is not None and seen.requested),
            standby=int(buyer.standby) + int(supplier.standby),
            language=talk[0],
            interpreter=talk[1],
        )
        best[key] = proposal
    ranked = sorted(
        best.values(),
        key=lambda p: (not p.requested, -p.standby, -p.score, p.buyer, p.supplier),
    )
    return ranked[:limit]
