"""Who may do what with an award round now; the round's page asks the same as the steps."""

from __future__ import annotations

from typing import Any

from core.errors import StateConflict
from funding.rules import Refusal, notice_publish_refusal


def round_publish_refusal(user: Any, award_round: Any) -> Refusal | None:
    """Why ``user`` cannot put the round's results on a notice now: not staff, results that do
    not add up (``awards.services.round_problems``), a notice still open, nothing to publish."""
    from .services import round_problems

    refusal = notice_publish_refusal(user, award_round)
    if refusal is not None and not isinstance(refusal, StateConflict):
        return refusal
    problems = round_problems(award_round)
    if problems:
        return StateConflict(" ".join(problems))
    return refusal
