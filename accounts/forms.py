"""Django's password forms, saving through ``accounts.services.password_set`` (validators,
the end of every API token, an audit row) and mailing through ``accounts.emails``."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.urls import reverse

from .emails import account_email_send, site_url
from .models import User
from .services import password_set


def _same_address(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """The same answer whether or not an account has the address (the view always goes to
    the "check your mail" page, the API always answers 200): only the mailbox learns more."""

    def get_users(self, email: str) -> Iterator[Any]:
        # Unlike Django's, an invited account that never set a password may use it too:
        # losing the invitation e-mail must not lock anyone out.
        for user in User.objects.filter(email__iexact=email, is_active=True):
            if user.email and _same_address(email, user.email):
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        account_email_send(
            user=context["user"],
            template="password_reset",
            context={"link": site_url(path), "hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
        )


class SetPasswordForm(auth_forms.SetPasswordForm):
    """A new password from an e-mailed link; ``reason`` is ``reset`` or ``invitation``."""

    reason = "reset"

    def save(self, commit: bool = True) -> Any:
        return password_set(user=self.user, password=self.cleaned_data["new_password1"], reason=self.reason)


class InvitationSetPasswordForm(SetPasswordForm):
    reason = "invitation"


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        return password_set(user=self.user, password=self.cleaned_data["new_password1"], reason="change")
