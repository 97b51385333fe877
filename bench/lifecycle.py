"""Lifecycle throughput: the whole plan-project path through the engine, against bare writes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingshen_bench .venv/bin/python -m bench.lifecycle --n 200

Three drivers push N applications from draft to closed, one human step at a time:

* ``engine``   — ``workflow.steps`` as the pages and the API call them (viewflow process,
  tasks, flow lock, permission checks, domain services, notifications, audit);
* ``services`` — the same domain services and checks with viewflow taken out (no process,
  no tasks, no flow lock): the difference to ``engine`` is what viewflow costs;
* ``bare``     — the same business rows written with the bare ORM: a row lock where the
  services take one, then inserts/updates only (no permission checks, no validation reads).

Every driver writes exactly the same business rows (the script checks it, table by table),
in the same transaction boundaries: one transaction per human step. See bench/README.md for
what is counted as a transition and as a statement.

The acceptance is the acceptance by experts (issue 17): the file (results per contract target,
accounts per budget line), staff's check, staff's draw of three acceptance experts, each expert
accepts and scores, staff pass it, and the final tranche waits for the call's acceptance notice
(published and closed per batch). That is 12 transitions where there were 2, and the contract
counts 2 (submitted, checked) in every driver: 42 per application, so statements per
transition are not comparable with runs before it. The bare path writes the draw and its item
directly with a fixed choice (the first three experts): the same rows, not the same experts.

The database is flushed at the start of every run, so its name must contain ``bench``.

``--repeat K`` measures each driver K times, interleaved (engine, bare, engine, bare, …), and
reports the fastest run of each, with every run's time and the medians: on a shared 2-core
machine one run of 20 applications varies by ±15 % with whatever else the machine does, and
the fastest run is the one least disturbed. The CPU time of this process (Python, Django,
psycopg; not the server's) is reported beside the wall time.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent

# --- environment, before Django is imported ---------------------------------------------------


def configure_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflow.settings")
    # DEBUG would wrap every cursor in CursorDebugWrapper and keep each statement in memory:
    # it slows both paths and is not how production runs. Statements are counted with
    # connection.execute_wrapper instead.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")  # noqa: S105 - throwaway database
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.pop("REDIS_URL", None)  # Celery runs eagerly, in process (only with --deliver)
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def ensure_database(url: str) -> str:
    """Create the bench database if it does not exist. Returns its name."""
    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("bench.lifecycle measures PostgreSQL: set DATABASE_URL=postgres://…/pingshen_bench")
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to use database {name!r}: the benchmark flushes it; use a name containing 'bench'")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


# --- counting statements -------------------------------------------------------------------------


@dataclass
class StatementCounter:
    """A ``connection.execute_wrapper``: counts every statement sent through Django's cursor
    (SAVEPOINT/RELEASE included; BEGIN/COMMIT are not statements Django sends, so not counted)."""

    record: bool = False
    count: int = 0
    paused_seconds: float = 0.0
    shapes: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    _paused: bool = False

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not self._paused:
            self.count += 1
            if self.record:
                self.shapes[statement_shape(sql)] += 1
                self.sources[statement_source()] += 1
        return execute(sql, params, many, context)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Driver reads (finding the disbursement a page would show) are not part of a step."""
        self._paused = True
        started = time.perf_counter()
        try:
            yield
        finally:
            self.paused_seconds += time.perf_counter() - started
            self._paused = False


_WHERE_COL = re.compile(r'"(\w+)"\."(\w+)"\s*(?:=|IN\b|IS\b|LIKE\b|<|>|::\w+\s+LIKE)')


def statement_shape(sql: str) -> str:
    """A statement without its values: verb, table, the columns it filters on."""
    s = " ".join(sql.split())
    verb = s.split(" ", 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return verb + (" SAVEPOINT" if verb != "SAVEPOINT" else "")
    if verb == "INSERT":
        m = re.match(r'INSERT INTO "(\w+)"', s)
        return f"INSERT {m.group(1) if m else '?'}"
    if verb == "UPDATE":
        m = re.match(r'UPDATE "(\w+)" SET (.*?)(?: WHERE (.*))?$', s)
        if not m:
            return "UPDATE ?"
        cols = ",".join(re.findall(r'"(\w+)" =', m.group(2)))
        where = ",".join(c for _t, c in _WHERE_COL.findall(m.group(3) or ""))
        return f"UPDATE {m.group(1)} SET {cols} WHERE {where}"  # noqa: S608 - a label for a report, never executed
    if verb == "DELETE":
        m = re.match(r'DELETE FROM "(\w+)"', s)
        return f"DELETE {m.group(1) if m else '?'}"
    if verb == "SELECT":
        m = re.search(r' FROM "(\w+)"', s)
        table = m.group(1) if m else "?"
        joins = re.findall(r' JOIN "(\w+)"', s)
        where_part = re.split(r" WHERE ", s, maxsplit=1)
        where = ""
        if len(where_part) == 2:
            clause = re.split(r" ORDER BY | LIMIT | FOR UPDATE| GROUP BY ", where_part[1])[0]
            where = ",".join(f"{c}" for _t, c in _WHERE_COL.findall(clause))
        kind = "SELECT"
        if s.startswith('SELECT 1 AS "a"'):
            kind = "EXISTS"
        elif "COUNT(" in s:
            kind = "COUNT"
        elif "SUM(" in s:
            kind = "SUM"
        lock = " FOR UPDATE" if " FOR UPDATE" in s else ""
        join = f" JOIN {'+'.join(joins)}" if joins else ""
        return f"{kind} {table}{join} WHERE {where}{lock}"
    return s[:80]


def statement_source() -> str:
    """The project function nearest the statement, and the library in between (if any)."""
    frame = sys._getframe(2)
    library = ""
    while frame is not None:
        filename = frame.f_code.co_filename
        if "site-packages" in filename:
            if not library:
                for lib in ("viewflow", "guardian"):
                    if f"/{lib}/" in filename:
                        # The library frame nearest the statement: which of its functions asked.
                        where = filename.split("site-packages/", 1)[-1].removesuffix(".py")
                        library = f"{where}:{frame.f_code.co_name}"
                        break
        elif filename.startswith(str(ROOT) + os.sep) and not (rel := os.path.relpath(filename, ROOT)).startswith(
            ("bench" + os.sep, ".venv" + os.sep)
        ):
            # Relative to the checkout: a checkout itself named "bench" (a worktree) is not the
            # bench package.
            via = f" via {library}" if library else ""
            return f"{rel}:{frame.f_code.co_name}{via}"
        frame = frame.f_back  # type: ignore[assignment]
    return "bench driver"


# --- the run ---------------------------------------------------------------------------------

SCORES = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}
CRITERIA = [
    {"code": "innovation", "label": "创新性", "weight": 30, "max_score": 100},
    {"code": "feasibility", "label": "可行性", "weight": 25, "max_score": 100},
    {"code": "team", "label": "团队", "weight": 15, "max_score": 100},
    {"code": "benefit", "label": "效益", "weight": 30, "max_score": 100},
]
DRAFT = {
    "title": "高效节能阀门研发",
    "summary": "研发新一代高效节能阀门。",
    "field": "manufacturing",
    "requested_yuan": "300000.00",
    "self_funding_yuan": "600000.00",
    "start_date": "2016-07-01",
    "end_date": "2018-06-30",
}
APPROVED = Decimal("250000.00")
#: A minimal task contract: one target, the grant on one budget line, one milestone.
CONTRACT: dict[str, Any] = {
    "accept_terms": True,
    "targets": [{"name": "新产品", "unit": "项", "value": "1"}],
    "budget": [{"line": "equipment", "county_yuan": str(APPROVED), "own_yuan": "600000.00", "other_yuan": "0"}],
    "milestones": [{"name": "样机试制", "due": "2017-06-30"}],
}
EXPERTS = 5
#: The call's acceptance experts (``Call.acceptance_experts``, the default 3), drawn from the
#: same five experts.
ACCEPTANCE_EXPERTS = 3
ACCEPTANCE_SCORES = {"targets": 36, "money": 27, "results": 27}
ACCEPTANCE_REPORT = "完成全部指标"
#: The acceptance (issue 17), per application: the file, staff's check, staff's draw, each
#: expert accepts and scores, staff pass it, and the acceptance notice published and closed
#: (per batch, counted per application on it like the decision notice).
ACCEPTANCE_TRANSITIONS = 1 + 1 + 1 + 2 * ACCEPTANCE_EXPERTS + 1 + 2
#: Human steps per application, each one transition (bench/README.md lists them).
PER_APPLICATION = 1 + 1 + 1 + EXPERTS + 1 + EXPERTS + EXPERTS + 1 + 2 + 2 + 3 + ACCEPTANCE_TRANSITIONS + 3


@dataclass
class Personas:
    applicant: Any
    staff: Any
    experts: list[Any]
    panel: Any
    officer: Any
    head: Any


def make_personas() -> Personas:
    from accounts.enums import Role
    from accounts.models import Organisation
    from accounts.services import user_create
    from reviews.models import Expert

    password = "Bench-pass-2026"  # noqa: S105 - throwaway accounts in a throwaway database
    org = Organisation.objects.create(name="永嘉县东蒙集团有限公司")

    def user(username: str, role: str, organisation: Any = None) -> Any:
        return user_create(
            username=username,
            password=password,
            email=f"{username}@example.org",
            roles=[role],
            organisation=organisation,
            display_name=username,
        )

    experts = []
    for i in range(EXPERTS):
        u = user(f"expert{i}", Role.EXPERT)
        experts.append(Expert.objects.create(user=u, name=u.username, fields=["manufacturing"], load_limit=100_000))
    return Personas(
        applicant=user("applicant", Role.APPLICANT, org),
        staff=user("staff", Role.STAFF),
        experts=experts,
        panel=user("panel", Role.PANEL),
        officer=user("officer", Role.FINANCE_OFFICER),
        head=user("head", Role.FINANCE_HEAD),
    )


def make_call(title: str, n: int) -> Any:
    import datetime as dt

    from django.utils import timezone

    from applications.models import Call, Programme
    from reviews.services import criteria_set

    now = timezone.now()
    programme, _ = Programme.objects.get_or_create(code="industrial", defaults={"name": "工业重点项目"})
    call = Call.objects.create(
        programme=programme,
        title=title,
        year=2026,
        batch=1,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        budget_yuan=APPROVED * (n + 1),
        max_request_yuan=Decimal("500000.00"),
        reviewers_per_item=EXPERTS,
        min_reviews=EXPERTS,
        notice_days=7,
        tranches=[60, 40],
        acceptance_experts=ACCEPTANCE_EXPERTS,
    )
    criteria_set(call=call, criteria=CRITERIA)
    return call


def acceptance_file(app: Any) -> dict[str, Any]:
    """The complete acceptance file (as the step takes it): every target of the contract in
    force achieved at its value, every budget line's accounts as budgeted."""
    from aftergrant.selectors import contract_in_force

    version = contract_in_force(app)
    assert version is not None  # noqa: S101 - the contract was just put in force
    return {
        "report": ACCEPTANCE_REPORT,
        "results": [{"target": t.pk, "achieved": str(t.value)} for t in version.targets.all()],
        "accounts": [
            {"line": b.line, "county_yuan": str(b.county_yuan), "own_yuan": str(b.own_yuan), "other_yuan": "0"}
            for b in version.budget.all()
        ],
    }


# --- driver 1: the engine, through workflow.steps ----------------------------------------------------


def drive_engine(p: Personas, call: Any, n: int, batch: int, counter: StatementCounter) -> int:
    from applications.services import application_create
    from funding.models import Disbursement
    from reviews.models import Assignment
    from workflow import steps
    from workflow.demo import notice_window_passed

    t = 0
    for start in range(0, n, batch):
        chunk = []
        for _ in range(min(batch, n - start)):
            app = application_create(actor=p.applicant, call=call, **DRAFT)
            steps.application_submit(application=app, actor=p.applicant)
            steps.formal_review(application=app, actor=p.staff, decision="accept")
            assignments = [steps.assignment_add(application=app, expert=e, actor=p.staff) for e in p.experts]
            steps.expert_review_start(application=app, actor=p.staff)
            for a, e in zip(assignments, p.experts, strict=True):
                steps.assignment_accept(assignment=a, actor=e.user, no_conflict=True)
                steps.review_submit(assignment=a, actor=e.user, scores=SCORES, comment="好", recommendation="support")
            steps.decide(application=app, actor=p.panel, fund=True, approved_yuan=str(APPROVED))
            t += 3 + EXPERTS + 1 + 2 * EXPERTS + 1
            chunk.append(app)
        notice = steps.notice_publish(call=call, actor=p.staff)
        steps.notice_close(notice=notice_window_passed(notice), actor=p.staff)
        t += 2 * len(chunk)
        passed = []
        for app in chunk:
            steps.contract_submit(application=app, actor=p.applicant, **CONTRACT)
            steps.contract_check(application=app, actor=p.staff, decision="accept")
            with counter.paused():
                first = Disbursement.objects.get(application=app, tranche=1)
            steps.disbursement_approve(disbursement=first, actor=p.officer)
            steps.disbursement_approve(disbursement=first, actor=p.head)
            steps.disbursement_pay(disbursement=first, actor=p.officer, voucher="PZ-1")
            with counter.paused():  # the applicant's form shows the contract's targets and lines
                file = acceptance_file(app)
            steps.acceptance_submit(application=app, actor=p.applicant, **file)
            steps.acceptance_check(application=app, actor=p.staff, decision="accept")
            draw = steps.acceptance_draw(application=app, actor=p.staff, seed=f"bench-{app.pk}")
            with counter.paused():  # each expert finds the invitation on their list
                drawn = list(Assignment.objects.filter(draw_item__draw=draw).select_related("expert__user"))
            for a in drawn:
                steps.assignment_accept(assignment=a, actor=a.expert.user, no_conflict=True)
                steps.review_submit(
                    assignment=a, actor=a.expert.user, scores=ACCEPTANCE_SCORES, comment="好", recommendation="pass"
                )
            steps.acceptance_decide(application=app, actor=p.staff, result="pass")
            t += 2 + 3 + 1 + 1 + 1 + 2 * len(drawn) + 1  # contract submitted, checked; acceptance
            passed.append(app)
        notice = steps.acceptance_notice_publish(call=call, actor=p.staff)
        steps.notice_close(notice=notice_window_passed(notice), actor=p.staff)  # requests the final tranches
        t += 2 * len(passed)
        for app in passed:
            with counter.paused():
                final = Disbursement.objects.get(application=app, tranche=2)
            steps.disbursement_approve(disbursement=final, actor=p.officer)
            steps.disbursement_approve(disbursement=final, actor=p.head)
            steps.disbursement_pay(disbursement=final, actor=p.head, voucher="PZ-2")
            t += 3
    return t


# --- driver 2: the same services and checks, no viewflow ------------------------------------------


def drive_services(p: Personas, call: Any, n: int, batch: int, counter: StatementCounter) -> int:
    """``workflow.steps`` with every viewflow call taken out: no process lookup, no flow lock,
    no task lookups or completions. Where the graph decides (the join after the reviews, the
    final tranche), one query decides instead."""
    from django.db import transaction
    from django.utils.translation import gettext_lazy

    from aftergrant import acceptance as acceptance_services
    from aftergrant import services as aftergrant_services
    from applications import services as app_services
    from applications.enums import ApplicationStatus as S
    from applications.models import Application
    from funding import services as funding_services
    from funding.models import Disbursement
    from notifications.services import notify
    from reviews import services as review_services
    from reviews.enums import OPEN_ASSIGNMENT_STATES
    from reviews.models import Assignment
    from workflow import steps
    from workflow.demo import notice_window_passed

    visible = steps._visible  # the visibility check is the steps' own, not the engine's

    def submit(app: Any) -> None:
        app = visible(app, p.applicant)
        app_services.application_submit(application=app, actor=p.applicant)

    def formal_review(app: Any) -> None:
        app = visible(app, p.staff)
        app_services.application_formal_review(application=app, actor=p.staff, decision="accept")

    def assignment_add(app: Any, expert: Any) -> Any:
        visible(app, p.staff)
        with transaction.atomic():
            fresh = Application.objects.select_related("organisation", "call").get(pk=app.pk)
            return review_services.assignment_create(application=fresh, expert=expert, actor=p.staff)

    def expert_review_start(app: Any) -> None:
        app = visible(app, p.staff)
        with transaction.atomic():
            assert Assignment.objects.filter(application=app, status__in=OPEN_ASSIGNMENT_STATES).exists()

    def review_submit(a: Any, user: Any) -> None:
        a = steps._assignment_for(user, a.pk)
        with transaction.atomic():
            review_services.review_submit(
                assignment=a, actor=user, scores=SCORES, comment="好", recommendation="support"
            )
            # The join: the last review moves the application on.
            if not Assignment.objects.filter(
                application_id=a.application_id, status__in=OPEN_ASSIGNMENT_STATES
            ).exists():
                steps.reviews_complete(application_id=a.application_id)

    def decide(app: Any) -> None:
        app = visible(app, p.panel)
        funding_services.decision_make(application=app, actor=p.panel, fund=True, approved_yuan=str(APPROVED))

    def notice_close(notice: Any) -> None:
        with transaction.atomic():
            notice = funding_services.notice_close(notice=notice_window_passed(notice), actor=p.staff)
            for application in notice.applications.filter(status=S.FUNDED):
                notify(
                    recipients=[application.applicant],
                    kind="contract_due",
                    subject=gettext_lazy("Sign your task contract: %(title)s"),
                    body=gettext_lazy("The notice has closed; sign the task contract of “%(title)s”."),
                    context={"title": application.title},
                )

    def contract_sign(app: Any) -> None:
        app = visible(app, p.applicant)
        aftergrant_services.contract_submit(application=app, actor=p.applicant, **CONTRACT)
        app = visible(app, p.staff)
        aftergrant_services.contract_check(application=app, actor=p.staff, decision="accept")

    def pay(d: Any, actor: Any, voucher: str) -> None:
        with transaction.atomic():
            d = funding_services.disbursement_pay(disbursement=d, actor=actor, voucher=voucher)
            if d.tranche == len(d.application.call.tranches) > 1:
                funding_services.application_close_when_paid(application=d.application)

    def acceptance_submit(app: Any) -> None:
        app = visible(app, p.applicant)
        with counter.paused():  # the applicant's form shows the contract's targets and lines
            file = acceptance_file(app)
        acceptance_services.acceptance_submit(application=app, actor=p.applicant, **file)

    def acceptance_check(app: Any) -> None:
        app = visible(app, p.staff)
        acceptance_services.acceptance_check(application=app, actor=p.staff, decision="accept")

    def acceptance_draw(app: Any) -> Any:
        app = visible(app, p.staff)
        return acceptance_services.acceptance_draw(application=app, actor=p.staff, seed=f"bench-{app.pk}")

    def acceptance_review(a: Any, user: Any) -> None:
        # An acceptance assignment has no task and no join: the decision checks the scores.
        a = steps._assignment_for(user, a.pk)
        review_services.review_submit(
            assignment=a, actor=user, scores=ACCEPTANCE_SCORES, comment="好", recommendation="pass"
        )

    def acceptance_decide(app: Any) -> None:
        app = visible(app, p.staff)
        acceptance_services.acceptance_decide(application=app, actor=p.staff, result="pass")

    def acceptance_notice_close(notice: Any) -> None:
        with transaction.atomic():
            notice = funding_services.notice_close(notice=notice_window_passed(notice), actor=p.staff)
            for application in notice.applications.filter(acceptance_reports__notice=notice).order_by("pk"):
                acceptance_services.acceptance_notice_close(application=application, actor=p.staff)

    t = 0
    for start in range(0, n, batch):
        chunk = []
        for _ in range(min(batch, n - start)):
            app = app_services.application_create(actor=p.applicant, call=call, **DRAFT)
            submit(app)
            formal_review(app)
            assignments = [assignment_add(app, e) for e in p.experts]
            expert_review_start(app)
            for a, e in zip(assignments, p.experts, strict=True):
                steps.assignment_accept(assignment=a, actor=e.user, no_conflict=True)
                review_submit(a, e.user)
            decide(app)
            t += 3 + EXPERTS + 1 + 2 * EXPERTS + 1
            chunk.append(app)
        notice = steps.notice_publish(call=call, actor=p.staff)
        notice_close(notice)
        t += 2 * len(chunk)
        passed = []
        for app in chunk:
            contract_sign(app)
            with counter.paused():
                first = Disbursement.objects.get(application=app, tranche=1)
            steps.disbursement_approve(disbursement=first, actor=p.officer)
            steps.disbursement_approve(disbursement=first, actor=p.head)
            pay(first, p.officer, "PZ-1")
            acceptance_submit(app)
            acceptance_check(app)
            draw = acceptance_draw(app)
            with counter.paused():  # each expert finds the invitation on their list
                drawn = list(Assignment.objects.filter(draw_item__draw=draw).select_related("expert__user"))
            for a in drawn:
                steps.assignment_accept(assignment=a, actor=a.expert.user, no_conflict=True)
                acceptance_review(a, a.expert.user)
            acceptance_decide(app)
            t += 2 + 3 + 1 + 1 + 1 + 2 * len(drawn) + 1  # contract submitted, checked; acceptance
            passed.append(app)
        notice = funding_services.acceptance_notice_publish(call=call, actor=p.staff)
        acceptance_notice_close(notice)
        t += 2 * len(passed)
        for app in passed:
            with counter.paused():
                final = Disbursement.objects.get(application=app, tranche=2)
            steps.disbursement_approve(disbursement=final, actor=p.officer)
            steps.disbursement_approve(disbursement=final, actor=p.head)
            pay(final, p.head, "PZ-2")
            t += 3
    return t


# --- driver 3: the same business rows, bare ORM --------------------------------------------------


def drive_bare(p: Personas, call: Any, n: int, batch: int, counter: StatementCounter) -> int:
    """Row lock where the services take one, then the inserts and updates the services make:
    status fields, assignment/review/decision/notice/contract/disbursement/acceptance rows,
    guardian grants, audit rows and notification rows. No permission checks, no validation
    reads, no viewflow. Reads only what decides which rows to write (is this the last review)."""
    import datetime as dt

    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone
    from guardian.models import UserObjectPermission

    from aftergrant.enums import ContractStatus as C
    from aftergrant.models import ContractBudgetLine, ContractMilestone, ContractTarget, ContractVersion
    from applications.enums import ApplicationStatus as S
    from applications.models import Application, Call
    from audit.models import AuditEntry
    from funding.enums import AcceptanceCheck, NoticeKind
    from funding.enums import DisbursementStatus as D
    from funding.models import (
        AcceptanceAccountLine,
        AcceptanceReport,
        AcceptanceResultLine,
        Contract,
        Disbursement,
        FundingDecision,
        Notice,
    )
    from notifications.models import Notification
    from reviews.enums import OPEN_ASSIGNMENT_STATES, DrawKind
    from reviews.enums import AssignmentPurpose as P
    from reviews.enums import AssignmentStatus as A
    from reviews.models import Assignment, Criterion, Draw, DrawItem, Review
    from reviews.services import DEFAULT_ACCEPTANCE_CRITERIA

    app_ct = ContentType.objects.get_for_model(Application)
    asg_ct = ContentType.objects.get_for_model(Assignment)
    perms = {
        (p_.content_type_id, p_.codename): p_.pk for p_ in Permission.objects.filter(content_type__in=[app_ct, asg_ct])
    }
    staff_ids = [p.staff.pk]
    panel_ids = [p.panel.pk]
    officer_ids = [p.officer.pk]
    due = timezone.now() + dt.timedelta(days=call.review_days)

    def audit(actor: Any, action: str, type_: str, pk: int, frm: str = "", to: str = "", **data: Any) -> AuditEntry:
        return AuditEntry(
            actor_id=actor.pk if actor else None,
            action=action,
            target_type=type_,
            target_id=pk,
            from_state=frm,
            to_state=to,
            data=data,
        )

    def note(user_ids: list[int], kind: str, subject: str) -> list[Notification]:
        return [Notification(recipient_id=u, kind=kind, subject=subject, body=subject) for u in user_ids]

    def write(audits: list[AuditEntry], notes: list[Notification] = ()) -> None:  # type: ignore[assignment]
        AuditEntry.objects.bulk_create(audits)
        if notes:
            Notification.objects.bulk_create(notes)

    def lock_app(pk: int) -> None:
        list(Application.objects.select_for_update().filter(pk=pk).values_list("pk"))

    def app_status(pk: int, frm: str, to: str, actor: Any, action: str, **extra: Any) -> AuditEntry:
        Application.objects.filter(pk=pk).update(status=to, updated_at=timezone.now(), **extra)
        return audit(actor, action, "applications.application", pk, frm, to)

    def grant(user_id: int, ct: Any, codenames: tuple[str, ...], pk: int) -> None:
        UserObjectPermission.objects.bulk_create(
            [
                UserObjectPermission(
                    permission_id=perms[(ct.pk, c)], content_type_id=ct.pk, object_pk=str(pk), user_id=user_id
                )
                for c in codenames
            ]
        )

    def disb_status(d: Disbursement, frm: str, to: str, actor: Any, **fields_: Any) -> AuditEntry:
        list(Disbursement.objects.select_for_update().filter(pk=d.pk).values_list("pk"))
        Disbursement.objects.filter(pk=d.pk).update(status=to, **fields_)
        return audit(actor, f"disbursement.{to}", "funding.disbursement", d.pk, frm, to)

    def disb_request(app: Application, tranche: int, amount: Decimal, actor: Any) -> tuple[Disbursement, list[Any]]:
        d = Disbursement.objects.create(application=app, tranche=tranche, amount_yuan=amount, requested_by=actor)
        return d, [audit(actor, "disbursement.request", "funding.disbursement", d.pk, "", D.REQUESTED)]

    def approve_and_pay(app: Application, d: Disbursement, payer: Any, last: bool) -> None:
        with transaction.atomic():
            write([disb_status(d, D.REQUESTED, D.OFFICER_APPROVED, p.officer, officer=p.officer, officer_at=now())])
        with transaction.atomic():
            write(
                [disb_status(d, D.OFFICER_APPROVED, D.APPROVED, p.head, head=p.head, head_at=now())],
                note([p.applicant.pk], "disbursement_approved", "Payment approved"),
            )
        with transaction.atomic():
            audits = [disb_status(d, D.APPROVED, D.PAID, payer, voucher="PZ", paid_by=payer, paid_at=now())]
            lock_app(app.pk)
            if last:
                audits.append(app_status(app.pk, S.ACCEPTANCE_SUBMITTED, S.CLOSED, None, "application.close"))
            write(audits, note([p.applicant.pk], "disbursement_paid", "Payment made"))

    now = timezone.now
    criteria_written = False
    t = 0
    for start in range(0, n, batch):
        chunk = []
        for _ in range(min(batch, n - start)):
            a = p.applicant
            with transaction.atomic():  # create draft
                app = Application.objects.create(
                    call=call,
                    applicant=a,
                    organisation_id=a.organisation_id,
                    title=DRAFT["title"],
                    summary=DRAFT["summary"],
                    field=DRAFT["field"],
                    requested_yuan=Decimal(DRAFT["requested_yuan"]),
                    self_funding_yuan=Decimal(DRAFT["self_funding_yuan"]),
                )
                grant(a.pk, app_ct, ("view_application", "change_application"), app.pk)
                write([audit(a, "application.create", "applications.application", app.pk, "", S.DRAFT)])
            with transaction.atomic():  # submit
                lock_app(app.pk)
                Application.objects.filter(pk=app.pk).update(submitted_at=now())
                write(
                    [app_status(app.pk, S.DRAFT, S.SUBMITTED, a, "application.submit")],
                    note([a.pk], "submission_received", "Application received") + note(staff_ids, "x", "New"),
                )
            with transaction.atomic():  # formal review
                lock_app(app.pk)
                write(
                    [app_status(app.pk, S.SUBMITTED, S.IN_REVIEW, p.staff, "formal_review.accept")],
                    note([a.pk], "formal_review", "Formal review"),
                )
            assignments = []
            for e in p.experts:  # assign by hand
                with transaction.atomic():
                    list(type(e).objects.select_for_update().filter(pk=e.pk).values_list("pk"))
                    asg = Assignment.objects.create(application=app, expert=e, due_at=due)
                    # no guardian rows for assignments since issue 18 (derived from the expert)
                    write(
                        [audit(p.staff, "assignment.create", "reviews.assignment", asg.pk, "", A.INVITED)],
                        note([e.user_id], "review_invitation", "Invitation to review"),
                    )
                    assignments.append(asg)
            with transaction.atomic():  # start the review: nothing to write but the lock
                lock_app(app.pk)
            for asg, e in zip(assignments, p.experts, strict=True):
                with transaction.atomic():  # accept
                    list(Assignment.objects.select_for_update().filter(pk=asg.pk).values_list("pk"))
                    Assignment.objects.filter(pk=asg.pk).update(status=A.ACCEPTED, responded_at=now())
                    write([audit(e.user, "assignment.accept", "reviews.assignment", asg.pk, A.INVITED, A.ACCEPTED)])
                with transaction.atomic():  # review
                    list(Assignment.objects.select_for_update().filter(pk=asg.pk).values_list("pk"))
                    Review.objects.create(
                        assignment=asg,
                        scores=SCORES,
                        weighted_total=Decimal("82"),
                        comment="好",
                        recommendation="support",
                    )
                    Assignment.objects.filter(pk=asg.pk).update(status=A.SUBMITTED, responded_at=now())
                    audits = [audit(e.user, "review.submit", "reviews.assignment", asg.pk, A.ACCEPTED, A.SUBMITTED)]
                    notes: list[Notification] = []
                    if not Assignment.objects.filter(application=app, status__in=OPEN_ASSIGNMENT_STATES).exists():
                        lock_app(app.pk)
                        audits.append(app_status(app.pk, S.IN_REVIEW, S.REVIEWED, None, "reviews.complete"))
                        notes = note(panel_ids, "ready_for_decision", "Ready for decision")
                    write(audits, notes)
            with transaction.atomic():  # decision: the call row serialises the budget
                list(Call.objects.select_for_update().filter(pk=call.pk).values_list("pk"))
                lock_app(app.pk)
                FundingDecision.objects.create(application=app, fund=True, approved_yuan=APPROVED, decided_by=p.panel)
                write(
                    [app_status(app.pk, S.REVIEWED, S.FUNDED, p.panel, "decision.fund", approved_yuan=APPROVED)],
                    note([a.pk], "decision", "Funding decision"),
                )
            app.approved_yuan = APPROVED
            chunk.append(app)
            t += 3 + EXPERTS + 1 + 2 * EXPERTS + 1
        with transaction.atomic():  # notice publish, for the batch
            list(Call.objects.select_for_update().filter(pk=call.pk).values_list("pk"))
            notice = Notice.objects.create(call=call, published_by=p.staff, ends_at=now() + dt.timedelta(days=7))
            notice.applications.through.objects.bulk_create(
                [notice.applications.through(notice_id=notice.pk, application_id=x.pk) for x in chunk]
            )
            write(
                [audit(p.staff, "notice.publish", "funding.notice", notice.pk)], note([p.applicant.pk], "np", "Notice")
            )
        with transaction.atomic():  # notice close, for the batch
            list(Notice.objects.select_for_update().filter(pk=notice.pk).values_list("pk"))
            Notice.objects.filter(pk=notice.pk).update(closed_at=now())
            write(
                [audit(p.staff, "notice.close", "funding.notice", notice.pk)],
                [n_ for x in chunk for n_ in note([x.applicant_id], "contract_due", "Sign your contract")],
            )
        t += 2 * len(chunk)
        passed = []
        for app in chunk:
            a = p.applicant
            with transaction.atomic():  # contract submitted: version 1 and its rows
                lock_app(app.pk)
                version = ContractVersion.objects.create(
                    application=app,
                    number=1,
                    status=C.SUBMITTED,
                    starts_on=dt.date.fromisoformat(DRAFT["start_date"]),
                    ends_on=dt.date.fromisoformat(DRAFT["end_date"]),
                    submitted_by=a,
                    submitted_at=now(),
                )
                targets = ContractTarget.objects.bulk_create(
                    [
                        ContractTarget(version=version, position=i, **{**t_, "value": Decimal(t_["value"])})
                        for i, t_ in enumerate(CONTRACT["targets"], start=1)
                    ]
                )
                budget = ContractBudgetLine.objects.bulk_create(
                    [
                        ContractBudgetLine(
                            version=version,
                            line=b["line"],
                            county_yuan=Decimal(b["county_yuan"]),
                            own_yuan=Decimal(b["own_yuan"]),
                            other_yuan=Decimal(b["other_yuan"]),
                        )
                        for b in CONTRACT["budget"]
                    ]
                )
                ContractMilestone.objects.bulk_create(
                    [
                        ContractMilestone(version=version, name=m["name"], due_on=dt.date.fromisoformat(m["due"]))
                        for m in CONTRACT["milestones"]
                    ]
                )
                write(
                    [audit(a, "contract.submit", "aftergrant.contractversion", version.pk, "", C.SUBMITTED)],
                    note(staff_ids, "contract_submitted", "Contract to check"),
                )
            with transaction.atomic():  # contract checked: in force, which requests the first tranche
                lock_app(app.pk)
                list(ContractVersion.objects.select_for_update().filter(pk=version.pk).values_list("pk"))
                ContractVersion.objects.filter(pk=version.pk).update(
                    status=C.IN_FORCE, in_force_at=now(), checked_by=p.staff, checked_at=now()
                )
                Contract.objects.create(application=app, signed_by=a)
                first, audits = disb_request(app, 1, Decimal("150000.00"), a)
                write(
                    [
                        audit(p.staff, "contract.accept", "aftergrant.contractversion", version.pk, C.SUBMITTED),
                        app_status(app.pk, S.FUNDED, S.CONTRACTED, p.staff, "contract.sign"),
                        *audits,
                    ],
                    note([a.pk], "contract_in_force", "Contract in force")
                    + note(officer_ids, "disbursement_requested", "Payment to approve"),
                )
            approve_and_pay(app, first, p.officer, last=False)
            spent = sum((b.county_yuan + b.own_yuan + b.other_yuan for b in budget), Decimal(0))
            with transaction.atomic():  # acceptance file: results per target, accounts per line
                lock_app(app.pk)
                report = AcceptanceReport.objects.create(
                    application=app, version=version, report=ACCEPTANCE_REPORT, spent_yuan=spent
                )
                AcceptanceResultLine.objects.bulk_create(
                    [AcceptanceResultLine(report=report, target=t_, achieved=t_.value) for t_ in targets]
                )
                AcceptanceAccountLine.objects.bulk_create(
                    [
                        AcceptanceAccountLine(
                            report=report,
                            line=b.line,
                            county_yuan=b.county_yuan,
                            own_yuan=b.own_yuan,
                            other_yuan=b.other_yuan,
                        )
                        for b in budget
                    ]
                )
                write(
                    [app_status(app.pk, S.CONTRACTED, S.ACCEPTANCE_SUBMITTED, a, "acceptance.submit")],
                    note(staff_ids, "acceptance_submitted", "Acceptance report"),
                )
            with transaction.atomic():  # staff check the file
                lock_app(app.pk)
                list(AcceptanceReport.objects.select_for_update().filter(pk=report.pk).values_list("pk"))
                AcceptanceReport.objects.filter(pk=report.pk).update(
                    check_status=AcceptanceCheck.ACCEPTED, checked_by=p.staff, checked_at=now()
                )
                write([audit(p.staff, "acceptance.check", "applications.application", app.pk)])
            with transaction.atomic():  # staff draw the experts: a fixed choice, the first three
                lock_app(app.pk)
                if not criteria_written:  # written at the call's first acceptance draw
                    Criterion.all_purposes.bulk_create(
                        [
                            Criterion(
                                call=call,
                                purpose=P.ACCEPTANCE,
                                code=code,
                                label=str(label),
                                weight=w,
                                max_score=w,
                                position=i,
                            )
                            for i, (code, label, w) in enumerate(DEFAULT_ACCEPTANCE_CRITERIA)
                        ]
                    )
                    criteria_written = True
                chosen = p.experts[:ACCEPTANCE_EXPERTS]
                draw = Draw.objects.create(
                    call=call, kind=DrawKind.ACCEPTANCE, seed=f"bench-{app.pk}", performed_by=p.staff
                )
                item = DrawItem.objects.create(
                    draw=draw, application=app, needed=ACCEPTANCE_EXPERTS, chosen=[e.pk for e in chosen]
                )
                drawn = Assignment.objects.bulk_create(
                    [
                        Assignment(application=app, expert=e, purpose=P.ACCEPTANCE, due_at=due, draw_item=item)
                        for e in chosen
                    ]
                )
                write(
                    [audit(p.staff, "draw.perform", "reviews.draw", draw.pk)],
                    note([e.user_id for e in chosen], "acceptance_invitation", "Invitation to acceptance"),
                )
            for asg, e in zip(drawn, chosen, strict=True):
                with transaction.atomic():  # accept
                    list(Assignment.objects.select_for_update().filter(pk=asg.pk).values_list("pk"))
                    Assignment.objects.filter(pk=asg.pk).update(status=A.ACCEPTED, responded_at=now())
                    write([audit(e.user, "assignment.accept", "reviews.assignment", asg.pk, A.INVITED, A.ACCEPTED)])
                with transaction.atomic():  # score: no join, the decision checks the scores
                    list(Assignment.objects.select_for_update().filter(pk=asg.pk).values_list("pk"))
                    Review.objects.create(
                        assignment=asg,
                        scores=ACCEPTANCE_SCORES,
                        weighted_total=Decimal("90"),
                        comment="好",
                        recommendation="pass",
                    )
                    Assignment.objects.filter(pk=asg.pk).update(status=A.SUBMITTED, responded_at=now())
                    write([audit(e.user, "review.submit", "reviews.assignment", asg.pk, A.ACCEPTED, A.SUBMITTED)])
            with transaction.atomic():  # staff pass it; it waits for the acceptance notice
                lock_app(app.pk)
                list(AcceptanceReport.objects.select_for_update().filter(pk=report.pk).values_list("pk"))
                AcceptanceReport.objects.filter(pk=report.pk).update(
                    result="pass",
                    advice="pass",
                    targets_met=len(targets),
                    targets_total=len(targets),
                    amount_to_return=Decimal(0),
                    final_tranche_yuan=Decimal("100000.00"),
                    decided_by=p.staff,
                    decided_at=now(),
                )
                write(
                    [audit(p.staff, "acceptance.pass", "applications.application", app.pk)],
                    note([a.pk], "acceptance_decided", "Acceptance"),
                )
            passed.append(app)
            t += 2 + 3 + 1 + 1 + 1 + 2 * len(drawn) + 1
        with transaction.atomic():  # acceptance notice publish, for the batch
            list(Call.objects.select_for_update().filter(pk=call.pk).values_list("pk"))
            notice = Notice.objects.create(
                call=call, kind=NoticeKind.ACCEPTANCE, published_by=p.staff, ends_at=now() + dt.timedelta(days=7)
            )
            notice.applications.through.objects.bulk_create(
                [notice.applications.through(notice_id=notice.pk, application_id=x.pk) for x in passed]
            )
            AcceptanceReport.objects.filter(application__in=passed, result="pass").update(notice=notice)
            write(
                [audit(p.staff, "notice.publish", "funding.notice", notice.pk)],
                note([p.applicant.pk], "acceptance_notice_published", "Acceptance notice"),
            )
        with transaction.atomic():  # acceptance notice close: the final tranches requested
            list(Notice.objects.select_for_update().filter(pk=notice.pk).values_list("pk"))
            Notice.objects.filter(pk=notice.pk).update(closed_at=now())
            audits = [audit(p.staff, "notice.close", "funding.notice", notice.pk)]
            finals = []
            for app in passed:
                lock_app(app.pk)
                final, request_audits = disb_request(app, 2, Decimal("100000.00"), p.staff)
                audits += [audit(p.staff, "acceptance.notice_closed", "applications.application", app.pk)]
                audits += request_audits
                finals.append(final)
            write(audits, note(officer_ids, "disbursement_requested", "Payment to approve") * len(passed))
        t += 2 * len(passed)
        for app, final in zip(passed, finals, strict=True):
            approve_and_pay(app, final, p.head, last=True)
            t += 3
    return t


# --- measuring ----------------------------------------------------------------------------------

BUSINESS_TABLES = [
    "applications_application",
    "reviews_assignment",
    "reviews_review",
    "funding_fundingdecision",
    "funding_notice",
    "funding_notice_applications",
    "funding_contract",
    "aftergrant_contractversion",
    "aftergrant_contracttarget",
    "aftergrant_contractbudgetline",
    "aftergrant_contractmilestone",
    "funding_disbursement",
    "funding_acceptancereport",
    "funding_acceptanceresultline",
    "funding_acceptanceaccountline",
    "reviews_criterion",
    "reviews_draw",
    "reviews_drawitem",
    "audit_auditentry",
    "notifications_notification",
    "guardian_userobjectpermission",
]
ENGINE_TABLES = ["viewflow_process", "viewflow_task", "viewflow_task_previous"]


def table_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cur:
        out = {}
        for table in BUSINESS_TABLES + ENGINE_TABLES:
            cur.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - fixed table names
            out[table] = cur.fetchone()[0]
    return out


@dataclass
class Result:
    mode: str
    n: int
    transitions: int
    seconds: float
    statements: int
    rows: dict[str, int]
    #: This process's CPU seconds for the run (Python, Django and psycopg; not the server's).
    cpu: float = 0.0
    #: With ``--repeat``: every run's seconds and CPU seconds; ``seconds`` and ``cpu`` are then the
    #: fastest run's (the run least disturbed by whatever else the machine did).
    runs: list[tuple[float, float]] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.transitions / self.seconds

    @property
    def per_transition(self) -> float:
        return self.statements / self.transitions


DRIVERS = {"engine": drive_engine, "services": drive_services, "bare": drive_bare}


def measure(mode: str, p: Personas, n: int, batch: int, *, record: bool = False) -> tuple[Result, StatementCounter]:
    from django.db import connection

    call = make_call(f"bench {mode} {time.time_ns()}", n)
    before = table_counts()
    counter = StatementCounter(record=record)
    with connection.execute_wrapper(counter):
        started, cpu_started = time.perf_counter(), time.process_time()
        transitions = DRIVERS[mode](p, call, n, batch, counter)
        seconds = time.perf_counter() - started - counter.paused_seconds
        cpu = time.process_time() - cpu_started
    after = table_counts()
    rows = {t: after[t] - before[t] for t in after}
    return Result(mode, n, transitions, seconds, counter.count, rows, cpu, [(seconds, cpu)]), counter


def fastest(runs: list[Result]) -> Result:
    """The fastest of a driver's runs, with every run's times (``--repeat``)."""
    best = min(runs, key=lambda r: r.seconds)
    return dataclasses.replace(best, runs=[t for r in runs for t in r.runs])


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        cur.execute("SHOW fsync")
        fsync = cur.fetchone()[0]
        cur.execute("SHOW synchronous_commit")
        sync = cur.fetchone()[0]
    return (
        f"{platform.node()} · {os.cpu_count()} CPUs (nproc) · {platform.processor() or platform.machine()} · "
        f"Python {platform.python_version()} · PostgreSQL {pg} (fsync={fsync}, synchronous_commit={sync}) "
        "on 127.0.0.1"
    )


def print_report(results: dict[str, Result], args: argparse.Namespace, db: str) -> None:
    e, b = results["engine"], results["bare"]
    s = results.get("services")
    print()
    print(f"command : DATABASE_URL=postgres://…/{db} .venv/bin/python -m bench.lifecycle " + " ".join(sys.argv[1:]))
    print(f"machine : {machine()}")
    print(
        f"N       : {args.n} applications, draft → closed, notice per batch of {args.batch}; "
        f"{PER_APPLICATION} transitions per application"
    )
    print()
    print(f"{'':10}{'transitions':>12}{'seconds':>10}{'trans/s':>10}{'statements':>12}{'stmts/trans':>13}")
    for r in results.values():
        print(
            f"{r.mode:10}{r.transitions:>12}{r.seconds:>10.2f}{r.per_second:>10.1f}{r.statements:>12}"
            f"{r.per_transition:>13.2f}"
        )
    print()
    time_ratio = e.seconds / b.seconds
    stmt_ratio = e.per_transition / b.per_transition
    print(f"engine / bare     : {time_ratio:.2f}× time, {stmt_ratio:.2f}× statements   (target ≤ 2×)")
    print(f"                    {e.cpu / b.cpu:.2f}× this process's CPU time ({e.cpu:.2f} s / {b.cpu:.2f} s)")
    if len(e.runs) > 1:
        median = {r.mode: statistics.median(t for t, _cpu in r.runs) for r in results.values()}
        print(
            f"runs              : fastest of {len(e.runs)} each, interleaved (above); medians "
            + ", ".join(f"{m} {v:.2f} s" for m, v in median.items())
            + f" → {median['engine'] / median['bare']:.2f}×"
        )
        for r in results.values():
            print(f"  {r.mode:8} " + "  ".join(f"{t:.2f}" for t, _cpu in r.runs))
    if s is not None:
        print(
            f"engine / services : {e.seconds / s.seconds:.2f}× time, "
            f"{e.per_transition / s.per_transition:.2f}× statements   (what viewflow itself adds)"
        )
        print(
            f"services / bare   : {s.seconds / b.seconds:.2f}× time, {s.per_transition / b.per_transition:.2f}× statements"
        )
    verdict = "meets" if e.per_transition <= 20 else "MISSES"
    print(f"engine statements per transition: {e.per_transition:.2f} — {verdict} the ≤ 20 target")
    print()
    print("rows written (business tables must match across drivers; engine tables are viewflow's):")
    print(f"{'table':34}" + "".join(f"{m:>10}" for m in results))
    mismatched = []
    for table in BUSINESS_TABLES + ENGINE_TABLES:
        values = [r.rows[table] for r in results.values()]
        flag = ""
        if table in BUSINESS_TABLES and len(set(values)) > 1:
            flag = "  ← differs"
            mismatched.append(table)
        print(f"{table:34}" + "".join(f"{v:>10}" for v in values) + flag)
    if mismatched:
        print(f"WARNING: business rows differ in {', '.join(mismatched)}: the comparison is not like for like")


def print_profile(counter: StatementCounter, transitions: int, top: int) -> None:
    total = sum(counter.shapes.values())
    print()
    print(
        f"engine profile: {total} statements over {transitions} transitions ({total / transitions:.2f} per transition)"
    )
    print(f"\ntop {top} statement shapes (per transition):")
    for shape, count in counter.shapes.most_common(top):
        print(f"{count / transitions:8.2f}  {shape}")
    print(f"\ntop {top} sources (nearest project function, and the library in between):")
    for source, count in counter.sources.most_common(top):
        print(f"{count / transitions:8.2f}  {source}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="applications per driver (default 200)")
    parser.add_argument("--batch", type=int, default=50, help="applications per public notice (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="applications per driver before measuring")
    parser.add_argument("--profile-n", type=int, default=20, help="applications in the profiled engine run (0: skip)")
    parser.add_argument("--top", type=int, default=15, help="rows in the profile tables")
    parser.add_argument("--skip-services", action="store_true", help="measure only engine and bare")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per driver, interleaved; the fastest of each is reported, with the medians "
        "(on a shared 2-core machine one run's time varies by ±15%%)",
    )
    parser.add_argument(
        "--deliver",
        action="store_true",
        help="also send each notification (eager Celery, dummy e-mail) after commit; by default the "
        "rows are written but delivery, a worker's job, is left out of both paths",
    )
    args = parser.parse_args(argv)

    configure_environment()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("set DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingshen_bench")
    db = ensure_database(url)

    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)  # post_migrate restores roles and permissions
    from applications.services import fields_seed

    fields_seed()  # the fields vocabulary is migration data: a flush empties it
    ContentType.objects.clear_cache()

    if not args.deliver:
        import notifications.services

        # notify() queues delivery with on_commit(lambda: enqueue(ids)); with this stub the rows
        # are written and stay pending in the outbox, for every driver alike.
        for name in ("enqueue", "_enqueue"):
            if hasattr(notifications.services, name):
                setattr(notifications.services, name, lambda ids: 0)

    personas = make_personas()
    modes = ["engine", "bare"] if args.skip_services else ["engine", "services", "bare"]
    if args.warmup:
        for mode in modes:
            measure(mode, personas, args.warmup, args.batch)
    runs: dict[str, list[Result]] = {mode: [] for mode in modes}
    for _round in range(max(args.repeat, 1)):
        for mode in modes:
            result, _ = measure(mode, personas, args.n, args.batch)
            runs[mode].append(result)
            print(f"{mode}: {result.transitions} transitions in {result.seconds:.1f} s", file=sys.stderr)
    results = {mode: fastest(found) for mode, found in runs.items()}
    print_report(results, args, db)
    if args.profile_n:
        profiled, counter = measure("engine", personas, args.profile_n, args.batch, record=True)
        print_profile(counter, profiled.transitions, args.top)


if __name__ == "__main__":
    main()
