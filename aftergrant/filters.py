"""The filters of the staff list of contracted projects (pages, xlsx): the item filters
(call, programme, organisation, year, status, search) and ``overdue``."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from applications.filters import ItemFilter


class ProjectFilter(ItemFilter):
    """``overdue`` (true: a report is overdue, ``aftergrant.selectors.projects_overdue_q``;
    false: none is) on the rows of ``aftergrant.selectors.projects_contracted``."""

    overdue = df.BooleanFilter(label=_("Report overdue"), method="filter_overdue")

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(is_overdue=value)
