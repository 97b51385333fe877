"""Reads that several places share."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils.translation import get_language

from accounts.enums import Role
from accounts.rules import is_finance, is_panel, is_staff
from accounts.selectors import users_with_role

from .enums import SUBMITTED_STATES
from .models import Application, Field

# ``users_with_role`` lives with the people (accounts.selectors); kept importable from here.
__all__ = ["applications_visible_to", "users_with_role"]


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """Applications a user may list: their own, or everything submitted for bureau roles."""
    qs = Application.objects.select_related("call", "call__programme", "organisation")
    if not user.is_authenticated:
        return qs.none()
    if is_staff(user) or is_panel(user) or is_finance(user):
        return qs.filter(status__in=SUBMITTED_STATES) | qs.filter(applicant=user)
    if user.has_role(Role.APPLICANT) or user.has_role(Role.NOMINATOR):
        return qs.filter(applicant=user)
    return qs.none()


# --- the fields vocabulary ------------------------------------------------------------------

#: The cache key of every field's names; ``applications.services`` deletes it on each change.
FIELD_NAMES_CACHE_KEY = "pingshen:field-names:v1"


def fields_offered(*, keep: str | list[str] | tuple[str, ...] = ()) -> QuerySet[Field]:
    """The fields people may pick: the active ones, and any in ``keep`` (an item's current
    codes, so that editing an item never drops a field staff have since deactivated)."""
    codes = [keep] if isinstance(keep, str) else list(keep)
    return Field.objects.filter(Q(active=True) | Q(code__in=codes)).order_by("order", "code")


def field_choices(*, keep: str | list[str] | tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(code, name in the reader's language) for a select."""
    return [(f.code, f.name) for f in fields_offered(keep=keep)]


def _field_names() -> dict[str, tuple[str, str]]:
    names: dict[str, tuple[str, str]] | None = cache.get(FIELD_NAMES_CACHE_KEY)
    if names is None:
        rows = Field.objects.order_by("order", "code").values_list("code", "name_zh", "name_en")
        names = {code: (zh, en) for code, zh, en in rows}
        cache.set(FIELD_NAMES_CACHE_KEY, names, timeout=3600)
    return names


def field_codes() -> list[str]:
    """Every code of the vocabulary, active or not, in the staff's order (cached)."""
    return list(_field_names())


def field_name(code: str) -> str:
    """The name of a field code in the active language; an unknown code is shown as it is
    (items stored before the vocabulary existed). Cached: list pages call it per row without
    a query."""
    names = _field_names().get(code)
    if names is None:
        return code
    return names[0] if (get_language() or "").startswith("zh") else names[1]


def field_code_for(word: str) -> str | None:
    """The code of a field given as its code, Chinese name or English name (case and spaces
    ignored), or None. For the expert import, where staff type names."""
    key = "".join(str(word or "").split()).lower()
    if not key:
        return None
    for code, (zh, en) in _field_names().items():
        if key in (code.lower(), "".join(zh.split()).lower(), "".join(en.split()).lower()):
            return code
    return None
