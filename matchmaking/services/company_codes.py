"""Check-in codes: a short signed code per company and event, printed as a QR code on its agenda.

The code is ``<participation id>-<10 base32 characters>``: the characters are an HMAC of the
event and participation under the app's secret, so a code cannot be forged or guessed (50 bits,
behind a rate limit), and short enough for floor staff to type when the camera fails. It is not
an itsdangerous token on purpose: those carry base64 payloads too long to type on a phone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

import segno
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.errors import InvalidInput
from matchmaking.models import Company, Participation
from matchmaking.models.company import ParticipationStatus
from matchmaking.search_keys import search_words
from matchmaking.services.word_search import keys_have

_SALT = b"company-check-in-code"
_CODE = re.compile(r"^(\d{1,10})([A-Z2-7]{10})$")  # separators removed; the signature ends it


def _signature(secret: str, event_id: int, participation_id: int) -> str:
    key = hashlib.sha256(_SALT + secret.encode("utf-8")).digest()
    digest = hmac.new(key, f"{event_id}:{participation_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:10]


def company_code(secret: str, participation: Participation) -> str:
    """The check-in code of ``participation``, grouped for reading aloud: ``123-ABCDE-FGHIJ``."""
    signature = _signature(secret, participation.event_id, participation.id)
    return f"{participation.id}-{signature[:5]}-{signature[5:]}"


def read_company_code(secret: str, event_id: int, text: str) -> int | None:
    """The participation id a code (typed, or scanned as a check-in address) names at
    ``event_id``; None when it is malformed, tampered with or made for another event."""
    text = text.strip()
    if "code=" in text:  # a scanned QR code holds the check-in page's address
        text = parse_qs(urlsplit(text).query).get("code", [""])[0]
    # Typed any way: lower case, spaces or no separators at all ("123abcdefghij").
    match = _CODE.match(re.sub(r"[\s-]+", "", text.upper()))
    if match is None:
        return None
    participation_id = int(match.group(1))
    expected = _signature(secret, event_id, participation_id)
    if not hmac.compare_digest(expected, match.group(2)):
        return None
    return participation_id


def participation_for_code(
    session: Session, secret: str, event_id: int, text: str
) -> Participation:
    """The approved participation at ``event_id`` a check-in code names; InvalidInput (field
    ``code``) when the code is not valid here."""
    participation_id = read_company_code(secret, event_id, text)
    participation = (
        session.get(Participation, participation_id) if participation_id is not None else None
    )
    if (
        participation is None
        or participation.event_id != event_id
        or participation.status != ParticipationStatus.APPROVED
    ):
        raise InvalidInput(_("This code is not valid for this event."), field="code")
    return participation


# At most this many companies are listed for a name typed instead of a code.
NAME_MATCHES = 10


def companies_named(
    session: Session, secret: str, event_id: int, text: str
) -> list[tuple[str, str]]:
    """(name, check-in code) of the approved companies at ``event_id`` whose name contains
    every word of ``text``, in any script (the stored search keys): floor staff find a company
    that lost its code by name. At most ``NAME_MATCHES``, by name."""
    words = search_words(text)
    if not words:
        return []
    query = (
        select(Participation)
        .join(Company, Company.id == Participation.company_id)
        .where(
            Participation.event_id == event_id,
            Participation.status == ParticipationStatus.APPROVED,
        )
        .order_by(Company.legal_name, Participation.id)
        .limit(NAME_MATCHES)
    )
    for spellings in words:
        query = query.where(keys_have([Company.search_key], spellings))
    return [(p.company.legal_name, company_code(secret, p)) for p in session.scalars(query)]


@lru_cache(maxsize=1024)
def qr_svg(data: str, scale: int = 4) -> Markup:
    """``data`` as an inline SVG QR code (no data: URL, which the CSP forbids for images); a
    full QR code, never a Micro QR code, which few phone cameras read. Kept per process:
    the same code always gives the same picture, and making one takes milliseconds."""
    qr = segno.make_qr(data, error="m")
    return Markup(qr.svg_inline(scale=scale, omitsize=True, light="#fff"))


def check_in_block(secret: str, participation: Participation) -> dict[str, str | Markup]:
    """``check_in_code`` and its ``check_in_qr`` (the QR code holds the code itself, so that it
    stays small and reads from a phone's screen), for agenda pages, PDFs and e-mails."""
    code = company_code(secret, participation)
    return {"check_in_code": code, "check_in_qr": qr_svg(code)}
