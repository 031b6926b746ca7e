"""The event index behind the candidate builder: documents, offers by sector, best fits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from . import components
from .model import Participant
from .score import Match
from .text import Corpus, Document, cosine
from .weights import Weights

Pair = tuple[str, str]
# (fit, interest index, offer index, sector, text, capacity); index -1 means "none declared".
Fit = tuple[float, int, int, float, float, float]
NOBODY: frozenset[str] = frozenset()  # shared "no requests", not one set per pair


class EventIndex:
    """Participants by id with their documents, and offers by top sector."""

    def __init__(self, participants: Iterable[Participant], corpus: Corpus | None) -> None:
        self.by_id: dict[str, Participant] = {}
        for p in sorted(participants, key=lambda p: p.id):
            if p.id in self.by_id:
                raise ValueError(f"duplicate participant id {p.id!r}")
            self.by_id[p.id] = p
        texts = [x.description for p in self.by_id.values() for x in p.interests + p.offers]
        self.corpus = corpus if corpus is not None else Corpus.from_texts(texts)
        cache: dict[str, Document] = {}

        def doc(text: str) -> Document:
            if text not in cache:
                cache[text] = Document.of(text, self.corpus)
            return cache[text]

        people = self.by_id.items()
        self.interest_docs = {i: [doc(x.description) for x in p.interests] for i, p in people}
        self.offer_docs = {i: [doc(x.description) for x in p.offers] for i, p in people}
        self.empty = doc("")
        self.offers: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for pid, p in people:
            for k, offer in enumerate(p.offers):
                self.offers[offer.sector].append((pid, k))

    def fit(self, buyer: str, supplier: str, i: int, o: int, weights: Weights) -> Fit:
        """The components that depend on the chosen interest and offer, and their weighted sum."""
        interest = self.by_id[buyer].interests[i] if i >= 0 else None
        offer = self.by_id[supplier].offers[o] if o >= 0 else None
        sector = components.sector_value(interest, offer)
        text = cosine(
            self.interest_docs[buyer][i] if i >= 0 else self.empty,
            self.offer_docs[supplier][o] if o >= 0 else self.empty,
        )
        capacity = components.capacity_value(
            interest.order if interest else None, offer.capacity if offer else None
        )
        total = weights.sector * sector + weights.text * text + weights.capacity * capacity
        return (total, i, o, sector, text, capacity)


def sector_matches(index: EventIndex, weights: Weights) -> dict[Pair, Fit]:
    """Best fit per ordered pair sharing a top sector; ties keep the first interest and offer.

    The hot loop of the builder: same arithmetic as :meth:`EventIndex.fit`, inlined.
    """
    best: dict[Pair, Fit] = {}
    w_sector, w_text, w_capacity = weights.sector, weights.text, weights.capacity
    offers = {
        sector: [(s, o, index.by_id[s].offers[o], index.offer_docs[s][o]) for s, o in entries]
        for sector, entries in index.offers.items()
    }
    sector_value, capacity_value = components.sector_value, components.capacity_value
    # Equal descriptions share one Document (EventIndex), so their similarity is computed once.
    similarity: dict[tuple[int, int], float] = {}
    for buyer, p in index.by_id.items():
        for i, interest in enumerate(p.interests):
            i_doc = index.interest_docs[buyer][i]
            for supplier, o, offer, o_doc in offers.get(interest.sector, ()):
                if supplier == buyer:
                    continue
                sector = sector_value(interest, offer)
                key = (id(i_doc), id(o_doc))
                text = similarity.get(key)
                if text is None:
                    text = similarity[key] = cosine(i_doc, o_doc)
                capacity = capacity_value(interest.order, offer.capacity)
                total = w_sector * sector + w_text * text + w_capacity * capacity
                known = best.get((buyer, supplier))
                if known is None or total > known[0]:
                    best[buyer, supplier] = (total, i, o, sector, text, capacity)
    return best


def any_fit(index: EventIndex, buyer: str, supplier: str, weights: Weights) -> Fit:
    """Best fit over all interests and offers of a pair, sector or not."""
    interests = range(len(index.by_id[buyer].interests)) or [-1]
    offers = range(len(index.by_id[supplier].offers)) or [-1]
    fits = [index.fit(buyer, supplier, i, o, weights) for i in interests for o in offers]
    return max(fits, key=lambda fit: fit[0])


class FitSource:
    """The chosen fits of one build; rebuilds a pair's :class:`Match` when it is explained."""

    def __init__(
        self,
        index: EventIndex,
        fits: dict[Pair, Fit],
        requested: dict[Pair, tuple[frozenset[str], bool]],
        weights: Weights,
        interpreters: bool,
    ) -> None:
        self.index, self.fits, self.requested = index, fits, requested
        self.weights, self.interpreters = weights, interpreters

    def match(self, buyer: str, supplier: str) -> Match:
        """The match chosen for (buyer, supplier) in this build."""
        _, i, o, *_ = self.fits[buyer, supplier]
        by, accepted = self.requested.get((buyer, supplier), (NOBODY, False))
        b, s = self.index.by_id[buyer], self.index.by_id[supplier]
        return Match(
            buyer=b,
            supplier=s,
            interest=b.interests[i] if i >= 0 else None,
            offer=s.offers[o] if o >= 0 else None,
            interest_doc=self.index.interest_docs[buyer][i] if i >= 0 else self.index.empty,
            offer_doc=self.index.offer_docs[supplier][o] if o >= 0 else self.index.empty,
            requested_by=by,
            accepted=accepted,
            weights=self.weights,
            interpreters=self.interpreters,
        )
