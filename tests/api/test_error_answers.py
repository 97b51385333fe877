"""Errors under /api/ are JSON ``{"detail"}`` (an unknown path, a server error), with DEBUG on or
off; pages keep the HTML pages; a busy database is a 409 "try again", never a 500 (issue 13)."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(staff) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    return client


def _explode(*args, **kwargs):
    raise RuntimeError("a bug")


def _busy(*args, **kwargs):
    raise OperationalError("database is locked")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_path_answers_json_404(browser, settings, debug):
    settings.DEBUG = debug
    for client in (browser, Client()):  # logged in or not
        response = client.get("/api/no-such-thing/", HTTP_ACCEPT="text/html")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("debug", [False, True])
def test_a_server_error_under_api_answers_json_500(browser, settings, monkeypatch, debug):
    from api.views import MeView

    settings.DEBUG = debug
    monkeypatch.setattr(MeView, "get", _explode)
    response = browser.get("/api/me/", HTTP_ACCEPT="text/html")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert "a bug" not in response.content.decode()


def test_drf_answers_are_left_as_they_are(browser):
    response = browser.get("/api/applications/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_pages_keep_the_html_error_pages(browser, settings, monkeypatch):
    settings.DEBUG = False
    missing = browser.get("/no-such-page/")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("text/html")
    monkeypatch.setattr("pages.dashboards.home", _explode)
    error = browser.get("/")
    assert error.status_code == 500
    assert error["Content-Type"].startswith("text/html")


def test_a_busy_database_is_a_409_on_the_api_and_the_pages(browser, monkeypatch):
    from api.views import MeView

    monkeypatch.setattr(MeView, "get", _busy)
    api = browser.get("/api/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 409
    assert api.json() == {"detail": "Someone else is acting on this right now; try again."}
    monkeypatch.setattr("pages.dashboards.home", _busy)
    page = browser.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 409
    assert "try again" in page.content.decode()
