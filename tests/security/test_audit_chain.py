"""Issue 19.3: the audit trail is hash-chained, so an entry changed, deleted or put in directly in
the database is reported (command, staff page, daily clock), and writers racing each other still
make one unbroken chain."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from applications.services import application_create
from audit.chain import GENESIS, canonical_around_link, entry_content, entry_hash
from audit.models import AuditCheckpoint, AuditEntry
from audit.services import audit_record, audit_record_many, audit_verify
from notifications.models import Notification
from tests.drafts import DRAFT
from workflow import steps
from workflow.tasks import verify_audit_trail

pytestmark = pytest.mark.django_db


def _history(call, applicant, staff, n=3):
    """A few real steps, so the trail holds what a bureau's would."""
    for i in range(n):
        app = application_create(
            actor=applicant, call=call, title=f"节能阀门研发 {i}", summary="s", field="manufacturing",
            requested_yuan="300000.00", self_funding_yuan="600000.00",
        )  # fmt: skip
        steps.application_submit(application=app, actor=applicant)
        steps.formal_review(application=app, actor=staff, decision="accept")


def _raw(sql, params=()):
    """What someone with direct database access does: no model, no save()."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_entries_chain_from_the_genesis_in_order(call, applicant, staff):
    _history(call, applicant, staff)
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.row_hash for earlier, later in zip(entries, entries[1:], strict=False))
    report = audit_verify()
    assert report.ok and report.checked == len(entries) and report.head_hash == entries[-1].row_hash


def test_an_entry_edited_in_the_database_is_reported_with_its_number(call, applicant, staff):
    _history(call, applicant, staff)
    target = AuditEntry.objects.order_by("seq")[3]
    _raw("UPDATE audit_auditentry SET comment = %s WHERE id = %s", ["nothing to see", target.pk])
    report = audit_verify()
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == ("changed", target.seq)
    assert report.checked == target.seq - 1  # everything before it is vouched for
    with translation.override("en"), pytest.raises(CommandError, match=f"Entry {target.seq} was changed"):
        call_command("audit_verify")


def test_a_changed_time_or_actor_is_reported_too(call, applicant, staff):
    _history(call, applicant, staff, n=1)
    first, second = AuditEntry.objects.order_by("seq")[:2]
    _raw("UPDATE audit_auditentry SET at = at - interval '1 day' WHERE id = %s", [second.pk])
    assert audit_verify().problem.seq == second.seq


def test_a_deleted_entry_is_reported(call, applicant, staff):
    _history(call, applicant, staff)
    victim = AuditEntry.objects.order_by("seq")[2]
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [victim.pk])
    problem = audit_verify().problem
    assert (problem.kind, problem.expected, problem.seq) == ("missing", victim.seq, victim.seq + 1)


def test_an_entry_put_in_with_a_forged_place_is_reported(call, applicant, staff):
    _history(call, applicant, staff)
    last = AuditEntry.objects.order_by("-seq").first()
    # A forger who copies the head's hash as the link but cannot make the content hash.
    _raw(
        "INSERT INTO audit_auditentry (at, action, target_type, target_id, from_state, to_state, comment, data, seq,"
        " prev_hash, row_hash) VALUES (now(), 'decision_fund', 'applications.application', 1, '', 'funded', '',"
        " '{}', %s, %s, %s)",
        [last.seq + 1, last.row_hash, "f" * 64],
    )
    problem = audit_verify().problem
    assert (problem.kind, problem.seq) == ("changed", last.seq + 1)


def test_entries_renumbered_to_hide_a_deletion_are_reported(call, applicant, staff):
    _history(call, applicant, staff)
    victim = AuditEntry.objects.order_by("seq")[2]
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [victim.pk])
    _raw("UPDATE audit_auditentry SET seq = seq - 1 WHERE seq > %s", [victim.seq])
    problem = audit_verify().problem
    assert problem.seq == victim.seq and problem.kind in {"unlinked", "changed"}


def test_cutting_off_the_newest_entries_is_caught_by_the_last_checkpoint(call, applicant, staff):
    _history(call, applicant, staff)
    assert audit_verify().ok  # records the head as a checkpoint
    head = AuditCheckpoint.objects.get()
    _raw("DELETE FROM audit_auditentry WHERE seq >= %s", [head.seq - 1])
    problem = audit_verify().problem
    assert (problem.kind, problem.seq) == ("truncated", head.seq)


def test_the_daily_clock_alerts_staff_once_a_day(call, applicant, staff, django_capture_on_commit_callbacks):
    _history(call, applicant, staff, n=1)
    assert verify_audit_trail() is True
    assert not Notification.objects.filter(kind="audit_broken").exists()
    victim = AuditEntry.objects.order_by("seq").first()
    _raw("UPDATE audit_auditentry SET to_state = 'funded' WHERE id = %s", [victim.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert verify_audit_trail() is False
        assert verify_audit_trail() is False  # a second run the same day writes nothing more
    alerts = Notification.objects.filter(kind="audit_broken", recipient=staff)
    assert alerts.count() == 1
    assert "1" in alerts.get().subject and "/audit/verify/" in alerts.get().url
    assert any("audit" in m.subject.lower() or "审计" in m.subject for m in mail.outbox)


def test_staff_check_the_trail_from_the_page(call, applicant, staff):
    _history(call, applicant, staff, n=1)
    client = Client()
    client.force_login(staff)
    assert client.get("/audit/verify/").status_code == 200
    whole = client.post("/audit/verify/")
    assert whole.context["report"].ok
    victim = AuditEntry.objects.order_by("seq")[1]
    _raw("UPDATE audit_auditentry SET comment = 'x' WHERE id = %s", [victim.pk])
    broken = client.post("/audit/verify/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert broken.context["report"].problem.seq == victim.seq
    assert str(victim.seq) in broken.content.decode()


@pytest.mark.django_db(transaction=True)
def test_writers_racing_each_other_make_one_unbroken_chain(applicant):
    """Eight threads append at once: the lock gives each entry its own place in commit order."""
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            for j in range(5):
                with transaction.atomic():
                    audit_record(actor=None, action=f"race-{i}-{j}", target=applicant, comment=str(j))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    report = audit_verify()
    assert report.ok
    assert AuditEntry.objects.filter(action__startswith="race-").count() == 40


# --- one statement per entry on PostgreSQL (issue 18): the database finishes the hash ----------

#: Text that JSON escapes, or that a naive byte count gets wrong: Chinese, quotes, backslashes,
#: control characters, characters outside the BMP, a "prev" key inside the data, None values.
TRICKY_COMMENT = '退回补正："材料不全"\\ 请于 3 日内补交\n\t第二行 ‘引号’ \\" 🙂 \u2028 end'
TRICKY_DATA = {
    "理由": '预算表"合计"与明细不符 C:\\tmp\\a.xlsx',
    "prev": "x",
    "seq": 99,
    "nested": {"b": [1, 2.5, None, True, {"深": "层", "z": None, "a": "\u001f is escaped, \u0085 is not"}], "a": {}},
    "none": None,
    "空": "",
    "emoji🙂": "🙂",
}


def _tricky_entries(applicant):
    """The same hostile content sealed both ways: appended alone and sealed in bulk."""
    appended = audit_record(
        actor=applicant, action="return_for_fix", target=applicant, from_state="submitted", to_state="draft",
        comment=TRICKY_COMMENT, data=TRICKY_DATA,
    )  # fmt: skip
    audit_record_many(actor=None, action="bulk", targets=[applicant, applicant], data=[TRICKY_DATA, {"a": None}])
    after_bulk = audit_record(actor=None, action="after_bulk", target=applicant, comment=TRICKY_COMMENT, data={})
    return appended, after_bulk


def test_the_link_cut_out_of_the_canonical_text_leaves_exactly_what_is_hashed(applicant):
    entry = AuditEntry(
        seq=12345, prev_hash="ab" * 32, at=timezone.now(), actor=None, action="a\"b", target_type="t",
        target_id=7, comment=TRICKY_COMMENT, data=TRICKY_DATA,
    )  # fmt: skip
    before, after = canonical_around_link(entry)
    whole = json.dumps(entry_content(entry), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert before + f'"prev":"{"ab" * 32}","seq":12345,' + after == whole


def test_an_entry_appended_in_one_statement_verifies_with_entry_hash(applicant):
    first = audit_record(actor=None, action="first", target=applicant)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        entry = audit_record(
            actor=applicant, action="return_for_fix", target=applicant, comment=TRICKY_COMMENT, data=TRICKY_DATA
        )
    if connection.vendor == "postgresql":
        assert len(queries) == 1, [q["sql"] for q in queries]
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.seq, stored.prev_hash) == (first.seq + 1, first.row_hash)
    assert stored.row_hash == entry.row_hash == entry_hash(stored)
    assert (stored.comment, stored.data, stored.at) == (TRICKY_COMMENT, TRICKY_DATA, entry.at)
    assert audit_verify().ok


def test_entries_appended_alone_and_sealed_in_bulk_make_one_chain(applicant):
    appended, after_bulk = _tricky_entries(applicant)
    entries = list(AuditEntry.objects.filter(seq__gte=appended.seq).order_by("seq"))
    assert [e.seq for e in entries] == [appended.seq + i for i in range(4)]
    assert [e.pk for e in entries][::3] == [appended.pk, after_bulk.pk]
    assert all(later.prev_hash == earlier.row_hash for earlier, later in zip(entries, entries[1:], strict=False))
    assert all(entry_hash(e) == e.row_hash for e in entries)
    report = audit_verify()
    assert report.ok and report.checked == after_bulk.seq and report.head_hash == after_bulk.row_hash


def test_the_first_entry_appended_in_one_statement_links_to_the_genesis():
    assert not AuditEntry.objects.exists()
    entry = AuditEntry.objects.create(action="first", target_type="t", target_id=1, data={"k": "值"})
    assert (entry.seq, entry.prev_hash) == (1, GENESIS)
    assert entry_hash(AuditEntry.objects.get(pk=entry.pk)) == entry.row_hash


@pytest.mark.parametrize(
    "change",
    [
        ("UPDATE audit_auditentry SET data = jsonb_set(data, '{nested,b,4,深}', '\"浅\"') WHERE id = %s"),
        ("UPDATE audit_auditentry SET comment = replace(comment, '\\', '/') WHERE id = %s"),
        ("UPDATE audit_auditentry SET at = at + interval '1 microsecond' WHERE id = %s"),
        ("UPDATE audit_auditentry SET actor_id = NULL WHERE id = %s"),
    ],
    ids=["nested-data", "backslash", "time", "actor"],
)
def test_a_changed_entry_appended_in_one_statement_is_reported(applicant, change):
    appended, _after_bulk = _tricky_entries(applicant)
    _raw(change, [appended.pk])
    problem = audit_verify().problem
    assert problem is not None and (problem.kind, problem.seq) == ("changed", appended.seq)


def test_an_entry_appended_in_one_statement_keeps_the_time_it_was_given(applicant):
    moment = dt.datetime(2026, 3, 1, 8, 30, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    entry = AuditEntry.objects.create(action="dated", target_type="t", target_id=1, at=moment)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.at == moment and entry_hash(stored) == stored.row_hash


def test_an_appended_entry_is_still_append_only(applicant):
    entry = audit_record(actor=None, action="once", target=applicant)
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()


def test_an_entry_appended_by_a_step_is_the_row_save_would_write(call, applicant, staff):
    """``audit_record`` appends without ``save()`` (``AuditEntry.append``): the entry it hands
    back is the stored row, placed at the head of the chain, as a saved entry would be."""
    app = application_create(actor=applicant, call=call, **{**DRAFT, "title": "链上的一项"})
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        entry = audit_record(actor=staff, action="test.append", target=app, to_state="x", data={"金额": "1.00"})
        saved = AuditEntry(actor=staff, action="test.save", target_type=entry.target_type, target_id=app.pk)
        saved.save()
    if connection.vendor == "postgresql":
        assert len([q for q in queries if "audit_auditentry" in q["sql"]]) == 2  # one statement each
    assert entry.pk is not None and not entry._state.adding and entry._state.db == "default"
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.seq, stored.prev_hash, stored.row_hash) == (entry.seq, entry.prev_hash, entry.row_hash)
    assert entry_hash(stored) == stored.row_hash and stored.data == {"金额": "1.00"} and stored.actor == staff
    assert saved.seq == entry.seq + 1 and saved.prev_hash == entry.row_hash
    assert audit_verify().ok
    with pytest.raises(RuntimeError):
        entry.append()  # append-only: an entry written once is never written again
