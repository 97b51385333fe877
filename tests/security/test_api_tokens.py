"""API tokens are stored hashed (issue 14.3): a copy of the database holds no live key."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _issue(user: Any) -> str:
    response = APIClient().post("/api/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_database_keeps_only_a_digest_of_the_key(applicant):
    key = _issue(applicant)
    token = ApiToken.objects.get(user=applicant)
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert key not in stored
    assert _client(key).get("/api/me/").status_code == 200


def test_the_digest_itself_is_no_key(applicant):
    _issue(applicant)
    digest = ApiToken.objects.get(user=applicant).digest
    assert _client(digest).get("/api/me/").status_code == 401
    assert _client(digest[:40]).get("/api/me/").status_code == 401


def test_each_ask_issues_a_new_key_and_log_out_ends_only_the_callers(applicant):
    laptop, phone = _issue(applicant), _issue(applicant)
    assert laptop != phone
    assert _client(laptop).post("/api/auth/logout/").status_code == 204
    assert _client(laptop).get("/api/me/").status_code == 401
    assert _client(phone).get("/api/me/").status_code == 200


def test_a_new_password_ends_every_key(applicant):
    keys = [_issue(applicant), _issue(applicant)]
    response = _client(keys[0]).post(
        "/api/auth/password/change/", {"old_password": PASSWORD, "new_password": "a-new Passw0rd!"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert all(_client(key).get("/api/me/").status_code == 401 for key in keys)


def test_plain_text_keys_of_the_first_releases_are_hashed_and_their_table_dropped(applicant):
    """An instance upgraded from DRF's token table keeps its clients working, and the
    plain-text table is gone."""
    migration = __import__("accounts.migrations.0004_api_tokens_hashed", fromlist=["hash_drf_tokens"])
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, created timestamp with time zone)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, created datetime)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, CURRENT_TIMESTAMP)", [legacy_key, applicant.pk])
    with connection.schema_editor() as editor:
        migration.hash_drf_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    assert _client(legacy_key).get("/api/me/").status_code == 200
