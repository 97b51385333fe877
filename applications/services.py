"""Writes for programmes, calls and applications.

``application_transition`` is the only function that assigns ``Application.status``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.recent import require_recent_login
from accounts.rules import is_staff
from accounts.selectors import refuse_while_pending
from audit.services import audit_record
from core.db import CompiledRead, is_row_held, save_fields, service_atomic
from core.errors import StateConflict
from core.grants import grant_user_object_perms
from core.money import ungroup, yuan
from notifications.services import email_choices_carry, notify, with_email_choices

from .enums import (
    EDITABLE_STATES,
    LIMIT_COUNTED_STATES,
    OPEN_PROJECT_STATES,
    TRANSITIONS,
    AcceptanceDocument,
    ApplicationStatus,
    CallKind,
    FormalDecision,
    ItemKind,
    ScoringRule,
)
from .links import item_staff_url, item_url
from .models import Application, Attachment, Call, Field, Programme
from .rules import can_apply, can_edit_application, closed_before_submission
from .scrub import SCRUBBED_SUFFIXES, scrub
from .selectors import FIELD_NAMES_CACHE_KEY, users_with_role

S = ApplicationStatus
MAX_YUAN = Decimal("999999999999.99")


# --- input helpers ---------------------------------------------------------------------


def parse_money(value: Any, field: str, *, allow_zero: bool = True) -> Decimal:
    """A yuan amount from user input: finite, not negative, at most two decimal places."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(ungroup(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("Enter an amount in yuan, such as 150000.00.")]}) from None
    if not amount.is_finite():
        raise ValidationError({field: [_("Enter an amount in yuan, such as 150000.00.")]})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: [_("The amount must be greater than zero.")]})
    # Size first: quantizing an amount like 1e400 would overflow the decimal context (a 500).
    if amount > MAX_YUAN:
        raise ValidationError({field: [_("The amount is too large.")]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: [_("Amounts have at most two decimal places (fen).")]})
    return yuan(amount)


# --- programmes and calls ----------------------------------------------------------------


def programme_create(*, actor: Any, code: str, name: str) -> Programme:
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff manage programmes."))
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not code:
        errors["code"] = [_("A code is required.")]
    elif Programme.objects.filter(code=code).exists():
        errors["code"] = [_("A programme with this code exists.")]
    if not name:
        errors["name"] = [_("A name is required.")]
    if errors:
        raise ValidationError(errors)
    programme = Programme.objects.create(code=code, name=name)
    audit_record(actor=actor, action="programme.create", target=programme)
    return programme


# --- the fields vocabulary -------------------------------------------------------------------

FIELD_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,59}$")


def _field_names_changed() -> None:
    # Now, for this request's next read, and again at commit, so that no reader who filled
    # the cache from the old rows in between keeps them.
    cache.delete(FIELD_NAMES_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(FIELD_NAMES_CACHE_KEY))


def _clean_field_names(name_zh: Any, name_en: Any) -> tuple[dict[str, str], dict[str, list[str]]]:
    names = {"name_zh": str(name_zh or "").strip(), "name_en": str(name_en or "").strip()}
    errors = {key: [_("A name is required.")] for key, value in names.items() if not value}
    errors.update({key: [_("This text is too long.")] for key, value in names.items() if len(value) > 100})
    return names, errors


@service_atomic
def field_create(*, actor: Any, code: str, name_zh: str, name_en: str, order: int | None = None) -> Field:
    """Add a field to the vocabulary (active). Audited."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff keep the list of fields."))
    code = str(code or "").strip().lower()
    names, errors = _clean_field_names(name_zh, name_en)
    if not FIELD_CODE.match(code):
        errors["code"] = [
            _("A code is lower-case letters, digits, - or _, starting with a letter, e.g. manufacturing.")
        ]
    elif Field.objects.filter(code=code).exists():
        errors["code"] = [_("A field with this code exists.")]
    if errors:
        raise ValidationError(errors)
    if order is None:
        last = Field.objects.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 10
    field = Field.objects.create(code=code, order=max(int(order), 0), **names)
    _field_names_changed()
    audit_record(actor=actor, action="field.create", target=field, data={"code": code})
    return field


@service_atomic
def field_update(
    *, field: Field, actor: Any, name_zh: str, name_en: str, active: bool, order: int | None = None
) -> Field:
    """Rename, reorder, deactivate or reactivate a field. Its code never changes: items and
    experts keep it. A deactivated field is no longer offered, and refused for new input."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff keep the list of fields."))
    field = Field.objects.select_for_update().get(pk=field.pk)
    names, errors = _clean_field_names(name_zh, name_en)
    if errors:
        raise ValidationError(errors)
    before = {"name_zh": field.name_zh, "name_en": field.name_en, "active": field.active, "order": field.order}
    field.name_zh, field.name_en, field.active = names["name_zh"], names["name_en"], bool(active)
    if order is not None:
        field.order = max(int(order), 0)
    field.save(update_fields=["name_zh", "name_en", "active", "order"])
    _field_names_changed()
    after = {"name_zh": field.name_zh, "name_en": field.name_en, "active": field.active, "order": field.order}
    audit_record(actor=actor, action="field.update", target=field, data={"before": before, "after": after})
    return field


#: The county's fields as first seeded (migration 0003 holds its own frozen copy).
COUNTY_FIELDS = (
    ("manufacturing", "先进制造", "Advanced manufacturing"),
    ("materials", "新材料", "New materials"),
    ("electrical", "电气装备", "Electrical equipment"),
    ("information", "电子信息", "Electronic information"),
    ("energy", "新能源与节能", "New energy and energy saving"),
    ("agriculture", "现代农业", "Modern agriculture"),
    ("medicine", "医药卫生", "Medicine and health"),
    ("environment", "生态环境", "Ecology and environment"),
    ("social", "社会发展", "Social development"),
)


def fields_seed() -> None:
    """Put the county's fields back if they are missing (a flushed database: tests, a demo
    loaded into an emptied database). Existing codes keep the names staff gave them."""
    existing = set(Field.objects.values_list("code", flat=True))
    missing = [
        Field(code=code, name_zh=zh, name_en=en, order=order * 10)
        for order, (code, zh, en) in enumerate(COUNTY_FIELDS, start=1)
        if code not in existing
    ]
    if missing:
        Field.objects.bulk_create(missing, ignore_conflicts=True)
        _field_names_changed()


def fields_check(*, codes: list[str], key: str, keep: list[str] | tuple[str, ...] = ()) -> None:
    """Refuse (``ValidationError`` on ``key``) every code that is not an active field of the
    vocabulary; codes in ``keep`` (what the item already has) pass even if deactivated since."""
    wanted = {c for c in codes if c not in keep}
    if not wanted:
        return
    known = set(Field.objects.filter(code__in=wanted, active=True).values_list("code", flat=True))
    unknown = [c for c in codes if c in wanted and c not in known]
    if unknown:
        raise ValidationError(
            {key: [_("Unknown field: %(codes)s. Choose from the list of fields.") % {"codes": ", ".join(unknown)}]}
        )


def call_validate(
    *,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    budget_yuan: Decimal,
    max_request_yuan: Decimal,
    reviewers_per_item: int,
    min_reviews: int,
    scoring_rule: str,
    notice_days: int,
    tranches: list[Any],
    year: int,
    batch: int,
    midterm: bool = False,
    midterm_months: Any = 12,
    midterm_checks: Any = None,
) -> None:
    errors: dict[str, list[str]] = {}
    if closes_at <= opens_at:
        errors["closes_at"] = [_("The call must close after it opens.")]
    if max_request_yuan <= 0:
        errors["max_request_yuan"] = [_("The maximum request must be greater than zero.")]
    elif max_request_yuan > budget_yuan:
        errors["max_request_yuan"] = [_("The maximum request cannot exceed the budget.")]
    if not 1 <= reviewers_per_item <= 50:
        errors["reviewers_per_item"] = [_("Between 1 and 50 reviewers per item.")]
    if not 1 <= min_reviews <= max(reviewers_per_item, 1):
        errors["min_reviews"] = [_("At least 1 and at most the reviewers per item.")]
    if scoring_rule not in ScoringRule.values:
        errors["scoring_rule"] = [_("Choose mean, trimmed_mean or zscore.")]
    if not 1 <= notice_days <= 60:
        errors["notice_days"] = [_("A notice lasts between 1 and 60 days.")]
    if not 2000 <= year <= 2100:
        errors["year"] = [_("Enter a year between 2000 and 2100.")]
    if not 1 <= batch <= 20:
        errors["batch"] = [_("Enter a batch between 1 and 20.")]
    if (
        not isinstance(tranches, list)
        or not tranches
        or not all(isinstance(t, int) and not isinstance(t, bool) and t > 0 for t in tranches)
    ):
        errors["tranches"] = [_("Give each tranche as a whole positive percentage, e.g. [60, 40].")]
    elif sum(tranches) != 100:
        errors["tranches"] = [_("The tranches must add up to 100 %.")]
    elif not midterm and len(tranches) > 2:
        # One tranche is paid at contract and one at acceptance; a middle tranche is released
        # only by a passed mid-term check, so without one it would never be paid.
        errors["tranches"] = [
            _("Give one or two tranches (paid at contract and at acceptance), or ask for a mid-term check.")
        ]
    elif midterm and not 3 <= len(tranches) <= MAX_TRANCHES:
        # Each middle tranche is released by one passed mid-term check: a check needs one.
        errors["tranches"] = [
            _(
                "With a mid-term check give 3 to %(max)s tranches: at contract, one released by each "
                "mid-term check, and at acceptance."
            )
            % {"max": MAX_TRANCHES}
        ]
    if midterm and (
        not isinstance(midterm_months, int) or isinstance(midterm_months, bool) or not 1 <= midterm_months <= 60
    ):
        errors["midterm_months"] = [_("Give the months between mid-term checks, from 1 to 60.")]
    if midterm_checks is not None:
        middle = len(tranches) - 2 if isinstance(tranches, list) else 0
        if not midterm:
            errors["midterm_checks"] = [_("Only a call with a mid-term check has mid-term checks.")]
        elif (
            not isinstance(midterm_checks, int)
            or isinstance(midterm_checks, bool)
            or not 1 <= midterm_checks <= MAX_MIDTERM_CHECKS
        ):
            errors["midterm_checks"] = [
                _("Give the number of mid-term checks, from 1 to %(max)s.") % {"max": MAX_MIDTERM_CHECKS}
            ]
        elif midterm_checks < middle:
            # Each middle tranche is released by a passed check: fewer checks would leave one unpaid.
            errors["midterm_checks"] = [
                _("Give at least one mid-term check per middle tranche: %(n)s.") % {"n": middle}
            ]
    if errors:
        raise ValidationError(errors)


#: The most tranches a call may plan: at contract, up to four mid-term checks, at acceptance.
MAX_TRANCHES = 6
#: The most mid-term checks a call may ask for (``Call.midterm_checks``).
MAX_MIDTERM_CHECKS = 6


def midterm_rounds(call: Call) -> int:
    """How many mid-term checks a project of ``call`` has: ``midterm_checks`` if staff set it,
    else one per middle tranche."""
    if not call.midterm:
        return 0
    return call.midterm_checks or max(len(call.tranches) - 2, 0)


def midterm_releases_tranche(call: Call, round_: int) -> bool:
    """A pass of check ``round_`` requests tranche ``round_ + 1`` only while that is a middle
    tranche; the last tranche waits for acceptance, so later checks release nothing."""
    return round_ + 1 < len(call.tranches)


DOCUMENT_CODE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
MAX_REQUIRED_DOCUMENTS = 30


def required_documents_clean(value: Any) -> list[dict[str, str]]:
    """A call's required documents as ``[{code, name}]``: codes are short slugs, unique in the
    call; names are what applicants read (申报书, 营业执照, 财务报表). Refuses anything else."""
    if value in (None, ""):
        return []
    message = _('Give each required document as {code, name}, e.g. {"code": "licence", "name": "营业执照"}.')
    if not isinstance(value, list) or len(value) > MAX_REQUIRED_DOCUMENTS:
        raise ValidationError({"required_documents": [message]})
    documents: list[dict[str, str]] = []
    for entry in value:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("code"), str)
            or not isinstance(entry.get("name"), str)
        ):
            raise ValidationError({"required_documents": [message]})
        code, name = entry["code"].strip(), entry["name"].strip()
        if not DOCUMENT_CODE.match(code):
            raise ValidationError(
                {
                    "required_documents": [
                        _("A document code is 1 to 30 letters, digits, - or _: %(code)s") % {"code": code}
                    ]
                }
            )
        if not name or len(name) > 100:
            raise ValidationError(
                {"required_documents": [_("Each required document needs a name of at most 100 characters.")]}
            )
        if any(d["code"] == code for d in documents):
            raise ValidationError(
                {"required_documents": [_("The document code %(code)s is given twice.") % {"code": code}]}
            )
        documents.append({"code": code, "name": name})
    return documents


#: What staff set on a call, besides its programme and criteria (the API's and the pages' fields).
CALL_FIELDS = (
    "title",
    "year",
    "batch",
    "opens_at",
    "closes_at",
    "budget_yuan",
    "max_request_yuan",
    "reviewers_per_item",
    "min_reviews",
    "review_days",
    "scoring_rule",
    "spread_threshold",
    "blind",
    "notice_days",
    "tranches",
    "required_documents",
    "max_applications_per_organisation",
    "block_overdue_acceptance",
    "max_open_projects_per_organisation",
    "midterm",
    "midterm_months",
    "midterm_checks",
    "acceptance_experts",
)


def _clean_call_fields(title: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The call's terms, checked the same way for the API and the pages, create and edit."""
    if not (title or "").strip():
        raise ValidationError({"title": [_("A title is required.")]})
    fields = dict(fields)
    errors: dict[str, list[str]] = {}
    for name in ("budget_yuan", "max_request_yuan"):
        try:
            fields[name] = parse_money(fields[name], name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    fields["required_documents"] = required_documents_clean(fields.get("required_documents"))
    fields["midterm"] = bool(fields.get("midterm", False))
    if fields.get("midterm_months") in (None, ""):
        fields["midterm_months"] = 12
    if fields.get("midterm_checks") in (None, ""):
        fields["midterm_checks"] = None
    if fields.get("acceptance_experts") in (None, ""):
        fields["acceptance_experts"] = 3
    if not isinstance(fields["acceptance_experts"], int) or not 3 <= fields["acceptance_experts"] <= 5:
        raise ValidationError({"acceptance_experts": [_("Draw 3 to 5 experts for an acceptance.")]})
    call_validate(
        **{
            k: fields[k]
            for k in (
                "opens_at",
                "closes_at",
                "budget_yuan",
                "max_request_yuan",
                "reviewers_per_item",
                "min_reviews",
                "scoring_rule",
                "notice_days",
                "tranches",
                "year",
                "batch",
                "midterm",
                "midterm_months",
                "midterm_checks",
            )
        }
    )
    fields["title"] = title.strip()
    return fields


@service_atomic
def call_create(*, actor: Any, programme: Programme, title: str, **fields: Any) -> Call:
    """Create a call. Criteria are set beside it by ``reviews.services.criteria_set``."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff manage calls."))
    fields = _clean_call_fields(title, fields)
    call = Call.objects.create(programme=programme, **fields)
    audit_record(actor=actor, action="call.create", target=call)
    return call


def call_editable_conflict(call: Call, at: dt.datetime | None = None) -> str | None:
    """Why a call's terms can no longer change, or ``None`` while they still may: once it
    has opened, applicants have read them (and may have applied under them)."""
    at = at or timezone.now()
    if call.closed_at is not None or call.opens_at <= at:
        return _("The call opened on %(date)s: its terms can no longer change. Copy it into a new call instead.") % {
            "date": timezone.localtime(call.opens_at).strftime("%Y-%m-%d %H:%M")
        }
    if call.applications.exists():
        return _("Applications have been made under this call: its terms can no longer change.")
    return None


@service_atomic
def call_update(*, call: Call, actor: Any, programme: Programme, title: str, **fields: Any) -> Call:
    """Change a call's terms until it opens (then 409 with the reason). Its criteria are
    replaced beside it by ``reviews.services.criteria_set``. Side effect: an audit row."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff manage calls."))
    call = Call.objects.select_for_update().get(pk=call.pk)
    conflict = call_editable_conflict(call)
    if conflict:
        raise StateConflict(conflict)
    fields = _clean_call_fields(title, {name: fields.get(name, getattr(call, name)) for name in CALL_FIELDS})
    changed = sorted(name for name, value in fields.items() if getattr(call, name) != value)
    if call.programme_id != programme.pk:
        changed.append("programme")
    call.programme = programme
    for name, value in fields.items():
        setattr(call, name, value)
    call.save()
    audit_record(actor=actor, action="call.update", target=call, data={"fields": changed})
    return call


@service_atomic
def call_close(*, call: Call, actor: Any = None) -> Call:
    """Close submissions now. Idempotent: closing a closed call changes nothing."""
    if actor is not None and not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff close calls."))
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.closed_at is None:
        call.closed_at = timezone.now()
        call.save(update_fields=["closed_at"])
        audit_record(actor=actor, action="call.close", target=call)
    return call


# --- applications ---------------------------------------------------------------------------


APPLICATION_FIELDS = (
    "title",
    "summary",
    "field",
    "requested_yuan",
    "self_funding_yuan",
    "start_date",
    "end_date",
)


def _clean_application_fields(
    call: Call, data: dict[str, Any], *, partial: bool, current_field: str = ""
) -> dict[str, Any]:
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("This field cannot be changed here.")]})
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in ("title", "field"):
        if name in data or not partial:
            value = (data.get(name) or "").strip()
            if not value:
                errors[name] = [_("This field is required.")]
            elif len(value) > (200 if name == "title" else 60):
                errors[name] = [_("This text is too long.")]
            cleaned[name] = value
    if cleaned.get("field") and "field" not in errors:
        try:
            fields_check(codes=[cleaned["field"]], key="field", keep=[current_field] if current_field else [])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "summary" in data:
        summary = data.get("summary") or ""
        if len(summary) > 20000:
            errors["summary"] = [_("The summary is limited to 20,000 characters.")]
        cleaned["summary"] = summary
    for name in ("requested_yuan", "self_funding_yuan"):
        if name in data or (not partial and name == "requested_yuan"):
            try:
                cleaned[name] = parse_money(data.get(name), name, allow_zero=name == "self_funding_yuan")
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if "requested_yuan" in cleaned and cleaned["requested_yuan"] > call.max_request_yuan:
        errors["requested_yuan"] = [
            _("The call allows at most %(max)s yuan per project.") % {"max": call.max_request_yuan}
        ]
    for name in ("start_date", "end_date"):
        if name in data:
            value = data[name]
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value) if value else None
                except ValueError:
                    errors[name] = [_("Enter a date as YYYY-MM-DD.")]
                    continue
            cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


@service_atomic
def application_create(*, actor: Any, call: Call, **data: Any) -> Application:
    """Start a draft. Side effects: guardian grants to the owner, audit row."""
    if not can_apply(actor):
        raise PermissionDenied(_("Only applicants may apply."))
    if actor.organisation_id is None:
        # ``organisation`` is set only by an approved membership (accounts.services): a
        # newcomer waiting for approval acts for nobody yet.
        refuse_while_pending(actor)
        raise ValidationError({"organisation": [_("Your account has no organisation.")]})
    if call.kind == CallKind.AWARD:
        raise ValidationError({"call": [_("This is an award round: nominate an achievement instead.")]})
    if not call.is_open():
        raise StateConflict(_("This call is not open for applications."))
    cleaned = _clean_application_fields(call, data, partial=False)
    _check_dates(cleaned)
    application = Application.objects.create(
        call=call, applicant=actor, organisation_id=actor.organisation_id, **cleaned
    )
    grant_user_object_perms(actor, application, ["applications.view_application", "applications.change_application"])
    audit_record(actor=actor, action="application.create", target=application, to_state=S.DRAFT)
    return application


def _check_dates(values: dict[str, Any]) -> None:
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        raise ValidationError({"end_date": [_("The project must end after it starts.")]})


@service_atomic
def application_update(*, application: Application, actor: Any, **data: Any) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != actor.pk and not can_edit_application(actor, application):
        raise PermissionDenied(_("Only the applicant may change this application."))
    if application.status not in EDITABLE_STATES:
        raise StateConflict(_("The application can only be changed while it is a draft or returned."))
    if application.kind == ItemKind.NOMINATION:
        # A nomination asks for no money and has units and persons: awards.services.nomination_update.
        raise StateConflict(_("Change a nomination through its own form."))
    cleaned = _clean_application_fields(application.call, data, partial=True, current_field=application.field)
    for name, value in cleaned.items():
        setattr(application, name, value)
    _check_dates({"start_date": application.start_date, "end_date": application.end_date})
    application.save(update_fields=[*cleaned, "updated_at"])
    audit_record(actor=actor, action="application.update", target=application, data={"fields": sorted(cleaned)})
    return application


ALLOWED_UPLOADS = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".ppt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def clean_upload_name(name: str) -> str:
    """Keep only the last path part, without control characters: no path tricks."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] or "file"


def _attachment_limits(application: Application, size: int) -> None:
    """The call's caps on one application's attachments (count and total size), checked under
    the application's row lock so two uploads at once cannot both slip under them."""
    call = application.call
    held = application.attachments.aggregate(n=Count("id"), total=Sum("size"))
    if held["n"] >= call.max_attachments:
        raise ValidationError(
            {"file": [_("An application holds at most %(n)s attachments.") % {"n": call.max_attachments}]}
        )
    if (held["total"] or 0) + size > call.max_attachments_mb * 1024 * 1024:
        raise ValidationError(
            {"file": [_("An application's attachments total at most %(mb)s MB.") % {"mb": call.max_attachments_mb}]}
        )


@service_atomic
def attachment_add(*, application: Application, actor: Any, upload: UploadedFile, kind: str = "") -> Attachment:
    """Store an attachment after checking its type by name and by content, and its size.
    ``kind`` says which of the call's required documents it is (its code), or "" for another."""
    from django.conf import settings

    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    kind = str(kind or "").strip()
    if kind in AcceptanceDocument.values:
        # The acceptance file's documents: added by the applicant while the project owes it.
        if application.applicant_id != actor.pk:
            raise PermissionDenied(_("Only the applicant may add attachments."))
        if application.status != ApplicationStatus.CONTRACTED:
            raise StateConflict(_("Acceptance documents are added while the project owes its acceptance file."))
    elif not can_edit_application(actor, application):
        if application.applicant_id == actor.pk:
            raise StateConflict(_("Attachments can only be changed while the application is a draft or returned."))
        raise PermissionDenied(_("Only the applicant may add attachments."))
    codes = [d["code"] for d in application.call.required_documents or []]
    if kind and kind not in codes and kind not in AcceptanceDocument.values:
        raise ValidationError(
            {
                "kind": [
                    _("This call requires no document %(kind)s; choose one of: %(codes)s.")
                    % {"kind": kind, "codes": ", ".join(codes) or "—"}
                ]
            }
        )
    name = clean_upload_name(upload.name or "")
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_UPLOADS:
        raise ValidationError({"file": [_("Only PDF, Office documents and images (PNG, JPEG) are accepted.")]})
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {"file": [_("The file is larger than %(mb)s MB.") % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}]}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in ALLOWED_UPLOADS[suffix]):
        raise ValidationError(
            {"file": [_("The file's content does not match its type %(suffix)s.") % {"suffix": suffix}]}
        )
    _attachment_limits(application, upload.size)
    if application.call.blind and suffix not in SCRUBBED_SUFFIXES:
        raise ValidationError(
            {"file": [_("A blind call takes PDF, docx, xlsx, pptx, PNG or JPEG files, whose metadata is removed.")]}
        )
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=name,
        content_type=CONTENT_TYPES[suffix],
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit_record(actor=actor, action="attachment.add", target=application, data={"name": name, "kind": kind})
    return attachment


def attachment_scrubbed(*, attachment: Attachment) -> bytes:
    """The attachment's content without its metadata (``applications.scrub``), as experts of a
    blind call receive it; raises ``CannotScrub`` when that cannot be done. Reads only."""
    with attachment.file.open("rb") as handle:
        data = handle.read()
    return scrub(data, attachment.original_name)


@service_atomic
def attachment_delete(*, attachment: Attachment, actor: Any) -> None:
    """Remove an attachment while its item is a draft or returned (409 otherwise); only the
    applicant may. The file goes from storage once the deletion is committed."""
    application = Application.objects.select_for_update().get(pk=attachment.application_id)
    if not can_edit_application(actor, application):
        if application.applicant_id == actor.pk:
            raise StateConflict(_("Attachments can only be changed while the application is a draft or returned."))
        raise PermissionDenied(_("Only the applicant may remove attachments."))
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    name, kind, stored = attachment.original_name, attachment.kind, attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    audit_record(actor=actor, action="attachment.delete", target=application, data={"name": name, "kind": kind})
    transaction.on_commit(lambda: storage.delete(stored) if stored else None)


def missing_documents(application: Application) -> list[dict[str, str]]:
    """The call's required documents this item has no attachment for, in the call's order."""
    required = list(application.call.required_documents or [])
    if not required:
        return []
    present = set(application.attachments.exclude(kind="").values_list("kind", flat=True))
    return [d for d in required if d["code"] not in present]


def application_transition(
    *,
    application: Application,
    to: str,
    actor: Any,
    action: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
    extra_fields: tuple[str, ...] = (),
) -> Application:
    """The one place ``Application.status`` changes.

    Checks the change is in ``TRANSITIONS``, saves the status (and ``extra_fields`` the caller
    set), and appends an audit row. Callers hold a row lock on the application.
    """
    source = application.status
    if to not in TRANSITIONS.get(source, frozenset()):
        raise StateConflict(
            _("An application that is %(state)s cannot be moved to %(target)s.")
            % {"state": S(source).label, "target": S(to).label}
        )
    application.status = to
    save_fields(application, ["status", "updated_at", *extra_fields])
    audit_record(
        actor=actor,
        action=action,
        target=application,
        from_state=source,
        to_state=to,
        comment=comment,
        data=data,
    )
    return application


#: What :func:`application_locked` locks: the application, its call and its applicant.
LOCKED_WITH_APPLICATION = ("self", "call", "applicant")


def application_locked(application: Application) -> Application:
    """The application read ``FOR UPDATE`` with its call and applicant (all three locked).

    A workflow step that already read it so, under its flow lock and in this transaction
    (``workflow.steps``, ``core.db.row_held``), hands that very object over: it is used as it
    is, not read a second time."""
    if is_row_held(application):
        return application
    application = _APPLICATION_LOCKED.get(pk=application.pk)
    return email_choices_carry(application, application.applicant)


def _build_application_locked(pk: int) -> QuerySet[Application]:
    rows = Application.objects.select_for_update(of=LOCKED_WITH_APPLICATION).select_related("call", "applicant")
    # The applicant's e-mail choices come along: the services tell the applicant what happened.
    return with_email_choices(rows, "applicant_id").filter(pk=pk)


#: :func:`application_locked`'s read, compiled once (``core.db.CompiledRead``): most steps send it.
_APPLICATION_LOCKED = CompiledRead(_build_application_locked)


#: What must be filled in before an item is submitted, with the label its form gives it.
REQUIRED_TO_SUBMIT: dict[str, dict[str, Any]] = {
    ItemKind.APPLICATION: {
        "title": gettext_lazy("Project title"),
        "field": gettext_lazy("Field"),
        "summary": gettext_lazy("Project summary"),
    },
    ItemKind.NOMINATION: {
        "title": gettext_lazy("Achievement"),
        "field": gettext_lazy("Field"),
        "summary": gettext_lazy("Summary of the achievement"),
    },
}


def missing_before_submit(application: Application) -> list[str]:
    """The labels, in the reader's language, of the fields still empty that submitting needs."""
    required = REQUIRED_TO_SUBMIT[application.kind]
    return [str(label) for name, label in required.items() if not str(getattr(application, name) or "").strip()]


def _titles(items: Any) -> str:
    return pgettext("list separator", ", ").join(f"“{a.title}” ({a.pk})" for a in items)


def limit_refusal(application: Application) -> str | None:
    """Why the call's limits (限项) refuse this submission, naming the rule and the projects
    that count, or None. Staff may override them per item (:func:`application_limits_override`)."""
    call, org = application.call, application.organisation_id
    mine = Application.objects.filter(organisation_id=org).exclude(pk=application.pk).order_by("id")
    if call.max_applications_per_organisation is not None:
        counted = list(mine.filter(call=call, status__in=LIMIT_COUNTED_STATES))
        if len(counted) >= call.max_applications_per_organisation:
            return _(
                "Submission refused under the call's limit of %(limit)s applications per organisation "
                "(限项): already submitted %(projects)s."
            ) % {"limit": call.max_applications_per_organisation, "projects": _titles(counted)}
    if call.block_overdue_acceptance:
        from aftergrant.selectors import acceptance_overdue_q  # aftergrant builds on this module

        overdue = list(mine.filter(acceptance_overdue_q()))
        if overdue:
            return _(
                "Submission refused under the call's rule on overdue acceptance (限项): %(projects)s "
                "ended without acceptance."
            ) % {"projects": _titles(overdue)}
    if call.max_open_projects_per_organisation is not None:
        open_projects = list(mine.filter(status__in=OPEN_PROJECT_STATES))
        if len(open_projects) >= call.max_open_projects_per_organisation:
            return _(
                "Submission refused under the call's limit of %(limit)s open projects per organisation "
                "(限项): open now %(projects)s."
            ) % {"limit": call.max_open_projects_per_organisation, "projects": _titles(open_projects)}
    return None


def submission_refusal(application: Application) -> str | None:
    """Why the integrity gate refuses this submission, naming the rule, or None.

    A confirmed severe credit record in force on the applicant's organisation refuses it
    (issue 17.5), with no override; then the call's limits (issue 17.6), unless staff
    overrode them for this item. ``integrity`` is read at call time: that app sits above this one.
    """
    from integrity.selectors import organisation_severe_records

    record = organisation_severe_records(application.organisation_id).order_by("valid_until", "id").first()
    if record is not None:
        return _(
            "Submission refused under the integrity rule (科研诚信): %(organisation)s has a severe credit "
            "record in force until %(until)s (record %(record)s)."
        ) % {
            "organisation": application.organisation.name,
            "until": f"{record.valid_until:%Y-%m-%d}",
            "record": record.pk,
        }
    if application.limits_overridden_at is None:
        return limit_refusal(application)
    return None


@service_atomic
def application_limits_override(*, application: Application, actor: Any, reason: str) -> Application:
    """Staff let one item past its call's limits (限项), with a reason (audited). Only while the
    applicant may still submit it (draft or returned): 409 after."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff override the limits."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the limits are overridden.")]})
    application = application_locked(application)
    if application.status not in EDITABLE_STATES:
        raise StateConflict(_("The limits are checked at submission: this item is already submitted."))
    application.limits_override_reason = reason[:2000]
    application.limits_overridden_at = timezone.now()
    application.limits_overridden_by = actor
    application.save(update_fields=["limits_override_reason", "limits_overridden_at", "limits_overridden_by"])
    audit_record(
        actor=actor,
        action="application.limits_override",
        target=application,
        comment=application.limits_override_reason,
        data={"refusal": limit_refusal(application) or ""},
    )
    return application


#: Why a draft of a closed call cannot be submitted (the pages say it instead of offering Submit).
CALL_CLOSED = gettext_lazy("The call is closed; submissions are no longer accepted.")


@service_atomic
def application_submit(*, application: Application, actor: Any, pledge: bool = True) -> Application:
    """Submit a draft or a revised application, signing the integrity pledge (诚信承诺).

    ``pledge`` is what the applicant ticked: the page and the API pass the user's own answer
    (absent: False) and refuse the submission without it (400 on ``pledge``). It defaults to
    True only for internal callers — the demo loader, benchmarks and tests — which submit on
    behalf of an applicant who is assumed to have signed; either way ``pledged_at`` records it.

    Refused (409, naming the rule) while the organisation has a severe credit record in force.
    Side effects: ``pledged_at`` and ``submitted_at`` set; notifications to applicant and staff.
    """
    application = application_locked(application)
    if application.applicant_id != actor.pk and not can_edit_application(actor, application):
        raise PermissionDenied(_("Only the applicant may submit."))
    if application.status not in EDITABLE_STATES:
        raise StateConflict(_("This application has already been submitted."))
    if closed_before_submission(application):
        raise StateConflict(str(CALL_CLOSED))
    if not pledge:
        raise ValidationError({"pledge": [_("Sign the integrity pledge to submit.")]})
    missing = missing_before_submit(application)
    if missing:
        raise StateConflict(
            _("Fill in before submitting: %(fields)s.") % {"fields": pgettext("list separator", ", ").join(missing)}
        )
    documents = missing_documents(application)
    if documents:
        raise StateConflict(
            _("Attach the required documents before submitting: %(names)s.")
            % {"names": pgettext("list separator", ", ").join(d["name"] for d in documents)}
        )
    refusal = submission_refusal(application)
    if refusal:
        raise StateConflict(refusal)
    application.submitted_at = application.pledged_at = timezone.now()
    application_transition(
        application=application,
        to=S.SUBMITTED,
        actor=actor,
        action="application.submit",
        extra_fields=("submitted_at", "pledged_at"),
        data={"pledge": True},
    )
    context = {"title": application.title}
    notify(
        recipients=[application.applicant],
        kind="submission_received",
        subject=gettext_lazy("Application received: %(title)s"),
        body=gettext_lazy("Your application “%(title)s” was received and is in formal review."),
        context=context,
        url=item_url(application),
    )
    notify(
        recipients=users_with_role("staff"),
        kind="submission_received",
        subject=gettext_lazy("New submission: %(title)s"),
        body=gettext_lazy("“%(title)s” was submitted and waits for formal review."),
        context=context,
        url=item_staff_url(application),
    )
    return application


@service_atomic
def application_formal_review(*, application: Application, actor: Any, decision: str, comment: str = "") -> Application:
    """Accept for expert review, return for revision (a comment is required) or reject."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff do formal review."))
    if decision not in FormalDecision.values:
        raise ValidationError({"decision": [_("Choose accept, return or reject.")]})
    if decision in (FormalDecision.RETURN, FormalDecision.REJECT) and not (comment or "").strip():
        raise ValidationError({"comment": [_("Say why, so the applicant knows what to do.")]})
    application = application_locked(application)
    if application.status != S.SUBMITTED:
        raise StateConflict(_("This application is not waiting for formal review."))
    target = {
        FormalDecision.ACCEPT: S.IN_REVIEW,
        FormalDecision.RETURN: S.RETURNED,
        FormalDecision.REJECT: S.REJECTED,
    }[FormalDecision(decision)]
    application_transition(
        application=application, to=target, actor=actor, action=f"formal_review.{decision}", comment=comment
    )
    messages = {
        S.IN_REVIEW: gettext_lazy("“%(title)s” passed formal review and goes to expert review."),
        S.RETURNED: gettext_lazy("“%(title)s” was returned for revision: %(comment)s"),
        S.REJECTED: gettext_lazy("“%(title)s” was rejected in formal review: %(comment)s"),
    }
    notify(
        recipients=[application.applicant],
        kind="returned" if target == S.RETURNED else "formal_review",
        subject=gettext_lazy("Formal review: %(title)s"),
        body=messages[target],
        context={"title": application.title, "comment": comment},
        url=item_url(application),
    )
    return application


@service_atomic
def application_terminate(*, application: Application, actor: Any, reason: str) -> Application:
    """End the application from any non-final step, with a recorded reason."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff may terminate an application."))
    require_recent_login(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    application = application_locked(application)
    application_transition(
        application=application, to=S.TERMINATED, actor=actor, action="application.terminate", comment=reason
    )
    notify(
        recipients=[application.applicant],
        kind="terminated",
        subject=gettext_lazy("Terminated: %(title)s"),
        body=gettext_lazy("“%(title)s” was terminated: %(reason)s"),
        context={"title": application.title, "reason": reason},
        url=item_url(application),
    )
    return application
