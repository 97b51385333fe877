"""Staff keep the fields vocabulary (领域): list, add, rename, reorder, deactivate.

Writes go through ``applications.services`` (``field_create``, ``field_update``), which check
who may act; the role check here only answers 403 first."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.rules import is_staff
from applications import services as app_services
from applications.models import Field

from .forms import StepForm
from .views import perform


def _require_staff(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise PermissionDenied(_("Only bureau staff keep the list of fields."))


class FieldCreateForm(StepForm):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=60,
        help_text=gettext_lazy("Lower-case letters, digits, - or _, e.g. manufacturing. It never changes."),
    )
    name_zh = forms.CharField(label=gettext_lazy("Chinese name"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=100)


class FieldEditForm(StepForm):
    name_zh = forms.CharField(label=gettext_lazy("Chinese name"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=100)
    order = forms.IntegerField(
        label=gettext_lazy("Order"), min_value=0, max_value=100000, help_text=gettext_lazy("Smaller comes first.")
    )
    active = forms.BooleanField(
        label=gettext_lazy("Active: offered to applicants, nominators and the expert pool"), required=False
    )


def field_list(request: HttpRequest) -> HttpResponse:
    """Every field, active or not, and the form that adds one."""
    _require_staff(request)
    form = FieldCreateForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: app_services.field_create(actor=request.user, **data),
            success=_("The field was added."),
            then=reverse("fields"),
        )
        if response:
            return response
    return render(request, "pages/fields/list.html", {"fields": Field.objects.all(), "form": form})


def field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    field = get_object_or_404(Field, pk=pk)
    initial: dict[str, Any] = {
        "name_zh": field.name_zh,
        "name_en": field.name_en,
        "order": field.order,
        "active": field.active,
    }
    form = FieldEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: app_services.field_update(field=field, actor=request.user, **data),
            success=_("The field was saved."),
            then=reverse("fields"),
        )
        if response:
            return response
    return render(request, "pages/fields/edit.html", {"field": field, "form": form})
