"""The filters of the disbursements list (API and pages)."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from applications.enums import ItemKind
from applications.models import Programme
from core.filters import SearchFilterSet

from .enums import DisbursementStatus
from .models import Disbursement


class DisbursementFilter(SearchFilterSet):
    """``status`` (repeatable), ``item_type``, ``call``, ``programme``, ``year``, ``tranche``,
    ``requested_after`` / ``requested_before`` (dates), ``search`` (the item's title)."""

    search_fields = ("application__title", "application__organisation__name")

    status = df.MultipleChoiceFilter(label=_("Status"), choices=DisbursementStatus.choices)
    item_type = df.ChoiceFilter(label=_("Kind"), field_name="application__kind", choices=ItemKind.choices)
    call = df.NumberFilter(label=_("Call"), field_name="application__call_id")
    programme = df.ModelChoiceFilter(
        label=_("Programme"), field_name="application__call__programme", queryset=Programme.objects.all()
    )
    year = df.NumberFilter(label=_("Year"), field_name="application__call__year")
    tranche = df.NumberFilter(label=_("Tranche"))
    requested_after = df.DateFilter(label=_("Requested from"), field_name="requested_at", lookup_expr="date__gte")
    requested_before = df.DateFilter(label=_("Requested until"), field_name="requested_at", lookup_expr="date__lte")

    class Meta:
        model = Disbursement
        fields: list[str] = []
