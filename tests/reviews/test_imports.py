"""Importing the expert pool from a sheet: a report per row, good rows kept, bad rows refused
with reasons per column, and never a crash on bad cells or bad files."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from accounts.models import User
from audit.models import AuditEntry
from reviews import imports
from reviews.models import Conflict, Expert
from tests.conftest import make_code

from .conftest import HEADER, sheet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GOOD_CODE = make_code("12330000470187636")


def row(**cells):
    base = {
        "name": "李四",
        "username": "lisi",
        "email": "lisi@example.org",
        "organisation": "浙江理工大学",
        "credit code": GOOD_CODE,
        "fields": "manufacturing；materials",
        "title": "教授",
        "region": "杭州",
        "load limit": 5,
        "active": "是",
        "conflicts": "永嘉县东蒙集团有限公司, 浙江红蜻蜓鞋业股份有限公司",
    }
    base.update({k.replace("_", " "): v for k, v in cells.items()})
    return [base[h] for h in HEADER]


def test_valid_rows_are_created_with_fields_organisation_and_conflicts(staff):
    report = imports.experts_import(
        upload=sheet([row(), row(username="wangwu", name="王五", conflicts="")]), actor=staff
    )
    assert (report.created, report.updated, report.refused) == (2, 0, 0)
    lisi = Expert.objects.get(user__username="lisi")
    assert lisi.fields == ["manufacturing", "materials"]
    assert (lisi.title, lisi.region, lisi.load_limit, lisi.active) == ("教授", "杭州", 5, True)
    assert lisi.organisation.credit_code == GOOD_CODE
    assert set(lisi.conflicts.values_list("organisation_name", flat=True)) == {
        "永嘉县东蒙集团有限公司",
        "浙江红蜻蜓鞋业股份有限公司",
    }
    assert lisi.user.email == "lisi@example.org" and lisi.user.has_role("expert")
    assert not lisi.user.has_usable_password()
    assert AuditEntry.objects.filter(action="user.create", target_id=lisi.user_id).exists()
    assert [r.row for r in report.rows] == [2, 3]
    assert AuditEntry.objects.filter(action="expert.create").count() == 2


def test_bad_rows_are_refused_with_reasons_per_column_and_good_rows_kept(staff):
    rows = [
        row(),  # 2: fine
        row(username="bad1", credit_code="91330324MA285KJ350"),  # 3: check digit wrong
        row(username="bad2", load_limit="lots", active="maybe"),  # 4: two bad cells
        row(username="bad3", email="not-an-email", name=None),  # 5
        row(username="LISI", name="重复"),  # 6: duplicate of row 2, case-insensitive
        row(username=dt.datetime(2020, 1, 1)),  # 7: a date where the user name belongs
        row(username="bad5", fields=""),  # 8: a new expert needs a field
        row(username="bad6", load_limit=3.5),  # 9
    ]
    report = imports.experts_import(upload=sheet(rows), actor=staff)
    by_row = {r.row: r for r in report.rows}
    assert by_row[2].status == "created"
    assert set(by_row[3].errors) == {"credit_code"}
    assert set(by_row[4].errors) == {"load_limit", "active"}
    assert set(by_row[5].errors) == {"email", "name"}
    assert "row 2" in by_row[6].errors["username"][0]
    assert set(by_row[7].errors) == {"username"}
    assert set(by_row[8].errors) == {"fields"}
    assert set(by_row[9].errors) == {"load_limit"}
    assert (report.created, report.updated, report.refused) == (1, 0, 7)
    # Refused rows leave nothing behind: no user, no organisation side effects, no conflicts.
    assert list(User.objects.filter(username__startswith="bad").values_list("username", flat=True)) == []
    assert Expert.objects.count() == 1


def test_existing_expert_is_updated_only_where_cells_are_filled(staff, expert):
    Conflict.objects.create(expert=expert, organisation_name="旧单位")
    upload = sheet(
        [
            row(
                username="EXPERT",
                name="专家甲",
                title="",
                region="",
                fields="",
                organisation="",
                credit_code="",
                load_limit=2,
                active="否",
                conflicts="新单位",
            )
        ]
    )
    report = imports.experts_import(upload=upload, actor=staff)
    assert report.rows[0].status == "updated" and report.rows[0].expert == expert.pk
    expert.refresh_from_db()
    assert expert.name == "专家甲"
    assert expert.title == "Professor"  # empty cell: unchanged
    assert expert.fields == ["manufacturing"]
    assert expert.organisation.name == "浙江理工大学"
    assert (expert.load_limit, expert.active) == (2, False)
    assert set(expert.conflicts.values_list("organisation_name", flat=True)) == {"旧单位", "新单位"}


def test_a_non_expert_account_is_not_turned_into_an_expert(staff, applicant):
    report = imports.experts_import(upload=sheet([row(username="applicant")]), actor=staff)
    assert report.rows[0].status == "refused" and "username" in report.rows[0].errors
    assert not Expert.objects.filter(user=applicant).exists()


def test_chinese_headings_in_any_order_and_extra_columns(staff):
    upload = sheet(
        [["备注", "zhaoliu", "赵六", "manufacturing", "zhaoliu@example.org"]],
        header=["备注", "用户名", "姓名", "领域", "邮箱"],
    )
    report = imports.experts_import(upload=upload, actor=staff)
    assert report.created == 1
    assert Expert.objects.get(user__username="zhaoliu").name == "赵六"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"name,username\nx,y\n", "not an .xlsx"),
        (b"PK\x03\x04 broken zip", "not an .xlsx"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(staff, content, message):
    with pytest.raises(ValidationError) as exc:
        imports.experts_import(upload=content, actor=staff)
    assert message in exc.value.message_dict["file"][0]


def test_missing_required_columns_and_empty_sheets_are_refused(staff):
    with pytest.raises(ValidationError) as exc:
        imports.experts_import(upload=sheet([["张三"]], header=["name"]), actor=staff)
    assert "username" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as exc:
        imports.experts_import(upload=sheet([], header=[]), actor=staff)
    assert "empty" in exc.value.message_dict["file"][0]


def test_oversized_sheets_are_refused(staff, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = [row(username=f"u{i}") for i in range(4)]
    with pytest.raises(ValidationError) as exc:
        imports.experts_import(upload=sheet(rows), actor=staff)
    assert "At most 3" in exc.value.message_dict["file"][0]
    assert not Expert.objects.exists()
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    with pytest.raises(ValidationError) as exc:
        imports.experts_import(upload=sheet([row()]), actor=staff)
    assert "larger" in exc.value.message_dict["file"][0]


def test_blank_rows_are_skipped_and_row_numbers_are_the_sheets(staff):
    report = imports.experts_import(upload=sheet([row(), [None] * len(HEADER), row(username="x2")]), actor=staff)
    assert [(r.row, r.status) for r in report.rows] == [(2, "created"), (4, "created")]


def test_only_staff_import(expert):
    with pytest.raises(PermissionDenied):
        imports.experts_import(upload=sheet([row()]), actor=expert.user)


def test_template_reads_back_and_report_sheet_never_holds_formulas(staff):
    report = imports.experts_import(upload=imports.template_xlsx(), actor=staff)
    assert report.created == 1
    rows = [{"row": 2, "username": '=HYPERLINK("x")', "name": "n", "status": "refused", "errors": {"a": ["b"]}}]
    ws = load_workbook(io.BytesIO(imports.report_xlsx(rows))).active
    assert ws["B2"].data_type == "s" and ws["B2"].value.startswith("=")
    assert ws["E2"].value == "a: b"


def test_fields_given_by_chinese_or_english_name_are_stored_as_codes(staff):
    report = imports.experts_import(
        upload=sheet([row(fields="先进制造；New materials, agriculture"), row(username="wangwu", fields="医药 卫生")]),
        actor=staff,
    )
    assert (report.created, report.refused) == (2, 0)
    assert Expert.objects.get(user__username="lisi").fields == ["manufacturing", "materials", "agriculture"]
    assert Expert.objects.get(user__username="wangwu").fields == ["medicine"]


def test_unknown_fields_refuse_the_row_naming_them_and_the_other_rows_go_on(staff):
    report = imports.experts_import(
        upload=sheet([row(fields="制造业；materials"), row(username="wangwu", fields="materials")]), actor=staff
    )
    assert (report.created, report.refused) == (1, 1)
    refused = report.rows[0]
    assert refused.status == "refused" and "制造业" in refused.errors["fields"][0]
    assert not Expert.objects.filter(user__username="lisi").exists()


def test_a_deactivated_field_is_unknown_to_the_import(staff):
    from applications.models import Field

    Field.objects.filter(code="energy").update(active=False)
    report = imports.experts_import(upload=sheet([row(fields="energy")]), actor=staff)
    assert report.refused == 1 and "energy" in report.rows[0].errors["fields"][0]


def test_the_template_sheet_imports_as_it_is(staff):
    report = imports.experts_import(upload=imports.template_xlsx(), actor=staff)
    assert report.refused == 0, report.rows[0].errors
    assert Expert.objects.get(user__username="zhangsan").fields == ["manufacturing", "materials"]
