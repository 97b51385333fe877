"""Issue 17.4: feedback to applicants (评审意见反馈). Once the notice has closed the applicant
reads each reviewer's scores and comment on their own item, by number, never by name, on the page,
through the API and as a PDF; staff may withhold a comment with a reason (audited)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEntry
from funding.models import Notice
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, Review

from .conftest import decide_directly

pytestmark = pytest.mark.django_db

SCORES = {"innovation": "80.00", "feasibility": "70.00", "team": "90.00", "benefit": "60.00"}


@pytest.fixture
def reviewed(call, applicant, expert, expert2, staff) -> Any:
    """A decided item with two submitted reviews, on a notice still open."""
    from .conftest import make_item

    app = make_item(call, applicant, expert, title="高效电机", score="75", requested="300000.00")
    Review.objects.filter(assignment__application=app).update(scores=SCORES, comment="创新性突出，预算偏高。")
    second = Assignment.objects.create(
        application=app, expert=expert2, status=AssignmentStatus.SUBMITTED, due_at=timezone.now() + dt.timedelta(days=7)
    )
    Review.objects.create(
        assignment=second, scores=SCORES, weighted_total=Decimal("74"), comment="团队可靠。", recommendation="support"
    )
    decide_directly(app, staff, "200000.00")
    notice = Notice.objects.create(call=call, published_by=staff, ends_at=timezone.now() + dt.timedelta(days=7))
    notice.applications.set([app])
    app.notice = notice
    return app


def _close(app: Any) -> None:
    Notice.objects.filter(applications=app).update(closed_at=timezone.now())


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """These tests read messages in English: pages and API answer a request without a language
    in the site's default, so it is English here, and so are services called directly."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_feedback_waits_for_the_notice_to_close(reviewed, applicant, api_client, page_client):
    assert api_client(applicant).get(f"/api/applications/{reviewed.pk}/feedback/").status_code == 409
    assert page_client(applicant).get(f"/applications/{reviewed.pk}/feedback.pdf").status_code == 409
    page = page_client(applicant).get(f"/applications/{reviewed.pk}/")
    assert 'id="feedback"' not in page.content.decode()


def test_applicant_reads_numbered_scores_and_comments_never_names(reviewed, applicant, expert, expert2, api_client):
    _close(reviewed)
    answer = api_client(applicant).get(f"/api/applications/{reviewed.pk}/feedback/")
    assert answer.status_code == 200
    body = answer.json()
    assert [r["number"] for r in body["reviews"]] == [1, 2]
    assert body["reviews"][0]["scores"] == SCORES
    assert {r["comment"] for r in body["reviews"]} == {"创新性突出，预算偏高。", "团队可靠。"}
    text = json.dumps(body, ensure_ascii=False)
    for e in (expert, expert2):
        assert e.name not in text and e.user.username not in text and e.organisation.name not in text


def test_feedback_is_404_for_everyone_but_the_applicant(
    reviewed, other_applicant, expert, staff, panel, api_client, page_client
):
    _close(reviewed)
    for user in (other_applicant, expert.user, staff, panel):
        assert api_client(user).get(f"/api/applications/{reviewed.pk}/feedback/").status_code == 404
        assert page_client(user).get(f"/applications/{reviewed.pk}/feedback.pdf").status_code == 404
    assert api_client(other_applicant).get("/api/applications/999999/feedback/").status_code == 404


def test_feedback_on_the_application_page_and_as_pdf(reviewed, applicant, expert2, page_client):
    _close(reviewed)
    client = page_client(applicant)
    html = client.get(f"/applications/{reviewed.pk}/").content.decode()
    assert 'id="feedback"' in html and "创新性突出" in html and "创新性" in html
    section = html.split('id="feedback"')[1].split("</section>")[0]
    assert expert2.name not in section and expert2.organisation.name not in section
    pdf = client.get(f"/applications/{reviewed.pk}/feedback.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "团队可靠" in text and expert2.name not in text


def test_staff_withhold_a_comment_and_the_applicant_sees_scores_only(reviewed, applicant, staff, api_client):
    _close(reviewed)
    review = Review.objects.filter(assignment__application=reviewed).order_by("submitted_at", "id").first()
    answer = api_client(staff).post(f"/api/reviews/{review.pk}/withhold/", {"reason": "含有评价个人的措辞"})
    assert answer.status_code == 200 and answer.json()["comment_withheld"] is True
    entry = AuditEntry.objects.get(action="review.withhold_comment")
    assert entry.comment == "含有评价个人的措辞"
    body = api_client(applicant).get(f"/api/applications/{reviewed.pk}/feedback/").json()
    first = body["reviews"][0]
    assert first["comment_withheld"] is True and "创新性突出" not in json.dumps(body, ensure_ascii=False)
    assert first["comment"] == "Withheld by the bureau." and first["scores"] == SCORES
    # The dossier the applicant reads withholds it too.
    dossier = api_client(applicant).get(f"/api/applications/{reviewed.pk}/dossier/").json()
    assert "创新性突出" not in json.dumps(dossier, ensure_ascii=False)
    # Once is enough: a second try is a conflict.
    assert api_client(staff).post(f"/api/reviews/{review.pk}/withhold/", {"reason": "再次"}).status_code == 409


def test_withholding_needs_staff_a_reason_and_a_review(reviewed, applicant, panel, expert, api_client):
    review = Review.objects.filter(assignment__application=reviewed).first()
    assert api_client(panel).post(f"/api/reviews/{review.pk}/withhold/", {"reason": "x"}).status_code == 403
    assert api_client(applicant).post(f"/api/reviews/{review.pk}/withhold/", {"reason": "x"}).status_code == 403
    from accounts.models import User

    staff = User.objects.get(username="staff")
    blank = api_client(staff).post(f"/api/reviews/{review.pk}/withhold/", {"reason": "  "})
    assert blank.status_code == 400 and "reason" in blank.json()
    assert api_client(staff).post("/api/reviews/999999/withhold/", {"reason": "x"}).status_code == 404


def test_withhold_button_on_the_reviews_page(reviewed, staff, applicant, page_client, api_client):
    review = Review.objects.filter(assignment__application=reviewed).order_by("submitted_at", "id").first()
    client = page_client(staff)
    html = client.get(f"/applications/{reviewed.pk}/reviews/").content.decode()
    assert f"/submitted-reviews/{review.pk}/withhold/" in html
    refused = client.post(f"/submitted-reviews/{review.pk}/withhold/", {"reason": ""}, follow=True)
    assert "Say why the comment is withheld." in refused.content.decode()
    done = client.post(f"/submitted-reviews/{review.pk}/withhold/", {"reason": "涉及第三方"}, follow=True)
    assert done.status_code == 200 and "涉及第三方" in done.content.decode()
    assert Review.objects.get(pk=review.pk).comment_withheld
    assert page_client(applicant).post(f"/submitted-reviews/{review.pk}/withhold/", {"reason": "x"}).status_code == 403
    _close(reviewed)
    html = page_client(applicant).get(f"/applications/{reviewed.pk}/").content.decode()
    assert "Withheld by the bureau." in html and "创新性突出" not in html


def test_experts_are_told_their_comment_is_shown_anonymously(call, applicant, expert, page_client, api_client):
    from .conftest import make_item

    app = make_item(call, applicant, expert, title="x", score="1", requested="1.00")
    assignment = Assignment.objects.get(application=app)
    Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.ACCEPTED)
    Review.objects.filter(assignment=assignment).delete()
    html = page_client(expert.user).get(f"/reviews/{assignment.pk}/").content.decode()
    assert "shown to the applicant after the public notice closes, anonymously" in html
    assert "without your name" in html  # beside the comment field of the review form
    schema = api_client(expert.user).get("/api/schema/", {"format": "json"}).json()
    comment = schema["components"]["schemas"]["ReviewInRequest"]["properties"]["comment"]
    assert "anonymously" in comment["description"]
