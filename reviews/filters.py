"""The filters of the expert pool and of experts' assignments, for the API and the pages."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from applications.enums import ItemKind
from applications.filters import field_filter_choices
from core.filters import SearchFilterSet

from .enums import AssignmentStatus
from .models import Assignment, Expert


class AssignmentFilter(SearchFilterSet):
    """``status`` (repeatable), ``item_type``, ``call``, ``due_after`` / ``due_before``,
    ``search`` (the item's title)."""

    search_fields = ("application__title",)

    status = df.MultipleChoiceFilter(label=_("Status"), choices=AssignmentStatus.choices)
    item_type = df.ChoiceFilter(label=_("Kind"), field_name="application__kind", choices=ItemKind.choices)
    call = df.NumberFilter(label=_("Call"), field_name="application__call_id")
    due_after = df.DateFilter(label=_("Due from"), field_name="due_at", lookup_expr="date__gte")
    due_before = df.DateFilter(label=_("Due until"), field_name="due_at", lookup_expr="date__lte")

    class Meta:
        model = Assignment
        fields: list[str] = []


class ExpertFilter(SearchFilterSet):
    """The pool: ``field``, ``region`` (part of it), ``active`` (yes/no), ``search`` (name,
    user name or organisation)."""

    search_fields = ("name", "user__username", "organisation__name")

    field = df.ChoiceFilter(label=_("Field"), choices=field_filter_choices, method="filter_field")
    region = df.CharFilter(label=_("Region"), field_name="region", lookup_expr="icontains", max_length=100)
    active = df.ChoiceFilter(
        label=_("Active"),
        choices=[("yes", _("Active")), ("no", _("Not active"))],
        method="filter_active",
        empty_label=_("Everyone"),
    )

    class Meta:
        model = Expert
        fields: list[str] = []

    def filter_field(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(fields__contains=[value]) if value else queryset

    def filter_active(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value in ("yes", "no"):
            return queryset.filter(active=value == "yes")
        return queryset
