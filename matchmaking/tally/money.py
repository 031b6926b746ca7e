"""Exact money arithmetic and the one place where figures are rounded to the fen.

Where rounding happens: nowhere in the computation. A deal's value is converted to CNY and USD
exactly (amount x rate, no rounding), groups and totals are exact sums of those values. Only
when a tally is *presented* (a snapshot is written, a dashboard or CSV is rendered) is the total
rounded half-even to the fen (0.01), and the groups are apportioned by the largest-remainder
method against that rounded total. So the presented groups always add up to the presented total
exactly, and each presented group is within one fen of its exact value.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, Inexact, localcontext

FEN = Decimal("0.01")
# Amounts have at most 18 digits and rates 20, so 60 digits hold every product and sum exactly.
_PRECISION = 60


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """``amount`` times ``rate``, exactly (raises ``decimal.Inexact`` rather than round)."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        ctx.traps[Inexact] = True
        return amount * rate


def exact_sum(values: list[Decimal] | tuple[Decimal, ...]) -> Decimal:
    """The exact sum of ``values`` (0 for none)."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        ctx.traps[Inexact] = True
        return sum(values, Decimal(0))


def to_fen(value: Decimal) -> Decimal:
    """``value`` rounded half-even to the fen: the presented form of a single figure."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return value.quantize(FEN, rounding=ROUND_HALF_EVEN)


def apportion(parts: list[Decimal]) -> list[Decimal]:
    """Round ``parts`` (non-negative, exact) to fen so they add up to ``to_fen(sum(parts))``.

    Largest-remainder method: every part is floored to the fen, then the fen still missing to
    reach the rounded total go one each to the parts with the largest remainders; ties go to
    the earlier part. Each result differs from its exact part by less than one fen.
    """
    if not parts:
        return []
    total = to_fen(exact_sum(parts))
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        floors = [p.quantize(FEN, rounding=ROUND_FLOOR) for p in parts]
        missing = int((total - sum(floors, Decimal(0))) / FEN)
        order = sorted(range(len(parts)), key=lambda i: (-(parts[i] - floors[i]), i))
        result = list(floors)
        for i in order[:missing]:
            result[i] += FEN
    return result
