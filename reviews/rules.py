from __future__ import annotations

from typing import Any

from .models import Assignment


def is_assigned_expert(user: Any, assignment: Assignment) -> bool:
    """The active expert of this assignment.

    Decided on ``assignment.expert.user_id`` alone, with no guardian query: the expert's
    view/change grants are written in the same transaction as the assignment
    (``reviews.services._assignment_insert``) and never revoked, and guardian grants nobody
    but that expert change on an assignment, so asking guardian (two queries) could only
    repeat this answer. ``is_active`` is checked because guardian's ``has_perm`` refuses
    inactive users and this rule used to go through it.
    """
    return bool(user.is_authenticated and user.is_active and assignment.expert.user_id == user.pk)
