"""Small builders for scoring tests: Chongqing-SCO companies, their offers and interests."""

from __future__ import annotations

from matchmaking.scoring import Interest, Offer, Participant, SizeRange

MAPPING = {
    "auto": "nev",
    "machinery": "machinery",
    "food": "imported",
    "machinery.parts": "nev",
}


def interest(
    subsector: str = "machinery.agricultural",
    description: str = "wheeled tractors 80-120 hp",
    order: tuple[int, int] | None = None,
    unit: str = "units",
) -> Interest:
    """A buyer interest in ``subsector`` (or a bare sector when there is no dot)."""
    sector, _, _ = subsector.partition(".")
    return Interest(
        sector,
        subsector if "." in subsector else None,
        description,
        None if order is None else SizeRange(*order, unit),
    )


def offer(
    subsector: str = "machinery.agricultural",
    description: str = "tractors 50-150 hp and rotary tillers",
    capacity: tuple[int, int] | None = None,
    unit: str = "units",
) -> Offer:
    """A supplier offer in ``subsector`` (or a bare sector when there is no dot)."""
    sector, _, _ = subsector.partition(".")
    return Offer(
        sector,
        subsector if "." in subsector else None,
        description,
        None if capacity is None else SizeRange(*capacity, unit),
    )


def buyer(
    id: str = "kz-001",
    *interests: Interest,
    country: str = "KZ",
    languages: tuple[str, ...] = ("ru", "kk"),
    interpreter: bool = False,
) -> Participant:
    """A buyer; one tractor interest unless given."""
    return Participant(id, country, languages, interpreter, (), interests or (interest(),))


def supplier(
    id: str = "cq-017",
    *offers: Offer,
    country: str = "CN",
    languages: tuple[str, ...] = ("zh", "ru"),
    interpreter: bool = False,
) -> Participant:
    """A Chongqing supplier; one tractor offer unless given."""
    return Participant(id, country, languages, interpreter, offers or (offer(),), ())
