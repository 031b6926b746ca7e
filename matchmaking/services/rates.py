"""Exchange rates per event: value of one unit of a currency in CNY and USD, from a date."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaking.errors import DomainError, InvalidInput
from matchmaking.models import Event, ExchangeRate, User
from matchmaking.services.deals import valid_currency

ONE = Decimal(1)


class InvalidRate(InvalidInput):
    """An exchange rate breaks a rule (the field says which)."""


@dataclass(frozen=True)
class RateInput:
    """A rate as an organiser enters it; CNY's rate to CNY and USD's to USD are always 1."""

    currency: str
    valid_from: date
    to_cny: Decimal | None
    to_usd: Decimal | None


def set_exchange_rate(session: Session, event: Event, data: RateInput, actor: User) -> ExchangeRate:
    """Create or replace the rate of ``data.currency`` valid from ``data.valid_from``."""
    if not valid_currency(data.currency):
        raise InvalidRate(_("Choose a currency."), field="currency")
    currency = data.currency.upper()
    to_cny = ONE if currency == "CNY" else data.to_cny
    to_usd = ONE if currency == "USD" else data.to_usd
    for field, value in (("to_cny", to_cny), ("to_usd", to_usd)):
        if value is None or value <= 0:
            raise InvalidRate(_("Enter a rate greater than zero."), field=field)
        if value.as_tuple().exponent < -10 or value >= Decimal("1e10"):  # type: ignore[operator]
            raise InvalidRate(_("At most ten decimals."), field=field)
    assert to_cny is not None and to_usd is not None
    rate = session.scalar(
        select(ExchangeRate).where(
            ExchangeRate.event_id == event.id,
            ExchangeRate.currency == currency,
            ExchangeRate.valid_from == data.valid_from,
        )
    )
    if rate is None:
        rate = ExchangeRate(event_id=event.id, currency=currency, valid_from=data.valid_from)
        session.add(rate)
    rate.to_cny, rate.to_usd, rate.created_by_id = to_cny, to_usd, actor.id
    session.flush()
    return rate


def delete_exchange_rate(session: Session, event: Event, rate_id: int) -> None:
    """Remove one of ``event``'s rates."""
    rate = session.get(ExchangeRate, rate_id)
    if rate is None or rate.event_id != event.id:
        raise DomainError(_("This rate does not exist."))
    session.delete(rate)
    session.flush()


def list_exchange_rates(session: Session, event: Event) -> list[ExchangeRate]:
    """``event``'s rates by currency, newest first."""
    return list(
        session.scalars(
            select(ExchangeRate)
            .where(ExchangeRate.event_id == event.id)
            .order_by(ExchangeRate.currency, ExchangeRate.valid_from.desc())
        )
    )


class RateTable:
    """Looks up the latest rate on or before a day; identities for CNY->CNY and USD->USD."""

    def __init__(self, rates: list[ExchangeRate]) -> None:
        self._by_currency: dict[str, list[ExchangeRate]] = defaultdict(list)
        for rate in sorted(rates, key=lambda r: (r.currency, r.valid_from)):
            self._by_currency[rate.currency].append(rate)

    @classmethod
    def for_event(cls, session: Session, event: Event) -> RateTable:
        return cls(list_exchange_rates(session, event))

    def _latest(self, currency: str, day: date) -> ExchangeRate | None:
        rates = self._by_currency.get(currency, [])
        index = bisect_right([r.valid_from for r in rates], day)
        return rates[index - 1] if index else None

    def to_cny(self, currency: str, day: date) -> Decimal | None:
        if currency == "CNY":
            return ONE
        rate = self._latest(currency, day)
        return Decimal(rate.to_cny) if rate else None

    def to_usd(self, currency: str, day: date) -> Decimal | None:
        if currency == "USD":
            return ONE
        rate = self._latest(currency, day)
        return Decimal(rate.to_usd) if rate else None
