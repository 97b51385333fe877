"""Guardian and viewflow glue, and the flow permissions each role holds."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

#: Flow permissions by role. A role that acts on every item of its kind (staff on formal
#: review, the panel on decisions) holds the permission globally; per-item work (a review, a
#: revision, a contract) is assigned to one person on the task itself. Nobody holds
#: ``manage_planprojectprocess``: viewflow's undo/cancel/revive would move the graph without
#: the domain state; ending a process goes through ``workflow.steps.terminate``.
ROLE_FLOW_PERMISSIONS = {
    "staff": [
        "view_planprojectprocess",
        "can_formal_review_planprojectprocess",
        "can_expert_assignment_planprojectprocess",
        "can_contract_check_planprojectprocess",
        "can_acceptance_check_planprojectprocess",
        "can_acceptance_experts_planprojectprocess",
        "can_acceptance_review_planprojectprocess",
        "can_midterm_check_planprojectprocess",
    ],
    "panel": ["view_planprojectprocess", "can_decision_planprojectprocess"],
}
#: The same for the award-nomination process: staff do formal review and the draw, the
#: award committee (panel role) decides levels.
AWARD_ROLE_FLOW_PERMISSIONS = {
    "staff": [
        "view_awardnominationprocess",
        "can_formal_review_awardnominationprocess",
        "can_expert_assignment_awardnominationprocess",
    ],
    "panel": ["view_awardnominationprocess", "can_decision_awardnominationprocess"],
}
#: The higher-level project process (``upward``): staff do formal review and send items to
#: the draw or the panel, the panel recommends.
UPPER_ROLE_FLOW_PERMISSIONS = {
    "staff": [
        "view_upperprojectprocess",
        "can_formal_review_upperprojectprocess",
        "can_expert_assignment_upperprojectprocess",
    ],
    "panel": ["view_upperprojectprocess", "can_decision_upperprojectprocess"],
}


def get_content_type(obj: models.Model | type[models.Model]) -> ContentType:
    """Guardian must see the proxy's content type, where viewflow's permissions hang."""
    return ContentType.objects.get_for_model(obj, for_concrete_model=False)


def grant_role_permissions(**kwargs: Any) -> None:
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from accounts.services import roles_ensure

    from .models import AwardNominationProcess, PlanProjectProcess, UpperProjectProcess

    roles_ensure()
    create_permissions(kwargs["app_config"], verbosity=0, using=kwargs.get("using", "default"))
    for model, table in (
        (PlanProjectProcess, ROLE_FLOW_PERMISSIONS),
        (AwardNominationProcess, AWARD_ROLE_FLOW_PERMISSIONS),
        (UpperProjectProcess, UPPER_ROLE_FLOW_PERMISSIONS),
    ):
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        for role, codenames in table.items():
            group = Group.objects.get(name=role)
            perms = Permission.objects.filter(content_type=content_type, codename__in=codenames)
            group.permissions.add(*perms)
