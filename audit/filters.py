"""The filters of the audit trail (the staff page and its xlsx export)."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


class AuditFilter(df.FilterSet):
    """``type`` (object type), ``object`` (its id), ``actor`` (user name), ``action`` (its
    start, e.g. ``application.``), ``since`` / ``until`` (dates, local time)."""

    type = df.CharFilter(label=_("Object type"), field_name="target_type", max_length=100)
    object = df.NumberFilter(label=_("Object id"), field_name="target_id", min_value=0, max_value=2**63 - 1)
    actor = df.CharFilter(label=_("Actor"), field_name="actor__username", max_length=150)
    action = df.CharFilter(label=_("Action"), lookup_expr="startswith", max_length=100)
    since = df.DateFilter(label=_("From"), field_name="at", lookup_expr="date__gte")
    until = df.DateFilter(label=_("Until"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEntry
        fields: list[str] = []
