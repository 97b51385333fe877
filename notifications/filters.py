"""The filters of a person's notifications (API and inbox)."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from core.filters import SearchFilterSet

from .kinds import KINDS
from .models import Notification


class NotificationFilter(SearchFilterSet):
    """``kind``, ``read`` (true/false), ``created_after`` / ``created_before`` (dates),
    ``search`` (subject and text)."""

    kind = df.ChoiceFilter(label=_("Kind"), choices=lambda: [(k, str(v)) for k, v in KINDS.items()])
    read = df.BooleanFilter(label=_("Read"), field_name="read_at", lookup_expr="isnull", exclude=True)
    created_after = df.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte")
    created_before = df.DateFilter(label=_("Until"), field_name="created_at", lookup_expr="date__lte")

    search_fields = ("subject", "body")

    class Meta:
        model = Notification
        fields: list[str] = []
