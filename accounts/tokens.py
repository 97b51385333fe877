"""API tokens that are stored hashed (:class:`accounts.models.ApiToken`), expire
(``PINGSHEN_TOKEN_HOURS`` after they were issued) and end at log-out; the one-time token of
an invitation link."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiToken


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.PINGSHEN_TOKEN_HOURS)


def token_expired(token: ApiToken) -> bool:
    return token.created + token_lifetime() <= timezone.now()


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(user: Any) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its key, which exists only in this answer. The user's
    expired tokens are removed on the way."""
    ApiToken.objects.filter(user=user, created__lte=timezone.now() - token_lifetime()).delete()
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(user=user, digest=token_digest(key), prefix=key[:8])
    return token, key


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``: the key's digest is looked up; an unknown key is 401,
    an expired one 401 with where to get a new one."""

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token):
            raise AuthenticationFailed(_("Token has expired; request a new one at /api/auth/token/."))
        return token.user, token


def token_revoke(user: Any, token: ApiToken | None = None) -> int:
    """End ``token``, or every API token of ``user`` (a new password). Returns how many ended."""
    tokens = ApiToken.objects.filter(user=user)
    if token is not None:
        tokens = tokens.filter(pk=token.pk)
    deleted, _rows = tokens.delete()
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
