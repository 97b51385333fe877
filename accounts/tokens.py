"""API tokens that expire: ``PINGSHEN_TOKEN_HOURS`` after they were issued."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
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
