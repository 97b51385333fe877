from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from .models import AuditEntry
from .services import target_type_of


def audit_for(obj: models.Model) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(target_type=target_type_of(obj), target_id=obj.pk)
