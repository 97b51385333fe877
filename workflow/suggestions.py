"""Apply the suggested funding list: one panel decision per item, each through ``steps.decide``.

Each item is its own transaction under the call's budget lock (``decision_make`` locks the
call row), so one item refused (someone decided it a moment ago, the budget ran out because
of a decision elsewhere) never undoes or blocks the others, and no item is ever half
decided. The caller learns, item by item, what was decided and what was refused and why.

The REST API applies the list within its request (its contract answers with the decisions).
The page accepts it as a background job (``suggestions_apply_start``, issue 18): the checks
that refuse the whole list (role, recent login, a list changed since the panel saw it) answer
at once; the decisions, a few hundred engine steps at county scale, run in the worker
(``workflow.tasks.suggestions_apply_run``) while the job's page shows their progress.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.recent import require_recent_login
from accounts.rules import is_panel
from applications.models import Application, Call
from core.errors import StateConflict
from core.jobs import job_claim, job_create, job_enqueue, job_fail, job_finish, job_progress
from core.models import Job
from funding.suggestions import Suggestion, suggest_funding

from . import steps

logger = logging.getLogger(__name__)

#: The kind of ``core.Job`` a page's "decide as listed" runs as.
APPLY_JOB_KIND = "funding.apply"


@dataclass(frozen=True)
class Planned:
    """One decision the list asks for: fund ``item`` with ``amount`` yuan, or decline it."""

    item: int
    title: str
    fund: bool
    amount: Decimal | None


@dataclass
class ApplyResult:
    decided: list[tuple[int, str]] = field(default_factory=list)
    #: (application id, title, why it was refused)
    refused: list[tuple[int, str, str]] = field(default_factory=list)


def suggestions_plan(
    *,
    call: Call,
    actor: Any,
    expected: str,
    what_if: dict[str, Any] | None = None,
    decline_rest: bool = False,
) -> tuple[Suggestion, list[Planned]]:
    """The decisions "decide as listed" makes, after the checks that refuse the whole list.

    ``expected`` is the list's fingerprint as the panel saw it: the list is computed again
    here, and if it changed meanwhile (another decision, a review arriving) nothing is
    decided and ``StateConflict`` asks the panel to look again. With ``decline_rest`` the
    items left out (over budget, below the line or the minimum score, cut to 0) are declined;
    items tied at the line are never decided here — the panel settles them. Refused: anyone
    but the panel, or a login not recent (``PermissionDenied``); a list proposing nothing
    (``ValidationError``)."""
    if not is_panel(actor):
        raise PermissionDenied(_("Only the panel decides funding."))
    # Before the loop: each item's refusal is reported, but a stale login refuses the whole list.
    require_recent_login(actor)
    suggestion = suggest_funding(call, **(what_if or {}))
    if expected != suggestion.fingerprint:
        raise StateConflict(_("The list has changed since you looked at it; check it again before applying."))
    if not suggestion.to_apply and not decline_rest:
        raise ValidationError({"expected": [_("The list proposes nothing to decide.")]})
    plan = [Planned(row.item, row.title, True, row.suggested_yuan) for row in suggestion.to_apply]
    if decline_rest:
        plan += [
            Planned(row.item, row.title, False, None)
            for row in suggestion.rows
            # Not a tie the panel settles, nor an item still short of reviews: the list left
            # those out, it did not judge them.
            if not row.decided and not row.fits and row.outcome not in ("tie_at_line", "incomplete")
        ]
    return suggestion, plan


def plan_decide(
    *, actor: Any, plan: list[Planned], comment: str = "", progress: Callable[[int], None] | None = None
) -> ApplyResult:
    """Make the planned decisions one by one (``steps.decide``, its own transaction each),
    reporting how many are done to ``progress``; an item refused is reported, not raised."""
    result = ApplyResult()
    text = comment.strip() or _("Decided from the suggested funding list.")
    applications = Application.objects.in_bulk([p.item for p in plan])
    for done, planned in enumerate(plan, start=1):
        application = applications.get(planned.item)
        if application is None:
            result.refused.append((planned.item, planned.title, _("This application no longer exists.")))
        else:
            try:
                steps.decide(
                    application=application,
                    actor=actor,
                    fund=planned.fund,
                    approved_yuan=planned.amount,
                    comment=text,
                )
            except (StateConflict, ValidationError, PermissionDenied) as exc:
                reason = exc.message if isinstance(exc, StateConflict) else "; ".join(_messages(exc))
                result.refused.append((planned.item, planned.title, str(reason)))
            else:
                result.decided.append((planned.item, planned.title))
        if progress is not None:
            progress(done)
    return result


def suggestions_apply(
    *,
    call: Call,
    actor: Any,
    expected: str,
    what_if: dict[str, Any] | None = None,
    decline_rest: bool = False,
    comment: str = "",
) -> ApplyResult:
    """Fund every item the list proposes, at the proposed amount, within this call
    (``suggestions_plan`` says what is refused as a whole)."""
    _suggestion, plan = suggestions_plan(
        call=call, actor=actor, expected=expected, what_if=what_if, decline_rest=decline_rest
    )
    return plan_decide(actor=actor, plan=plan, comment=comment)


def suggestions_apply_start(
    *,
    call: Call,
    actor: Any,
    expected: str,
    what_if: dict[str, Any] | None = None,
    decline_rest: bool = False,
    comment: str = "",
) -> Job:
    """Accept "decide as listed" as a background job, queued after commit.

    The checks of ``suggestions_plan`` answer at once (nothing is queued when they refuse);
    the job keeps the plan as checked (items, amounts as strings) and the worker decides it
    item by item, each decision checked again under the call's budget lock."""
    _suggestion, plan = suggestions_plan(
        call=call, actor=actor, expected=expected, what_if=what_if, decline_rest=decline_rest
    )
    params = {
        "call": call.pk,
        "comment": comment,
        "plan": [[p.item, p.title, p.fund, None if p.amount is None else str(p.amount)] for p in plan],
    }
    with transaction.atomic():
        job = job_create(
            kind=APPLY_JOB_KIND,
            actor=actor,
            total=len(plan),
            task="workflow.tasks.suggestions_apply_run",
            params=params,
        )
        job_enqueue(job)
    return job


def suggestions_apply_job_run(*, job_id: int) -> None:
    """The job's work, as the worker runs it: claim the job, decide its plan as its creator,
    and record what was decided and what was refused and why."""
    job = job_claim(job_id=job_id)
    if job is None:
        return
    with translation.override(job.language or settings.LANGUAGE_CODE):
        plan = [
            Planned(int(item), str(title), bool(fund), None if amount is None else Decimal(amount))
            for item, title, fund, amount in job.params.get("plan", [])
        ]
        try:
            result = plan_decide(
                actor=job.created_by,
                plan=plan,
                comment=str(job.params.get("comment") or ""),
                progress=lambda done: job_progress(job=job, done=done),
            )
        except Exception:
            logger.exception("funding apply job %s failed", job.pk)
            job_fail(job=job, error=_("The decisions stopped on an unexpected error; see the call for those made."))
            return
        job_finish(
            job=job,
            result={
                "call": job.params.get("call"),
                "decided": [[item, title] for item, title in result.decided],
                "refused": [[item, title, reason] for item, title, reason in result.refused],
            },
        )


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc) or _("Your role may not do this.")]
