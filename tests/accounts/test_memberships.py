"""Issue 14.4: registering with a credit code already registered gives a membership that waits
for a member or staff; until then the newcomer acts for nobody."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.enums import MembershipStatus
from accounts.models import Membership, User
from applications.models import Application
from audit.models import AuditEntry
from notifications.models import Notification
from tests.api.conftest import DRAFT
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def register(client: Any, credit_code: str, username: str = "newcomer") -> Any:
    body = {
        "username": username,
        "password": PASSWORD,
        "email": f"{username}@example.org",
        "organisation": {"name": "随便写的名字", "credit_code": credit_code, "kind": "enterprise"},
    }
    return client.post("/api/register/", body, format="json")


@pytest.fixture
def newcomer(anon, applicant, org_owner) -> User:
    response = register(anon, org_owner.credit_code)
    assert response.status_code == 201, response.content
    assert response.json()["membership"] == MembershipStatus.PENDING
    return User.objects.get(username="newcomer")


@pytest.fixture
def membership(newcomer) -> Membership:
    return Membership.objects.get(user=newcomer)


def test_a_new_credit_code_makes_the_first_member_approved(anon, db):
    from tests.conftest import make_code

    response = register(anon, make_code("91330300MA285KJ35"), "founder")
    assert response.status_code == 201 and response.json()["membership"] == MembershipStatus.APPROVED
    founder = User.objects.get(username="founder")
    assert founder.organisation is not None


def test_a_known_credit_code_makes_a_pending_membership_and_tells_the_members(newcomer, applicant, org_owner):
    assert newcomer.organisation is None
    assert Membership.objects.get(user=newcomer).organisation == org_owner
    notice = Notification.objects.get(recipient=applicant, kind="membership_requested")
    assert "newcomer" in notice.body
    assert AuditEntry.objects.filter(action="membership.request").count() == 1


def test_a_pending_newcomer_cannot_apply_for_the_organisation(newcomer, client_for, call):
    response = client_for(newcomer).post("/api/applications/", {"call": call.pk, **DRAFT}, format="json")
    assert response.status_code == 409
    assert "approval" in response.json()["detail"] or "审批" in response.json()["detail"]
    assert not Application.objects.filter(applicant=newcomer).exists()


def test_a_pending_newcomer_sees_none_of_the_organisations_items(newcomer, client_for, as_applicant, call):
    pk = as_applicant.post("/api/applications/", {"call": call.pk, **DRAFT}, format="json").json()["id"]
    api = client_for(newcomer)
    assert api.get("/api/applications/").json() in ([], {"count": 0, "next": None, "previous": None, "results": []})
    assert api.get(f"/api/applications/{pk}/").status_code == 404


def test_a_member_lists_and_approves_then_the_newcomer_may_apply(membership, newcomer, as_applicant, client_for, call):
    members = as_applicant.get(f"/api/organisations/{membership.organisation_id}/members/")
    assert members.status_code == 200
    assert {row["username"]: row["status"] for row in members.json()} == {
        "applicant": "approved",
        "newcomer": "pending",
    }
    response = as_applicant.post(f"/api/memberships/{membership.pk}/approve/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == MembershipStatus.APPROVED
    newcomer.refresh_from_db()
    assert newcomer.organisation_id == membership.organisation_id
    assert Notification.objects.filter(recipient=newcomer, kind="membership_decided").exists()
    entry = AuditEntry.objects.get(action="membership.approve")
    assert entry.from_state == "pending" and entry.to_state == "approved"
    created = client_for(newcomer).post("/api/applications/", {"call": call.pk, **DRAFT}, format="json")
    assert created.status_code == 201


def test_deciding_twice_is_409(membership, as_applicant, as_staff):
    assert as_staff.post(f"/api/memberships/{membership.pk}/reject/", {}, format="json").status_code == 200
    assert as_applicant.post(f"/api/memberships/{membership.pk}/approve/", {}, format="json").status_code == 409
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REJECTED
    assert membership.user.organisation_id is None


def test_the_newcomer_cannot_approve_themself(membership, newcomer, client_for):
    response = client_for(newcomer).post(f"/api/memberships/{membership.pk}/approve/", {}, format="json")
    assert response.status_code == 403


def test_other_organisations_neither_see_nor_decide(membership, as_other_applicant):
    assert as_other_applicant.get(f"/api/organisations/{membership.organisation_id}/members/").status_code == 404
    assert as_other_applicant.post(f"/api/memberships/{membership.pk}/approve/", {}, format="json").status_code == 404
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING


def test_page_registration_says_the_membership_waits(applicant, org_owner):
    client = Client()
    response = client.post(
        "/register/",
        {
            "username": "newcomer",
            "password": PASSWORD,
            "email": "newcomer@example.org",
            "organisation_name": "x",
            "credit_code": org_owner.credit_code,
            "kind": "enterprise",
        },
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "must approve you" in text or "批准" in text or "审核" in text
    assert User.objects.get(username="newcomer").organisation is None


def test_page_member_approves_a_newcomer(membership, applicant, newcomer):
    client = Client()
    client.force_login(applicant)
    page = client.get("/memberships/")
    assert "newcomer" in page.content.decode()
    response = client.post(f"/memberships/{membership.pk}/approve/")
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.organisation_id == membership.organisation_id


def test_page_newcomer_sees_that_they_wait_and_cannot_decide(membership, newcomer):
    client = Client()
    client.force_login(newcomer)
    client.cookies["django_language"] = "en"
    assert "awaits approval" in client.get("/memberships/").content.decode()
    assert client.post(f"/memberships/{membership.pk}/approve/").status_code == 403
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING


def test_existing_people_with_an_organisation_have_an_approved_membership(applicant):
    assert Membership.objects.get(user=applicant).status == MembershipStatus.APPROVED


def test_home_tells_a_pending_newcomer_why_they_cannot_apply(newcomer, call):
    client = Client()
    client.force_login(newcomer)
    client.cookies["django_language"] = "en"
    page = client.get("/").content.decode()
    assert "awaits approval" in page and "/memberships/" in page
    # The open call is listed, but applying would be refused (409) until approval: no button.
    assert call.title in page and f"/calls/{call.pk}/apply/" not in page
