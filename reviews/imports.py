"""Import the expert pool (专家库) from an .xlsx sheet, row by row, with a report per row.

The first sheet's first row names the columns (English keys or their Chinese headings, in any
order; unknown columns are ignored). Each later row is one expert:

- a new user name creates the expert (and their login, without a usable password until
  one is set for it);
- the user name of an expert already in the pool updates them: only the filled cells change,
  and the conflicts listed are added to theirs (none is removed);
- anything wrong refuses the whole row, with the reasons per column; the other rows go on.

A refused row leaves nothing behind and a good row is kept whatever the next row holds: rows
are saved a chunk at a time, each chunk in one transaction, the new experts of a chunk written
together and each update in a savepoint of its own (issue 18: ~2 statements a row instead of
~20). The import runs as a background job (``experts_import_start``), which reports its
progress after each chunk. Bad cells (wrong types, formulas' errors, dates where text
belongs) are refused with a reason, never a crash. A sheet that is not an .xlsx, has no
header, lacks a required column, or is too big, is refused as a whole.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import User
from accounts.rules import is_staff
from accounts.validators import normalise_credit_code, validate_credit_code
from applications.models import Field
from applications.selectors import field_code_for
from audit.services import audit_record
from core.jobs import job_claim, job_create, job_enqueue, job_fail, job_finish, job_progress
from core.models import Job

from . import services
from .exports import xlsx_table
from .models import Expert

#: Refused as a whole beyond these (a pool is a few thousand people, not a data dump).
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 40
MAX_CELL = 500
#: The kind of ``core.Job`` an import runs as.
IMPORT_JOB_KIND = "experts.import"
#: Rows saved in one transaction, and between two progress reports on the job.
CHUNK = 200

#: Column key → the headings accepted for it (matched without case and spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名"),
    "username": ("username", "user name", "用户名", "账号"),
    "email": ("email", "e-mail", "邮箱", "电子邮箱"),
    "organisation": ("organisation", "organization", "单位", "工作单位"),
    "credit_code": ("credit code", "credit_code", "统一社会信用代码", "信用代码"),
    "fields": ("fields", "field", "领域", "专业领域"),
    "title": ("title", "职称"),
    "region": ("region", "地区", "所在地区"),
    "load_limit": ("load limit", "load_limit", "评审上限", "负荷上限"),
    "active": ("active", "在库", "启用"),
    "conflicts": ("conflicts", "回避单位", "利益冲突单位"),
}
REQUIRED_COLUMNS = ("name", "username")
#: The column headings of the template sheet, in order.
TEMPLATE_HEADINGS = (
    ("name", pgettext_lazy("expert", "name")),
    ("username", gettext_lazy("username")),
    ("email", gettext_lazy("email")),
    ("organisation", gettext_lazy("organisation")),
    ("credit_code", gettext_lazy("credit code")),
    ("fields", gettext_lazy("fields")),
    ("title", pgettext_lazy("expert", "title")),
    ("region", gettext_lazy("region")),
    ("load_limit", gettext_lazy("load limit")),
    ("active", gettext_lazy("active")),
    ("conflicts", gettext_lazy("conflicts")),
)
TRUE_WORDS = {"yes", "y", "true", "1", "是", "在库", "启用", "active"}
FALSE_WORDS = {"no", "n", "false", "0", "否", "停用", "inactive"}


class RowStatus:
    CREATED = "created"
    UPDATED = "updated"
    REFUSED = "refused"


@dataclass
class RowResult:
    row: int
    username: str
    name: str
    status: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    expert: int | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportReport:
    rows: list[RowResult]

    @property
    def created(self) -> int:
        return sum(r.status == RowStatus.CREATED for r in self.rows)

    @property
    def updated(self) -> int:
        return sum(r.status == RowStatus.UPDATED for r in self.rows)

    @property
    def refused(self) -> int:
        return sum(r.status == RowStatus.REFUSED for r in self.rows)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": [r.as_json() for r in self.rows],
            "created": self.created,
            "updated": self.updated,
            "refused": self.refused,
        }


def _heading(value: Any) -> str:
    return "".join(str(value or "").split()).lower().replace("_", "")


_HEADINGS = {_heading(alias): key for key, aliases in COLUMNS.items() for alias in aliases}


class _CellError(Exception):
    pass


def _text(value: Any) -> str:
    """A cell as text: strings and whole numbers (a user name typed as 12345) are accepted."""
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise _CellError(_("Expected text, found a date or a yes/no value."))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        raise _CellError(_("Expected text, found a number."))
    text = str(value).strip()
    if text.startswith("#") and text.endswith(("!", "?", "A")) and text.isupper():
        # An Excel error value such as #REF! or #N/A.
        raise _CellError(_("The cell holds a spreadsheet error (%(value)s).") % {"value": text})
    if len(text) > MAX_CELL:
        raise _CellError(_("At most %(n)s characters.") % {"n": MAX_CELL})
    return text


def _load_limit(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise _CellError(_("The load limit is a whole number from 0 to 1000."))
    if isinstance(value, float):
        if not value.is_integer():
            raise _CellError(_("The load limit is a whole number from 0 to 1000."))
        value = int(value)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise _CellError(_("The load limit is a whole number from 0 to 1000.")) from None
    if not 0 <= number <= services.MAX_LOAD_LIMIT:
        raise _CellError(_("The load limit is a whole number from 0 to 1000."))
    return number


def _active(value: Any) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _CellError(_("Write yes or no (是/否)."))


def _read_rows(data: bytes) -> tuple[dict[str, int], list[tuple[int, tuple[Any, ...]]]]:
    """The header's column positions and the non-empty rows (with their sheet row numbers)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload is the user's file, not our crash
        raise ValidationError({"file": [_("This is not an .xlsx spreadsheet that can be read.")]}) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ValidationError({"file": [_("The spreadsheet has no sheet.")]})
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        header: tuple[Any, ...] | None = None
        for values in rows:
            if any(v is not None and str(v).strip() for v in values):
                header = values
                break
        if header is None:
            raise ValidationError({"file": [_("The sheet is empty: the first row must name the columns.")]})
        positions: dict[str, int] = {}
        for index, heading in enumerate(header):
            key = _HEADINGS.get(_heading(heading))
            if key and key not in positions:
                positions[key] = index
        missing = [key for key in REQUIRED_COLUMNS if key not in positions]
        if missing:
            raise ValidationError(
                {"file": [_("The header row lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)}]}
            )
        found: list[tuple[int, tuple[Any, ...]]] = []
        number = 1
        for number, values in enumerate(rows, start=2):
            if not any(v is not None and str(v).strip() for v in values):
                continue
            if len(found) >= MAX_ROWS:
                raise ValidationError(
                    {"file": [_("At most %(n)s experts per sheet; split the sheet.") % {"n": MAX_ROWS}]}
                )
            found.append((number, values))
        return positions, found
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet body, as above
        raise ValidationError({"file": [_("This is not an .xlsx spreadsheet that can be read.")]}) from None
    finally:
        workbook.close()


def _cell(values: tuple[Any, ...], positions: dict[str, int], key: str) -> Any:
    index = positions.get(key)
    if index is None or index >= len(values):
        return None
    return values[index]


def _parse_row(
    values: tuple[Any, ...], positions: dict[str, int], active_fields: set[str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The row's cells as clean values, and the reasons per column for any that are not."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    readers = {"load_limit": _load_limit, "active": _active}
    for key in COLUMNS:
        try:
            data[key] = readers.get(key, _text)(_cell(values, positions, key))
        except _CellError as exc:
            errors[key] = [str(exc)]
            data[key] = None
    username = data.get("username") or ""
    if "username" not in errors:
        if not username:
            errors["username"] = [_("A user name is required.")]
        elif len(username) > 150:
            errors["username"] = [_("A user name of 1 to 150 characters is required.")]
    if "name" not in errors and not data.get("name"):
        errors["name"] = [_("A name is required.")]
    if data.get("email"):
        try:
            EmailValidator()(data["email"])
        except ValidationError:
            errors["email"] = [_("Not a valid e-mail address.")]
    code = data.get("credit_code") or ""
    if code:
        code = normalise_credit_code(code)
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            errors["credit_code"] = list(exc.messages)
        data["credit_code"] = code
        if not data.get("organisation") and "organisation" not in errors:
            errors["organisation"] = [_("A credit code needs the organisation's name.")]
    data["fields"], unknown = _field_codes(services.split_words(data.get("fields") or ""), active_fields)
    if unknown and "fields" not in errors:
        errors["fields"] = [
            _("Unknown field: %(names)s. Write the field's code, Chinese or English name.")
            % {"names": ", ".join(unknown)}
        ]
    data["conflicts"] = services.split_words(data.get("conflicts") or "")
    return data, errors


def _field_codes(words: list[str], active: set[str]) -> tuple[list[str], list[str]]:
    """The codes of the fields named (by code, Chinese or English name), and the words that
    name no active field."""
    codes: list[str] = []
    unknown: list[str] = []
    for word in words:
        code = field_code_for(word)
        if code is None or code not in active:
            unknown.append(word)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
    return {"row": [str(m) for m in exc.messages]}


def _organisation(data: dict[str, Any]) -> dict[str, Any] | None:
    if not data.get("organisation"):
        return None
    return {"name": data["organisation"], "credit_code": data.get("credit_code") or "", "kind": "other"}


def _missing_for_new(data: dict[str, Any]) -> dict[str, list[str]]:
    """What a row of a new expert lacks (an update may leave these cells empty)."""
    missing: dict[str, list[str]] = {}
    if not data["fields"]:
        missing["fields"] = [_("A new expert needs at least one field.")]
    if not data.get("email"):
        missing["email"] = [_("A new expert needs an e-mail address.")]
    return missing


def _save_row(data: dict[str, Any], actor: Any) -> tuple[str, Expert]:
    """Create or update one expert from a clean row; raises ``ValidationError`` to refuse it."""
    organisation = _organisation(data)
    user = User.objects.filter(username__iexact=data["username"]).first()
    if user is None:
        missing = _missing_for_new(data)
        if missing:
            raise ValidationError(missing)
        expert = services.expert_create(
            actor=actor,
            username=data["username"],
            password=None,
            email=data["email"],
            name=data["name"],
            organisation=organisation,
            fields=data["fields"],
            title=data.get("title") or "",
            region=data.get("region") or "",
            load_limit=data["load_limit"] if data.get("load_limit") is not None else 10,
            active=data["active"] if data.get("active") is not None else True,
        )
        status = RowStatus.CREATED
    else:
        expert_row = Expert.objects.filter(user=user).first()
        if expert_row is None:
            raise ValidationError(
                {"username": [_("This user name belongs to an account that is not in the expert pool.")]}
            )
        changes: dict[str, Any] = {"name": data["name"]}
        for key in ("title", "region"):
            if data.get(key):
                changes[key] = data[key]
        if data["fields"]:
            changes["fields"] = data["fields"]
        if data.get("load_limit") is not None:
            changes["load_limit"] = data["load_limit"]
        if data.get("active") is not None:
            changes["active"] = data["active"]
        if organisation is not None:
            changes["organisation"] = organisation
        expert = services.expert_update(expert=expert_row, actor=actor, **changes)
        if data.get("email") and data["email"] != user.email:
            User.objects.filter(pk=user.pk).update(email=data["email"])
        status = RowStatus.UPDATED
    for name in data["conflicts"]:
        services.conflict_declare(expert=expert, actor=actor, organisation_name=name, reason=_("Imported"))
    return status, expert


def _require_staff(actor: Any) -> None:
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff manage the expert pool."))


def _upload_bytes(upload: Any) -> bytes:
    """The sheet's bytes, or ``ValidationError({"file": …})`` for no file, an empty or a too big one."""
    if upload is None:
        raise ValidationError({"file": [_("Choose an .xlsx file to import.")]})
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB; split the sheet.")]})
    data = upload if isinstance(upload, bytes) else upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB; split the sheet.")]})
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    return bytes(data)


def experts_import_start(*, upload: Any, actor: Any) -> Job:
    """Accept a sheet for import as a background job (issue 18) and queue it after commit.

    Everything that refuses the sheet as a whole is checked here, before answering: no file,
    an empty or too big one, not a readable .xlsx, no header or a required column missing,
    more than ``MAX_ROWS`` rows (``ValidationError({"file": …})``, a 400), and anyone but
    staff (``PermissionDenied``). The sheet is then stored through the media storage in use,
    the job counts its rows, and ``reviews.tasks.expert_import_run`` imports it row by row
    (``experts_import``), reporting progress on the job and the per-row report when done.

    Side effects: a ``core.Job`` (kind ``experts.import``) with the upload; audit row
    ``experts.import``; the task queued after commit."""
    _require_staff(actor)
    data = _upload_bytes(upload)
    _positions, rows = _read_rows(data)
    with transaction.atomic():
        job = job_create(
            kind=IMPORT_JOB_KIND,
            actor=actor,
            total=len(rows),
            task="reviews.tasks.expert_import_run",
            filename="experts.xlsx",
            data=data,
        )
        audit_record(actor=actor, action="experts.import", target=job, data={"rows": len(rows)})
        # With the broker down the upload is still accepted; the job waits, queued (the sweep
        # queues it again).
        job_enqueue(job)
    return job


def experts_import_job_run(*, job_id: int) -> None:
    """The job's work, as the worker runs it: claim the job (a task delivered twice runs once),
    import the stored sheet as its creator, report progress per chunk and the report at the end.

    A sheet that can no longer be read, or a creator who is no longer staff, fails the job with
    the reason; rows already saved stay saved, as they would after any refused row."""
    job = job_claim(job_id=job_id)
    if job is None:
        return
    try:
        with job.upload.open("rb") as handle:
            data = handle.read()
        # The report's reasons in the language of the person who uploaded the sheet.
        with translation.override(job.language or settings.LANGUAGE_CODE):
            report = experts_import(
                upload=data, actor=job.created_by, progress=lambda done: job_progress(job=job, done=done)
            )
    except ValidationError as exc:
        job_fail(job=job, error=" ".join(" ".join(msgs) for msgs in _messages(exc).values()))
        return
    except PermissionDenied as exc:
        job_fail(job=job, error=str(exc))
        return
    except Exception:
        job_fail(job=job, error=_("The import stopped on an unexpected error; the rows reported so far are saved."))
        raise
    job_finish(job=job, result=report.as_json())


def _existing_users(usernames: list[str]) -> dict[str, User]:
    """The accounts already holding these user names (case ignored), with their expert row."""
    keys = {u.lower() for u in usernames if u}
    if not keys:
        return {}
    users = User.objects.annotate(key=Lower("username")).filter(key__in=keys).select_related("expert")
    return {user.username.lower(): user for user in users}


def _new_expert(clean: dict[str, Any]) -> dict[str, Any]:
    """A clean row of a new expert as ``services.experts_create_many`` takes it."""
    return {
        "username": clean["username"],
        "email": clean["email"],
        "name": clean["name"],
        "organisation": _organisation(clean),
        "fields": clean["fields"],
        "title": clean.get("title") or "",
        "region": clean.get("region") or "",
        "load_limit": clean["load_limit"] if clean.get("load_limit") is not None else 10,
        "active": clean["active"] if clean.get("active") is not None else True,
        "conflicts": clean["conflicts"],
    }


def _save_one(result: RowResult, clean: dict[str, Any], actor: Any) -> None:
    """One row on its own (a savepoint): what a refused row leaves is rolled back."""
    try:
        with transaction.atomic():
            result.status, expert = _save_row(clean, actor)
    except ValidationError as exc:
        result.status, result.errors = RowStatus.REFUSED, _messages(exc)
        return
    except IntegrityError:
        result.status = RowStatus.REFUSED
        result.errors = {"row": [_("The row conflicts with data saved at the same time; import it again.")]}
        return
    result.expert = expert.pk


def _save_chunk(chunk: list[tuple[RowResult, dict[str, Any]]], existing: dict[str, User], actor: Any) -> None:
    """Save a chunk of clean rows in one transaction.

    New experts are written together (``services.experts_create_many``: a fixed number of
    statements for the chunk); an expert already in the pool is updated through the services
    one by one, each in a savepoint. Should the bulk write refuse (a user name taken since the
    sheet was read, a row the checks let through), the chunk's new experts are saved one by one
    instead, so the report still says which row and why."""
    new: list[tuple[RowResult, dict[str, Any]]] = []
    for result, clean in chunk:
        user = existing.get(clean["username"].lower())
        if user is None:
            missing = _missing_for_new(clean)
            if missing:
                result.errors = missing
            else:
                new.append((result, clean))
        else:
            _save_one(result, clean, actor)
    if not new:
        return
    try:
        with transaction.atomic():
            experts = services.experts_create_many(
                actor=actor, rows=[_new_expert(clean) for _r, clean in new], conflict_reason=_("Imported")
            )
    except (ValidationError, IntegrityError):
        for result, clean in new:
            _save_one(result, clean, actor)
        return
    for (result, _clean), expert in zip(new, experts, strict=True):
        result.status, result.expert = RowStatus.CREATED, expert.pk


def experts_import(*, upload: Any, actor: Any, progress: Callable[[int], None] | None = None) -> ImportReport:
    """Read the sheet and save every valid row; see the module's notes.

    ``upload`` is an uploaded file (or anything with ``read``) or the bytes themselves.
    Raises ``ValidationError({"file": …})`` when the sheet as a whole cannot be used and
    ``PermissionDenied`` for anyone but staff. Rows are saved ``CHUNK`` at a time, each chunk
    in one transaction (a refused row still leaves nothing behind: see ``_save_chunk``), and
    ``progress(rows_done)`` is called after each chunk is committed."""
    _require_staff(actor)
    data = _upload_bytes(upload)
    positions, rows = _read_rows(data)

    results: list[RowResult] = []
    parsed: list[tuple[RowResult, dict[str, Any], dict[str, list[str]]]] = []
    first_row_of: dict[str, int] = {}
    active_fields = set(Field.objects.filter(active=True).values_list("code", flat=True))
    for number, values in rows:
        clean, errors = _parse_row(values, positions, active_fields)
        username = clean.get("username") or ""
        result = RowResult(row=number, username=username, name=clean.get("name") or "", status=RowStatus.REFUSED)
        results.append(result)
        key = username.lower()
        if key and "username" not in errors:
            if key in first_row_of:
                errors["username"] = [
                    _("The user name appears again: first in row %(row)s.") % {"row": first_row_of[key]}
                ]
            else:
                first_row_of[key] = number
        parsed.append((result, clean, errors))
    existing = _existing_users([clean.get("username") or "" for _r, clean, errors in parsed if not errors])
    for start in range(0, len(parsed), CHUNK):
        chunk = []
        for result, clean, errors in parsed[start : start + CHUNK]:
            if errors:
                result.errors = errors
            else:
                chunk.append((result, clean))
        with transaction.atomic():
            _save_chunk(chunk, existing, actor)
        if progress is not None:
            progress(min(start + CHUNK, len(parsed)))
    return ImportReport(rows=results)


def template_xlsx() -> bytes:
    """An empty sheet with the header row and one example row."""
    return xlsx_table(
        "experts",
        # The English headings: they read back the same whatever the staff member's language.
        [COLUMNS[key][0] for key, _label in TEMPLATE_HEADINGS],
        [
            [
                "张三",
                "zhangsan",
                "zhangsan@example.org",
                "浙江理工大学",
                "",
                "先进制造; materials",
                "教授",
                "温州",
                10,
                "是",
                "",
            ]
        ],
    )


def report_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """The per-row report of an import as a sheet: row, user name, name, result, reasons."""
    headings = {key: str(label) for key, label in TEMPLATE_HEADINGS}
    labels = {
        RowStatus.CREATED: _("created"),
        RowStatus.UPDATED: _("updated"),
        RowStatus.REFUSED: _("refused"),
    }
    return xlsx_table(
        _("Import report"),
        [_("Row"), _("User name"), _("Name"), _("Result"), _("Reasons")],
        (
            [
                row.get("row"),
                str(row.get("username", "")),
                str(row.get("name", "")),
                str(labels.get(row.get("status", ""), "")),
                "; ".join(
                    f"{headings.get(key, key)}: {' '.join(msgs)}" for key, msgs in (row.get("errors") or {}).items()
                ),
            ]
            for row in rows
        ),
    )
