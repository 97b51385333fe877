"""The three processes (DESIGN.md): a plan project per application, a progress award per
nomination, a higher-level project per application to a higher-level call (``upward``). All
three open with the same formal and expert review block (:class:`ItemReviewNodes`: the
``ItemSplit`` of one task per expert, a ``Join``) and its node callbacks
(:class:`ItemFlowMixin`), so that block and expert review are written once.

Viewflow owns the graph; each human step is a task that our pages and the API complete
through ``workflow.steps``. Nodes call no business logic themselves except the reviews'
join, which records what the graph decided (reviews done).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation

from applications.enums import ApplicationStatus
from applications.models import Application
from core.db import CompiledRead
from reviews.enums import OPEN_ASSIGNMENT_STATES, AssignmentPurpose
from reviews.models import Assignment

from .models import AwardNominationProcess, PlanProjectProcess, UpperProjectProcess
from .nodes import End, Handle, If, ItemSplit, Join, Switch, View
from .views import task_page

S = ApplicationStatus


#: The application as a gateway reads it, with its applicant (the node a task is assigned to
#: asks for them): one statement, compiled once (``core.db.CompiledRead``).
_GATEWAY_READ = CompiledRead(lambda pk: Application.objects.select_related("applicant").filter(pk=pk))


def _application(activation: Activation) -> Application:
    """The application, read once per activation: a gateway asks each of its cases in turn,
    with nothing changing in between (a ``Switch`` of three cases read it up to twice)."""
    application = activation.__dict__.get("_pingshen_application")
    if application is None:
        application = _GATEWAY_READ.get(pk=activation.process.artifact_object_id)
        activation.__dict__["_pingshen_application"] = application
    return application


def _midterm_state(activation: Activation) -> str:
    """Where the project stands in its mid-term checks: ``owed`` (a report is scheduled or
    open), ``failed`` (the last check failed), or ``done`` (none, or all passed). Asked once
    per activation, as :func:`_application`."""
    from aftergrant.enums import MIDTERM_OWED_STATES, MidtermStatus
    from aftergrant.midterm import midterm_latest

    if "_pingshen_midterm" in activation.__dict__:
        return str(activation.__dict__["_pingshen_midterm"])
    latest = midterm_latest(activation.process.artifact_object_id)
    if latest is None:
        state = "done"
    elif latest.status in MIDTERM_OWED_STATES:
        state = "owed"
    else:
        state = "failed" if latest.status == MidtermStatus.FAILED else "done"
    activation.__dict__["_pingshen_midterm"] = state
    return state


def _acceptance_rectified(activation: Activation) -> bool:
    """The project's acceptance was sent back to rectify once: its next result is final."""
    from funding.enums import AcceptanceResult
    from funding.models import AcceptanceReport

    return AcceptanceReport.objects.filter(
        application_id=activation.process.artifact_object_id, result=AcceptanceResult.RECTIFY
    ).exists()


#: Where ``review_items`` leaves the review tasks' owners for ``review_owner`` (on the process).
_REVIEW_OWNERS = "_pingshen_review_owners"


class ItemFlowMixin:
    """Node callbacks both flows share: the artifact, the review slots, reviews done."""

    def start_process(self, activation: Activation, application: Application) -> Any:
        activation.process.artifact = application
        activation.process.save()
        return activation.process

    def review_items(self, activation: Activation) -> list[dict[str, int]]:
        assignments = Assignment.objects.filter(
            application_id=activation.process.artifact_object_id,
            purpose=AssignmentPurpose.REVIEW,
            status__in=OPEN_ASSIGNMENT_STATES,
        ).select_related("expert__user")
        # Each review task's owner (``review_owner``, a moment later) is read here, with its
        # assignment, not once per task: an assignment's expert never changes.
        owners = {assignment.pk: assignment.expert.user for assignment in assignments}
        activation.process.__dict__[_REVIEW_OWNERS] = owners
        return [{"assignment_id": pk} for pk in owners]

    def review_owner(self, activation: Activation) -> Any:
        assignment_id = activation.task.data["assignment_id"]
        owner = activation.process.__dict__.get(_REVIEW_OWNERS, {}).get(assignment_id)
        if owner is not None:
            return owner
        return Assignment.objects.select_related("expert__user").get(pk=assignment_id).expert.user

    def mark_reviewed(self, activation: Activation) -> None:
        from .steps import reviews_complete

        reviews_complete(application_id=activation.process.artifact_object_id)


class ItemReviewNodes(ItemFlowMixin):
    """The block every item flow opens with, written once: submitted → formal review (the
    applicant revises a returned item) → staff assign experts → one review task per expert →
    reviews done → ``decision``. Each flow names its own ``decision``, ``rejected`` and what
    follows; a flow may override a node here (``UpperProjectFlow.expert_assignment``).

    This is a plain mixin, not a ``Flow``: viewflow collects a flow's nodes with ``dir()``,
    so inherited ones count, and copies each into the flow class before resolving its
    ``this.`` references against that flow, so every flow gets its own nodes, edges and
    auto-created permissions (``can_formal_review_<process>``) under the same names as
    before. The copies are shallow: attach no boundary event (``.OnTimeout``/``.OnError``)
    to a node here, or its list of boundary events would be shared between the flows."""

    start = flow.StartHandle(this.start_process).Next(this.formal_review)

    formal_review = View(task_page).Permission(auto_create=True).Next(this.formal_outcome)
    formal_outcome = (
        Switch()
        .Case(this.expert_assignment, lambda a: _application(a).status == S.IN_REVIEW)
        .Case(this.revise, lambda a: _application(a).status == S.RETURNED)
        .Default(this.rejected)
    )
    revise = View(task_page).Assign(lambda a: _application(a).applicant).Next(this.formal_review)

    expert_assignment = View(task_page).Permission(auto_create=True).Next(this.reviews)
    reviews = ItemSplit(this.review_items).Each(this.review)
    review = View(task_page).Assign(this.review_owner).Next(this.reviews_join)
    #: Once every review is in, the join records it (``mark_reviewed``: the application is
    #: reviewed, the panel told) and the decision opens. That was a ``Function`` node of its
    #: own, ``reviews_done``; its finished tasks show as an obsolete node in the history.
    reviews_join = Join(then=this.mark_reviewed).Next(this.decision)


class PlanProjectFlow(ItemReviewNodes, flow.Flow):
    process_class = PlanProjectProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("S&T plan project")

    decision = View(task_page).Permission(auto_create=True).Next(this.decision_outcome)
    decision_outcome = If(lambda a: _application(a).status == S.FUNDED).Then(this.notice).Else(this.not_funded)
    notice = Handle().Next(this.contract)
    #: The applicant fills the task contract (targets, budget, milestones); staff check it:
    #: returned, it comes back to the applicant; accepted, it is in force and the first
    #: tranche is requested.
    contract = View(task_page).Assign(lambda a: _application(a).applicant).Next(this.contract_check)
    contract_check = View(task_page).Permission(auto_create=True).Next(this.contract_outcome)
    contract_outcome = (
        Switch().Case(this.first_tranche, lambda a: _application(a).status == S.CONTRACTED).Default(this.contract)
    )
    #: Waits for the first tranche to be paid.
    first_tranche = Handle().Next(this.midterm_next)
    #: The mid-term path (only for a call with ``midterm``; ``aftergrant.midterm``): while the
    #: project owes a report, the applicant reports and staff check it. A pass requests the next
    #: tranche and schedules the next check (or none is left: on to acceptance); a conditional
    #: result opens a re-report of the same check; a fail stops the tranches and waits at
    #: ``midterm_failed`` until staff terminate the project. Other calls go straight on to
    #: acceptance, as before.
    midterm_next = (
        Switch()
        .Case(this.midterm_report, lambda a: _midterm_state(a) == "owed")
        .Case(this.midterm_failed, lambda a: _midterm_state(a) == "failed")
        .Default(this.acceptance)
    )
    midterm_report = View(task_page).Assign(lambda a: _application(a).applicant).Next(this.midterm_check)
    midterm_check = View(task_page).Permission(auto_create=True).Next(this.midterm_next)
    #: A failed mid-term check: no more tranches; the process waits for staff to terminate it.
    midterm_failed = Handle().Next(this.failed)
    #: The acceptance (验收, ``aftergrant.acceptance``): the applicant files results, accounts
    #: and attachments; staff check the file (returned, it comes back to the applicant); then
    #: staff draw the acceptance experts, who score it outside the graph (their assignments
    #: are rows, not tasks); staff decide against the system's advice. Rectify sends it back
    #: to the applicant once, and the rectified file goes straight to the decision (the
    #: experts have scored already); fail ends it; pass waits for the public acceptance
    #: notice (``steps.acceptance_notice_closed``), then for the final tranche, if any.
    acceptance = View(task_page).Assign(lambda a: _application(a).applicant).Next(this.acceptance_check)
    acceptance_check = View(task_page).Permission(auto_create=True).Next(this.acceptance_check_outcome)
    acceptance_check_outcome = (
        Switch()
        .Case(this.acceptance, lambda a: _application(a).status == S.CONTRACTED)
        .Case(this.acceptance_review, lambda a: _acceptance_rectified(a))
        .Default(this.acceptance_experts)
    )
    acceptance_experts = View(task_page).Permission(auto_create=True).Next(this.acceptance_review)
    acceptance_review = View(task_page).Permission(auto_create=True).Next(this.acceptance_outcome)
    acceptance_outcome = (
        Switch()
        .Case(this.acceptance, lambda a: _application(a).status == S.CONTRACTED)
        .Case(this.failed, lambda a: _application(a).status == S.FAILED)
        .Default(this.acceptance_notice)
    )
    #: Waits for the public acceptance notice to close (``steps.acceptance_notice_closed``):
    #: the final tranche is requested, or the project closes when none is due.
    #: An objection upheld on that notice sets the pass aside (``steps.acceptance_set_aside``):
    #: back to staff's decision.
    acceptance_notice = Handle().Next(this.acceptance_after_notice)
    acceptance_after_notice = (
        Switch()
        .Case(this.acceptance_review, lambda a: a.process.data.get("acceptance") == "set_aside")
        .Case(this.final_tranche, lambda a: _application(a).status != S.CLOSED)
        .Default(this.end)
    )
    final_tranche = Handle().Next(this.end)

    end = End()
    rejected = End()
    not_funded = End()
    failed = End()


class AwardNominationFlow(ItemReviewNodes, flow.Flow):
    """nominate → formal review (revise loop) → expert review → committee decision (a level
    within the round's quota, or none) → public notice → granted → bonus paid → end."""

    process_class = AwardNominationProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("S&T progress award nomination")

    decision = View(task_page).Permission(auto_create=True).Next(this.decision_outcome)
    decision_outcome = If(lambda a: _application(a).status == S.AWARDED).Then(this.notice).Else(this.not_awarded)
    #: Waits for the notice to close: the award is granted and the bonus requested.
    notice = Handle().Next(this.bonus)
    #: Waits for the bonus to be paid (two-person finance approval, then payment).
    bonus = Handle().Next(this.end)

    end = End()
    rejected = End()
    not_awarded = End()


class UpperProjectFlow(ItemReviewNodes, flow.Flow):
    """An application to a higher-level call (``upward``): the plan flow's formal review and
    expert review under the same node names (``workflow.steps`` drives them unchanged), then
    the panel's recommendation within the county's quota, the higher level's outcome recorded
    by staff, and the county's matching funds (配套) paid through the two finance approvals.

    Experts rank only when the accepted items exceed the quota: within it, staff send an item
    straight to the panel (``steps.upper_skip_ranking`` marks it reviewed without experts)."""

    process_class = UpperProjectProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("Higher-level project")

    #: Staff decide whether experts rank the item (beyond the quota) or it goes straight to
    #: the panel: the one node this flow adds to the shared block.
    expert_assignment = View(task_page).Permission(auto_create=True).Next(this.ranking_needed)
    ranking_needed = If(lambda a: _application(a).status == S.IN_REVIEW).Then(this.reviews).Else(this.decision)

    #: The panel's recommendation within the quota (``steps.upper_recommend``).
    decision = View(task_page).Permission(auto_create=True).Next(this.decision_outcome)
    decision_outcome = (
        If(lambda a: _application(a).status == S.RECOMMENDED).Then(this.outcome).Else(this.not_recommended)
    )
    #: Waits for staff to record the higher level's answer (``steps.upper_outcome_record``).
    outcome = Handle().Next(this.outcome_switch)
    outcome_switch = (
        If(lambda a: _application(a).status == S.UPPER_FUNDED and bool(_application(a).approved_yuan))
        .Then(this.matching)
        .Else(this.end)
    )
    #: Waits for the county's matching funds to be paid.
    matching = Handle().Next(this.end)

    end = End()
    rejected = End()
    not_recommended = End()
