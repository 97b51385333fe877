"""Draw and ranking at county, province and national scale (issue 9, parts 3 and 5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingshen_bench .venv/bin/python -m bench.scale \
        --items 10000 --experts 10000 --calls 1

What it measures, each printed with how:

* ``draw (pure)`` — ``reviews.draw.draw_run``: choosing 5 experts for every item from the pool
  with every avoidance rule (field, inactive, same organisation by row/credit code/name,
  declared conflict, load limit), in memory;
* ``draw (service)`` — ``reviews.services.draw_for_call``, what staff's button runs without
  the workflow engine: locks, pool and load queries, the pure draw, and writing the Draw,
  its DrawItems, the Assignments with their object permissions, audit rows and invitations;
* ``ranking`` — ``reviews.selectors.call_ranking_compute`` of one call under each scoring rule
  (mean, trimmed mean, z-score) with ``--reviews`` reviews per item, and its SQL statements;
* ``ranking read`` — what a page pays once the ranking is cached: the whole ranking
  (``call_ranking``, for the xlsx and the funding list) and a 100-row page with its counts
  (``ranking_slice``, the ranking page and the call overview);
* ``plans`` — with ``--explain``, PostgreSQL's plan for the ranking query and for the
  applicant and expert list queries, to show they use indexes, not full scans.

``--calls N`` loads N ranked-size calls of ``--items`` items each (plus one to draw for) and ranks one: the province
figure (10 calls of 10,000 = 100,000 applications) against the county one (1 call).
The database is flushed first, so its name must contain ``bench``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bench.lifecycle import configure_environment, ensure_database

FIELDS = [f"field-{i:02d}" for i in range(20)]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def load(
    *, items: int, experts: int, calls: int, reviews: int, rng: random.Random, draw_call: bool = True
) -> dict[str, Any]:
    """Bulk-load the pool and the calls with the ORM (not through the services: the load is
    not what is measured)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from stdnum.cn import uscc

    from accounts.enums import Role
    from accounts.models import Organisation, User
    from accounts.services import user_create
    from applications.enums import ApplicationStatus, ScoringRule
    from applications.models import Application, Call, Programme
    from reviews.enums import AssignmentStatus
    from reviews.models import Assignment, Conflict, Criterion, Expert, Review

    now = timezone.now()
    password = "bench-pass-2026"  # noqa: S105 - a throwaway bench database
    staff = user_create(username="bench-staff", password=password, roles=[Role.STAFF], email="s@example.org")
    applicant = user_create(
        username="bench-applicant", password=password, roles=[Role.APPLICANT], email="a@example.org"
    )

    def code(n: int) -> str:
        body = f"913303{n:011d}"
        return body + uscc.calc_check_digit(body)

    org_count = max(items // 5, 100)
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"测试单位{n:06d}有限公司", credit_code=code(n)) for n in range(org_count)],
        batch_size=5000,
    )
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"bench-expert-{n}", password=unusable) for n in range(experts)], batch_size=5000
    )
    expert_group = Group.objects.get(name=Role.EXPERT)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=expert_group.pk) for u in users], batch_size=5000
    )
    pool = Expert.objects.bulk_create(
        [
            Expert(
                user=user,
                name=f"专家{n}",
                organisation=rng.choice(orgs) if rng.random() < 0.6 else None,
                fields=rng.sample(FIELDS, 2),
                active=rng.random() > 0.02,
                load_limit=rng.randint(10, 20),
            )
            for n, user in enumerate(users)
        ],
        batch_size=5000,
    )
    Conflict.objects.bulk_create(
        [
            Conflict(expert=e, organisation=(o := rng.choice(orgs)), organisation_name=o.name)
            for e in pool
            if rng.random() < 0.05
        ],
        batch_size=5000,
    )
    programme = Programme.objects.create(code="bench", name="bench")
    made_calls = []
    for c in range(calls + int(draw_call)):  # the first is drawn for (with ``draw_call``), the last ranked
        call = Call.objects.create(
            programme=programme,
            title=f"bench call {c}",
            year=2026,
            opens_at=now,
            closes_at=now,
            budget_yuan=Decimal("1e9"),
            max_request_yuan=Decimal("1e6"),
            reviewers_per_item=5,
            min_reviews=3,
            scoring_rule=ScoringRule.ZSCORE,
            tranches=[60, 40],
        )
        Criterion.objects.bulk_create(
            [
                Criterion(call=call, code="innovation", label="innovation", weight=60, max_score=100),
                Criterion(call=call, code="benefit", label="benefit", weight=40, max_score=100),
            ]
        )
        made_calls.append(call)
        Application.objects.bulk_create(
            [
                Application(
                    call=call,
                    applicant=applicant,
                    organisation=rng.choice(orgs),
                    title=f"项目 {c}-{n}",
                    field=rng.choice(FIELDS),
                    requested_yuan=Decimal(rng.randint(50, 500) * 1000),
                    status=ApplicationStatus.IN_REVIEW,
                    submitted_at=now,
                )
                for n in range(items)
            ],
            batch_size=5000,
        )
    # The ranked calls get ``reviews`` submitted reviews per item, each by a different expert,
    # every expert with their own habits (a mean and a spread of their own); the last is ranked.
    ranked_call = made_calls[-1]
    reviewers = pool[: max(experts // 5, reviews * 10)]
    habit = {e.pk: (rng.uniform(55, 85), rng.uniform(3, 15)) for e in reviewers}
    # Every ranked-size call is reviewed (the province run: 10 calls, 500,000 reviews), so the
    # ranking of one call has to find its rows among all of them.
    reviewed_calls = made_calls[int(draw_call) :]
    item_ids = list(Application.objects.filter(call__in=reviewed_calls).values_list("pk", flat=True))
    assignments = []
    for item_id in item_ids:
        for expert in rng.sample(reviewers, reviews):
            assignments.append(
                Assignment(
                    application_id=item_id,
                    expert=expert,
                    status=AssignmentStatus.SUBMITTED,
                    due_at=now,
                )
            )
    assignments = Assignment.objects.bulk_create(assignments, batch_size=5000)
    review_rows = []
    for a in assignments:
        mean, sd = habit[a.expert_id]
        total = Decimal(str(round(min(max(rng.gauss(mean, sd), 0), 100), 3)))
        review_rows.append(
            Review(
                assignment=a,
                scores={"innovation": "0", "benefit": "0"},
                weighted_total=total,
                comment="-",
                recommendation="support",
            )
        )
    Review.objects.bulk_create(review_rows, batch_size=5000)
    # The draw call: the first one, with no assignments yet.
    draw_call = made_calls[0]
    return {"staff": staff, "draw_call": draw_call, "ranked_call": ranked_call, "applicant": applicant}


def count_statements(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    from django.db import connection

    count = 0

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        seconds, result = timed(fn)
    return seconds, count, result


def explain(sql_and_params: tuple[str, Any]) -> str:
    from django.db import connection

    sql, params = sql_and_params
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000, help="items per call (default 10,000)")
    parser.add_argument("--experts", type=int, default=10_000, help="experts in the pool (default 10,000)")
    parser.add_argument("--calls", type=int, default=1, help="calls loaded (the province run uses 10)")
    parser.add_argument("--reviews", type=int, default=5, help="reviews per item in the ranked call (default 5)")
    parser.add_argument("--repeat", type=int, default=3, help="ranking runs per rule; the median is printed")
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's query plans")
    parser.add_argument("--skip-draw", action="store_true")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="profile the service draw and print its N dearest calls"
    )
    args = parser.parse_args()

    configure_environment()
    url = os.environ.get("DATABASE_URL", "")
    name = ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)
    rng = random.Random(2026)  # noqa: S311 - reproducible test data
    print(f"# bench.scale on {name}: {args.calls} call(s) × {args.items:,} items, {args.experts:,} experts")
    seconds, ctx = timed(
        lambda: load(items=args.items, experts=args.experts, calls=args.calls, reviews=args.reviews, rng=rng)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded in {seconds:.1f} s")

    from applications.enums import ScoringRule
    from applications.models import Application
    from reviews import services
    from reviews.draw import ItemRequest
    from reviews.models import Assignment, Review
    from reviews.selectors import call_ranking, call_ranking_compute, ranking_slice

    if not args.skip_draw:
        call = ctx["draw_call"]
        applications = list(Application.objects.filter(call=call).select_related("organisation").order_by("id"))
        with transaction.atomic():  # the pool is read under the draw's row locks
            experts, pool = services._draw_pool({a.field for a in applications})
        requests = [ItemRequest(item=services.item_snapshot(a), needed=call.reviewers_per_item) for a in applications]
        from reviews.draw import draw_run

        seconds, results = timed(lambda: draw_run(requests=requests, pool=pool, seed="bench"))
        short = sum(1 for r in results if r.shortfall)
        print(
            f"draw (pure):    {seconds:6.2f} s  {len(requests):,} items × 5 from {len(pool):,} experts "
            f"({sum(len(r.candidates) for r in results) / len(results):.0f} candidates per item, "
            f"{sum(len(r.exclusions) for r in results):,} exclusions, {short} items short)"
        )
        from guardian.models import UserObjectPermission

        from audit.models import AuditEntry

        before = UserObjectPermission.objects.count(), AuditEntry.objects.count()
        from django.urls import reverse

        # The URL resolver is built on the first ``reverse`` of a process (1.1 s of the first
        # measured draw): a server's workers have built it on their first page long before.
        reverse("my-reviews")
        profiler = cProfile.Profile() if args.profile else None

        def run_draw() -> Any:
            if profiler is None:
                return services.draw_for_call(call=call, actor=ctx["staff"], seed="bench")
            return profiler.runcall(services.draw_for_call, call=call, actor=ctx["staff"], seed="bench")

        seconds, statements, draw = count_statements(run_draw)
        made = Assignment.objects.filter(draw_item__draw=draw).count()
        grants = UserObjectPermission.objects.count() - before[0]
        audits = AuditEntry.objects.count() - before[1]
        print(
            f"draw (service): {seconds:6.2f} s  {statements:,} SQL statements, {made:,} assignments written, "
            f"{grants:,} guardian rows, {audits:,} audit rows "
            f"(Draw + DrawItems + Assignments + grants + audit + invitations, one transaction)"
        )
        if profiler is not None:
            profiler.dump_stats("var/draw.prof")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)

    call = ctx["ranked_call"]
    reviews = Review.objects.filter(assignment__application__call=call).count()
    for rule in (ScoringRule.MEAN, ScoringRule.TRIMMED_MEAN, ScoringRule.ZSCORE):
        call.scoring_rule = rule
        runs = [count_statements(lambda: call_ranking_compute(call)) for _ in range(args.repeat)]
        ranked = runs[0][2]
        print(
            f"ranking ({rule:>12}): median {statistics.median(r[0] for r in runs):6.3f} s over {args.repeat} runs, "
            f"{runs[0][1]} SQL statement(s), {len(ranked):,} items from {reviews:,} reviews"
        )
    call_ranking(call)
    ranking_slice(call, start=0, stop=100)
    for label, read in (
        ("whole, cached", lambda: call_ranking(call)),
        ("100-row page, cached", lambda: ranking_slice(call, start=0, stop=100)),
    ):
        runs = [count_statements(read) for _ in range(max(args.repeat, 5))]
        print(
            f"ranking read ({label}): median {statistics.median(r[0] for r in runs) * 1000:6.1f} ms, "
            f"{runs[0][1]} SQL statement(s)"
        )

    if args.explain:
        qs = Review.objects.filter(assignment__application__call=call, assignment__status="submitted").values_list(
            "assignment__application_id", "assignment__expert_id", "weighted_total"
        )
        print("\n-- plan: ranking query\n" + explain(qs.query.sql_with_params()))
        applicant_list = Application.objects.filter(applicant=ctx["applicant"]).order_by("-created_at")[:20]
        print("\n-- plan: applicant's list (first page)\n" + explain(applicant_list.query.sql_with_params()))
        call_list = Application.objects.filter(call=call, status="in_review").order_by("-created_at", "-id")[:20]
        print("\n-- plan: call overview list (first page)\n" + explain(call_list.query.sql_with_params()))
        expert = Assignment.objects.values_list("expert_id", flat=True).first()
        queue = Assignment.objects.filter(expert_id=expert, status__in=["invited", "accepted"]).order_by("due_at")[:20]
        print("\n-- plan: expert queue\n" + explain(queue.query.sql_with_params()))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
