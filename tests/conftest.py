"""Fixed personas and a ready call (STYLE.md, 15). Tests read as the people would act."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Organisation
from accounts.services import user_create
from applications.models import Call, Programme
from reviews.models import Expert
from reviews.services import criteria_set

PASSWORD = "Pingshen-test-2026"


def make_code(body17: str) -> str:
    from stdnum.cn import uscc

    return body17 + uscc.calc_check_digit(body17)


@pytest.fixture
def org_owner(db: Any) -> Organisation:
    return Organisation.objects.create(name="永嘉县东蒙集团有限公司", credit_code=make_code("91330324MA285KJ35"))


@pytest.fixture
def org_other(db: Any) -> Organisation:
    return Organisation.objects.create(name="浙江红蜻蜓鞋业股份有限公司", credit_code=make_code("91330324MA2HK5RP3"))


@pytest.fixture
def org_expert(db: Any) -> Organisation:
    return Organisation.objects.create(
        name="浙江理工大学", credit_code=make_code("12330000470187636"), kind="university"
    )


def _user(username: str, roles: list[str], organisation: Organisation | None = None) -> Any:
    return user_create(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        roles=roles,
        organisation=organisation,
        display_name=username,
    )


@pytest.fixture
def applicant(org_owner: Organisation) -> Any:
    return _user("applicant", [Role.APPLICANT], org_owner)


@pytest.fixture
def other_applicant(org_other: Organisation) -> Any:
    return _user("other_applicant", [Role.APPLICANT], org_other)


@pytest.fixture
def staff(db: Any) -> Any:
    return _user("staff", [Role.STAFF])


@pytest.fixture
def panel(db: Any) -> Any:
    return _user("panel", [Role.PANEL])


@pytest.fixture
def finance_officer(db: Any) -> Any:
    return _user("officer", [Role.FINANCE_OFFICER])


@pytest.fixture
def finance_head(db: Any) -> Any:
    return _user("head", [Role.FINANCE_HEAD])


@pytest.fixture
def nominator(db: Any) -> Any:
    return _user("nominator", [Role.NOMINATOR])


def make_expert(username: str, organisation: Organisation | None, fields: list[str] | None = None) -> Expert:
    user = _user(username, [Role.EXPERT], organisation)
    return Expert.objects.create(
        user=user, name=username, organisation=organisation, fields=fields or ["manufacturing"], title="Professor"
    )


@pytest.fixture
def expert(org_expert: Organisation) -> Expert:
    return make_expert("expert", org_expert)


@pytest.fixture
def expert2(org_expert: Organisation) -> Expert:
    return make_expert("expert2", org_expert)


@pytest.fixture
def unassigned_expert(org_expert: Organisation) -> Expert:
    return make_expert("unassigned_expert", org_expert)


@pytest.fixture
def conflicted_expert(org_owner: Organisation) -> Expert:
    """Works at the applicant's own organisation: must be avoided (回避)."""
    return make_expert("conflicted_expert", org_owner)


@pytest.fixture
def programme(db: Any) -> Programme:
    return Programme.objects.create(code="industrial", name="工业重点项目")


CRITERIA = [
    {"code": "innovation", "label": "创新性", "weight": 30, "max_score": 100},
    {"code": "feasibility", "label": "可行性", "weight": 25, "max_score": 100},
    {"code": "team", "label": "团队", "weight": 15, "max_score": 100},
    {"code": "benefit", "label": "效益", "weight": 30, "max_score": 100},
]


@pytest.fixture
def call(programme: Programme) -> Call:
    now = timezone.now()
    call = Call.objects.create(
        programme=programme,
        title="2016年度第一批科技计划项目",
        year=2016,
        batch=1,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        budget_yuan=Decimal("1000000.00"),
        max_request_yuan=Decimal("500000.00"),
        reviewers_per_item=2,
        min_reviews=1,
        notice_days=7,
        tranches=[60, 40],
    )
    criteria_set(call=call, criteria=CRITERIA)
    return call


@pytest.fixture(autouse=True)
def _county_fields(request: pytest.FixtureRequest) -> None:
    """The fields vocabulary the migrations seed, back in place for every database test: a
    transactional test (or a module fixture) flushes the tables, migrations' data included."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db:
        return
    from applications.services import fields_seed

    blocker = request.getfixturevalue("django_db_blocker")
    request.getfixturevalue("django_db_setup")
    with blocker.unblock():
        fields_seed()


@pytest.fixture(autouse=True)
def _celery_eager(request: pytest.FixtureRequest, settings: Any) -> Any:
    """Tasks run in-process in every test, even when REDIS_URL is set (as `make test` does).

    Only tests marked ``worker`` talk to a real broker; their own fixtures switch this off.
    """
    if request.node.get_closest_marker("worker"):
        yield
        return
    from workflow.celery import app

    saved = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Rate-limit counts and token proofs live in the cache (Redis under `make test`), which
    outlives the test database: ids are reused by the next run, counts must not be."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_tests(settings: Any) -> None:
    """Two costs that say nothing about the code under test: hashing each persona's password
    with PBKDF2 (~0.3 s of CPU each; production keeps Django's hashers), and WhiteNoise
    scanning every static file each time a test client builds its middleware (it finds them
    per request instead, as in development)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        # Accounts made outside a test's own settings (the demo year, loaded once per module)
        # keep Django's default hash and must still log in.
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    settings.WHITENOISE_AUTOREFRESH = True


def notice_window_passed(notice: Any) -> Any:
    """Let the notice's window run out (issue 14.5: nothing closes a notice before ``ends_at``)."""
    from funding.models import Notice

    Notice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    notice.refresh_from_db()
    return notice


def close_notice(notice: Any, actor: Any) -> Any:
    """Close a notice as staff once its window has passed (the usual path in the tests)."""
    from workflow import steps

    return steps.notice_close(notice=notice_window_passed(notice), actor=actor)


def api_key(user: Any) -> str:
    """A fresh API key for ``user`` (tokens are stored hashed: the key exists only here)."""
    from accounts.tokens import token_issue

    return token_issue(user)[1]


def contract_terms(application: Any, **overrides: Any) -> dict[str, Any]:
    """A minimal valid task contract for ``application`` (as the API takes it): one target,
    the whole grant on the equipment line, one milestone in the project period."""
    start = application.start_date or timezone.localdate()
    end = application.end_date or start + dt.timedelta(days=365)
    terms: dict[str, Any] = {
        "accept_terms": True,
        "targets": [{"name": "新产品", "unit": "项", "value": "1"}],
        "budget": [
            {
                "line": "equipment",
                "county_yuan": str(application.approved_yuan or "0"),
                "own_yuan": "0",
                "other_yuan": "0",
            }
        ],
        "milestones": [{"name": "样机试制", "due": (start + (end - start) / 2).isoformat()}],
        "starts_on": start.isoformat(),
        "ends_on": end.isoformat(),
    }
    terms.update(overrides)
    return terms


def contract_in_force(application: Any, applicant: Any, staff: Any) -> Any:
    """THE way tests sign a contract: the applicant submits a minimal valid task contract and
    staff accept it, so it is in force and the first tranche is requested (as signing was)."""
    from applications.models import Application
    from workflow import steps

    application = Application.objects.get(pk=application.pk)
    steps.contract_submit(application=application, actor=applicant, **contract_terms(application))
    return steps.contract_check(application=application, actor=staff, decision="accept")


def acceptance_file(application: Any, *, achieved: dict[int, str] | None = None, **overrides: Any) -> dict[str, Any]:
    """A complete acceptance file for ``application`` (as the API and the step take it): every
    target of the contract in force achieved at its value (``achieved``: position → value to
    say otherwise), the accounts of every budget line as budgeted."""
    from aftergrant.selectors import contract_in_force as version_of

    version = version_of(application)
    assert version is not None
    achieved = achieved or {}
    data: dict[str, Any] = {
        "report": "项目已完成任务书规定的全部内容。",
        "results": [
            {"target": t.pk, "achieved": achieved.get(t.position, str(t.value))} for t in version.targets.all()
        ],
        "accounts": [
            {
                "line": b.line,
                "county_yuan": str(b.county_yuan),
                "own_yuan": str(b.own_yuan),
                "other_yuan": str(b.other_yuan),
            }
            for b in version.budget.all()
        ],
    }
    data.update(overrides)
    return data


def acceptance_experts(application: Any, staff: Any, *, seed: str = "acceptance") -> list[Any]:
    """Staff draw the acceptance experts of a checked file; experts in the project's field are
    made first when the pool has too few (outside the applicant's organisation)."""
    from accounts.models import Organisation
    from applications.models import Application
    from reviews.models import Assignment, Expert
    from workflow import steps

    application = Application.objects.select_related("call").get(pk=application.pk)
    field = application.field or "manufacturing"
    have = Expert.objects.filter(active=True, fields__contains=[field]).exclude(
        organisation_id=application.organisation_id
    )
    org = Organisation.objects.get_or_create(name="温州大学", defaults={"credit_code": make_code("12330000470181234")})[
        0
    ]
    for n in range(max(0, application.call.acceptance_experts + 2 - have.count())):
        make_expert(f"acceptance_expert_{application.pk}_{n}", org, [field])
    draw = steps.acceptance_draw(application=application, actor=staff, seed=seed)
    return list(Assignment.objects.filter(draw_item__draw=draw).select_related("expert__user").order_by("pk"))


ACCEPTANCE_SCORES = {"targets": 36, "money": 27, "results": 27}


def acceptance_score(assignments: list[Any], recommendations: list[str]) -> None:
    """Each drawn acceptance expert accepts and scores with the given recommendation."""
    from workflow import steps

    for assignment, word in zip(assignments, recommendations, strict=True):
        steps.assignment_accept(assignment=assignment, actor=assignment.expert.user, no_conflict=True)
        steps.review_submit(
            assignment=assignment,
            actor=assignment.expert.user,
            scores=ACCEPTANCE_SCORES,
            comment="资料齐全，指标完成。",
            recommendation=word,
        )


def acceptance_passed(application: Any, applicant: Any, staff: Any, *, notice_closed: bool = True) -> Any:
    """THE way tests take a contracted project (first tranche paid) through acceptance: the
    applicant files a complete file, staff accept it, draw the experts, who all recommend pass,
    and staff pass it; then, unless ``notice_closed=False``, staff publish the call's acceptance
    notice and it closes when its window has run (the final tranche is requested or the
    project closes). Returns the acceptance report."""
    from applications.models import Application
    from workflow import steps

    application = Application.objects.get(pk=application.pk)
    steps.acceptance_submit(application=application, actor=applicant, **acceptance_file(application))
    steps.acceptance_check(application=application, actor=staff, decision="accept")
    drawn = acceptance_experts(application, staff)
    acceptance_score(drawn, ["pass"] * len(drawn))
    report = steps.acceptance_decide(application=application, actor=staff, result="pass", comment="")
    if notice_closed:
        close_notice(steps.acceptance_notice_publish(call=application.call, actor=staff), staff)
    report.refresh_from_db()
    return report
