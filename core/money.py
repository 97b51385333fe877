"""Money is ``Decimal`` yuan with two places; bureaus also report 万元 with four."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
WAN = Decimal("10000")
WAN_PLACES = Decimal("0.0001")


def yuan(value: Decimal | int | str) -> Decimal:
    """Normalise to two decimal places."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_wan(amount_yuan: Decimal) -> Decimal:
    """Yuan to 万元 with four decimals: 18472425.00 → 1847.2425."""
    return (Decimal(amount_yuan) / WAN).quantize(WAN_PLACES, rounding=ROUND_HALF_UP)


def percent_of(amount_yuan: Decimal, percent: int) -> Decimal:
    return yuan(Decimal(amount_yuan) * Decimal(percent) / Decimal(100))
