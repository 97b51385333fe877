"""Money is ``Decimal`` yuan with two places; bureaus also report 万元 with four."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
WAN = Decimal("10000")
WAN_PLACES = Decimal("0.0001")


#: An amount written with thousands separators (``300,000.00``, ``300，000``, ``300 000``):
#: separators only between groups of three digits, so ``1,5`` is not read as 15.
_GROUPED = re.compile(r"^([+-]?)(\d{1,3}(?:[,，\u00a0 ]\d{3})+)(\.\d*)?$")
_SEPARATOR = re.compile(r"[,，\u00a0 ]")


def ungroup(text: str) -> str:
    """``300,000.00`` → ``300000.00``; any other text comes back stripped, unchanged."""
    text = text.strip()
    match = _GROUPED.match(text)
    if match is None:
        return text
    sign, digits, fraction = match.groups()
    return sign + _SEPARATOR.sub("", digits) + (fraction or "")


def yuan(value: Decimal | int | str) -> Decimal:
    """Normalise to two decimal places."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_wan(amount_yuan: Decimal) -> Decimal:
    """Yuan to 万元 with four decimals: 18472425.00 → 1847.2425."""
    return (Decimal(amount_yuan) / WAN).quantize(WAN_PLACES, rounding=ROUND_HALF_UP)


def percent_of(amount_yuan: Decimal, percent: int) -> Decimal:
    return yuan(Decimal(amount_yuan) * Decimal(percent) / Decimal(100))
