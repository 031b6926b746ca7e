"""From the two companies' reports of a meeting to the one deal the tally counts.

A report that is not a deal (no interest, follow-up) counts as value 0 when the rule compares
values. Rules: ``lower`` (default) keeps the report with the lower CNY value, ``higher`` the
higher one, ``buyer`` / ``supplier`` that side's report. Ties on value go to the lower stage
for ``lower``, the higher stage for ``higher``, then to the buyer's report. A meeting where the
two reports differ in stage, amount or currency is a conflict the organiser is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

STAGES = ("no_interest", "follow_up", "tentative", "preliminary", "signed")
DEAL_STAGES = frozenset({"tentative", "preliminary", "signed"})
RULES = ("lower", "higher", "buyer", "supplier")
DIMENSIONS = ("zone", "country", "sector", "day", "stage")


@dataclass(frozen=True)
class Report:
    """One company's report; values are exact conversions, None when not a deal or no rate."""

    stage: str
    amount: Decimal | None = None
    currency: str | None = None
    value_cny: Decimal | None = None
    value_usd: Decimal | None = None
    sector: str = ""

    @property
    def is_deal(self) -> bool:
        return self.stage in DEAL_STAGES

    @property
    def rate_missing(self) -> bool:
        return self.is_deal and (self.value_cny is None or self.value_usd is None)

    def comparable(self) -> Decimal:
        """The CNY value a rule compares (0 when not a deal); only when no rate is missing."""
        return (self.value_cny or Decimal(0)) if self.is_deal else Decimal(0)


@dataclass(frozen=True)
class MeetingReports:
    """A held meeting with what each side reported (None: not reported yet)."""

    meeting_id: int
    buyer_company: int
    supplier_company: int
    buyer: Report | None
    supplier: Report | None
    keys: Mapping[str, str] = field(default_factory=dict)  # zone, country, day


@dataclass(frozen=True)
class Deal:
    """A meeting counted in the tally, with its group key in every dimension."""

    meeting_id: int
    buyer: int
    supplier: int
    stage: str
    value_cny: Decimal
    value_usd: Decimal
    keys: Mapping[str, str]

    @property
    def companies(self) -> frozenset[int]:
        return frozenset({self.buyer, self.supplier})


@dataclass(frozen=True)
class Resolution:
    """What the tally makes of a meeting: the deal counted (if any) and what to flag."""

    meeting_id: int
    deal: Deal | None
    chosen: str | None  # 'buyer', 'supplier' or None when nobody reported
    conflict: bool
    rate_missing: bool


def in_conflict(a: Report | None, b: Report | None) -> bool:
    """Both sides reported and disagree on the stage or the value."""
    if a is None or b is None:
        return False
    if a.stage != b.stage:
        return True
    return a.is_deal and (a.amount, a.currency) != (b.amount, b.currency)


def choose(buyer: Report | None, supplier: Report | None, rule: str) -> str | None:
    """Which side's report the tally uses under ``rule`` ('buyer', 'supplier' or None)."""
    if rule not in RULES:
        raise ValueError(f"unknown conflict rule {rule!r}")
    if buyer is None or supplier is None:
        return "buyer" if buyer is not None else ("supplier" if supplier is not None else None)
    if rule in ("buyer", "supplier"):
        return rule
    b = (buyer.comparable(), STAGES.index(buyer.stage))
    s = (supplier.comparable(), STAGES.index(supplier.stage))
    if b == s:
        return "buyer"
    if rule == "lower":
        return "buyer" if b < s else "supplier"
    return "buyer" if b > s else "supplier"


def resolve(meeting: MeetingReports, rule: str) -> Resolution:
    """The deal ``meeting`` contributes under ``rule``, flagging conflicts and missing rates."""
    conflict = in_conflict(meeting.buyer, meeting.supplier)
    reports = (meeting.buyer, meeting.supplier)
    # Comparing values needs both conversions; an explicit side needs only its own.
    if rule in ("lower", "higher") and any(r is not None and r.rate_missing for r in reports):
        return Resolution(meeting.meeting_id, None, None, conflict, True)
    side = choose(meeting.buyer, meeting.supplier, rule)
    report = meeting.buyer if side == "buyer" else meeting.supplier
    if report is None or not report.is_deal:
        return Resolution(meeting.meeting_id, None, side, conflict, False)
    if report.rate_missing or report.value_cny is None or report.value_usd is None:
        return Resolution(meeting.meeting_id, None, side, conflict, True)
    keys = {**meeting.keys, "sector": report.sector, "stage": report.stage}
    deal = Deal(
        meeting_id=meeting.meeting_id,
        buyer=meeting.buyer_company,
        supplier=meeting.supplier_company,
        stage=report.stage,
        value_cny=report.value_cny,
        value_usd=report.value_usd,
        keys=keys,
    )
    return Resolution(meeting.meeting_id, deal, side, conflict, False)
