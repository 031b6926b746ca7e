"""Properties that hold for every input: scores stay in (0, 1], candidates stay well formed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking.scoring import (
    FLOOR,
    Interest,
    Offer,
    Participant,
    SizeRange,
    Weights,
    build_candidates,
    score_match,
    to_candidate_dicts,
)
from tests.unit.scoring.builders import MAPPING

SUBSECTORS = ["machinery.agricultural", "machinery.general", "auto.nev", "food.oils", "food"]
WORDS = ["tractor", "tractors", "oil", "масло", "тракторы", "拖拉机", "电池", "pump", "the", "и"]

descriptions = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Z", "S"]), max_size=40
    ),
)
ranges = st.none() | st.builds(
    lambda low, extra, unit: SizeRange(low, low + extra, unit),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.sampled_from(["t", "units"]),
)


def _codes(code: str) -> tuple[str, str | None]:
    return code.split(".")[0], code if "." in code else None


interests = st.builds(
    lambda code, text, order: Interest(*_codes(code), text, order),
    st.sampled_from(SUBSECTORS),
    descriptions,
    ranges,
)
offers = st.builds(
    lambda code, text, capacity: Offer(*_codes(code), text, capacity),
    st.sampled_from(SUBSECTORS),
    descriptions,
    ranges,
)
languages = st.lists(st.sampled_from(["ru", "zh", "en", "kk", "uz"]), max_size=3, unique=True)
weights = st.builds(
    Weights,
    sector=st.floats(0, 10),
    text=st.floats(0, 10),
    request=st.floats(0, 10),
    language=st.floats(0, 10),
    capacity=st.floats(1e-6, 10),  # one positive weight keeps them valid
    diversity=st.floats(0, 0.99),
    same_country_free=st.integers(0, 3),
)


@st.composite
def events(draw):
    n = draw(st.integers(2, 8))
    people = [
        Participant(
            f"c{k}",
            draw(st.sampled_from(["KZ", "RU", "CN", "UZ", None])),
            tuple(draw(languages)),
            draw(st.booleans()),
            tuple(draw(st.lists(offers, max_size=2))),
            tuple(draw(st.lists(interests, max_size=2))),
        )
        for k in range(n)
    ]
    ids = [p.id for p in people]
    requests = draw(
        st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids), st.booleans()), max_size=6)
    )
    return people, requests


@given(
    languages,
    languages,
    st.booleans(),
    interests,
    offers,
    weights,
    st.lists(st.booleans(), max_size=2),
)
def test_score_is_in_floor_to_one(b_langs, s_langs, interp, interest, offer, w, asks) -> None:
    b = Participant("b", "KZ", tuple(b_langs), interp, (), (interest,))
    s = Participant("s", "CN", tuple(s_langs), False, (offer,), ())
    requests = [("b", "s", accepted) for accepted in asks]
    score = score_match(b, s, interest, offer, requests=requests, weights=w)
    assert 0 < FLOOR <= score.value <= 1
    assert all(0 <= c.value <= 1 for c in score.components)


@settings(max_examples=60, deadline=None)
@given(events(), weights, st.floats(0, 1))
def test_candidates_are_well_formed(event, w, min_score) -> None:
    people, requests = event
    pairs = build_candidates(people, requests, weights=w, mapping=MAPPING, default_zone="other")
    keys = [(p.buyer, p.supplier) for p in pairs]
    assert keys == sorted(keys)
    assert len({frozenset(k) for k in keys}) == len(keys)
    asked = {frozenset((a, b)) for a, b, _ in requests if a != b}
    accepted = {frozenset((a, b)) for a, b, ok in requests if a != b and ok}
    assert asked <= {frozenset(k) for k in keys}  # requested couples always get their pair
    for p in pairs:
        assert p.buyer != p.supplier
        assert 0 < p.score <= 1
        assert p.must == (frozenset((p.buyer, p.supplier)) in accepted)
        assert p.explained().value == p.score
    for d in to_candidate_dicts(pairs):
        assert 0 < d["score"] <= 1
