"""Staff keep the expert pool: edit, deactivate, record and remove conflicts; all audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from core.errors import NotVisible
from reviews import services
from reviews.models import Conflict, Expert
from reviews.selectors import expert_pool
from tests.conftest import make_code, make_expert

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_staff_update_an_expert_and_the_audit_keeps_before_and_after(staff, expert):
    services.expert_update(
        expert=expert,
        actor=staff,
        name="王教授",
        fields="agriculture；materials, manufacturing",
        title="研究员",
        region="温州",
        load_limit=3,
        organisation={"name": "温州大学", "credit_code": make_code("12330300470402412")},
    )
    expert.refresh_from_db()
    assert expert.name == "王教授"
    assert expert.fields == ["agriculture", "materials", "manufacturing"]
    assert (expert.title, expert.region, expert.load_limit) == ("研究员", "温州", 3)
    assert expert.organisation.name == "温州大学"
    assert expert.user.display_name == "王教授"
    entry = AuditEntry.objects.get(action="expert.update")
    assert entry.data["changes"]["load_limit"] == {"from": 10, "to": 3}
    assert entry.data["changes"]["name"]["to"] == "王教授"


def test_update_refuses_bad_values_field_by_field_and_changes_nothing(staff, expert):
    with pytest.raises(ValidationError) as exc:
        services.expert_update(expert=expert, actor=staff, name=" ", fields=";", load_limit=-1)
    assert set(exc.value.message_dict) == {"name", "fields", "load_limit"}
    expert.refresh_from_db()
    assert expert.name == "expert" and expert.load_limit == 10
    assert not AuditEntry.objects.filter(action="expert.update").exists()


def test_a_bad_credit_code_is_refused(staff, expert):
    with pytest.raises(ValidationError) as exc:
        services.expert_update(
            expert=expert, actor=staff, organisation={"name": "某公司", "credit_code": "91330324MA285KJ350"}
        )
    assert "credit_code" in exc.value.message_dict


def test_only_staff_manage_the_pool(expert, expert2, applicant):
    for actor in (expert.user, applicant):
        with pytest.raises(PermissionDenied):
            services.expert_update(expert=expert2, actor=actor, load_limit=1)
        with pytest.raises(PermissionDenied):
            services.expert_deactivate(expert=expert2, actor=actor)


def test_deactivated_expert_leaves_the_active_pool(staff, expert, expert2):
    services.expert_deactivate(expert=expert, actor=staff)
    assert list(expert_pool(active="yes")) == [expert2]
    assert list(expert_pool(active="no")) == [expert]
    assert AuditEntry.objects.filter(action="expert.update", data__changes__active__to=False).count() == 1


def test_pool_filters_by_field_region_and_name_or_organisation(staff, org_expert, org_other):
    a = make_expert("alpha", org_expert, ["agriculture"])
    b = make_expert("beta", org_other, ["manufacturing", "materials"])
    services.expert_update(expert=b, actor=staff, region="温州市")
    assert list(expert_pool(field="materials")) == [b]
    assert list(expert_pool(region="温州")) == [b]
    assert list(expert_pool(search="理工")) == [a]
    assert list(expert_pool(search="BET")) == [b]
    assert list(expert_pool(field="agriculture", search="beta")) == []


def test_expert_declares_own_conflict_and_staff_remove_it(staff, expert, expert2):
    conflict = services.conflict_declare(
        expert=expert, actor=expert.user, organisation_name=" 永嘉县东蒙集团有限公司 ", reason="曾任职"
    )
    assert conflict.organisation_name == "永嘉县东蒙集团有限公司"
    entry = AuditEntry.objects.get(action="conflict.declare")
    assert entry.actor == expert.user and entry.data["reason"] == "曾任职"
    with pytest.raises(NotVisible):
        services.conflict_declare(expert=expert2, actor=expert.user, organisation_name="某单位")
    with pytest.raises(PermissionDenied):
        services.conflict_withdraw(conflict=conflict, actor=expert.user)
    services.conflict_withdraw(conflict=conflict, actor=staff)
    assert not Conflict.objects.exists()
    assert AuditEntry.objects.get(action="conflict.withdraw").data["organisation"] == "永嘉县东蒙集团有限公司"


def test_pool_query_gives_each_expert_their_load_in_one_query(django_assert_num_queries, staff, expert, expert2):
    with django_assert_num_queries(1):
        rows = {e.pk: (e.load, e.conflict_count) for e in expert_pool()}
    assert rows == {expert.pk: (0, 0), expert2.pk: (0, 0)}
    assert Expert.objects.count() == 2
