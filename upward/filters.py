"""The filters of the lists of the county's upward work (pages and their xlsx exports):
higher-level calls by year and level, commissioners by township and the level that sent them,
each with the ``?search=`` every list has (``core.filters.SearchFilterSet``)."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from core.filters import SearchFilterSet

from .enums import UpperAcceptanceResult, UpperLevel
from .models import Commissioner, Township, UpperCall


class UpperCallFilter(SearchFilterSet):
    """``year`` (of the internal call), ``level``, ``search`` (title or programme)."""

    search_fields = ("call__title", "call__programme__name")

    year = df.NumberFilter(label=_("Year"), field_name="call__year")
    level = df.ChoiceFilter(label=_("Level"), choices=UpperLevel.choices, empty_label=_("All"))

    class Meta:
        model = UpperCall
        fields: list[str] = []


class CommissionerFilter(SearchFilterSet):
    """``township`` (id), ``level`` (who sent them), ``search`` (name, organisation, township)."""

    search_fields = ("name", "organisation", "township__name")

    township = df.ModelChoiceFilter(label=_("Township"), queryset=Township.objects.all(), empty_label=_("All"))
    level = df.ChoiceFilter(label=_("Sent by"), choices=UpperLevel.choices, empty_label=_("All"))

    class Meta:
        model = Commissioner
        fields: list[str] = []


class UpperProjectFilter(SearchFilterSet):
    """Projects the higher level funded: ``year``, ``level``, ``acceptance`` (passed, failed,
    or ``none`` not yet), ``search`` (title or unit)."""

    search_fields = ("title", "organisation__name")

    year = df.NumberFilter(label=_("Year"), field_name="call__year")
    level = df.ChoiceFilter(
        label=_("Level"), field_name="call__upper__level", choices=UpperLevel.choices, empty_label=_("All")
    )
    acceptance = df.ChoiceFilter(
        label=_("Acceptance"),
        choices=[*UpperAcceptanceResult.choices, ("none", _("Not yet accepted"))],
        method="filter_acceptance",
        empty_label=_("All"),
    )

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_acceptance(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "none":
            return queryset.filter(upper_acceptance__isnull=True)
        return queryset.filter(upper_acceptance__result=value) if value else queryset
