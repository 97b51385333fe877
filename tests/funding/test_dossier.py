"""Issue 19.1: the decision dossier of a funded demo project, walked from its notice line to the
draw's seed and back from its last payment; each reader gets the reading the rules give them."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from accounts.models import User
from applications.models import Application
from funding.dossier import dossier_for_payment
from funding.enums import DisbursementStatus
from reviews.enums import AssignmentStatus
from reviews.models import Draw, Expert, Review
from reviews.selectors import call_ranking, draw_verify
from tests.test_load_demo import demo  # noqa: F401 - the demo year, loaded once for this module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def _api(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def _page(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def paid_project() -> Application:
    """A 2016 plan project whose last tranche is paid: every link of the chain exists."""
    return (
        Application.objects.filter(call__year=2016, kind="application", disbursements__status=DisbursementStatus.PAID)
        .select_related("applicant", "call")
        .order_by("id")
        .first()
    )


def test_staff_walk_from_the_notice_line_to_the_draw_seed(paid_project):
    d = _api("demo_staff").get(f"/api/applications/{paid_project.pk}/dossier/").json()
    # The notice line: the public page lists the project.
    notice = d["notices"][0]
    public = Client().get(notice["link"])
    assert public.status_code == 200 and paid_project.title in public.content.decode()
    # → the decision, with who, when and the amount granted.
    assert d["decision"]["fund"] is True
    assert d["decision"]["approved"]["yuan"] == f"{paid_project.approved_yuan:.2f}"
    assert d["decision"]["decided_by"] and d["decision"]["decided_at"]
    # → its place in the ranking, by the call's rule, the same figures the ranking page shows.
    mine = next(r for r in call_ranking(paid_project.call) if r.item == paid_project.pk)
    assert (d["ranking"]["rank"], d["ranking"]["score"], d["ranking"]["rule"]) == (
        mine.rank,
        str(mine.score),
        paid_project.call.scoring_rule,
    )
    # → the reviews, numbered, with their experts for staff.
    reviews = Review.objects.filter(
        assignment__application=paid_project,
        assignment__status=AssignmentStatus.SUBMITTED,
        assignment__purpose="review",
    )
    assert [v["number"] for v in d["reviews"]] == list(range(1, reviews.count() + 1))
    assert {v["expert"] for v in d["reviews"]} == {str(r.assignment.expert) for r in reviews}
    # → the draw: its seed, its commitment, and the draw verifies.
    draw = Draw.objects.get(pk=d["draws"][0]["id"])
    assert d["draws"][0]["seed"] == draw.seed and d["draws"][0]["pool_sha256"] == draw.pool_sha256
    assert draw_verify(draw)["matches"] is True
    # The draw's page links each of its items back to its dossier.
    draw_page = _page("demo_staff").get(d["draws"][0]["link"], {"page": 1})
    assert draw_page.status_code == 200


def test_back_from_the_last_payment_to_the_decision(paid_project):
    payment = paid_project.disbursements.filter(status=DisbursementStatus.PAID).order_by("-paid_at").first()
    link = dossier_for_payment(payment)
    finance = _page("demo_finance_head")
    page = finance.get(link.split("#")[0])
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="payment-{payment.pk}"' in html and 'id="decision"' in html and payment.voucher in html
    d = _api("demo_finance_head").get(f"/api/applications/{paid_project.pk}/dossier/").json()
    paid = next(m for m in d["payments"] if m["id"] == payment.pk)
    assert paid["paid"]["voucher"] == payment.voucher
    assert paid["officer"]["by"] and paid["head"]["by"] and paid["officer"]["by"] != paid["head"]["by"]
    # Officials other than staff do not see who reviewed.
    assert all(v["expert"] == "" for v in d["reviews"])


def test_the_applicant_reads_a_redacted_dossier_after_the_notice(paid_project):
    owner = paid_project.applicant
    answer = _api(owner.username).get(f"/api/applications/{paid_project.pk}/dossier/")
    assert answer.status_code == 200
    d = answer.json()
    assert d["reader"] == "owner"
    text = json.dumps(d, ensure_ascii=False)
    for expert in Expert.objects.filter(assignments__application=paid_project).select_related("user"):
        assert expert.name not in text and expert.user.username not in text
    assert all(v["expert"] == "" for v in d["reviews"]) and d["draws"][0]["link"] == ""
    assert d["decision"]["decided_by"] not in {u.username for u in User.objects.all()}
    page = _page(owner.username).get(f"/applications/{paid_project.pk}/dossier/")
    assert page.status_code == 200 and "#1" in page.content.decode()


def test_before_the_notice_closes_the_applicant_waits_and_strangers_see_nothing(paid_project):
    on_notice = Application.objects.filter(notices__closed_at__isnull=True, kind="application").first()
    assert on_notice is not None
    assert _api(on_notice.applicant.username).get(f"/api/applications/{on_notice.pk}/dossier/").status_code == 409
    assert _page(on_notice.applicant.username).get(f"/applications/{on_notice.pk}/dossier/").status_code == 409
    stranger = User.objects.filter(username="demo_applicant2").first()
    target = paid_project if paid_project.applicant_id != stranger.pk else on_notice
    assert _api(stranger.username).get(f"/api/applications/{target.pk}/dossier/").status_code == 404
    assert _api("demo_expert1").get(f"/api/applications/{paid_project.pk}/dossier/").status_code == 404


def test_the_dossier_as_pdf(paid_project):
    answer = _page("demo_staff").get(f"/applications/{paid_project.pk}/dossier.pdf", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text: Any = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert paid_project.title[:6] in text
    draw = Draw.objects.filter(items__application=paid_project).exclude(kind="acceptance").first()
    assert draw.seed in text


# --- issue 19.4: the public figures of a year -----------------------------------------------------


def test_the_public_figures_of_2016_are_the_reports_figures():
    from funding.selectors import programme_report

    page = Client().get("/figures/", {"year": "2016"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200  # no login
    figures = page.context["figures"]
    report = programme_report(2016)
    assert (figures.programmes.funded, figures.programmes.approved_yuan) == (report.funded, report.approved_yuan)
    # The county's published year: 52 + 39 projects, 1847.2425 + 716.654 万元.
    assert figures.programmes.funded == 91
    assert f"{figures.programmes.approved_wan}" == "2563.8965"
    # The same applications by field add up to the same totals.
    assert sum(r.funded for r in figures.fields) == 91
    assert sum(r.approved_yuan for r in figures.fields) == report.approved_yuan
    html = page.content.decode()
    assert "<svg" in html and "2563.8965" in html


def test_the_public_figures_of_2015_show_the_award_levels():
    page = Client().get("/figures/", {"year": "2015"})
    figures = page.context["figures"]
    assert [(lv.level, lv.count) for r in figures.award_rounds for lv in r.levels] == [(1, 3), (2, 9), (3, 20)]
    assert figures.awards == 32 and f"{figures.award_total_yuan:.2f}" == "470000.00"


def test_junk_years_on_the_public_page_are_not_a_500():
    for junk in ("²⁰¹⁶", "x", "99999", "-1", ""):
        assert Client().get("/figures/", {"year": junk}).status_code == 200
