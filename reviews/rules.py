from __future__ import annotations

from typing import Any

from .models import Assignment


def is_assigned_expert(user: Any, assignment: Assignment) -> bool:
    """The active expert of this assignment.

    Decided on ``assignment.expert.user_id`` alone, with no guardian query and, since issue 18,
    no guardian rows: the expert's view/change grants were written with each assignment and
    never revoked, so they only ever repeated this answer (100,000 rows for a county's draw).
    Assignments made before keep their rows; nothing reads them. ``is_active`` is checked
    because guardian's ``has_perm`` refuses inactive users and this rule used to go through it.
    """
    return bool(user.is_authenticated and user.is_active and assignment.expert.user_id == user.pk)
