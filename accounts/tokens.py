"""API tokens that expire (``PINGSHEN_TOKEN_HOURS`` after they were issued) and end at log-out;
the one-time token of an invitation link."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.PINGSHEN_TOKEN_HOURS)


def token_expired(token: Token) -> bool:
    return token.created + token_lifetime() <= timezone.now()


def token_issue(user: Any) -> Token:
    """The user's token, replaced by a new key when the old one has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; an expired key is refused with 401 (get a new one)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed(_("Token has expired; request a new one at /api/auth/token/."))
        return user, token


def token_revoke(user: Any) -> int:
    """End every API token of ``user`` (log-out, a new password). Returns how many ended."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """The one-time link in an invitation: Django's reset token with its own salt (a reset
    link is no invitation link, nor the other way round) and its own lifetime,
    ``PINGSHEN_INVITATION_DAYS``. Setting the password changes the hash the token is made
    from, so a used link stops working."""

    key_salt = "pingshen.accounts.tokens.InvitationTokenGenerator"

    def check_token(self, user: Any, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= settings.PINGSHEN_INVITATION_DAYS * 86400


invitation_token_generator = InvitationTokenGenerator()
