"""Who may open which page, how refusals look, and that both languages render."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from applications.enums import ApplicationStatus as S
from applications.services import application_create, attachment_add
from funding.models import Objection
from reviews.models import Assignment
from tests.conftest import PASSWORD, notice_window_passed
from tests.drafts import DRAFT
from workflow import steps

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4 test attachment\n"
SCORES = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def draft_with_attachment(call: Any, applicant: Any) -> Any:
    app = application_create(actor=applicant, call=call, **DRAFT)
    attachment_add(application=app, actor=applicant, upload=SimpleUploadedFile("a.pdf", PDF))
    return app


def in_review(call: Any, applicant: Any, staff: Any, experts: list[Any]) -> tuple[Any, list[Any]]:
    app = draft_with_attachment(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    assignments = [steps.assignment_add(application=app, expert=e, actor=staff) for e in experts]
    steps.expert_review_start(application=app, actor=staff)
    return app, assignments


def test_other_applicant_gets_404_on_application_and_attachment(call, applicant, other_applicant):
    app = draft_with_attachment(call, applicant)
    client = client_for(other_applicant)
    assert client.get(reverse("application-detail", args=[app.pk])).status_code == 404
    assert client.get(reverse("attachment-download", args=[app.attachments.get().pk])).status_code == 404
    assert client.get(reverse("application-edit", args=[app.pk])).status_code == 404
    assert client.post(reverse("application-submit", args=[app.pk])).status_code == 404
    app.refresh_from_db()
    assert app.status == S.DRAFT


def test_expert_cannot_use_formal_review_actions(call, applicant, expert):
    app = draft_with_attachment(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    client = client_for(expert.user)
    assert client.get(reverse("application-detail", args=[app.pk])).status_code in (403, 404)
    response = client.post(reverse("formal-review", args=[app.pk]), {"decision": "accept", "comment": ""})
    assert response.status_code in (403, 404)
    assert client.get(reverse("call-detail", args=[call.pk])).status_code == 404
    assert client.get(reverse("objections")).status_code == 404
    app.refresh_from_db()
    assert app.status == S.SUBMITTED


def test_applicant_cannot_do_formal_review_on_own_application(call, applicant):
    app = draft_with_attachment(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    response = client_for(applicant).post(reverse("formal-review", args=[app.pk]), {"decision": "accept"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name,args",
    [
        ("home", []),
        ("application-detail", [1]),
        ("application-create", [1]),
        ("my-reviews", []),
        ("finance", []),
        ("objections", []),
        ("call-detail", [1]),
        ("attachment-download", [1]),
    ],
)
def test_anonymous_is_sent_to_login(name, args):
    response = Client().get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_may_register_and_read_the_notice(call, applicant, staff, expert, panel):
    assert Client().get(reverse("register")).status_code == 200
    assert Client().get(reverse("login")).status_code == 200
    app, (a1,) = in_review(call, applicant, staff, [expert])
    steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
    steps.decide(application=app, actor=panel, fund=True, approved_yuan="250000.00")
    notice = steps.notice_publish(call=call, actor=staff)
    public = Client()
    page = public.get(reverse("notice", args=[notice.pk]))
    assert page.status_code == 200
    assert app.title in page.content.decode() and "250,000.00" in page.content.decode()
    # An objection without a name is refused, with the user's text kept.
    refused = public.post(
        reverse("notice", args=[notice.pk]), {"item": app.pk, "name": "", "contact": "138", "text": "数据不实"}
    )
    assert refused.status_code == 200
    assert "数据不实" in refused.content.decode()
    assert refused.context["form"].errors["name"]
    filed = public.post(
        reverse("notice", args=[notice.pk]), {"item": app.pk, "name": "张三", "contact": "138", "text": "数据不实"}
    )
    assert filed.status_code == 302
    objection = Objection.objects.get()
    # Staff see it and resolve it; closing the notice then works.
    staff_c = client_for(staff)
    assert "数据不实" in staff_c.get(reverse("objections")).content.decode()
    resolved = staff_c.post(
        reverse("objection-resolve", args=[objection.pk]), {"upheld": "no", "resolution": "经核实无问题"}
    )
    assert resolved.status_code == 302
    notice_window_passed(notice)
    assert staff_c.post(reverse("notice-close", args=[notice.pk])).status_code == 302
    notice.refresh_from_db()
    assert notice.closed_at is not None


def test_registration_creates_an_applicant_and_logs_in(db):
    from tests.conftest import make_code

    client = Client()
    response = client.post(
        reverse("register"),
        {
            "username": "newco",
            "password": "Xinqiye-2026-pw",
            "email": "newco@example.org",
            "organisation_name": "永嘉新企业有限公司",
            "credit_code": make_code("91330324MA2AAAAA1"),
            "kind": "enterprise",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_registration_refused_keeps_input_and_shows_the_error(db):
    response = Client().post(
        reverse("register"),
        {
            "username": "newco",
            "password": "Xinqiye-2026-pw",
            "email": "newco@example.org",
            "organisation_name": "永嘉新企业有限公司",
            "credit_code": "123",
            "kind": "enterprise",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"]
    assert "永嘉新企业有限公司" in response.content.decode()


def test_refused_draft_keeps_the_input_and_shows_the_field_error(call, applicant):
    client = client_for(applicant)
    response = client.post(
        reverse("application-create", args=[call.pk]),
        {**DRAFT, "title": "超额申请的项目", "requested_yuan": "900000.00"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "超额申请的项目" in page and "900000.00" in page
    assert response.context["form"].errors["requested_yuan"]
    assert "500000.00" in page  # the error names the call's limit


def test_refused_upload_is_shown_on_the_field(call, applicant):
    app = application_create(actor=applicant, call=call, **DRAFT)
    fake = SimpleUploadedFile("report.pdf", b"not a pdf at all")
    response = client_for(applicant).post(reverse("attachment-upload", args=[app.pk]), {"file": fake})
    assert response.status_code == 200
    assert response.context["forms"]["attachment"].errors["file"]


def test_out_of_range_score_is_refused_with_the_input_kept(call, applicant, staff, expert):
    app, (a1,) = in_review(call, applicant, staff, [expert])
    client = client_for(expert.user)
    assert client.post(reverse("review-accept", args=[a1.pk]), {"no_conflict": "on"}).status_code == 302
    response = client.post(
        reverse("review-submit", args=[a1.pk]),
        {
            "scores_innovation": "120",
            "scores_feasibility": "90",
            "scores_team": "70",
            "scores_benefit": "85",
            "comment": "很有创新",
            "recommendation": "support",
        },
    )
    assert response.status_code == 200
    assert response.context["forms"]["review"].errors["scores_innovation"]
    assert "很有创新" in response.content.decode()


def test_accepting_without_declaring_no_conflict_is_refused(call, applicant, staff, expert):
    app, (a1,) = in_review(call, applicant, staff, [expert])
    response = client_for(expert.user).post(reverse("review-accept", args=[a1.pk]), {})
    assert response.status_code == 200
    assert response.context["forms"]["accept"].errors["no_conflict"]
    a1.refresh_from_db()
    assert a1.status == "invited"


def test_lost_race_is_a_message_not_an_error_page(call, applicant, staff):
    app = draft_with_attachment(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    # A second member of staff clicks "accept" on a page loaded before the first decided.
    client = client_for(staff)
    response = client.post(reverse("formal-review", args=[app.pk]), {"decision": "accept"}, follow=True)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_blind_call_expert_pages_do_not_name_the_applicant(call, applicant, staff, expert, org_owner):
    call.blind = True
    call.save(update_fields=["blind"])
    app, (a1,) = in_review(call, applicant, staff, [expert])
    client = client_for(expert.user)
    for url in (reverse("review-detail", args=[a1.pk]), reverse("my-reviews"), reverse("home")):
        page = client.get(url).content.decode()
        assert org_owner.name not in page
        assert applicant.username not in page.replace("applicant", "")  # never the person either
    assert app.title in client.get(reverse("review-detail", args=[a1.pk])).content.decode()


def test_declined_expert_is_replaced_from_the_application_page(call, applicant, staff, expert, unassigned_expert):
    app, (a1,) = in_review(call, applicant, staff, [expert])
    expert_c = client_for(expert.user)
    assert expert_c.post(reverse("review-decline", args=[a1.pk]), {"reason": "出差"}).status_code == 302
    staff_c = client_for(staff)
    assert app.title in staff_c.get("/").content.decode()
    page = staff_c.get(reverse("application-detail", args=[app.pk])).content.decode()
    assert reverse("review-slot-close", args=[a1.pk]) in page
    response = staff_c.post(
        reverse("assign-expert", args=[app.pk]), {"expert": unassigned_expert.pk, "replaces": a1.pk}
    )
    assert response.status_code == 302
    replacement = Assignment.objects.get(application=app, expert=unassigned_expert)
    assert replacement.replaces_id == a1.pk


def test_terminate_from_the_application_page(call, applicant, staff):
    app = draft_with_attachment(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    client = client_for(staff)
    refused = client.post(reverse("terminate", args=[app.pk]), {"reason": ""})
    assert refused.status_code == 200
    assert client.post(reverse("terminate", args=[app.pk]), {"reason": "申报材料造假"}).status_code == 302
    app.refresh_from_db()
    assert app.status == S.TERMINATED


def test_get_never_changes_state(call, applicant):
    app = draft_with_attachment(call, applicant)
    client = client_for(applicant)
    assert client.get(reverse("application-submit", args=[app.pk])).status_code == 405
    app.refresh_from_db()
    assert app.status == S.DRAFT


def test_pages_render_in_english_and_in_chinese(call, applicant):
    english = client_for(applicant)
    english.cookies["django_language"] = "en"
    page = english.get("/").content.decode()
    assert '<html lang="en">' in page and "My applications" in page
    chinese = client_for(applicant)
    page = chinese.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in page and "我的申报" in page


def test_language_switcher_sets_the_language(applicant):
    client = client_for(applicant)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "My applications" in client.get("/").content.decode()
