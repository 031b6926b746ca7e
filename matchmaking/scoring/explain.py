"""Plain-language explanations of a score, translatable by a gettext-like callable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .pair import ScoredPair
from .result import Reason, Score


def N_(message: str) -> str:
    """Mark a message for extraction (``pybabel extract -k N_``) without translating it."""
    return message


TEMPLATES: Mapping[str, str] = {
    "same_subsector": N_("both in %(sector)s"),
    "same_sector": N_("both in %(sector)s"),
    "shared_terms": N_("the buyer wants %(words)s, the supplier offers them"),
    "common_language": N_("both speak %(language)s"),
    "interpreter_needed": N_("no common language: an interpreter is needed"),
    "no_common_language": N_("no common language"),
    "requested": N_("%(company)s asked for this meeting"),
    "mutual_request": N_("both asked for this meeting"),
    "request_accepted": N_("the request was accepted"),
    "capacity_fits": N_("the supplier's capacity (%(capacity)s) fits the order (%(order)s)"),
    "capacity_short": N_("the supplier's capacity (%(capacity)s) is below the order (%(order)s)"),
    "order_below_minimum": N_("the order (%(order)s) is below the supplier's range (%(capacity)s)"),
    "diversity_discount": N_(
        "ranked lower: buyer number %(rank)s from %(country)s for this supplier"
    ),
}

# Parameters holding an order size or a capacity (``str(SizeRange)``, a machine format).
QUANTITY_PARAMS = frozenset({"order", "capacity"})

LANGUAGE_NAMES: Mapping[str, str] = {
    "ru": "Russian", "zh": "Chinese", "en": "English", "kk": "Kazakh", "uz": "Uzbek",
    "ky": "Kyrgyz", "tg": "Tajik", "hy": "Armenian", "mn": "Mongolian", "be": "Belarusian",
    "az": "Azerbaijani", "fa": "Persian", "hi": "Hindi", "ur": "Urdu", "tr": "Turkish",
}  # fmt: skip


def _identity(message: str) -> str:
    return message


def _name(
    key: str, value: Any, names: Mapping[str, str], quantity: Callable[[str], str] | None = None
) -> str:
    """Display name of a code: ``names`` first, then (for languages) English names, else itself;
    quantities through ``quantity`` when given."""
    text = str(value)
    if quantity is not None and key in QUANTITY_PARAMS:
        return quantity(text)
    fallback = LANGUAGE_NAMES.get(text, text) if key.startswith("language") else text
    return names.get(text, fallback)


def reason_text(
    reason: Reason,
    names: Mapping[str, str] | None = None,
    translate: Callable[[str], str] | None = None,
    quantity: Callable[[str], str] | None = None,
) -> str:
    """One reason as a phrase; unknown codes render as the code itself.

    ``quantity`` writes an order size or capacity (e.g. "0–1506000.00 USD") for the reader.
    """
    names = names or {}
    template = (translate or _identity)(TEMPLATES.get(reason.code, reason.code))
    params = {
        key: ", ".join(_name(key, v, names, quantity) for v in value)
        if isinstance(value, list | tuple)
        else _name(key, value, names, quantity)
        for key, value in reason.params.items()
    }
    try:
        return template % params
    except (KeyError, ValueError, TypeError):
        # A bad translation must not break a page: fall back to the source template.
        return TEMPLATES.get(reason.code, reason.code) % params


def explain(
    score: Score | ScoredPair,
    names: Mapping[str, str] | None = None,
    translate: Callable[[str], str] | None = None,
    quantity: Callable[[str], str] | None = None,
) -> str:
    """A sentence saying why two companies were matched.

    ``names`` maps codes (sectors, languages, countries, company ids) to display names;
    ``translate`` (e.g. Flask-Babel's gettext) is applied to each template before formatting;
    ``quantity`` writes order sizes and capacities.
    """
    reasons = score.reasons
    if not reasons:
        return ""
    sentence = "; ".join(reason_text(r, names, translate, quantity) for r in reasons)
    # Capitalise template text, never a name ("cq-017 asked..." stays as the organiser wrote it).
    if not TEMPLATES.get(reasons[0].code, "").startswith("%("):
        sentence = sentence[0].upper() + sentence[1:]
    return sentence + "."
