"""Ranking pairs for a freed table: who may take it, and in which order."""

from __future__ import annotations

import pytest

from matchmaking.scoring.refill import (
    CandidatePair,
    FreeCompany,
    FreedTable,
    RefillProposal,
    orient,
    rank_refills,
)

TABLE = FreedTable(slot=1, zone=1, table=3, zone_sectors=frozenset({"nev"}))


def company(
    cid: int,
    buys: str = "",
    sells: str = "",
    languages: str = "ru",
    standby: bool = False,
) -> FreeCompany:
    return FreeCompany(
        cid,
        frozenset(buys.split()),
        frozenset(sells.split()),
        frozenset(languages.split()),
        standby,
    )


def free(*companies: FreeCompany) -> dict[int, FreeCompany]:
    return {c.id: c for c in companies}


BUYER = company(1, buys="nev")
SUPPLIER = company(2, sells="nev")
OTHER_SUPPLIER = company(3, sells="nev")


def pairs_of(proposals: list[RefillProposal]) -> list[tuple[int, int]]:
    return [(p.buyer, p.supplier) for p in proposals]


def test_orient_puts_the_buyer_first_whatever_the_order_given() -> None:
    assert orient(SUPPLIER, BUYER) == (BUYER, SUPPLIER)
    assert orient(BUYER, OTHER_SUPPLIER) == (BUYER, OTHER_SUPPLIER)
    assert orient(SUPPLIER, OTHER_SUPPLIER) is None


@pytest.mark.parametrize(
    ("companies", "pair", "expected"),
    [
        pytest.param((BUYER, SUPPLIER), (1, 2), [(1, 2)], id="fits"),
        pytest.param((BUYER,), (1, 2), [], id="supplier-not-free"),
        pytest.param((SUPPLIER,), (1, 2), [], id="buyer-not-free"),
        pytest.param((BUYER, company(2, sells="food")), (1, 2), [], id="no-trade-between-them"),
        pytest.param(
            (company(1, buys="food"), company(2, sells="food")), (1, 2), [], id="zone-other-sector"
        ),
        pytest.param(
            (BUYER, company(2, sells="nev", languages="en")), (1, 2), [], id="no-common-language"
        ),
        pytest.param(
            (BUYER, company(2, sells="nev", languages="")), (1, 2), [(1, 2)], id="language-unknown"
        ),
        pytest.param((BUYER,), (1, 1), [], id="same-company"),
    ],
)
def test_rules(
    companies: tuple[FreeCompany, ...], pair: tuple[int, int], expected: list[tuple[int, int]]
) -> None:
    proposals = rank_refills(TABLE, [CandidatePair(*pair, 0.5)], free(*companies))
    assert pairs_of(proposals) == expected


def test_a_zone_without_sectors_hosts_any_pair() -> None:
    anywhere = FreedTable(1, 1, 1)
    food = free(company(1, buys="food"), company(2, sells="food"))
    assert pairs_of(rank_refills(anywhere, [CandidatePair(1, 2, 0.5)], food)) == [(1, 2)]


def test_pairs_that_already_meet_are_left_out() -> None:
    found = rank_refills(
        TABLE, [CandidatePair(1, 2, 0.5)], free(BUYER, SUPPLIER), frozenset({(1, 2)})
    )
    assert found == []


@pytest.mark.parametrize(
    ("interpreters", "own", "expected"),
    [
        pytest.param([frozenset({"ru", "en"})], False, [(1, True)], id="interpreter-free"),
        pytest.param([frozenset({"ru", "zh"})], False, [], id="interpreter-wrong-languages"),
        pytest.param([], True, [(1, False)], id="brings-own-interpreter"),
        pytest.param([], False, [], id="nobody-interprets"),
    ],
)
def test_a_pair_without_common_language_needs_an_interpreter(
    interpreters: list[frozenset[str]], own: bool, expected: list[tuple[int, bool]]
) -> None:
    english = FreeCompany(2, frozenset(), frozenset({"nev"}), frozenset({"en"}), False, own)
    found = rank_refills(
        TABLE, [CandidatePair(1, 2, 0.5)], free(BUYER, english), interpreters=interpreters
    )
    assert [(p.buyer, p.interpreter) for p in found] == expected


def test_requested_first_then_standby_then_score_then_ids() -> None:
    companies = free(
        BUYER,
        company(5, buys="nev", standby=True),
        SUPPLIER,
        OTHER_SUPPLIER,
        company(4, sells="nev"),
    )
    pairs = [
        CandidatePair(1, 2, 0.9),
        CandidatePair(1, 3, 0.2, requested=True),
        CandidatePair(5, 4, 0.3),
        CandidatePair(1, 4, 0.5),
        CandidatePair(4, 1, 0.5),  # the same pair the other way: counted once
        CandidatePair(2, 5, 0.5),
    ]
    found = rank_refills(TABLE, pairs, companies, limit=10)
    assert pairs_of(found) == [(1, 3), (5, 2), (5, 4), (1, 2), (1, 4)]
    assert rank_refills(TABLE, pairs, companies, limit=2) == found[:2]


def test_a_pair_given_twice_keeps_its_best_score_and_its_request() -> None:
    found = rank_refills(
        TABLE,
        [CandidatePair(1, 2, 0.4, requested=True), CandidatePair(2, 1, 0.8)],
        free(BUYER, SUPPLIER),
    )
    assert [(p.score, p.requested) for p in found] == [(0.8, True)]
