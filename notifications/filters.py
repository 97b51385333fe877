"""The filters of a person's notifications (API and inbox)."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS
from .models import Notification


class NotificationFilter(df.FilterSet):
    """``kind``, ``read`` (true/false), ``created_after`` / ``created_before`` (dates),
    ``search`` (subject and text)."""

    kind = df.ChoiceFilter(label=_("Kind"), choices=lambda: [(k, str(v)) for k, v in KINDS.items()])
    read = df.BooleanFilter(label=_("Read"), field_name="read_at", lookup_expr="isnull", exclude=True)
    created_after = df.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte")
    created_before = df.DateFilter(label=_("Until"), field_name="created_at", lookup_expr="date__lte")
    search = df.CharFilter(label=_("Search"), method="filter_search", max_length=100)

    class Meta:
        model = Notification
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        text = (value or "").strip().replace("\x00", "")
        if not text:
            return queryset
        return queryset.filter(Q(subject__icontains=text) | Q(body__icontains=text))
