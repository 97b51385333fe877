"""Issues 8.5 and 8.6: the audit trail is browsable and exportable by staff only and cannot be
changed by anyone; the database itself refuses what must never happen; hostile text stays text."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError, transaction
from django.test import Client, RequestFactory
from openpyxl import load_workbook

from applications.services import application_create
from audit.models import AuditEntry
from reviews.models import Review
from tests.conftest import close_notice, contract_in_force

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script>'; DROP TABLE audit_auditentry; --"


def _draft(call, applicant, title="高效节能阀门研发"):
    return application_create(
        actor=applicant, call=call, title=title, summary="s", field="manufacturing",
        requested_yuan="300000.00", self_funding_yuan="600000.00",
    )  # fmt: skip


def test_staff_browse_filter_and_export_the_trail(call, applicant, staff):
    app = _draft(call, applicant, title=HOSTILE)
    AuditEntry.objects.create(
        actor=staff, action="probe", target_type="applications.application", target_id=app.pk, comment=HOSTILE
    )
    client = Client()
    client.force_login(staff)
    page = client.get("/audit/", {"type": "applications.application", "object": app.pk, "actor": "staff"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert list(page.context["page"]) == [AuditEntry.objects.get(action="probe")]
    # Nonsense filters are ignored, never a 500.
    assert client.get("/audit/", {"object": "x'--", "since": "2026-13-45", "page": "-1"}).status_code == 200
    export = client.get("/audit.xlsx", {"object": app.pk})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + AuditEntry.objects.filter(target_id=app.pk).count()
    assert HOSTILE in [cell for row in rows for cell in row]  # verbatim, as text


def test_nobody_can_edit_or_delete_an_entry(call, applicant, staff):
    _draft(call, applicant)
    entry = AuditEntry.objects.first()
    entry.comment = "rewritten"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    staff.is_staff = staff.is_superuser = True
    request = RequestFactory().get("/admin/")
    request.user = staff
    admin = site._registry[AuditEntry]
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, entry)
    assert not admin.has_delete_permission(request, entry)
    assert AuditEntry.objects.get(pk=entry.pk).comment != "rewritten"


def test_every_state_change_of_the_lifecycle_is_audited(call, applicant, staff, expert):
    from workflow import steps

    app = _draft(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    rows = AuditEntry.objects.filter(target_type="applications.application", target_id=app.pk)
    moves = [(r.actor.username if r.actor else None, r.from_state, r.to_state) for r in rows.exclude(to_state="")]
    assert ("applicant", "draft", "submitted") in moves
    assert any(actor == "staff" and to for actor, _from, to in moves if _from == "submitted")


def test_database_refuses_a_second_review_of_one_assignment():
    # OneToOne: the unique index is in the database, whatever the code does.
    field = Review._meta.get_field("assignment")
    assert field.one_to_one and field.remote_field.model.__name__ == "Assignment"


def test_database_refuses_paying_more_than_granted(
    call, applicant, staff, expert, panel, finance_officer, finance_head
):
    from funding.models import Disbursement
    from workflow import steps

    app = _draft(call, applicant)
    steps.application_submit(application=app, actor=applicant)
    steps.formal_review(application=app, actor=staff, decision="accept")
    a = steps.assignment_add(application=app, expert=expert, actor=staff)
    steps.expert_review_start(application=app, actor=staff)
    steps.assignment_accept(assignment=a, actor=expert.user, no_conflict=True)
    scores = {"innovation": 80, "feasibility": 90, "team": 70, "benefit": 85}
    steps.review_submit(assignment=a, actor=expert.user, scores=scores, comment="好", recommendation="support")
    steps.decide(application=app, actor=panel, fund=True, approved_yuan="250000.00")
    notice = steps.notice_publish(call=call, actor=staff)
    close_notice(notice, staff)
    contract_in_force(app, applicant, staff)
    first = Disbursement.objects.get(application=app, tranche=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=first.pk).update(amount_yuan=Decimal("250000.01"), status="paid")
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            assignment=a, scores=scores, weighted_total=Decimal("80"), comment="again", recommendation="support"
        )
    from funding.models import FundingDecision

    with pytest.raises(IntegrityError), transaction.atomic():  # one decision per item
        FundingDecision.objects.create(application=app, fund=False, decided_by=panel)
