"""A submitted review is final unless staff reopen it (audited, before the decision); the
ranking shows raw and adjusted scores, flags disagreement and shares ranks on ties, from
one query whatever the number of items."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications.enums import ApplicationStatus as S
from applications.enums import ScoringRule
from audit.models import AuditEntry
from core.errors import StateConflict
from notifications.models import Notification
from reviews import services
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, Review
from reviews.selectors import call_ranking, ranking_slice
from reviews.services import ranking_changed
from tests.conftest import make_expert
from tests.workflow.test_plan_project_services import SCORES
from workflow import steps

from .conftest import reviewed_item

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]

LOW = {"innovation": 40, "feasibility": 50, "team": 30, "benefit": 45}
HIGH = {"innovation": 100, "feasibility": 100, "team": 100, "benefit": 100}


def test_second_submit_without_reopen_is_a_conflict(call, applicant, staff, expert, expert2):
    _app, (a1, _a2) = reviewed_item(call, applicant, staff, [expert, expert2])
    with pytest.raises(StateConflict):
        steps.review_submit(assignment=a1, actor=expert.user, scores=HIGH, comment="再评", recommendation="support")
    assert Review.objects.get(assignment=a1).scores == {k: f"{v}.00" for k, v in SCORES.items()}


def test_reopen_then_resubmit_updates_the_same_review_and_the_ranking(call, applicant, staff, expert, expert2):
    app, (a1, a2) = reviewed_item(call, applicant, staff, [expert, expert2], {expert.pk: LOW})
    other, _ = reviewed_item(call, applicant, staff, [expert, expert2], title="第二个项目")
    before = {r.item: r for r in call_ranking(call)}
    assert before[other.pk].rank == 1 and before[app.pk].rank == 2
    review = Review.objects.get(assignment=a1)
    old_total = review.weighted_total

    services.review_reopen(review=review, actor=staff, reason="评分与意见不一致")

    a1.refresh_from_db()
    assert a1.status == AssignmentStatus.ACCEPTED
    entry = AuditEntry.objects.get(action="review.reopen")
    assert entry.actor == staff and entry.comment == "评分与意见不一致"
    assert entry.data["previous"]["weighted_total"] == str(old_total)
    assert entry.data["previous"]["scores"] == review.scores
    assert Notification.objects.filter(recipient=expert.user, kind="review_reopened").exists()
    # Until the expert scores again, the reopened review does not count.
    assert {r.item: r.reviews for r in call_ranking(call)}[app.pk] == 1

    steps.review_submit(assignment=a1, actor=expert.user, scores=HIGH, comment="复评", recommendation="support")

    assert Review.objects.filter(assignment=a1).count() == 1
    review.refresh_from_db()
    assert review.pk == Review.objects.get(assignment=a1).pk
    assert review.weighted_total == Decimal("100.000") and review.comment == "复评"
    after = {r.item: r for r in call_ranking(call)}
    assert after[app.pk].rank == 1 and after[other.pk].rank == 2
    assert after[app.pk].reviews == 2
    assert AuditEntry.objects.filter(action="review.resubmit", target_id=a1.pk).exists()
    app.refresh_from_db()
    assert app.status == S.REVIEWED
    # Final again.
    with pytest.raises(StateConflict):
        steps.review_submit(assignment=a1, actor=expert.user, scores=LOW, comment="x", recommendation="oppose")


def test_reopen_during_review_lets_the_flow_finish(call, applicant, staff, expert, expert2):
    """The reopened expert's review task is already done: the resubmission needs none, and
    the item still reaches 'reviewed' when the other expert submits."""
    from tests.workflow.test_plan_project_services import to_review

    app, (a1, a2) = to_review(call, applicant, staff, [expert, expert2])
    for a, e in ((a1, expert), (a2, expert2)):
        steps.assignment_accept(assignment=a, actor=e.user, no_conflict=True)
    steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="一", recommendation="support")
    services.review_reopen(review=a1.review, actor=staff, reason="漏评一项")
    steps.review_submit(assignment=a1, actor=expert.user, scores=LOW, comment="二", recommendation="oppose")
    steps.review_submit(assignment=a2, actor=expert2.user, scores=SCORES, comment="三", recommendation="support")
    app.refresh_from_db()
    assert app.status == S.REVIEWED
    assert Review.objects.get(assignment=a1).recommendation == "oppose"


def test_only_staff_reopen_and_only_before_the_decision(call, applicant, staff, expert, expert2, panel):
    app, (a1, _a2) = reviewed_item(call, applicant, staff, [expert, expert2])
    review = Review.objects.get(assignment=a1)
    for actor in (expert.user, applicant, panel):
        with pytest.raises(PermissionDenied):
            services.review_reopen(review=review, actor=actor, reason="x")
    with pytest.raises(ValidationError):
        services.review_reopen(review=review, actor=staff, reason="  ")
    services.review_reopen(review=review, actor=staff, reason="一次")
    with pytest.raises(StateConflict):
        services.review_reopen(review=review, actor=staff, reason="两次")
    steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="复评", recommendation="support")
    steps.decide(application=app, actor=panel, fund=True, approved_yuan="100000.00", comment="")
    with pytest.raises(StateConflict):
        services.review_reopen(review=review, actor=staff, reason="决定之后")
    a1.refresh_from_db()
    assert a1.status == AssignmentStatus.SUBMITTED
    assert AuditEntry.objects.filter(action="review.reopen").count() == 1


def _items(call, applicant, count, per_item):
    """``count`` items each with reviews scored ``per_item(i)`` (weighted totals), written
    through the models: the ranking only reads them."""
    from applications.models import Application

    experts = [make_expert(f"rk{i}", None) for i in range(max(len(per_item(i)) for i in range(count)))]
    apps = []
    for i in range(count):
        app = Application.objects.create(
            call=call,
            applicant=applicant,
            organisation=applicant.organisation,
            title=f"项目{i}",
            field="manufacturing",
            requested_yuan=Decimal("1000.00"),
            status=S.REVIEWED,
        )
        apps.append(app)
        for expert, total in zip(experts, per_item(i), strict=False):
            assignment = Assignment.objects.create(
                application=app, expert=expert, status=AssignmentStatus.SUBMITTED, due_at=app.created_at
            )
            Review.objects.create(
                assignment=assignment,
                scores={},
                weighted_total=Decimal(total),
                comment="c",
                recommendation="support",
            )
    ranking_changed(call.pk)  # as review_submit leaves it
    return apps


@pytest.mark.parametrize("count", [1, 100])
def test_ranking_is_two_queries_whatever_the_number_of_items(django_assert_num_queries, call, applicant, count):
    _items(call, applicant, count, lambda i: [50 + i % 7, 60, 70])
    with django_assert_num_queries(2):  # the version on the call row, then the reviews, once
        ranking = call_ranking(call)
    assert len(ranking) == count
    with django_assert_num_queries(1):  # unchanged reviews: the version, then the cached ranking
        assert call_ranking(call) == ranking
    with django_assert_num_queries(1):  # a page of it, and the counts a page shows
        page = ranking_slice(call, start=0, stop=10)
    assert page.rows == ranking[:10] and page.total == count


def test_a_ranking_held_in_the_process_is_used_only_while_the_cache_holds_it(call, applicant):
    """The process keeps the last rankings it read (no unpickling per page), but only as a copy
    of what the cache holds: a flushed cache, or a ranking stored anew under the same version (a
    restored database reuses version numbers), is read afresh; a caller's changes to the list it
    got never reach the next reader."""
    from django.core.cache import cache

    (app,) = _items(call, applicant, 1, lambda i: [60, 70])
    first = call_ranking(call)
    assert first[0].score == Decimal("65.000")
    first.clear()  # what a caller does with its list is its own
    assert [r.item for r in call_ranking(call)] == [app.pk]

    # The same version, the reviews changed behind it, the cache flushed: computed afresh.
    Review.objects.filter(assignment__application=app).update(weighted_total=Decimal("90"))
    cache.clear()
    assert call_ranking(call)[0].score == Decimal("90.000")

    # Another process stores a different ranking under the same key: that one is read.
    Review.objects.filter(assignment__application=app).update(weighted_total=Decimal("40"))
    cache.clear()
    from reviews.selectors import _ranking_key, call_ranking_compute

    key = _ranking_key(call) + ":all"
    cache.set_many({key: call_ranking_compute(call), f"{key}:token": "from-elsewhere"}, timeout=60)
    assert call_ranking(call)[0].score == Decimal("40.000")


def test_ties_share_a_rank_and_disagreement_is_flagged(call, applicant):
    call.spread_threshold = Decimal("20")
    call.save()
    a, b, c, d = _items(call, applicant, 4, lambda i: [[90, 80], [80, 90], [95, 60], [50, 50]][i])
    ranking = {r.item: r for r in call_ranking(call)}
    assert (ranking[a.pk].rank, ranking[b.pk].rank) == (1, 1)  # 85 and 85
    assert ranking[c.pk].rank == 3  # 77.5: the next rank after a tie of two
    assert ranking[d.pk].rank == 4
    assert ranking[c.pk].spread == Decimal("35.000") and ranking[c.pk].flagged
    assert not ranking[a.pk].flagged and not ranking[d.pk].flagged


def test_trimmed_mean_drops_highest_and_lowest_and_keeps_the_raw_mean(call, applicant):
    call.scoring_rule = ScoringRule.TRIMMED_MEAN
    call.save()
    (item,) = _items(call, applicant, 1, lambda i: [10, 60, 70, 80, 100])
    (r,) = call_ranking(call)
    assert r.item == item.pk
    assert r.raw_mean == Decimal("64.000")
    assert r.score == Decimal("70.000")
