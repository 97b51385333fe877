"""What every list's FilterSet shares: ``?search=`` over some text columns."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _


class SearchFilterSet(df.FilterSet):
    """``?search=`` matches any of ``search_fields`` (case-insensitive, part of the text)."""

    search_fields: tuple[str, ...] = ("title",)

    search = df.CharFilter(label=_("Search"), method="filter_search", max_length=100)

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        text = (value or "").strip()
        if not text:
            return queryset
        match = Q()
        for path in self.search_fields:
            match |= Q(**{f"{path}__icontains": text})
        return queryset.filter(match)
