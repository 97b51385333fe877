"""The filters of the lists of calls and items, shared by the API and the pages (django-filter).

Every filter is one of the obvious questions a bureau asks of a list: by status, call,
programme, field, organisation, year, a date range, and a search of titles. A value that is
not one of a filter's choices is refused (400 in the API), never ignored silently.
"""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import SearchFilterSet

from .enums import ApplicationStatus
from .models import Application, Call, Programme
from .selectors import field_codes, field_name


def field_filter_choices() -> list[tuple[str, str]]:
    """Every field of the vocabulary, active or not (old items keep deactivated ones), from
    the cached names: a filter bar costs no query for them."""
    return [(code, field_name(code)) for code in field_codes()]


class ItemFilter(SearchFilterSet):
    """Applications and nominations: ``status`` (repeatable), ``call``, ``programme``,
    ``field``, ``organisation`` (id, or part of the name), ``year``, ``submitted_after`` /
    ``submitted_before`` (dates), ``search`` (title)."""

    status = df.MultipleChoiceFilter(label=_("Status"), choices=ApplicationStatus.choices)
    call = df.NumberFilter(label=_("Call"), field_name="call_id")
    programme = df.ModelChoiceFilter(
        label=_("Programme"), field_name="call__programme", queryset=Programme.objects.all()
    )
    field = df.ChoiceFilter(label=_("Field"), choices=field_filter_choices)
    organisation = df.CharFilter(label=_("Organisation"), method="filter_organisation", max_length=200)
    year = df.NumberFilter(label=_("Year"), field_name="call__year")
    submitted_after = df.DateFilter(label=_("Submitted from"), field_name="submitted_at", lookup_expr="date__gte")
    submitted_before = df.DateFilter(label=_("Submitted until"), field_name="submitted_at", lookup_expr="date__lte")

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_organisation(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        text = (value or "").strip().replace("\x00", "")
        if not text:
            return queryset
        if text.isdigit() and len(text) <= 18:
            return queryset.filter(organisation_id=int(text))
        return queryset.filter(organisation__name__icontains=text)


class CallFilter(SearchFilterSet):
    """Calls (and award rounds): ``programme``, ``year``, ``open`` (true: taking submissions
    now), ``opens_after`` / ``closes_before`` (dates), ``search`` (title)."""

    programme = df.ModelChoiceFilter(label=_("Programme"), queryset=Programme.objects.all())
    year = df.NumberFilter(label=_("Year"))
    open = df.BooleanFilter(label=_("Open now"), method="filter_open")
    opens_after = df.DateFilter(label=_("Opens from"), field_name="opens_at", lookup_expr="date__gte")
    closes_before = df.DateFilter(label=_("Closes until"), field_name="closes_at", lookup_expr="date__lte")

    class Meta:
        model = Call
        fields: list[str] = []

    def filter_open(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        now = timezone.now()
        is_open = Q(closed_at__isnull=True, opens_at__lte=now, closes_at__gt=now)
        return queryset.filter(is_open) if value else queryset.exclude(is_open)
