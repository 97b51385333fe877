"""Issue 13.3: people own their passwords — change, reset by e-mail without telling who is
registered, the invitation's one-time link — and an API token ends at log-out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from accounts.emails import invitation_link
from accounts.enums import Role
from accounts.models import ApiToken
from accounts.services import user_create
from accounts.tokens import token_digest
from audit.models import AuditEntry
from tests.conftest import PASSWORD

from .conftest import link_in

pytestmark = pytest.mark.django_db

NEW = "Wenzhou-river-2027"


# --- log-out and tokens -----------------------------------------------------------------------


def test_logout_revokes_the_callers_token(applicant):
    api = APIClient()
    token = api.post("/api/auth/token/", {"username": "applicant", "password": PASSWORD}, format="json").json()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    assert api.get("/api/me/").status_code == 200
    assert api.post("/api/auth/logout/").status_code == 204
    assert api.get("/api/me/").status_code == 401
    assert not ApiToken.objects.filter(user=applicant).exists()
    assert AuditEntry.objects.filter(action="user.logout", target_id=applicant.pk).exists()


def test_logout_needs_a_login(anon):
    assert anon.post("/api/auth/logout/").status_code == 401


def test_token_lifetime_follows_the_setting(applicant, settings):
    settings.PINGSHEN_TOKEN_HOURS = 1
    api = APIClient()
    issued = api.post("/api/auth/token/", {"username": "applicant", "password": PASSWORD}, format="json").json()
    ApiToken.objects.filter(digest=token_digest(issued["token"])).update(
        created=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=61)
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued['token']}")
    assert api.get("/api/me/").status_code == 401


# --- change -----------------------------------------------------------------------------------


def test_api_password_change_sets_the_new_one_and_ends_tokens(applicant, as_applicant):
    response = as_applicant.post(
        "/api/auth/password/change/", {"old_password": PASSWORD, "new_password": NEW}, format="json"
    )
    assert response.status_code == 200, response.content
    applicant.refresh_from_db()
    assert applicant.check_password(NEW)
    # Every token ended: the one that asked must log in again with the new password.
    assert as_applicant.get("/api/me/").status_code == 401
    assert AuditEntry.objects.filter(action="user.password_change", target_id=applicant.pk).exists()


def test_api_password_change_with_a_wrong_old_password_names_the_field(applicant, as_applicant):
    response = as_applicant.post(
        "/api/auth/password/change/", {"old_password": "not-it", "new_password": NEW}, format="json"
    )
    assert response.status_code == 400
    assert "old_password" in response.json()
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["short1", "password123", "applicant-2026", "12345678901234"])
def test_api_password_change_applies_the_validators(as_applicant, weak):
    response = as_applicant.post(
        "/api/auth/password/change/", {"old_password": PASSWORD, "new_password": weak}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["new_password"]


def test_api_password_change_needs_a_login(anon):
    response = anon.post("/api/auth/password/change/", {"old_password": "x", "new_password": NEW}, format="json")
    assert response.status_code == 401


def test_page_password_change_keeps_this_browser_signed_in(applicant):
    client = Client()
    client.force_login(applicant)
    assert client.get("/accounts/password/change/").status_code == 200
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/change/done/"
    applicant.refresh_from_db()
    assert applicant.check_password(NEW)
    assert client.get("/").status_code == 200  # still signed in here


def test_page_password_change_refuses_a_weak_password_with_the_validators_message(applicant):
    client = Client()
    client.force_login(applicant)
    client.cookies["django_language"] = "zh-hans"
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )
    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert gettext("This password is too common.") in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)


# --- reset by e-mail --------------------------------------------------------------------------


def test_api_reset_answers_the_same_whether_or_not_the_address_exists(applicant, anon):
    known = anon.post("/api/auth/password/reset/", {"email": "applicant@example.org"}, format="json")
    unknown = anon.post("/api/auth/password/reset/", {"email": "nobody@example.org"}, format="json")
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json()
    assert [m.to for m in mail.outbox] == [["applicant@example.org"]]


def test_api_reset_with_a_malformed_address_is_400(anon):
    response = anon.post("/api/auth/password/reset/", {"email": "not an address"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()


def test_page_reset_answers_the_same_whether_or_not_the_address_exists(applicant):
    client = Client()
    known = client.post("/accounts/password/reset/", {"email": "applicant@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1


def test_reset_link_sets_a_password_once_in_the_recipients_language(applicant, anon, settings):
    settings.PINGSHEN_SITE_URL = "https://pingshen.example.gov.cn"
    applicant.language = "en"
    applicant.save(update_fields=["language"])
    anon.post("/api/auth/password/reset/", {"email": "applicant@example.org"}, format="json")
    (message,) = mail.outbox
    assert "choose a new password" in message.subject
    assert "https://pingshen.example.gov.cn/accounts/password/reset/" in message.body
    client = Client()
    form = client.get(link_in(message), follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    applicant.refresh_from_db()
    assert applicant.check_password(NEW)
    # Used once: the same link no longer works.
    again = Client().get(link_in(message), follow=True)
    assert not again.context["validlink"]


def test_reset_email_is_in_the_accounts_language_not_the_requests(applicant, anon):
    assert applicant.language == "zh-hans"
    anon.post("/api/auth/password/reset/", {"email": "applicant@example.org"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    (message,) = mail.outbox
    with translation.override("zh-hans"):
        assert message.subject == gettext("Pingshen: choose a new password")


def test_reset_link_expires_after_the_configured_hours(applicant, anon, settings):
    anon.post("/api/auth/password/reset/", {"email": "applicant@example.org"}, format="json")
    (message,) = mail.outbox
    settings.PASSWORD_RESET_TIMEOUT = -1  # any link is now older than its lifetime
    response = Client().get(link_in(message), follow=True)
    assert not response.context["validlink"]


def test_inactive_accounts_get_no_reset_email(applicant, anon):
    applicant.is_active = False
    applicant.save(update_fields=["is_active"])
    response = anon.post("/api/auth/password/reset/", {"email": "applicant@example.org"}, format="json")
    assert response.status_code == 200
    assert mail.outbox == []


# --- invitations ------------------------------------------------------------------------------


def test_staff_created_user_without_password_is_invited(as_staff, django_capture_on_commit_callbacks):
    body = {"username": "zhou", "email": "zhou@example.org", "roles": [Role.APPLICANT], "language": "en"}
    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff.post("/api/users/", body, format="json")
    assert response.status_code == 201, response.content
    (message,) = mail.outbox
    assert message.to == ["zhou@example.org"]
    assert "choose your password" in message.subject
    assert "/accounts/invitation/" in message.body


def test_invitation_link_sets_the_first_password_and_works_once(as_staff, django_capture_on_commit_callbacks):
    body = {"username": "zhou", "email": "zhou@example.org", "roles": [Role.EXPERT]}
    with django_capture_on_commit_callbacks(execute=True):
        as_staff.post("/api/users/", body, format="json")
    (message,) = mail.outbox
    with translation.override("zh-hans"):  # the default language of an account
        assert message.subject == gettext("Your Pingshen account: choose your password")
    client = Client()
    form = client.get(link_in(message), follow=True)
    assert form.context["validlink"]
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert Client().login(username="zhou", password=NEW)
    assert not Client().get(link_in(message), follow=True).context["validlink"]
    assert AuditEntry.objects.filter(action="user.password_invitation").count() == 1


def test_invitation_link_expires_after_the_configured_days(staff, settings):
    user = user_create(username="late", password=None, email="late@example.org", roles=[Role.EXPERT], actor=staff)
    path = "/" + invitation_link(user).split("/", 3)[3]
    assert Client().get(path, follow=True).context["validlink"]
    settings.PINGSHEN_INVITATION_DAYS = -1
    assert not Client().get(path, follow=True).context["validlink"]


def test_a_reset_link_is_no_invitation_link(applicant, anon):
    anon.post("/api/auth/password/reset/", {"email": "applicant@example.org"}, format="json")
    path = link_in(mail.outbox[0]).replace("/password/reset/", "/invitation/")
    assert not Client().get(path, follow=True).context["validlink"]


def test_expert_created_without_password_is_invited(as_staff, django_capture_on_commit_callbacks):
    body = {"username": "prof_li", "email": "li@example.org", "name": "李教授", "fields": ["manufacturing"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff.post("/api/experts/", body, format="json")
    assert response.status_code == 201, response.content
    (message,) = mail.outbox
    assert message.to == ["li@example.org"]


def test_invited_account_without_a_password_may_still_ask_for_a_reset(staff, anon):
    user_create(username="lost", password=None, email="lost@example.org", roles=[Role.EXPERT], actor=staff)
    anon.post("/api/auth/password/reset/", {"email": "lost@example.org"}, format="json")
    assert [m.to for m in mail.outbox] == [["lost@example.org"]]


def test_staff_page_creates_an_account_by_invitation(staff, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(staff)
    assert client.get("/people/new/").status_code == 200
    form: dict[str, Any] = {
        "username": "wu",
        "email": "wu@example.org",
        "display_name": "吴",
        "language": "zh-hans",
        "roles": [Role.NOMINATOR],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/people/new/", form)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["wu@example.org"]


def test_imported_experts_are_invited_once_each(staff, django_capture_on_commit_callbacks):
    from reviews import imports
    from tests.reviews.conftest import HEADER, sheet

    base = {
        "name": "李四",
        "username": "lisi",
        "email": "lisi@example.org",
        "organisation": "浙江理工大学",
        "credit code": "",
        "fields": "manufacturing",
        "title": "教授",
        "region": "杭州",
        "load limit": 5,
        "active": "是",
        "conflicts": "",
    }
    second = {**base, "username": "wangwu", "name": "王五", "email": "wangwu@example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        report = imports.experts_import(upload=sheet([[r[h] for h in HEADER] for r in (base, second)]), actor=staff)
    assert report.created == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["lisi@example.org", "wangwu@example.org"]
    assert all("/accounts/invitation/" in m.body for m in mail.outbox)
