from __future__ import annotations

from typing import Any

from .models import Assignment


def is_assigned_expert(user: Any, assignment: Assignment) -> bool:
    """The expert of this assignment (guardian grant made when the expert was invited)."""
    return bool(
        user.is_authenticated
        and assignment.expert.user_id == user.pk
        and user.has_perm("reviews.change_assignment", assignment)
    )
