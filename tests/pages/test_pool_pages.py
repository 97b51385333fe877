"""The expert pool, the import, conflicts, attachments, reopening and the ranking, through the
pages as staff, experts and the panel use them."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from applications.services import attachment_add
from audit.models import AuditEntry
from reviews.enums import AssignmentStatus
from reviews.models import Conflict, Expert, Review
from tests.conftest import make_expert
from tests.pages.test_blind_files import pdf_with_metadata
from tests.reviews.conftest import sheet
from tests.workflow.test_plan_project_services import SCORES, draft, to_review
from workflow import steps

pytestmark = pytest.mark.django_db(transaction=True)

PDF = pdf_with_metadata()  # a real PDF: on a blind call its metadata is removed, so it must parse


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages and messages in English, so the assertions hold whatever the translations say."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def rows_of(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_staff_filter_page_and_export_the_pool(client, staff, org_expert, org_other):
    for i in range(30):
        make_expert(f"mfg{i:02d}", org_expert, ["manufacturing"])
    farm = make_expert("farmer", org_other, ["agriculture"])
    farm.region = "温州"
    farm.active = False
    farm.save()
    client.force_login(staff)

    first = client.get("/experts/")
    assert first.status_code == 200
    body = first.content.decode()
    assert "31 experts" in body and "Page 1 of 2" in body
    assert "mfg00" in body and "mfg29" not in body
    second = client.get("/experts/?field=manufacturing&page=2").content.decode()
    assert "mfg29" in second and "field=manufacturing&amp;page=1" in second

    filtered = client.get("/experts/?field=agriculture&active=no&region=温州").content.decode()
    assert "farmer" in filtered and "mfg00" not in filtered
    assert "1 expert" in filtered
    assert "红蜻蜓" in client.get("/experts/?search=红蜻蜓").content.decode()

    export = client.get("/experts/export.xlsx?field=manufacturing")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = rows_of(export)
    assert rows[0][0] == "Name" and len(rows) == 31  # header + every manufacturing expert, all pages
    assert {r[1] for r in rows[1:]} == {f"mfg{i:02d}" for i in range(30)}


def test_pool_pages_are_for_staff_only(client, expert, applicant, panel):
    for user in (expert.user, applicant, panel):
        client.force_login(user)
        for url in ("/experts/", "/experts/export.xlsx", "/experts/new/", f"/experts/{expert.pk}/", "/experts/import/"):
            assert client.get(url).status_code == 403, (user, url)


def test_staff_create_and_edit_an_expert_and_record_a_conflict(client, staff):
    client.force_login(staff)
    refused = client.post(
        "/experts/new/",
        {
            "username": "sunqi",
            "email": "sunqi@example.org",
            "password": "Pingshen-test-2026",
            "name": "孙七",
            "load_limit": "4",
        },
    )
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    response = client.post(
        "/experts/new/",
        {
            "username": "sunqi",
            "email": "sunqi@example.org",
            "password": "Pingshen-test-2026",
            "name": "孙七",
            "organisation_name": "温州大学",
            "field_list": ["manufacturing", "materials"],
            "title": "教授",
            "region": "温州",
            "load_limit": "4",
            "active": "on",
        },
    )
    expert = Expert.objects.get(user__username="sunqi")
    assert response.status_code == 302 and response["Location"] == f"/experts/{expert.pk}/"
    assert expert.fields == ["manufacturing", "materials"] and expert.load_limit == 4 and expert.active

    page = client.get(f"/experts/{expert.pk}/").content.decode()
    assert "current load 0 of 4" in page
    # The fields are boxes named in the reader's language.
    assert "Advanced manufacturing" in page and 'value="manufacturing"' in page

    edit = client.post(
        f"/experts/{expert.pk}/",
        {"name": "孙七", "organisation_name": "温州大学", "field_list": "agriculture", "load_limit": "6"},
    )
    assert edit.status_code == 302
    expert.refresh_from_db()
    assert expert.fields == ["agriculture"] and expert.load_limit == 6 and expert.active is False
    assert AuditEntry.objects.filter(action="expert.update", target_id=expert.pk).exists()

    bad = client.post(f"/experts/{expert.pk}/", {"name": "孙七", "field_list": ["制造业"], "load_limit": "6"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()

    client.post(f"/experts/{expert.pk}/conflicts/", {"organisation_name": "某科技公司", "reason": "配偶任职"})
    conflict = Conflict.objects.get(expert=expert)
    assert conflict.reason == "配偶任职"
    assert "某科技公司" in client.get(f"/experts/{expert.pk}/").content.decode()
    client.post(f"/conflicts/{conflict.pk}/remove/")
    assert not Conflict.objects.exists()


def test_staff_import_a_sheet_read_the_report_and_download_it(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    assert client.get("/experts/import/report.xlsx").status_code == 404
    template = client.get("/experts/import/template.xlsx")
    assert rows_of(template)[0][:2] == ("name", "username")
    upload = sheet(
        [
            ["周八", "zhouba", "zhouba@example.org", "", "", "manufacturing", "", "", 3, "yes", ""],
            ["吴九", "wujiu", "bad-email", "", "", "manufacturing", "", "", "x", "yes", ""],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):  # the import job runs (eagerly) after commit
        started = client.post("/experts/import/", {"file": SimpleUploadedFile("pool.xlsx", upload)})
    assert started.status_code == 302
    response = client.get(started["Location"])
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 created, 0 updated, 1 refused." in body
    # The reasons name the sheet's columns as its headings read, not by their keys.
    assert "Not a valid e-mail address." in body and "<strong>load limit</strong>" in body
    assert "load_limit" not in body
    assert Expert.objects.filter(user__username="zhouba").exists()
    assert not Expert.objects.filter(user__username="wujiu").exists()
    report = rows_of(client.get("/experts/import/report.xlsx"))
    assert [r[3] for r in report[1:]] == ["created", "refused"]
    assert report[2][4].startswith("email: ") and "load limit: " in report[2][4]

    broken = client.post("/experts/import/", {"file": SimpleUploadedFile("pool.xlsx", b"not a sheet")})
    assert broken.status_code == 200 and "not an .xlsx" in broken.content.decode()


def test_expert_declares_own_conflicts_on_their_page(client, expert, applicant):
    client.force_login(expert.user)
    page = client.get("/my-conflicts/")
    assert page.status_code == 200 and "You have declared none." in page.content.decode()
    response = client.post("/my-conflicts/", {"organisation_name": "永嘉县东蒙集团有限公司", "reason": "曾任顾问"})
    assert response.status_code == 302
    assert "永嘉县东蒙集团有限公司" in client.get("/my-conflicts/").content.decode()
    entry = AuditEntry.objects.get(action="conflict.declare")
    assert entry.actor == expert.user
    empty = client.post("/my-conflicts/", {"organisation_name": ""})
    assert empty.status_code == 200 and Conflict.objects.count() == 1
    client.force_login(applicant)
    assert client.get("/my-conflicts/").status_code == 403


def _reviewing_item(call, applicant, staff, experts, blind=False):
    call.blind = blind
    call.save(update_fields=["blind"])
    app = draft(call, applicant)
    attachment_add(
        application=app,
        actor=applicant,
        upload=SimpleUploadedFile("东蒙集团-可行性报告.pdf", PDF, content_type="application/pdf"),
    )
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    assignments = [steps.assignment_add(application=app, expert=e, actor=staff) for e in experts]
    steps.expert_review_start(application=app, actor=staff)
    return app, assignments


@pytest.mark.parametrize("blind", [False, True])
def test_expert_opens_attachments_once_accepted_under_a_neutral_name_when_blind(
    client, call, applicant, staff, expert, expert2, unassigned_expert, blind
):
    app, (a1, a2) = _reviewing_item(call, applicant, staff, [expert, expert2], blind=blind)
    attachment = app.attachments.get()
    url = f"/reviews/{a1.pk}/attachments/{attachment.pk}/"
    client.force_login(expert.user)
    assert client.get(url).status_code == 404  # invited, not yet accepted
    steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
    page = client.get(f"/reviews/{a1.pk}/").content.decode()
    assert url in page
    assert ("东蒙集团-可行性报告.pdf" in page) is not blind
    response = client.get(url)
    assert response.status_code == 200
    served = b"".join(response.streaming_content)
    assert (served == PDF) is not blind  # blind: the same document without its metadata
    assert len(PdfReader(io.BytesIO(served)).pages) == 1
    disposition = response["Content-Disposition"]
    if blind:
        assert "attachment-1.pdf" in disposition and "%E4%B8%9C" not in disposition
    else:
        assert "attachment-1" not in disposition
    # Another expert of the same item, an expert of none, and through someone else's assignment: 404.
    client.force_login(expert2.user)
    assert client.get(url).status_code == 404
    assert client.get(f"/reviews/{a2.pk}/attachments/{attachment.pk}/").status_code == 404  # not accepted
    client.force_login(unassigned_expert.user)
    assert client.get(url).status_code == 404


def test_scoring_form_shows_guidance_and_maximum_and_fits_a_phone(client, call, applicant, staff, expert):
    criterion = call.criteria.get(code="innovation")
    criterion.guidance = "技术路线是否领先于同行"
    criterion.max_score = Decimal("30")
    criterion.save()
    _app, (a1,) = _reviewing_item(call, applicant, staff, [expert])
    steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
    client.force_login(expert.user)
    page = client.get(f"/reviews/{a1.pk}/").content.decode()
    assert "技术路线是否领先于同行" in page
    assert "0 to 30, weight 30" in page
    assert 'max="30"' in page
    assert 'name="viewport" content="width=device-width' in page
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/pingshen.css"), encoding="utf-8").read()
    assert '.field.score input[type="number"] { max-width: none; width: 100%' in css


def test_staff_reopen_from_the_reviews_page_and_the_expert_scores_again(client, call, applicant, staff, expert, panel):
    app, (a1,) = to_review(call, applicant, staff, [expert])
    steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
    review = Review.objects.get(assignment=a1)
    client.force_login(panel)
    page = client.get(f"/applications/{app.pk}/reviews/").content.decode()
    assert "Reopen for the expert" not in page and "Review 1" in page  # by number (issue 14.9)
    assert client.post(f"/submitted-reviews/{review.pk}/reopen/", {"reason": "x"}).status_code == 403
    client.force_login(staff)
    assert "Reopen for the expert" in client.get(f"/applications/{app.pk}/reviews/").content.decode()
    client.post(f"/submitted-reviews/{review.pk}/reopen/", {"reason": "请补充意见"})
    a1.refresh_from_db()
    assert a1.status == AssignmentStatus.ACCEPTED
    client.force_login(expert.user)
    form = client.get(f"/reviews/{a1.pk}/").content.decode()
    assert "The bureau reopened your review" in form
    data = {f"scores_{k}": "60" for k in SCORES} | {"comment": "复评意见", "recommendation": "oppose"}
    assert client.post(f"/reviews/{a1.pk}/score/", data).status_code == 302
    review.refresh_from_db()
    assert review.comment == "复评意见" and review.weighted_total == Decimal("60.000")


def test_ranking_page_for_staff_and_panel_never_for_experts(client, call, applicant, staff, expert, expert2, panel):
    call.blind = True
    call.spread_threshold = Decimal("10")
    call.min_reviews = 3
    call.save()
    low = {"innovation": 40, "feasibility": 50, "team": 30, "benefit": 45}
    app, (a1, a2) = to_review(call, applicant, staff, [expert, expert2])
    for a, e, s in ((a1, expert, SCORES), (a2, expert2, low)):
        steps.assignment_accept(assignment=a, actor=e.user, no_conflict=True)
        steps.review_submit(assignment=a, actor=e.user, scores=s, comment="意见", recommendation="support")
    for user in (expert.user, applicant):
        client.force_login(user)
        assert client.get(f"/calls/{call.pk}/ranking/").status_code == 403
        assert client.get(f"/calls/{call.pk}/ranking.xlsx").status_code == 403
    for user in (staff, panel):
        client.force_login(user)
        page = client.get(f"/calls/{call.pk}/ranking/")
        assert page.status_code == 200
        body = page.content.decode()
        assert app.title in body and "Reviews disagree" in body and "2 / 3" in body and "too few" in body
        assert "<svg" in body
    rows = rows_of(client.get(f"/calls/{call.pk}/ranking.xlsx"))
    assert rows[0][:5] == ("Rank", "Item", "Title", "Raw mean", "Mean")
    rank, item, title, raw, score, reviews, minimum, missing, spread, flag = rows[1]
    # Two of three reviews: listed, but not ranked (issue 15.12).
    assert (rank, item, reviews, minimum, missing, flag) == ("unranked: too few reviews", app.pk, 2, 3, 1, "yes")
    assert Decimal(str(spread)) > Decimal("10")


def test_progress_page_counts_reviews_per_item(client, call, applicant, staff, expert, expert2, panel):
    app, (a1, a2) = to_review(call, applicant, staff, [expert, expert2])
    steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
    steps.assignment_decline(assignment=a2, actor=expert2.user, reason="出差")
    client.force_login(expert.user)
    assert client.get(f"/calls/{call.pk}/progress/").status_code == 403
    client.force_login(panel)
    body = client.get(f"/calls/{call.pk}/progress/").content.decode()
    assert app.title in body
    assert "0 of 1 items fully reviewed; 1 of 2 reviews in." in body
    assert 'data-label="Submitted">1 / 2<' in body
    assert 'data-label="Declined or expired">1<' in body
