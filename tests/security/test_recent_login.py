"""Issue 14.2: every money and decision action needs a recent login, whatever the route.

The check is in the services (``accounts.recent.require_recent_login``): a browser session
that the pages would send to ``/accounts/reauth/`` is refused by the API too (403 with a
detail that says what to do), and an API token counts as a recent login only while it is
younger than the window or was asked for again with the password.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.recent import AUTH_AT
from accounts.tokens import token_issue
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

#: (persona, route, object kind, state, body): every API route that decides money or an outcome.
API_ROUTES = [
    ("panel", "/api/applications/{}/decision/", "application", "reviewed", {"fund": True, "approved_yuan": "1.00"}),
    ("panel", "/api/nominations/{}/decision/", "nomination", "reviewed", {"level": 1}),
    ("panel", "/api/calls/{}/suggestions/apply/", "call", "open", {"expected": "x"}),
    ("finance_officer", "/api/disbursements/{}/approve/", "disbursement", "pending", {}),
    ("finance_officer", "/api/disbursements/{}/reject/", "disbursement", "pending", {"reason": "账户有误"}),
    ("finance_officer", "/api/disbursements/{}/pay/", "disbursement", "pending", {"voucher": "V-1"}),
    ("staff", "/api/disbursements/{}/resubmit/", "disbursement", "pending", {"comment": "已更正"}),
    ("staff", "/api/calls/{}/notice/", "call", "open", {}),
    ("staff", "/api/award-rounds/{}/notice/", "award_round", "open", {}),
    ("staff", "/api/notices/{}/close/", "notice", "open", {}),
    ("staff", "/api/objections/{}/resolve/", "objection", "open", {"upheld": False, "resolution": "不成立"}),
    ("staff", "/api/objections/dismiss/", "objection", "open", {"objections": [], "resolution": "重复"}),
    ("staff", "/api/applications/{}/terminate/", "application", "reviewed", {"reason": "撤回"}),
    ("staff", "/api/applications/{}/acceptance-decision/", "application", "contracted", {"result": "pass"}),
    ("staff", "/api/applications/{}/acceptance-check/", "application", "contracted", {"decision": "accept"}),
    ("staff", "/api/applications/{}/acceptance-draw/", "application", "contracted", {}),
]

PAGE_ROUTES = [
    ("panel", "/applications/{}/decide/", "application", "reviewed", {"fund": "yes", "approved_yuan": "1.00"}),
    ("panel", "/awards/nominations/{}/decide/", "nomination", "reviewed", {"level": "1"}),
    ("panel", "/calls/{}/suggestions/apply/", "call", "open", {"expected": "x"}),
    ("finance_officer", "/disbursements/{}/approve/", "disbursement", "pending", {}),
    ("finance_officer", "/disbursements/{}/reject/", "disbursement", "pending", {"reason": "账户有误"}),
    ("finance_officer", "/disbursements/{}/pay/", "disbursement", "pending", {"voucher": "V-1"}),
    ("staff", "/disbursements/{}/resubmit/", "disbursement", "pending", {"comment": "已更正"}),
    ("staff", "/calls/{}/publish-notice/", "call", "open", {}),
    ("staff", "/awards/rounds/{}/publish-notice/", "award_round", "open", {}),
    ("staff", "/notices/{}/close/", "notice", "open", {}),
    ("staff", "/awards/notices/{}/close/", "notice", "award", {}),
    ("staff", "/objections/{}/resolve/", "objection", "open", {"upheld": "no", "resolution": "不成立"}),
    ("staff", "/objections/dismiss/", "objection", "open", {"objections": [], "resolution": "重复"}),
    ("staff", "/applications/{}/terminate/", "application", "reviewed", {"reason": "撤回"}),
    ("staff", "/applications/{}/acceptance-decision/", "application", "contracted", {"result": "pass"}),
    ("staff", "/applications/{}/acceptance/check/", "application", "contracted", {"decision": "accept"}),
    ("staff", "/applications/{}/acceptance/draw/", "application", "contracted", {}),
]

STALE = settings.PINGSHEN_RECENT_LOGIN_MINUTES * 60 + 1


def _session_client(user: Any, *, stale: bool) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    if stale:
        session = client.session
        session[AUTH_AT] = session[AUTH_AT] - STALE
        session.save()
    return client


def _post(client: Any, url: str, body: dict[str, Any], *, json: bool) -> Any:
    """Post inside a savepoint rolled back after the answer: the world stays as built."""
    with transaction.atomic():
        if json:
            response = client.post(url, body, format="json") if isinstance(client, APIClient) else None
            if response is None:
                response = client.post(url, body, content_type="application/json")
        else:
            response = client.post(url, body, HTTP_REFERER="/")
        transaction.set_rollback(True)
    return response


def _with_ids(body: dict[str, Any], pk: int) -> dict[str, Any]:
    """The bulk dismissal names the objections in its body rather than in its path."""
    return {**body, "objections": [pk]} if "objections" in body else body


def _refused_by_api(response: Any) -> bool:
    # The detail says what to do, in the reader's language (zh-hans by default).
    detail = str(response.json().get("detail", ""))
    return response.status_code == 403 and ("recent login" in detail or "近期登录" in detail)


def _sent_to_reauth(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/reauth/")


@pytest.mark.parametrize(("persona", "route", "kind", "state", "body"), API_ROUTES, ids=[r[1] for r in API_ROUTES])
def test_api_money_action_refuses_a_stale_browser_session_and_takes_a_fresh_one(
    world, persona, route, kind, state, body
):
    user = world.users[persona]
    url = route.format(world.pk(kind, state))
    body = _with_ids(body, world.pk(kind, state))
    stale = _post(_session_client(user, stale=True), url, body, json=True)
    assert _refused_by_api(stale), (stale.status_code, stale.content)
    assert "/accounts/reauth/" in stale.json()["detail"]
    fresh = _post(_session_client(user, stale=False), url, body, json=True)
    assert not _refused_by_api(fresh), (fresh.status_code, fresh.content)
    assert fresh.status_code != 500


@pytest.mark.parametrize(("persona", "route", "kind", "state", "body"), API_ROUTES, ids=[r[1] for r in API_ROUTES])
def test_api_money_action_takes_a_token_only_while_it_counts_as_a_recent_login(
    world, persona, route, kind, state, body
):
    user = world.users[persona]
    url = route.format(world.pk(kind, state))
    body = _with_ids(body, world.pk(kind, state))
    token, key = token_issue(user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(seconds=STALE))
        old = _post(api, url, body, json=True)
        transaction.set_rollback(True)
    assert _refused_by_api(old), (old.status_code, old.content)
    assert "/api/auth/token/" in old.json()["detail"]
    fresh = _post(api, url, body, json=True)  # issued just now (the world was built moments ago)
    assert not _refused_by_api(fresh), (fresh.status_code, fresh.content)


@pytest.mark.parametrize(("persona", "route", "kind", "state", "body"), PAGE_ROUTES, ids=[r[1] for r in PAGE_ROUTES])
def test_page_money_action_sends_a_stale_session_to_reauth_and_takes_a_fresh_one(
    world, persona, route, kind, state, body
):
    user = world.users[persona]
    url = route.format(world.pk(kind, state))
    body = _with_ids(body, world.pk(kind, state))
    assert _sent_to_reauth(_post(_session_client(user, stale=True), url, body, json=False))
    fresh = _post(_session_client(user, stale=False), url, body, json=False)
    assert not _sent_to_reauth(fresh)
    assert fresh.status_code != 500


@pytest.mark.parametrize(("persona", "route", "kind", "state", "body"), PAGE_ROUTES, ids=[r[1] for r in PAGE_ROUTES])
def test_page_money_action_is_checked_by_the_service_not_by_the_list_of_pages(
    world, monkeypatch, persona, route, kind, state, body
):
    """The middleware's list of page names only prompts early; without it the service still
    refuses, and the page turns the refusal into the same prompt."""
    monkeypatch.setattr("accounts.middleware.RECENT_LOGIN_URL_NAMES", frozenset())
    url = route.format(world.pk(kind, state))
    body = _with_ids(body, world.pk(kind, state))
    assert _sent_to_reauth(_post(_session_client(world.users[persona], stale=True), url, body, json=False))


def test_asking_for_the_token_again_with_the_password_counts_as_a_recent_login(world):
    officer = world.users["finance_officer"]
    url = f"/api/disbursements/{world.pk('disbursement', 'pending')}/approve/"
    stale, stale_key = token_issue(officer)
    ApiToken.objects.filter(pk=stale.pk).update(created=timezone.now() - dt.timedelta(seconds=STALE))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {stale_key}")
    assert _refused_by_api(api.post(url, {}, format="json"))
    key = api.post("/api/auth/token/", {"username": officer.username, "password": PASSWORD}, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key.json()['token']}")
    response = api.post(url, {}, format="json")
    assert response.status_code == 200, response.content


def test_the_clock_and_commands_need_no_login(world):
    """Outside a request (beat, a management command) nobody is asked for a password."""
    from accounts.recent import require_recent_login

    require_recent_login(world.users["staff"])
    require_recent_login(None)
