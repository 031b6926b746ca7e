"""How much of each buyer's order volume its top recommendations cover (issue 15, item 19).

    .venv/bin/python -m benchmarks.recommendations [--top 8] [--seed 7] [--all]

On the seeded demo event (a throw-away SQLite file) and on a generated event of the
``regional`` size, prints per buyer the share of its order volume whose sector one of its top
recommendations sells, by plain score order ("score") and as the directory recommends
("needs"); then mean and minimum, and the buyers whose largest need is left uncovered while a
listed supplier for it exists (the target is 0). The generated event prints only such buyers
unless ``--all`` is given.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from benchmarks.generate import FAMILIES
from matchmaking import scoring
from matchmaking.scoring import Participant, ScoredPair

Ranker = Callable[[str], list[str]]  # buyer id -> recommended counterpart ids, in order


@dataclass(frozen=True)
class Row:
    """One buyer's figures."""

    buyer: str
    needs: Mapping[str, float]
    stated: bool  # whether the buyer gave order volumes
    score: float  # volume share covered by the top-N in score order
    chosen: float  # ... as recommended
    score_misses: bool  # largest need uncovered although a listed supplier exists
    chosen_misses: bool


def by_score(pairs: Sequence[ScoredPair], me: str, listed: set[str], top: int) -> list[str]:
    """The old recommendations: the ``top`` best-scoring listed counterparts."""
    others = [p.supplier if p.buyer == me else p.buyer for p in pairs]
    ranked = sorted(zip(others, pairs, strict=True), key=lambda item: -item[1].score)
    return [other for other, _ in ranked if other in listed][:top]


def measure(
    people: Mapping[str, Participant],
    listed: set[str],
    old: Ranker,
    new: Ranker,
) -> list[Row]:
    """Figures for every participant that states a need."""
    rows = []
    for me, buyer in people.items():
        wanted = scoring.needs(buyer)
        if not wanted:
            continue
        largest = next(iter(wanted))
        exists = any(
            largest in scoring.covered_needs(wanted, people[other])
            for other in listed
            if other != me
        )
        before = _figures(buyer, [people[i] for i in old(me)], largest, exists)
        after = _figures(buyer, [people[i] for i in new(me)], largest, exists)
        stated = any(i.order is not None for i in buyer.interests)
        rows.append(Row(me, wanted, stated, before[0], after[0], before[1], after[1]))
    return rows


def _figures(
    buyer: Participant, chosen: list[Participant], largest: str, exists: bool
) -> tuple[float, bool]:
    """Volume share covered by ``chosen``; whether the largest need is missed needlessly."""
    hit = any(largest in scoring.covered_needs({largest: 1.0}, p) for p in chosen)
    return scoring.coverage(buyer, chosen), exists and not hit


def report(title: str, rows: list[Row], names: Mapping[str, str], every: bool) -> None:
    """Per-buyer lines and the summary of one event."""
    print(f"\n{title}: {len(rows)} buyers")
    print(f"  {'buyer':44} {'score':>6} {'needs':>6}  needs (volume, largest first)")
    for row in rows:
        if not (every or row.score_misses or row.chosen_misses):
            continue
        mark = " <-- largest need uncovered" if row.chosen_misses else ""
        wants = ", ".join(
            f"{code} {volume / 1e6:.2f}M" if row.stated else code
            for code, volume in row.needs.items()
        )
        print(f"  {names.get(row.buyer, row.buyer)[:44]:44} {row.score:>6.0%} {row.chosen:>6.0%}"
              f"  {wants}{mark}")  # fmt: skip
    for label, shares, misses in (
        ("score order", [r.score for r in rows], sum(r.score_misses for r in rows)),
        ("recommended", [r.chosen for r in rows], sum(r.chosen_misses for r in rows)),
    ):
        print(
            f"  {label}: volume covered mean {statistics.mean(shares):.1%}, "
            f"min {min(shares):.1%}; largest need uncovered though a supplier exists: {misses}"
        )


def demo_event(top: int) -> tuple[list[Row], dict[str, str]]:
    """Seed the demo into a throw-away SQLite file and measure its directory's recommendations."""
    from matchmaking import create_app
    from matchmaking.extensions import db
    from matchmaking.models.types import utcnow
    from matchmaking.services.demo import seed_demo
    from matchmaking.services.matching import (
        build_event_candidates,
        recommended_pairs,
        to_participant,
    )

    folder = tempfile.mkdtemp()
    app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/demo.sqlite")
    with app.app_context():
        db.create_all()
        event = seed_demo(db.session, utcnow(), under_way=False).event
        db.session.commit()
        candidates = build_event_candidates(db.session, event)
        people = {pid: to_participant(p) for pid, p in candidates.participations.items()}
        listed = {pid for pid, p in candidates.participations.items() if p.directory_consent}
        names = {pid: p.company.legal_name for pid, p in candidates.participations.items()}
        of = _pairs_by_participant(candidates.pairs)

        def new(me: str) -> list[str]:
            chosen = recommended_pairs(candidates, me, top)
            return [p.supplier if p.buyer == me else p.buyer for p in chosen]

        rows = measure(people, listed, lambda me: by_score(of.get(me, []), me, listed, top), new)
    return rows, names


def generated_event(seed: int) -> list[Participant]:
    """Companies shaped like the demo's, in the numbers of the ``regional`` family.

    Order volumes spread from 50 thousand to 5 million USD (log-uniform).
    """
    from matchmaking.services.demo import (
        BUYER_COUNTRIES,
        BUYER_INTERESTS,
        COUNTRY_LANGUAGES,
        PRODUCTS,
        SUPPLIER_SECTORS,
    )

    spec = FAMILIES["regional"]
    rng = random.Random(f"recommendations:{seed}")

    def volume() -> Decimal:
        return Decimal(round(10 ** rng.uniform(4.7, 6.7), -3))

    def line(code: str) -> tuple[str, str | None, str]:
        sector, _, _ = code.partition(".")
        return sector, code, ", ".join(rng.sample(PRODUCTS[code], 2))

    people = []
    countries = sorted(BUYER_COUNTRIES)
    for n in range(spec.sco):
        country = rng.choices(countries, [BUYER_COUNTRIES[c] for c in countries])[0]
        languages = COUNTRY_LANGUAGES[country]
        interests = [
            scoring.Interest(*line(code), scoring.SizeRange(v, v, "USD"))
            for code in rng.sample(BUYER_INTERESTS, rng.randint(1, 3))
            for v in [volume()]
        ]
        interpreter = "zh" not in languages and "en" not in languages
        people.append(Participant(f"sco-{n:04d}", country, languages, interpreter, (), interests))
    for n in range(spec.chongqing):
        languages = ["zh", "en"] if rng.random() < 0.6 else rng.choice([["zh", "ru"], ["zh"]])
        offers = [
            scoring.Offer(*line(code), scoring.SizeRange(Decimal(0), volume() * 2, "USD"))
            for code in rng.sample(SUPPLIER_SECTORS, rng.randint(1, 2))
        ]
        people.append(Participant(f"cq-{n:04d}", "CN", languages, False, offers, ()))
    return people


def generated(seed: int, top: int) -> list[Row]:
    """Recommendations on :func:`generated_event`, 90% of companies listed in the directory."""
    participants = generated_event(seed)
    rng = random.Random(f"listed:{seed}")
    listed = {p.id for p in participants if rng.random() < 0.9}
    people = {p.id: p for p in participants}
    pairs = scoring.build_candidates(participants, min_score=0.3, default_zone="all")
    of = _pairs_by_participant(pairs)

    def new(me: str) -> list[str]:
        mine = [p for p in of.get(me, []) if (p.supplier if p.buyer == me else p.buyer) in listed]
        others = [p.supplier if p.buyer == me else p.buyer for p in mine]
        picked = scoring.pick_counterparts(
            people[me], [(people[o], p.score) for o, p in zip(others, mine, strict=True)], top
        )
        return [others[k] for k in picked]

    return measure(people, listed, lambda me: by_score(of.get(me, []), me, listed, top), new)


def _pairs_by_participant(pairs: Sequence[ScoredPair]) -> dict[str, list[ScoredPair]]:
    found: dict[str, list[ScoredPair]] = {}
    for pair in pairs:
        found.setdefault(pair.buyer, []).append(pair)
        found.setdefault(pair.supplier, []).append(pair)
    return found


def main(argv: list[str] | None = None) -> int:
    """Print the figures of the demo and of one generated event."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=8, help="recommendations shown (default 8)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated event")
    parser.add_argument("--all", action="store_true", help="every buyer of the generated event")
    args = parser.parse_args(argv)
    print(f"share of each buyer's order volume covered by its top {args.top} recommendations")
    rows, names = demo_event(args.top)
    report("demo event", rows, names, every=True)
    rows = generated(args.seed, args.top)
    report(f"generated event (regional size, seed {args.seed})", rows, {}, every=args.all)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
