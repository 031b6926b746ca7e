"""Seeded generator of scheduling instances (``matchmaking-instance/1``) for the benchmarks.

Families, all modelled on the Chongqing-SCO conference (SCO-country companies meeting
Chongqing companies, Asia/Shanghai, 20-minute slots 09:00-12:00 and 13:00-17:00):

- ``chongqing``: 40 SCO buyers, 180 Chongqing suppliers, one day, three zones (20/15/10
  tables); in the imported-goods zone SCO companies sell and Chongqing companies buy.
- ``regional``: about 800 companies, two days, five zones.
- ``large``: about 4,000 companies and 50,000 candidate pairs, three days, eight zones.
- ``starved``: 200 companies and nine tables; demand far exceeds tables x slots.

Candidates come from sector overlap; scores mix overlap, a shared language and noise; about
10-15% are `must` (accepted requests, likelier for higher scores). Same family and seed give
the same instance: one ``random.Random`` seeded by the pair, and no iteration over sets.

With ``--interpreters POOL`` the same instance also states interpreter needs (every pair with
no common language) and an interpreter pool (``_interpreters``): ``plentiful`` (one
interpreter per table of each zone for each language pair needed there: never the limit) or
``scarce`` (interpreter-slots for 60% of the estimated need, per zone and language pair).
The pool has its own random stream, so the rest of the instance is unchanged.

    python -m benchmarks.generate FAMILY --seed N [--interpreters POOL] --out FILE.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

SHANGHAI = timezone(timedelta(hours=8))
FIRST_DAY = datetime(2025, 6, 12, tzinfo=SHANGHAI)
MORNING = [(9, m) for m in (0, 20, 40)] + [(10, m) for m in (0, 20, 40)]
MORNING += [(11, m) for m in (0, 20, 40)]
AFTERNOON = [(h, m) for h in range(13, 17) for m in (0, 20, 40)]
IMPORTED = "imp"

# zone id -> (name, sectors); the imported-goods zone's sectors are what SCO companies sell.
ZONES: dict[str, tuple[str, tuple[str, ...]]] = {
    "nev": ("New energy vehicles and auto parts", ("ev", "auto-parts", "batteries")),
    "mfg": ("Smart manufacturing and electronics", ("electronics", "machinery", "robotics")),
    IMPORTED: ("Imported goods from SCO countries", ("grain", "dairy", "minerals", "textiles")),
    "agri": ("Agriculture and food processing", ("agritech", "food-processing")),
    "health": ("Medicine and health", ("pharma", "medical-devices")),
    "energy": ("Energy and chemicals", ("solar", "chemicals", "power-equipment")),
    "logistics": ("Logistics and trade services", ("rail-freight", "warehousing")),
    "digital": ("Digital economy", ("software", "e-commerce", "telecom")),
}
COUNTRIES: dict[str, tuple[str, ...]] = {
    "KZ": ("ru", "kk"),
    "UZ": ("uz", "ru"),
    "KG": ("ky", "ru"),
    "TJ": ("tg", "ru"),
    "RU": ("ru",),
    "BY": ("ru", "be"),
    "PK": ("ur", "en"),
    "IN": ("hi", "en"),
    "IR": ("fa", "en"),
    "MN": ("mn", "ru"),
}


@dataclass(frozen=True, slots=True)
class Family:
    """Sizes of one family; ``per_sco`` is how many partners an SCO company is matched with."""

    name: str
    event: str
    sco: int
    chongqing: int
    days: int
    tables: dict[str, int]
    per_sco: tuple[int, int]
    sellers: float  # share of SCO companies that also sell in the imported-goods zone
    per_seller: tuple[int, int]
    must: float
    caps: tuple[int, int]
    gaps: float  # share of companies with an availability gap
    fixed: int


FAMILIES: dict[str, Family] = {
    "chongqing": Family(
        name="chongqing",
        event="Chongqing-SCO Economic and Trade Cooperation Conference",
        sco=40,
        chongqing=180,
        days=1,
        tables={"nev": 20, "mfg": 15, IMPORTED: 10},
        per_sco=(25, 40),
        sellers=0.4,
        per_seller=(6, 14),
        must=0.12,
        caps=(8, 12),
        gaps=0.15,
        fixed=4,
    ),
    "regional": Family(
        name="regional",
        event="Chongqing-SCO Regional Trade Days",
        sco=260,
        chongqing=540,
        days=2,
        tables={"nev": 30, "mfg": 25, IMPORTED: 15, "agri": 20, "health": 15},
        per_sco=(30, 45),
        sellers=0.3,
        per_seller=(8, 16),
        must=0.12,
        caps=(10, 20),
        gaps=0.15,
        fixed=20,
    ),
    "large": Family(
        name="large",
        event="SCO Expo Chongqing",
        sco=1200,
        chongqing=2800,
        days=3,
        tables={
            "nev": 80,
            "mfg": 70,
            IMPORTED: 50,
            "agri": 50,
            "health": 40,
            "energy": 50,
            "logistics": 40,
            "digital": 60,
        },
        per_sco=(34, 42),
        sellers=0.25,
        per_seller=(10, 20),
        must=0.12,
        caps=(12, 24),
        gaps=0.15,
        fixed=0,
    ),
    "starved": Family(
        name="starved",
        event="Chongqing-SCO Matchmaking (small venue)",
        sco=60,
        chongqing=140,
        days=1,
        tables={"nev": 4, "mfg": 3, IMPORTED: 2},
        per_sco=(20, 30),
        sellers=0.4,
        per_seller=(6, 12),
        must=0.15,
        caps=(8, 12),
        gaps=0.15,
        fixed=0,
    ),
}


def _slots(days: int) -> list[dict[str, Any]]:
    """Twenty-minute slots 09:00-12:00 and 13:00-17:00 on consecutive days, +08:00."""
    slots = []
    for day in range(days):
        date = FIRST_DAY + timedelta(days=day)
        for hour, minute in MORNING + AFTERNOON:
            start = date.replace(hour=hour, minute=minute)
            slots.append(
                {
                    "id": f"d{day + 1}-{hour:02d}{minute:02d}",
                    "start": start.isoformat(),
                    "end": (start + timedelta(minutes=20)).isoformat(),
                }
            )
    return slots


def _availability(rng: random.Random, slot_ids: list[str], days: int) -> list[str] | None:
    """Return the slots a company attends, None for all: late arrival, early leave or a visit."""
    per_day = len(MORNING) + len(AFTERNOON)
    kind = rng.choice(
        ("late", "early", "visit", "one-day") if days > 1 else ("late", "early", "visit")
    )
    if kind == "late":
        gone = set(range(rng.randint(2, 6)))
    elif kind == "early":
        gone = set(range(len(slot_ids) - rng.randint(2, 6), len(slot_ids)))
    elif kind == "visit":
        start = rng.randrange(len(slot_ids) - 6)
        gone = set(range(start, start + rng.randint(3, 6)))
    else:
        day = rng.randrange(days)
        gone = set(range(len(slot_ids))) - set(range(day * per_day, (day + 1) * per_day))
    return [slot for index, slot in enumerate(slot_ids) if index not in gone]


def _score(rng: random.Random, overlap: int, languages: tuple[str, ...], other: list[str]) -> float:
    """Score in (0, 1]: sector overlap, a shared language, and noise for everything else."""
    shared = any(language in other for language in languages)
    value = 0.3 + 0.15 * min(overlap, 2) + (0.15 if shared else 0.0) + rng.uniform(-0.1, 0.25)
    return round(min(1.0, max(0.05, value)), 3)


def generate(family: str, seed: int, interpreters: str | None = None) -> dict[str, Any]:
    """Return the instance dict of ``family`` (a key of FAMILIES) for ``seed``, with an
    interpreter pool (a key of POOLS) when ``interpreters`` is given."""
    spec = FAMILIES[family]
    rng = random.Random(f"{family}:{seed}")
    slots = _slots(spec.days)
    slot_ids = [slot["id"] for slot in slots]
    morning = {slot["id"] for slot in slots if int(slot["id"][-4:-2]) < 12}
    export_zones = [zone for zone in spec.tables if zone != IMPORTED]
    export_sectors = [sector for zone in export_zones for sector in ZONES[zone][1]]
    sector_zone = {sector: zone for zone in spec.tables for sector in ZONES[zone][1]}

    companies: list[dict[str, Any]] = []
    wants: dict[str, list[str]] = {}
    sells: dict[str, list[str]] = {}
    for index in range(spec.sco):
        country = rng.choice(sorted(COUNTRIES))
        company_id = f"{country.lower()}-{index + 1:04d}"
        wants[company_id] = rng.sample(export_sectors, rng.randint(1, 3))
        seller = rng.random() < spec.sellers
        if seller:
            sells[company_id] = rng.sample(ZONES[IMPORTED][1], rng.randint(1, 2))
        companies.append(
            {
                "id": company_id,
                "role": "both" if seller else "buyer",
                "country": country,
                "languages": list(COUNTRIES[country]),
            }
        )
    offers: dict[str, list[str]] = {}
    imports: dict[str, list[str]] = {}
    for index in range(spec.chongqing):
        company_id = f"cq-{index + 1:04d}"
        offers[company_id] = rng.sample(export_sectors, rng.randint(1, 2))
        buyer = rng.random() < 0.3
        if buyer:
            imports[company_id] = rng.sample(ZONES[IMPORTED][1], rng.randint(1, 3))
        languages = ["zh", *rng.sample(["en", "ru"], rng.randint(0, 2))]
        companies.append(
            {
                "id": company_id,
                "role": "both" if buyer else "supplier",
                "country": "CN",
                "languages": languages,
            }
        )
    for company in companies:
        if rng.random() < spec.gaps:
            company["available"] = _availability(rng, slot_ids, spec.days)
        if rng.random() < 0.9:
            company["max_meetings"] = rng.randint(*spec.caps)
    languages = {company["id"]: company["languages"] for company in companies}

    candidates: list[dict[str, Any]] = []
    paired: set[frozenset[str]] = set()

    def match(buyer: str, supplier: str, mine: list[str], theirs: list[str]) -> None:
        # One candidate per unordered pair, even when both sides buy from each other.
        if frozenset((buyer, supplier)) in paired:
            return
        paired.add(frozenset((buyer, supplier)))
        common = [sector for sector in mine if sector in theirs]
        candidates.append(
            {
                "buyer": buyer,
                "supplier": supplier,
                "zone": sector_zone[common[0]],
                "score": _score(rng, len(common), languages[buyer], languages[supplier]),
            }
        )

    offering: dict[str, list[str]] = {sector: [] for sector in sector_zone}
    for company_id, sectors in offers.items():
        for sector in sectors:
            offering[sector].append(company_id)
    importing: dict[str, list[str]] = {sector: [] for sector in sector_zone}
    for company_id, sectors in imports.items():
        for sector in sectors:
            importing[sector].append(company_id)
    for buyer, sectors in wants.items():
        pool = sorted({supplier for sector in sectors for supplier in offering[sector]})
        for supplier in rng.sample(pool, min(len(pool), rng.randint(*spec.per_sco))):
            match(buyer, supplier, sectors, offers[supplier])
    for supplier, sectors in sells.items():
        pool = sorted({buyer for sector in sectors for buyer in importing[sector]})
        for buyer in rng.sample(pool, min(len(pool), rng.randint(*spec.per_seller))):
            match(buyer, supplier, imports[buyer], sectors)

    # Accepted requests: weighted sampling without replacement (Efraimidis-Spirakis keys).
    keys = sorted(
        range(len(candidates)),
        key=lambda i: rng.random() ** (1.0 / candidates[i]["score"]),
        reverse=True,
    )
    for index in keys[: round(spec.must * len(candidates))]:
        candidates[index]["must"] = True
    for candidate in candidates:
        if rng.random() < 0.02:
            candidate["slots"] = [slot for slot in slot_ids if slot in morning]

    instance: dict[str, Any] = {
        "format": "matchmaking-instance/1",
        "event": {"name": f"{spec.event} ({family}, seed {seed})", "timezone": "Asia/Shanghai"},
        "slots": slots,
        "zones": [
            {"id": zone, "name": ZONES[zone][0], "tables": tables}
            for zone, tables in spec.tables.items()
        ],
        "companies": companies,
        "candidates": candidates,
    }
    fixed = _fixed(rng, instance, spec.fixed)
    if fixed:
        instance["fixed"] = fixed
    if interpreters is not None:
        pool_rng = random.Random(f"{family}:{seed}:interpreters:{interpreters}")
        _interpreters(pool_rng, instance, POOLS[interpreters], spec.days)
    return instance


# Interpreter pools: share of the estimated need covered, None for one per table (plentiful).
POOLS: dict[str, float | None] = {"plentiful": None, "scarce": 0.6}
# Bridge languages tried first on each side: SCO companies all speak Russian or English.
BRIDGES = ("zh", "ru", "en")


def _bridge(languages: list[str]) -> str:
    return next((code for code in BRIDGES if code in languages), languages[0])


def _interpreters(
    rng: random.Random, instance: dict[str, Any], share: float | None, days: int
) -> None:
    """Add interpreter needs to the candidates with no common language, and a pool.

    The need per (zone, language pair) is estimated from each SCO company's best candidates
    (must first, then score) up to its cap: roughly what a schedule without interpreter
    limits holds. Each interpreter works in one zone between Chinese and Russian or English
    (one in five also speaks the third); scarce pools get 60% of the need in
    interpreter-slots (``max_meetings`` 10-14 per day, the last one trimmed), and one
    interpreter in four there works in every zone.
    """
    companies = {company["id"]: company for company in instance["companies"]}
    per_company = len(instance["slots"])
    need: dict[tuple[str, str, str], int] = {}
    by_sco: dict[str, list[dict[str, Any]]] = {}
    for candidate in instance["candidates"]:
        buyer = companies[candidate["buyer"]]["languages"]
        supplier = companies[candidate["supplier"]]["languages"]
        if set(buyer) & set(supplier):
            continue
        candidate["interpreter"] = {"buyer": list(buyer), "supplier": list(supplier)}
    for candidate in instance["candidates"]:
        for end in ("buyer", "supplier"):
            if companies[candidate[end]]["country"] != "CN":
                by_sco.setdefault(candidate[end], []).append(candidate)
    for company_id, mine in by_sco.items():
        cap = companies[company_id].get("max_meetings", per_company)
        mine = sorted(mine, key=lambda c: (not c.get("must", False), -c["score"]))[:cap]
        for candidate in mine:
            if "interpreter" in candidate:
                key = _language_pair(candidate["interpreter"])
                need[(candidate["zone"], *key)] = need.get((candidate["zone"], *key), 0) + 1
    tables = {zone["id"]: zone["tables"] for zone in instance["zones"]}
    pool: list[dict[str, Any]] = []
    for zone, first, second in sorted(need):
        wanted = need[(zone, first, second)]
        slots_left = None if share is None else max(1, round(share * wanted))
        count = 0
        while (count < tables[zone]) if slots_left is None else (slots_left > 0):
            count += 1
            person: dict[str, Any] = {
                "id": f"int-{second}-{zone}-{count:02d}",
                "languages": [first, second],
                "zones": [zone],
            }
            if rng.random() < 0.2:
                person["languages"] = list(BRIDGES)
            if share is not None and rng.random() < 0.25:
                del person["zones"]  # works in every zone
            if slots_left is not None:
                person["max_meetings"] = min(slots_left, rng.randint(10, 14) * days)
                slots_left -= person["max_meetings"]
            pool.append(person)
    instance["interpreters"] = pool
    _staff_fixed(instance)


def _staff_fixed(instance: dict[str, Any]) -> None:
    """Give each fixed meeting needing an interpreter the first qualified one free then; a
    fixed meeting no interpreter can serve is no longer fixed (scarce pools only)."""
    candidates = {(c["buyer"], c["supplier"]): c for c in instance["candidates"]}
    taken: set[tuple[str, str]] = set()
    used: dict[str, int] = {}
    kept = []
    for meeting in instance.get("fixed", []):
        need = candidates[(meeting["buyer"], meeting["supplier"])].get("interpreter")
        if need is not None:
            for person in instance["interpreters"]:
                spoken = set(person["languages"])
                if (
                    spoken & set(need["buyer"])
                    and spoken & set(need["supplier"])
                    and meeting["zone"] in person.get("zones", [meeting["zone"]])
                    and (person["id"], meeting["slot"]) not in taken
                    and used.get(person["id"], 0) < person.get("max_meetings", 1 << 30)
                ):
                    meeting["interpreter"] = person["id"]
                    taken.add((person["id"], meeting["slot"]))
                    used[person["id"]] = used.get(person["id"], 0) + 1
                    break
            else:
                continue
        kept.append(meeting)
    if "fixed" in instance:
        instance["fixed"] = kept


def _language_pair(need: dict[str, list[str]]) -> tuple[str, str]:
    """The interpreter languages for a need: Chinese first, then the other side's bridge."""
    one, other = _bridge(need["buyer"]), _bridge(need["supplier"])
    return (one, other) if one == "zh" else (other, one)


def _fixed(rng: random.Random, instance: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """Publish ``count`` must pairs in advance, each in a random slot that keeps every rule."""
    slot_ids = [slot["id"] for slot in instance["slots"]]
    tables = {zone["id"]: zone["tables"] for zone in instance["zones"]}
    companies = {company["id"]: company for company in instance["companies"]}
    busy: dict[str, list[str]] = {company_id: [] for company_id in companies}
    used: dict[tuple[str, str], int] = {}
    fixed: list[dict[str, Any]] = []
    musts = [candidate for candidate in instance["candidates"] if candidate.get("must")]
    for candidate in rng.sample(musts, min(count, len(musts))):
        buyer, supplier = companies[candidate["buyer"]], companies[candidate["supplier"]]
        if any(
            len(busy[company["id"]]) >= company.get("max_meetings", len(slot_ids))
            for company in (buyer, supplier)
        ):
            continue
        options = [
            slot
            for slot in candidate.get("slots", slot_ids)
            if slot in buyer.get("available", slot_ids)
            and slot in supplier.get("available", slot_ids)
            and slot not in busy[buyer["id"]] + busy[supplier["id"]]
            and used.get((candidate["zone"], slot), 0) < tables[candidate["zone"]]
        ]
        if not options:
            continue
        slot = rng.choice(options)
        used[(candidate["zone"], slot)] = used.get((candidate["zone"], slot), 0) + 1
        busy[buyer["id"]].append(slot)
        busy[supplier["id"]].append(slot)
        fixed.append(
            {
                "buyer": buyer["id"],
                "supplier": supplier["id"],
                "slot": slot,
                "zone": candidate["zone"],
                "table": used[(candidate["zone"], slot)],
            }
        )
    return fixed


def main(argv: list[str] | None = None) -> int:
    """Write one generated instance as JSON (to stdout without --out)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__)
    parser.add_argument("family", choices=sorted(FAMILIES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--interpreters", choices=sorted(POOLS), help="add an interpreter pool")
    parser.add_argument("--out", help="output file (default: stdout)")
    args = parser.parse_args(argv)
    instance = generate(args.family, args.seed, args.interpreters)
    text = json.dumps(instance, ensure_ascii=False) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
