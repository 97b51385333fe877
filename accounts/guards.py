"""The last line for separation of duties: whatever path adds a person to a role group (a
service, the Django admin, the shell, ``group.user_set.add``), nobody ends up holding both
finance roles — the officer who approves a payment is never the head who releases it.

Connected to ``m2m_changed`` of ``User.groups`` in ``AccountsConfig.ready``; it refuses the
addition before it is written (``pre_add``) with a ``ValidationError`` (400 in the API).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .enums import FINANCE_ROLES


def finance_roles_guard(
    sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action != "pre_add" or not pk_set:
        return
    if not reverse:
        # user.groups.add(...): the user's groups after the addition.
        adding = set(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        held = set(instance.groups.values_list("name", flat=True))
        both = FINANCE_ROLES <= adding | held
    else:
        # group.user_set.add(...): does any of the users hold the other finance role?
        if instance.name not in FINANCE_ROLES:
            return
        (other,) = FINANCE_ROLES - {instance.name}
        both = model.objects.filter(pk__in=pk_set, groups__name=other).exists()
    if both:
        raise ValidationError({"roles": [_("One person cannot be both finance officer and finance head.")]})
