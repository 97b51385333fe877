"""Reading numbers that people and programs type into query strings and forms.

``str.isdigit()`` is true for superscripts and other Unicode digits ("²", "٣") that ``int()``
then refuses: a check that passes followed by a conversion that raises was a 500. Every
integer read from a query string goes through :func:`parse_int`, which takes ASCII digits
only and few enough of them to fit a database integer.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_int(raw: object, *, digits: int | None = None) -> int | None:
    """``raw`` as a non-negative integer, or ``None`` unless it is 1-18 ASCII digits (exactly
    ``digits`` of them when given)."""
    text = raw if isinstance(raw, str) else str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else ""
    if not _DIGITS.fullmatch(text) or (digits is not None and len(text) != digits):
        return None
    return int(text)
