"""Pure scoring: who should meet whom at a matchmaking event, and why.

Standard library only: no Flask, SQLAlchemy or app modules (tests/unit/test_pure_core.py).
"""

from .candidates import build_candidates, to_candidate_dicts
from .diversity import diversify
from .explain import LANGUAGE_NAMES, TEMPLATES, explain, reason_text
from .model import Interest, Offer, Participant, Request, SizeRange
from .pair import Discount, ScoredPair
from .prune import keep_count, prune
from .recommend import Option, choose, coverage, covered_needs, needs, pick_counterparts
from .result import FLOOR, Component, Reason, Score
from .score import DEFAULT_WEIGHTS, Match, score_match
from .text import Corpus, Document, cosine, tokenize
from .weights import Weights
from .zones import zone_for

__all__ = [
    "DEFAULT_WEIGHTS",
    "FLOOR",
    "LANGUAGE_NAMES",
    "TEMPLATES",
    "Component",
    "Corpus",
    "Discount",
    "Document",
    "Interest",
    "Match",
    "Offer",
    "Option",
    "Participant",
    "Reason",
    "Request",
    "Score",
    "ScoredPair",
    "SizeRange",
    "Weights",
    "build_candidates",
    "choose",
    "cosine",
    "coverage",
    "covered_needs",
    "diversify",
    "explain",
    "keep_count",
    "needs",
    "pick_counterparts",
    "prune",
    "reason_text",
    "score_match",
    "to_candidate_dicts",
    "tokenize",
    "zone_for",
]
