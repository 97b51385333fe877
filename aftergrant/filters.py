"""The filters of the staff lists after the grant (pages, xlsx): contracted projects (the item
filters — call, programme, organisation, year, status, search — and ``overdue``) and change
requests (kind, status, call, search)."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftergrant.enums import OPEN_CHANGE_STATES, ChangeKind, ChangeStatus
from aftergrant.models import ChangeRequest
from applications.enums import CallKind
from applications.filters import ItemFilter
from applications.models import Call
from core.filters import SearchFilterSet


class ProjectFilter(ItemFilter):
    """``overdue`` (true: a report is overdue, ``aftergrant.selectors.projects_overdue_q``;
    false: none is) on the rows of ``aftergrant.selectors.projects_contracted``."""

    overdue = df.BooleanFilter(label=_("Report overdue"), method="filter_overdue")

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(is_overdue=value)


#: The staff list of change requests shows the open ones unless told otherwise.
OPEN = "open"
ALL = "all"


def _plan_calls(request: Any) -> QuerySet[Call]:
    return Call.objects.filter(kind=CallKind.PLAN).order_by("-year", "-batch", "id")


class ChangeFilter(SearchFilterSet):
    """The staff list of change requests (page and xlsx): ``kind``, ``status`` (``open``, the
    default: submitted or part-approved; ``all``; or one status word), ``call`` (a plan call),
    ``search`` (the project's title). A value that is not a choice drops every filter but the
    default, as the hand-written form before it did."""

    search_fields = ("application__title",)

    kind = df.ChoiceFilter(label=_("Kind"), choices=ChangeKind.choices, empty_label=_("All"))
    status = df.ChoiceFilter(
        label=_("Status"),
        choices=[(OPEN, _("Open")), (ALL, _("All")), *ChangeStatus.choices],
        empty_label=None,
        method="filter_status",
    )
    call = df.ModelChoiceFilter(
        label=_("Call"), field_name="application__call", queryset=_plan_calls, empty_label=_("All")
    )

    class Meta:
        model = ChangeRequest
        fields: list[str] = []

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = OPEN
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == ALL:
            return queryset
        if value == OPEN:
            return queryset.filter(status__in=OPEN_CHANGE_STATES)
        return queryset.filter(status=value)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.form.is_valid():
            return self.filter_status(queryset, "status", OPEN)
        return super().filter_queryset(queryset)
