"""Money as bureaus write it: yuan with two places, and 万元 with four."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from core.money import to_wan, yuan

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """150000 → 150,000.00"""
    if value in (None, ""):
        return "—"
    return f"{yuan(Decimal(value)):,.2f}"


@register.filter
def wan(value: Any) -> str:
    """18472425.00 → 1847.2425"""
    if value in (None, ""):
        return "—"
    return f"{to_wan(Decimal(value)):f}"


@register.filter
def when(value: Any) -> str:
    """An ISO timestamp (as the dossier and the API carry them) in local time, to the minute."""
    import datetime as dt

    from django.utils import timezone

    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M}"


@register.filter
def field_name(code: Any) -> str:
    """A field code → its name in the reader's language (manufacturing → 先进制造)."""
    from applications.selectors import field_name as name_of

    return name_of(str(code or "")) if code else "—"


@register.filter
def field_names(codes: Any) -> str:
    """A list of field codes → their names, separated by "; "."""
    from applications.selectors import field_name as name_of

    return "; ".join(name_of(str(code)) for code in codes or [])


@register.filter
def import_column(key: Any) -> str:
    """An expert sheet's column key in a row's reasons → its heading in the reader's language
    (``email`` → 电子邮箱); any other key (``row``, a non-field error) as it is."""
    from reviews.imports import TEMPLATE_HEADINGS

    return str(dict(TEMPLATE_HEADINGS).get(str(key), key))
