"""Likely duplicate registrations: one company registered twice, perhaps in another script.

Two registrations of an event are likely duplicates when their names, transliterated and
without legal forms, are the same or similar in the same country; when they share a mailbox;
when their contacts share an e-mail domain that is not a public mail service; or when they
give the same website. The organiser sees each reason in words.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import combinations
from typing import Any
from urllib.parse import urlsplit

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Select, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from matchmaking.models import Company, Event, Participation, User
from matchmaking.search_keys import fold, transliterate

# Legal-form words ignored when comparing names, before and after transliteration (en, ru/kk,
# uz, uk, zh in Latin letters).
_LEGAL_FORMS = {
    "llc", "llp", "lp", "ltd", "limited", "co", "company", "inc", "corp", "corporation", "jsc",
    "ojsc", "cjsc", "pjsc", "plc", "gmbh", "group", "too", "ooo", "oao", "zao", "ao", "pao", "ip",
    "chp", "mchj", "aj", "xk", "tov",
    "тоо", "ооо", "оао", "зао", "ао", "пао", "ип", "чп", "ук", "тов",
}  # fmt: skip
_ZH_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
# Mail services anyone can use: a shared domain there says nothing about the company.
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com",
    "msn.com", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com",
    "gmx.de", "zoho.com", "mail.com",
    "mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru", "yandex.ru", "yandex.com",
    "yandex.kz", "yandex.by", "ya.ru", "rambler.ru", "mail.kz", "inbox.kz", "umail.uz",
    "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn",
    "sohu.com", "aliyun.com", "139.com", "189.cn", "21cn.com", "tom.com",
})  # fmt: skip
# Documentation and test names (RFC 2606, 6761): shared by demo and test data, never a company.
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")
_RESERVED_DOMAINS = frozenset({"example.com", "example.net", "example.org"})
# Hosts serving many companies' pages: the site is the host and the first path segment.
_SHARED_HOSTS = frozenset({
    "facebook.com", "instagram.com", "vk.com", "ok.ru", "linkedin.com", "t.me", "wa.me",
    "x.com", "twitter.com", "youtube.com", "weibo.com", "sites.google.com", "alibaba.com",
    "1688.com", "taobao.com", "tmall.com", "jd.com",
})  # fmt: skip
# Words of two similar names are each equal or this close (difflib ratio, 4+ letters).
SIMILAR_WORD_RATIO = 0.8
# Names are compared only within blocks (see ``_similar_pairs``); a block holding more names
# than this is too common to tell anything and pairs nobody.
_BLOCK_LIMIT = 200


@dataclass(frozen=True)
class DuplicateMatch:
    """Another registration that is likely the same company, and why, in words."""

    participation_id: int
    reasons: tuple[str, ...]


def name_words(name: str) -> tuple[str, ...]:
    """The words of a company name in Latin letters, casefolded, without legal forms."""
    text = unicodedata.normalize("NFKC", name).casefold()
    for form in _ZH_FORMS:
        text = text.replace(form, " ")
    words = [w for w in fold(text).split() if w not in _LEGAL_FORMS]
    return tuple(w for w in transliterate(" ".join(words)).split() if w not in _LEGAL_FORMS)


def canonical_email(email: str) -> str:
    """The mailbox an address reaches: '+tags' dropped, and dots for Gmail."""
    local, _at, domain = email.strip().lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in {"gmail.com", "googlemail.com"}:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _reserved(host: str) -> bool:
    return host.rsplit(".", 1)[-1] in _RESERVED_TLDS or host in _RESERVED_DOMAINS


def company_mail_domain(email: str) -> str | None:
    """The domain of an address when it is the company's own (not public mail), else None."""
    domain = canonical_email(email).partition("@")[2]
    if not domain or domain in PUBLIC_MAIL_DOMAINS or _reserved(domain):
        return None
    return domain


def website_site(url: str) -> str | None:
    """What identifies a website: its host without "www.", plus the first path segment on
    hosts serving many companies' pages; None when empty, malformed or reserved."""
    url = url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url if "://" in url else "//" + url)
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return None
    if not host or _reserved(host):
        return None
    if host in _SHARED_HOSTS:
        page = next((s for s in parts.path.split("/") if s), "")
        return f"{host}/{page.casefold()}" if page else None
    return host


@lru_cache(maxsize=65536)
def _has_digit(word: str) -> bool:
    """Whether ``word`` holds a digit (names repeat words: computed once per word)."""
    return any(c.isdigit() for c in word)


@lru_cache(maxsize=65536)
def _letters(word: str) -> Counter[str]:
    return Counter(word)


def _close(x: str, y: str) -> bool:
    """Two words of 4+ letters without digits whose difflib ratio reaches SIMILAR_WORD_RATIO;
    the cheap upper bounds of the ratio first (SequenceMatcher.real_quick_ratio and
    quick_ratio, computed here without building a matcher): most pairs fail there."""
    total = len(x) + len(y)
    if 2 * min(len(x), len(y)) / total < SIMILAR_WORD_RATIO:
        return False
    if 2 * sum((_letters(x) & _letters(y)).values()) / total < SIMILAR_WORD_RATIO:
        return False
    return SequenceMatcher(None, x, y).ratio() >= SIMILAR_WORD_RATIO


def similar_names(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Same number of words, each equal or close (words with digits equal: "No.1" is not
    "No.2"), in the same order."""
    if len(a) != len(b) or not a:
        return False
    unequal = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    # Every pair's cheap refusals before any letter-by-letter comparison.
    for x, y in unequal:
        if min(len(x), len(y)) < 4 or _has_digit(x) or _has_digit(y):
            return False
    return all(_close(x, y) for x, y in unequal)


def _pairs(ids: Iterable[int]) -> Iterable[tuple[int, int]]:
    return combinations(sorted(ids), 2)


def _shared(groups: dict[str, set[int]]) -> dict[tuple[int, int], str]:
    """Pair of registrations (lower id first) -> a value of ``groups`` both have."""
    return {pair: value for value, ids in sorted(groups.items()) for pair in _pairs(ids)}


def _similar_pairs(names: dict[int, tuple[str, tuple[str, ...]]]) -> set[tuple[int, int]]:
    """Pairs of registrations (lower id first) of one country with similar, unequal names.

    Blocks: names of as many words whose words start with the same two letters, but at one
    place at most (transliterations differ inside words: "steppe", "step"). Only names of a
    block are compared, so the work grows with the blocks, not with the square of the event.
    """
    blocks: dict[tuple[str, int, int, tuple[str, ...]], set[int]] = defaultdict(set)
    for pid, (country, words) in names.items():
        starts = tuple(word[:2] for word in words)
        if len(words) == 1:
            blocks[(country, 1, 0, starts)].add(pid)
        for place in range(len(words) if len(words) > 1 else 0):
            blocks[(country, len(words), place, starts[:place] + starts[place + 1 :])].add(pid)
    found: set[tuple[int, int]] = set()
    seen: set[tuple[int, int]] = set()
    for ids in blocks.values():
        if len(ids) > _BLOCK_LIMIT:
            continue
        for pair in _pairs(ids):
            if pair in seen:
                continue
            seen.add(pair)
            a, b = names[pair[0]][1], names[pair[1]][1]
            if "".join(a) != "".join(b) and similar_names(a, b):
                found.add(pair)
    return found


# What the analysis reads of one registration: participation id, name, country, website and
# one contact's e-mail (None without contacts); one row per contact.
Registration = tuple[int, str, str, str | None, str | None]
# Results by (event id, locale), with the rows they were computed from: the analysis compares
# names pairwise, so it is redone only when a registration's name, country, website or
# contacts changed (the rows differ), not on every view of the registrations page.
# On PostgreSQL a digest of those rows stands for them (``_digest``).
_CACHE: dict[tuple[int, str], tuple[str | list[Registration], dict[int, list[DuplicateMatch]]]] = {}


def _registrations(event: Event) -> Select[*tuple[Any, ...]]:
    """The rows the analysis reads (``Registration``), in a fixed order."""
    return (
        select(Participation.id, Company.legal_name, Company.country, Company.website, User.email)
        .join(Company, Company.id == Participation.company_id)
        .outerjoin(User, User.company_id == Company.id)
        .where(Participation.event_id == event.id)
        .order_by(Participation.id, User.id)
    )


def _digest(session: Session, event: Event) -> str | None:
    """On PostgreSQL, a digest of the rows ``_registrations`` reads, computed by the server (so
    a view of the page does not carry thousands of rows to the worker to find them unchanged);
    None elsewhere (SQLite: the rows themselves are compared)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    rows = _registrations(event).subquery()
    none = "\x1d"  # kept apart from any text, as NULL is
    line = func.concat_ws(
        "\x1f",
        rows.c.id,
        rows.c.legal_name,
        rows.c.country,
        func.coalesce(rows.c.website, none),
        func.coalesce(rows.c.email, none),
    )
    ordered = aggregate_order_by(literal("\x1e"), rows.c.id, rows.c.email)
    return session.scalar(select(func.md5(func.string_agg(line, ordered))))


def likely_duplicates(session: Session, event: Event) -> dict[int, list[DuplicateMatch]]:
    """Participation id -> the event's other registrations that are likely the same company,
    each with its reasons in words, by participation id."""
    key = (event.id, str(get_locale()))
    cached = _CACHE.get(key)
    digest = _digest(session, event)
    if digest is not None and cached is not None and cached[0] == digest:
        return cached[1]
    rows: list[Registration] = [
        tuple(row)  # type: ignore[misc]
        for row in session.execute(_registrations(event))
    ]
    if digest is None and cached is not None and cached[0] == rows:
        return cached[1]
    result = _duplicates(rows)
    _CACHE[key] = (digest if digest is not None else rows, result)
    return result


def _duplicates(rows: list[Registration]) -> dict[int, list[DuplicateMatch]]:
    """The analysis behind ``likely_duplicates``, on its rows."""
    same_name: dict[str, set[int]] = defaultdict(set)
    mailboxes: dict[str, set[int]] = defaultdict(set)
    domains: dict[str, set[int]] = defaultdict(set)
    sites: dict[str, set[int]] = defaultdict(set)
    names: dict[int, tuple[str, tuple[str, ...]]] = {}
    seen: set[int] = set()
    for pid, legal_name, country, website, email in rows:
        if email is not None:
            mailboxes[canonical_email(email)].add(pid)
            domain = company_mail_domain(email)
            if domain:
                domains[domain].add(pid)
        if pid in seen:
            continue  # the same registration's next contact
        seen.add(pid)
        words = name_words(legal_name)
        if words:
            names[pid] = (country, words)
            # Spaces aside: "Stepagro" is "Step Agro".
            same_name[f"{country}\t{''.join(words)}"].add(pid)
        site = website_site(website or "")
        if site:
            sites[site].add(pid)

    found: dict[tuple[int, int], list[str]] = defaultdict(list)
    for pair, _key in _shared(same_name).items():
        name = " ".join(names[pair[0]][1])
        found[pair].append(_("same name once transliterated (%(name)s)", name=name))
    for a, b in sorted(_similar_pairs(names)):
        found[(a, b)].append(
            _(
                "similar names once transliterated (%(name)s / %(other)s)",
                name=" ".join(names[a][1]),
                other=" ".join(names[b][1]),
            )
        )
    shared_mailboxes = _shared(mailboxes)
    for pair, email in shared_mailboxes.items():
        found[pair].append(_("same mailbox (%(email)s)", email=email))
    for pair, domain in _shared(domains).items():
        if pair not in shared_mailboxes:  # the mailbox says more than its domain
            found[pair].append(_("same e-mail domain (%(domain)s)", domain=domain))
    for pair, site in _shared(sites).items():
        found[pair].append(_("same website (%(site)s)", site=site))

    result: dict[int, list[DuplicateMatch]] = defaultdict(list)
    for (a, b), reasons in sorted(found.items()):
        result[a].append(DuplicateMatch(b, tuple(reasons)))
        result[b].append(DuplicateMatch(a, tuple(reasons)))
    return {pid: sorted(m, key=lambda m: m.participation_id) for pid, m in result.items()}
