"""People: staff create accounts (the person is invited to set a password); members of an
organisation and staff approve newcomers who registered with its credit code."""

from __future__ import annotations

from typing import Any

from django import forms as dj_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.enums import ADMIN_GRANTED_ROLES, Language, Role
from accounts.models import Membership
from accounts.rules import can_view_membership, is_staff
from accounts.selectors import memberships_to_decide, pending_membership_of
from core.errors import StateConflict

from .forms import StepForm
from .views import perform


class RoleChoiceField(dj_forms.MultipleChoiceField):
    """Shows the roles the visitor may give, accepts any role code: the service decides, so
    a forged choice is refused with 403 like in the API, not hidden as a form error."""

    def valid_value(self, value: Any) -> bool:
        return value in Role.values


class UserCreateForm(StepForm):
    error_fields = {"organisation": "organisation_name"}

    username = dj_forms.CharField(label=gettext_lazy("User name"), max_length=150)
    email = dj_forms.EmailField(
        label=gettext_lazy("E-mail"),
        help_text=gettext_lazy("The person gets a one-time link here to choose their own password."),
    )
    display_name = dj_forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    language = dj_forms.ChoiceField(label=gettext_lazy("Language of e-mails"), choices=Language.choices)
    roles = RoleChoiceField(label=gettext_lazy("Roles"), choices=Role.choices, widget=dj_forms.CheckboxSelectMultiple)
    organisation_name = dj_forms.CharField(label=gettext_lazy("Organisation"), max_length=200, required=False)
    credit_code = dj_forms.CharField(label=gettext_lazy("Unified social credit code"), max_length=18, required=False)

    def __init__(self, *args: Any, superuser: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not superuser:
            # Staff see only the roles they may give; a forged choice is refused with 403.
            field = self.fields["roles"]
            assert isinstance(field, RoleChoiceField)
            field.choices = [(code, label) for code, label in Role.choices if code not in ADMIN_GRANTED_ROLES]

    def clean_roles(self) -> list[str]:
        return list(self.cleaned_data["roles"])


@transaction.atomic
def _user_create(*, actor: Any, organisation_name: str, credit_code: str, **data: Any) -> Any:
    name = organisation_name.strip()
    organisation = (
        account_services.organisation_get_or_create(name=name, credit_code=credit_code.strip()) if name else None
    )
    return account_services.user_create_by_staff(actor=actor, organisation=organisation, password=None, **data)


def user_new(request: HttpRequest) -> HttpResponse:
    """Staff make an account; the person gets an invitation e-mail to set their password."""
    if not is_staff(request.user):
        raise PermissionDenied(_("Only bureau staff may create users."))
    superuser = bool(request.user.is_superuser)
    form = UserCreateForm(request.POST or None, superuser=superuser)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: _user_create(actor=request.user, **data),
            success=_("Account created. We sent the person an e-mail to choose their password."),
            then=reverse("user-new"),
        )
        if response:
            return response
    return render(request, "pages/people/user_form.html", {"form": form})


def memberships(request: HttpRequest) -> HttpResponse:
    """Requests to act for an organisation that the visitor may decide, and their own."""
    return render(
        request,
        "pages/people/memberships.html",
        {
            "to_decide": memberships_to_decide(request.user).order_by("created_at"),
            "mine": pending_membership_of(request.user),
        },
    )


def _decide(request: HttpRequest, pk: int, approve: bool) -> HttpResponse:
    membership = Membership.objects.select_related("user", "organisation").filter(pk=pk).first()
    if membership is None or not can_view_membership(request.user, membership):
        raise Http404
    decide = account_services.membership_approve if approve else account_services.membership_reject
    try:
        decide(membership=membership, actor=request.user, comment=request.POST.get("comment", "")[:2000])
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        name = membership.user.display_name or membership.user.username
        if approve:
            messages.success(
                request,
                _("%(name)s may now act for %(organisation)s.")
                % {"name": name, "organisation": membership.organisation.name},
            )
        else:
            messages.success(request, _("The request of %(name)s was rejected.") % {"name": name})
    return redirect("memberships")


@require_POST
def membership_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@require_POST
def membership_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
