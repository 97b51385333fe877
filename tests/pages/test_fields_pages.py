"""Staff keep the fields vocabulary in the pages; forms pick from it; pages show names, never
codes; applicants see the required documents and remove an attachment of a draft."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from applications.models import Application, Attachment, Field
from applications.services import application_create, attachment_add
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 test attachment\n"


@pytest.fixture
def zh(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def en(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def test_staff_list_add_rename_and_deactivate_fields(client, staff, en):
    client.force_login(staff)
    page = client.get("/fields/").content.decode()
    assert "先进制造" in page and "Advanced manufacturing" in page and "manufacturing" in page

    refused = client.post("/fields/", {"code": "manufacturing", "name_zh": "制造", "name_en": "Mfg"})
    assert refused.status_code == 200 and "A field with this code exists." in refused.content.decode()

    added = client.post("/fields/", {"code": "robotics", "name_zh": "机器人", "name_en": "Robotics"})
    assert added.status_code == 302 and added["Location"] == "/fields/"
    robotics = Field.objects.get(code="robotics")
    assert robotics.active and robotics.order > Field.objects.get(code="social").order

    edit = client.post(
        f"/fields/{robotics.pk}/", {"name_zh": "智能机器人", "name_en": "Intelligent robots", "order": "5"}
    )
    assert edit.status_code == 302
    robotics.refresh_from_db()
    assert (robotics.name_zh, robotics.active, robotics.order) == ("智能机器人", False, 5)
    assert AuditEntry.objects.filter(action="field.update", target_id=robotics.pk).exists()


def test_field_pages_are_for_staff_only(client, applicant, expert, panel):
    field = Field.objects.get(code="manufacturing")
    for user in (applicant, expert.user, panel):
        client.force_login(user)
        assert client.get("/fields/").status_code == 403
        assert client.get(f"/fields/{field.pk}/").status_code == 403
        assert client.post("/fields/", {"code": "x", "name_zh": "x", "name_en": "x"}).status_code == 403
    assert not Field.objects.filter(code="x").exists()


def test_the_application_form_offers_the_active_fields_by_name(client, applicant, call, zh):
    Field.objects.filter(code="energy").update(active=False)
    client.force_login(applicant)
    page = client.get(f"/calls/{call.pk}/apply/").content.decode()
    assert '<select name="field"' in page
    assert '<option value="manufacturing">先进制造</option>' in page
    assert 'value="energy"' not in page


def test_an_application_page_shows_the_field_name_in_the_reader_language(client, applicant, call, zh):
    app = application_create(actor=applicant, call=call, title="阀门", field="manufacturing", requested_yuan="1")
    client.force_login(applicant)
    page = client.get(f"/applications/{app.pk}/").content.decode()
    assert "先进制造" in page


def test_an_application_form_refuses_an_unknown_field(client, applicant, call, en):
    client.force_login(applicant)
    body = {"title": "阀门", "field": "制造业", "requested_yuan": "1000"}
    response = client.post(f"/calls/{call.pk}/apply/", body)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Application.objects.exists()


def test_editing_an_item_whose_field_was_deactivated_keeps_it(client, applicant, call, en):
    app = application_create(actor=applicant, call=call, title="储能", field="energy", requested_yuan="1")
    Field.objects.filter(code="energy").update(active=False)
    client.force_login(applicant)
    form = client.get(f"/applications/{app.pk}/edit/").content.decode()
    assert 'value="energy" selected' in form
    response = client.post(
        f"/applications/{app.pk}/edit/", {"title": "储能系统", "field": "energy", "requested_yuan": "1"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.title, app.field) == ("储能系统", "energy")


def test_required_documents_are_listed_and_an_attachment_is_removed(client, applicant, call, en):
    call.required_documents = [{"code": "proposal", "name": "申报书"}, {"code": "licence", "name": "营业执照"}]
    call.save(update_fields=["required_documents"])
    app = application_create(actor=applicant, call=call, title="阀门", field="manufacturing", requested_yuan="1")
    attachment = attachment_add(
        application=app, actor=applicant, upload=SimpleUploadedFile("申报书.pdf", PDF), kind="proposal"
    )
    client.force_login(applicant)
    page = client.get(f"/applications/{app.pk}/").content.decode()
    assert "Required documents" in page and "营业执照" in page and "missing" in page
    assert '<option value="licence">营业执照</option>' in page
    assert f"/attachments/{attachment.pk}/delete/" in page

    submit = client.post(f"/applications/{app.pk}/submit/", {"pledge": "on"}, follow=True).content.decode()
    assert "营业执照" in submit
    assert Application.objects.get(pk=app.pk).status == "draft"

    removed = client.post(f"/attachments/{attachment.pk}/delete/")
    assert removed.status_code == 302 and removed["Location"] == f"/applications/{app.pk}/"
    assert not Attachment.objects.exists()


def test_others_cannot_remove_an_attachment(client, applicant, other_applicant, staff, call):
    app = application_create(actor=applicant, call=call, title="阀门", field="manufacturing", requested_yuan="1")
    attachment = attachment_add(application=app, actor=applicant, upload=SimpleUploadedFile("a.pdf", PDF))
    for user in (other_applicant, staff):
        client.force_login(user)
        assert client.post(f"/attachments/{attachment.pk}/delete/").status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_an_expert_keeps_a_deactivated_field_when_staff_edit_them(client, staff, org_expert, en):
    from tests.conftest import make_expert

    expert = make_expert("energy_expert", org_expert, fields=["energy"])
    Field.objects.filter(code="energy").update(active=False)
    client.force_login(staff)
    page = client.get(f"/experts/{expert.pk}/").content.decode()
    assert 'value="energy"' in page
    body = {"name": "能源专家", "field_list": ["energy", "manufacturing"], "load_limit": "5", "active": "on"}
    assert client.post(f"/experts/{expert.pk}/", body).status_code == 302
    expert.refresh_from_db()
    assert expert.fields == ["energy", "manufacturing"]
    # A new expert may not pick it.
    new = client.get("/experts/new/").content.decode()
    assert 'value="energy"' not in new


def test_the_pool_list_names_fields_in_the_reader_language(client, staff, expert, zh):
    client.force_login(staff)
    page = client.get("/experts/").content.decode()
    assert "先进制造" in page
    rows = client.get("/experts/export.xlsx").content
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = list(load_workbook(BytesIO(rows)).active.iter_rows(values_only=True))
    assert sheet[1][5] == "先进制造"
