"""Ask one route as one persona, inside a savepoint that is rolled back after the answer."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import api_key

LOGIN = "login"  # a page sends the anonymous visitor to the login page


def clients_for(users: dict[str, Any]) -> dict[str, tuple[Client, APIClient]]:
    """A page client (session) and an API client (token) per persona; anonymous gets neither."""
    clients = {}
    for persona, user in users.items():
        page, api = Client(), APIClient()
        if user is not None:
            page.force_login(user)
            api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
        clients[persona] = (page, api)
    return clients


def outcome(response: Any) -> int | str:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    return int(response.status_code)


def ask(clients: tuple[Client, APIClient], method: str, url: str, data: Any = None) -> int | str:
    page, api = clients
    client: Any = api if url.startswith("/api/") else page
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif method == "DELETE":
            response = client.delete(url)
        elif url.startswith("/api/"):
            response = client.post(url, data or {}, format="json")
        else:
            response = client.post(url, data or {})
        transaction.set_rollback(True)
    # A logout or login answer changes the session cookie: keep the persona signed in.
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies[name] = value
    return outcome(response)
