"""Issue 8.4: login throttling, password rules, expiring sessions and tokens, a recent login
for money actions, security headers, and `check --deploy` clean under production settings."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.middleware import AUTH_AT
from accounts.models import ApiToken
from accounts.tokens import token_digest
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_page_login_locks_after_repeated_failures_with_a_clear_message(applicant, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(2):
        response = client.post("/accounts/login/", {"username": "applicant", "password": "wrong-one"})
        assert response.status_code == 200
    locked = client.post("/accounts/login/", {"username": "applicant", "password": "wrong-one"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode() or "登录失败" in locked.content.decode()
    # Even the right password is refused while locked, and no session is made.
    right = client.post("/accounts/login/", {"username": "applicant", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_api_token_locks_after_repeated_failures_with_429(applicant, settings):
    settings.AXES_FAILURE_LIMIT = 3
    api = APIClient()
    for _ in range(2):
        assert (
            api.post("/api/auth/token/", {"username": "applicant", "password": "x"}, format="json").status_code == 400
        )
    response = api.post("/api/auth/token/", {"username": "applicant", "password": "x"}, format="json")
    assert response.status_code == 429
    assert response.json()["detail"]
    good = api.post("/api/auth/token/", {"username": "applicant", "password": PASSWORD}, format="json")
    assert good.status_code == 429
    # Another account from the same address is not locked out by someone else's failures.
    assert api.post("/api/auth/token/", {"username": "other", "password": "x"}, format="json").status_code == 400


def test_a_good_login_resets_the_failure_count(applicant, settings):
    settings.AXES_FAILURE_LIMIT = 3
    api = APIClient()
    for _ in range(2):
        api.post("/api/auth/token/", {"username": "applicant", "password": "x"}, format="json")
    assert (
        api.post("/api/auth/token/", {"username": "applicant", "password": PASSWORD}, format="json").status_code == 200
    )
    for _ in range(2):
        assert (
            api.post("/api/auth/token/", {"username": "applicant", "password": "x"}, format="json").status_code == 400
        )


@pytest.mark.parametrize("password", ["short1", "password123", "1234567890123", "applicant-2026"])
def test_weak_passwords_are_refused(applicant, password):
    with pytest.raises(ValidationError):
        validate_password(password, applicant)


def test_tokens_expire_and_a_new_one_is_issued(applicant, settings):
    api = APIClient()
    issued = api.post("/api/auth/token/", {"username": "applicant", "password": PASSWORD}, format="json").json()
    assert issued["expires"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued['token']}")
    assert api.get("/api/me/").status_code == 200
    ApiToken.objects.filter(digest=token_digest(issued["token"])).update(
        created=timezone.now() - dt.timedelta(hours=settings.PINGSHEN_TOKEN_HOURS, seconds=1)
    )
    assert api.get("/api/me/").status_code == 401
    fresh = APIClient().post("/api/auth/token/", {"username": "applicant", "password": PASSWORD}, format="json").json()
    assert fresh["token"] != issued["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {fresh['token']}")
    assert api.get("/api/me/").status_code == 200


def test_sessions_expire(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600


def test_money_page_needs_a_recent_login_and_returns_to_the_form(finance_officer, settings):
    client = Client()
    assert client.login(username="officer", password=PASSWORD)
    assert client.get("/finance/").status_code == 200
    session = client.session
    session[AUTH_AT] = session[AUTH_AT] - settings.PINGSHEN_RECENT_LOGIN_MINUTES * 60 - 1
    session.save()
    # Reading the list is fine; approving needs the password again, and comes back to the list.
    assert client.get("/finance/").status_code == 200
    refused = client.post("/disbursements/1/approve/", HTTP_REFERER="/finance/")
    assert refused.status_code == 302
    assert refused["Location"].startswith("/accounts/reauth/?next=%2Ffinance%2F")
    wrong = client.post("/accounts/reauth/", {"password": "nope", "next": "/finance/"})
    assert wrong.status_code == 200
    again = client.post("/accounts/reauth/", {"password": PASSWORD, "next": "/finance/"})
    assert again.status_code == 302 and again["Location"] == "/finance/"
    # Now the action gets through to the view (no such disbursement: 404, not the prompt).
    assert client.post("/disbursements/1/approve/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/applications/1/decide/",
        "/awards/nominations/1/decide/",
        "/calls/1/suggestions/apply/",
        "/disbursements/1/approve/",
        "/disbursements/1/reject/",
        "/disbursements/1/pay/",
    ],
)
def test_every_money_decision_page_needs_a_recent_login(panel, settings, url):
    client = Client()
    assert client.login(username="panel", password=PASSWORD)
    session = client.session
    session[AUTH_AT] = session[AUTH_AT] - settings.PINGSHEN_RECENT_LOGIN_MINUTES * 60 - 1
    session.save()
    refused = client.post(url, HTTP_REFERER="/")
    assert refused.status_code == 302
    assert refused["Location"].startswith("/accounts/reauth/")


def test_reauth_never_redirects_off_site(applicant):
    client = Client()
    client.force_login(applicant)
    response = client.post("/accounts/reauth/", {"password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_security_headers_on_pages_and_api(applicant):
    client = Client()
    page = client.get("/accounts/login/")
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert "Content-Security-Policy" in APIClient().get("/api/me/")


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-key-of-enough-length-and-variety-1234567890!@#$%^",
    "ALLOWED_HOSTS": "pingshen.example.gov.cn",
    "DJANGO_SETTINGS_MODULE": "workflow.settings",
}


def test_check_deploy_is_clean_under_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env.update(PRODUCTION_ENV)
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_settings_send_hsts_and_redirect_to_https():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env.update(PRODUCTION_ENV)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    assert done.stdout.split() == ["31536000", "True", "True", "True"], done.stderr


def test_api_docs_run_only_same_origin_scripts_that_are_served_here(client, settings):
    """Issue 14.11: Swagger UI came from a public CDN at @latest under a CSP allowing inline
    script. Now every script is a file of this site (drf-spectacular-sidecar through WhiteNoise,
    the start-up script from the docs view itself) and the page's CSP allows nothing else."""
    import re

    # WhiteNoise serves the installed apps' static files straight from their packages, as it
    # does in development; production serves the same files after collectstatic.
    settings.WHITENOISE_USE_FINDERS = True
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1).split()
    assert script_src == ["'self'"]
    assert "cdn" not in csp and "http" not in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    links = re.findall(r'<link[^>]*\bhref="([^"]+)"', html)
    assert len(sources) == 3, sources
    for url in [*sources, *links]:
        url = url.replace("&amp;", "&")
        assert url.startswith("/") and not url.startswith("//"), url
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body, url
