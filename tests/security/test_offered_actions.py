"""Issue 15.6: no page offers an action the server refuses.

For every persona and every item page of the matrix world (an object in every state), each
form the page shows is filled in as a person would (every field given a plausible value) and
sent; the answer must not be a refusal: no 403, no 404, no "this step is not open" message
(a ``StateConflict`` shown after the redirect). Each POST runs in a savepoint rolled back
after the answer, so every form is tried against the same world.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import constants
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import resolve

from accounts.middleware import AUTH_AT

from .world import PERSONAS, World

#: Forms every page carries that are not actions on the item.
NOT_ACTIONS = ("/accounts/logout/", "/i18n/setlang/")

#: What a person types into a field of each kind (the form's own value wins when it has one).
TYPED = {"number": "1", "date": "2016-07-01", "email": "zhang@example.com", "tel": "13800000000"}


#: Actions each persona must find somewhere in the world (so the test above is never vacuous),
#: by route name; and actions a persona must never be offered in it.
OFFERED: dict[str, set[str]] = {
    "anonymous": {"notice"},
    "owner": {"application-submit", "attachment-upload", "inbox-read", "notice"},
    "other_applicant": {"notice"},
    "nominator": {"award-nomination-submit", "inbox-read"},
    "expert": {"review-accept", "review-decline"},
    "unassigned_expert": {"notice"},
    "conflicted_expert": {"notice"},
    "staff": {
        "formal-review",
        "assign-expert",
        "terminate",
        "award-nomination-formal-review",
        "call-draw",
        "objection-resolve",
    },
    "panel": {"decide", "award-decide"},
    "finance_officer": {"disbursement-approve", "disbursement-reject"},
    "finance_head": {"disbursement-reject"},
}
#: The world's one payment waits for the officer: the head is not offered the approval yet,
#: and nobody is offered to close a notice whose window still runs or that has an open objection
#: (issue 14.5), or to publish nothing.
NOT_OFFERED: dict[str, set[str]] = {
    "finance_head": {"disbursement-approve", "disbursement-pay"},
    "finance_officer": {"disbursement-pay"},
    "staff": {"notice-close", "award-notice-close", "notice-publish"},
}


@dataclass
class PageForm:
    action: str
    fields: dict[str, Any] = field(default_factory=dict)
    multipart: bool = False


class FormParser(HTMLParser):
    """The POST forms of a page with the values a person would send."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self.current: PageForm | None = None
        self.select: str | None = None
        self.select_value: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.current = PageForm(a.get("action") or self.page_url, multipart="multipart" in a.get("enctype", ""))
            return
        form = self.current
        if form is None or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            name = a["name"]
            if kind in ("submit", "button", "reset"):
                return
            if kind == "file":
                form.fields[name] = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 offered action\n")
            elif kind == "checkbox":
                form.fields[name] = a.get("value") or "on"
            elif kind == "hidden":
                form.fields[name] = a.get("value", "")
            elif kind == "radio":
                form.fields.setdefault(name, a.get("value", ""))
            else:
                form.fields[name] = a.get("value") or TYPED.get(kind, "测试")
        elif tag == "textarea":
            self.textarea = a["name"]
            form.fields[a["name"]] = "测试理由"
        elif tag == "select":
            self.select, self.select_value = a["name"], None
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if "selected" in a or (self.select_value is None and value):
                self.select_value = value

    def handle_data(self, data: str) -> None:
        if self.current is not None and self.textarea is not None and data.strip():
            self.current.fields[self.textarea] = data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.current is not None and self.select is not None:
            self.current.fields[self.select] = self.select_value or ""
            self.select = None
        elif tag == "form" and self.current is not None:
            if not self.current.action.startswith(NOT_ACTIONS):
                self.forms.append(self.current)
            self.current = None


def item_pages(world: World) -> list[str]:
    o = world.objects
    pages = ["/", "/finance/", "/objections/", "/reviews/", "/inbox/"]
    pages += [f"/applications/{a.pk}/" for a in o["application"].values()]
    pages += [f"/applications/{a.pk}/reviews/" for a in o["application"].values()]
    pages += [f"/awards/nominations/{n.pk}/" for n in o["nomination"].values()]
    pages += [f"/applications/{n.pk}/" for n in o["nomination"].values()]
    pages += [f"/reviews/{a.pk}/" for a in o["assignment"].values()]
    pages += [f"/calls/{c.pk}/" for c in world.calls.values()]
    pages += [f"/awards/rounds/{r.pk}/" for r in o["award_round"].values()]
    pages += [f"/awards/rounds/{r.pk}/committee/" for r in o["award_round"].values()]
    pages += [f"/notices/{n.pk}/" for n in o["notice"].values()]
    pages += [f"/draws/{d.pk}/" for d in o["draw"].values()]
    return pages


@pytest.fixture(scope="module")
def page_clients(world: World, django_db_blocker: Any) -> Iterator[dict[str, Client]]:
    """One signed-in client per persona whose login is recent (money pages ask for that)."""
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    clients = {}
    try:
        with django_db_blocker.unblock():
            for persona, user in world.users.items():
                client = Client(headers={"accept-language": "en"})
                if user is not None:
                    client.force_login(user)
                    session = client.session
                    session[AUTH_AT] = time.time()
                    session.save()
                clients[persona] = client
            yield clients
    finally:
        request_log.setLevel(level)


def _refusal(client: Client, form: PageForm) -> str | None:
    """Send the form in a savepoint rolled back after the answer; what refused it, if anything."""
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    with transaction.atomic():
        response = client.post(form.action, form.fields, follow=True)
        transaction.set_rollback(True)
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies[name] = value
    if response.redirect_chain and response.redirect_chain[0][1] in (403, 404):
        return str(response.redirect_chain[0][1])
    if response.status_code in (403, 404, 405, 409) or response.status_code >= 500:
        return str(response.status_code)
    if 'class="errorlist nonfield"' in response.content.decode():
        return "form-wide error: " + response.content.decode().split('class="errorlist nonfield"')[1][:200]
    errors = [str(m) for m in (response.context or {}).get("messages", []) if m.level == constants.ERROR]
    if errors:
        return "; ".join(errors)
    return None


@pytest.mark.django_db  # run alone, pytest-django sets up the test database only for marked tests
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_offered_form_is_accepted(persona: str, world: World, page_clients: dict[str, Client]) -> None:
    client = page_clients[persona]
    refused, tried = [], []
    for url in item_pages(world):
        response = client.get(url)
        if response.status_code != 200:
            continue
        parser = FormParser(url)
        parser.feed(response.content.decode())
        for form in parser.forms:
            tried.append(form.action)
            reason = _refusal(client, form)
            if reason:
                refused.append(f"{url} → POST {form.action}: {reason}")
    offered = {resolve(urlsplit(action).path).url_name for action in tried}
    assert OFFERED[persona] <= offered, f"{persona} should be offered {sorted(OFFERED[persona] - offered)}"
    assert not (NOT_OFFERED.get(persona, set()) & offered)
    assert not refused, "offered but refused:\n" + "\n".join(refused)
