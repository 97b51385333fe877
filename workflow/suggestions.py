"""Apply the suggested funding list: one panel decision per item, each through ``steps.decide``.

Each item is its own transaction under the call's budget lock (``decision_make`` locks the
call row), so one item refused (someone decided it a moment ago, the budget ran out because
of a decision elsewhere) never undoes or blocks the others, and no item is ever half
decided. The caller learns, item by item, what was decided and what was refused and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.recent import require_recent_login
from accounts.rules import is_panel
from applications.models import Application, Call
from core.errors import StateConflict
from funding.suggestions import Suggestion, suggest_funding

from . import steps


@dataclass
class ApplyResult:
    suggestion: Suggestion
    decided: list[tuple[int, str]] = field(default_factory=list)
    #: (application id, title, why it was refused)
    refused: list[tuple[int, str, str]] = field(default_factory=list)


def suggestions_apply(
    *,
    call: Call,
    actor: Any,
    expected: str,
    what_if: dict[str, Any] | None = None,
    decline_rest: bool = False,
    comment: str = "",
) -> ApplyResult:
    """Fund every item the list proposes, at the proposed amount.

    ``expected`` is the list's fingerprint as the panel saw it: the list is computed again
    here, and if it changed meanwhile (another decision, a review arriving) nothing is
    decided and ``StateConflict`` asks the panel to look again. With ``decline_rest`` the
    items left out (over budget, below the line or the minimum score, cut to 0) are decided
    "not funded"; items tied at the line are never decided here — the panel settles them.
    """
    if not is_panel(actor):
        raise PermissionDenied(_("Only the panel decides funding."))
    # Before the loop: each item's refusal is reported, but a stale login refuses the whole list.
    require_recent_login(actor)
    suggestion = suggest_funding(call, **(what_if or {}))
    if expected != suggestion.fingerprint:
        raise StateConflict(_("The list has changed since you looked at it; check it again before applying."))
    if not suggestion.to_apply and not decline_rest:
        raise ValidationError({"expected": [_("The list proposes nothing to decide.")]})
    result = ApplyResult(suggestion=suggestion)
    text = comment.strip() or _("Decided from the suggested funding list.")
    plan: list[tuple[int, bool, Any]] = [(row.item, True, row.suggested_yuan) for row in suggestion.to_apply]
    if decline_rest:
        plan += [
            (row.item, False, None)
            for row in suggestion.rows
            # Not a tie the panel settles, nor an item still short of reviews: the list left
            # those out, it did not judge them.
            if not row.decided and not row.fits and row.outcome not in ("tie_at_line", "incomplete")
        ]
    titles = {row.item: row.title for row in suggestion.rows}
    applications = Application.objects.in_bulk([item for item, _f, _a in plan])
    for item, fund, amount in plan:
        application = applications.get(item)
        if application is None:
            result.refused.append((item, titles[item], _("This application no longer exists.")))
            continue
        try:
            steps.decide(application=application, actor=actor, fund=fund, approved_yuan=amount, comment=text)
        except (StateConflict, ValidationError, PermissionDenied) as exc:
            reason = exc.message if isinstance(exc, StateConflict) else "; ".join(_messages(exc))
            result.refused.append((item, titles[item], reason))
        else:
            result.decided.append((item, titles[item]))
    return result


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc) or _("Your role may not do this.")]
