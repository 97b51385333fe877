"""Issue 14.1 and 14.3: only an administrator grants the roles that decide or move money,
nobody holds both finance roles, and the admin cannot mint tokens or move states."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from accounts.enums import Role
from accounts.models import User
from audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

POWERFUL = [Role.STAFF, Role.PANEL, Role.FINANCE_OFFICER, Role.FINANCE_HEAD]


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(username="root", password=PASSWORD, email="root@example.org")


@pytest.fixture
def as_admin(client_for, admin_user):
    return client_for(admin_user)


@pytest.mark.parametrize("role", POWERFUL)
def test_staff_may_not_grant_a_powerful_role_via_the_api(as_staff, role):
    response = as_staff.post("/api/users/", {"username": "x", "email": "x@example.org", "roles": [role]}, format="json")
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.NOMINATOR, Role.EXPERT])
def test_staff_may_create_applicants_nominators_and_experts(as_staff, role):
    response = as_staff.post("/api/users/", {"username": "x", "email": "x@example.org", "roles": [role]}, format="json")
    assert response.status_code == 201
    user = User.objects.get(username="x")
    assert user.roles == {role}
    assert not user.has_usable_password()  # invited: staff never know the password
    entry = AuditEntry.objects.get(action="user.create", target_id=user.pk)
    assert entry.data["roles"] == [role]


@pytest.mark.parametrize("role", POWERFUL)
def test_an_administrator_grants_powerful_roles_audited(as_admin, admin_user, role):
    response = as_admin.post("/api/users/", {"username": "x", "email": "x@example.org", "roles": [role]}, format="json")
    assert response.status_code == 201
    entry = AuditEntry.objects.get(action="user.create", target_id=response.json()["id"])
    assert entry.actor_id == admin_user.pk and entry.data["roles"] == [role]


def test_applicants_may_not_create_users(as_applicant):
    response = as_applicant.post(
        "/api/users/", {"username": "x", "email": "x@example.org", "roles": [Role.APPLICANT]}, format="json"
    )
    assert response.status_code == 403


def test_nobody_is_given_both_finance_roles_even_by_an_administrator(as_admin):
    body = {"username": "x", "email": "x@example.org", "roles": [Role.FINANCE_OFFICER, Role.FINANCE_HEAD]}
    response = as_admin.post("/api/users/", body, format="json")
    assert response.status_code == 400
    assert "roles" in response.json()


def test_the_second_finance_role_is_refused_whatever_the_path(finance_officer, finance_head):
    head_group = Group.objects.get(name=Role.FINANCE_HEAD)
    # Each in its own savepoint: the refusal aborts the transaction it happens in.
    with pytest.raises(ValidationError), transaction.atomic():
        finance_officer.groups.add(head_group)  # as the admin or a shell would
    with pytest.raises(ValidationError), transaction.atomic():
        head_group.user_set.add(finance_officer)  # from the group's side
    with pytest.raises(ValidationError), transaction.atomic():
        finance_head.groups.set([head_group, Group.objects.get(name=Role.FINANCE_OFFICER)])
    assert finance_officer.groups.filter(name=Role.FINANCE_HEAD).count() == 0


def test_staff_page_offers_only_the_roles_staff_may_give_and_refuses_a_forged_one(staff):
    client = Client()
    client.force_login(staff)
    page = client.get("/people/new/").content.decode()
    assert 'value="applicant"' in page and 'value="finance_head"' not in page
    form = {"username": "x", "email": "x@example.org", "language": "en", "roles": [Role.FINANCE_HEAD]}
    assert client.post("/people/new/", form).status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_people_page_is_for_staff_only(applicant):
    client = Client()
    client.force_login(applicant)
    assert client.get("/people/new/").status_code == 403


# --- the admin ---------------------------------------------------------------------------------


def test_admin_has_no_token_pages(admin_user):
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert client.get("/admin/authtoken/tokenproxy/add/").status_code == 404
    assert "authtoken" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    "path", ["/admin/auth/group/add/", "/admin/viewflow/process/add/", "/admin/audit/auditentry/add/"]
)
def test_admin_cannot_add_what_services_own(admin_user, path):
    client = Client()
    client.force_login(admin_user)
    assert client.get(path).status_code == 403


def test_admin_shows_role_groups_read_only(admin_user):
    client = Client()
    client.force_login(admin_user)
    group = Group.objects.get(name=Role.FINANCE_HEAD)
    page = client.get(f"/admin/auth/group/{group.pk}/change/")
    assert page.status_code == 200
    response = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "anything"})
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.name == Role.FINANCE_HEAD
