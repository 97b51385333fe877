"""E-mails that carry a secret link: an invitation to set a password, a password reset.

They do not go through the notifications outbox on purpose: an outbox row is also the
person's inbox message and stays in the database, and a working password link must live
nowhere but in the recipient's mailbox. They are sent with Django's mail after the
transaction that made the account commits, rendered in the recipient's language, with
links to ``PINGSHEN_SITE_URL`` (never to the Host header a request happened to carry).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .tokens import invitation_token_generator

logger = logging.getLogger(__name__)


def site_url(path: str) -> str:
    return urljoin(settings.PINGSHEN_SITE_URL.rstrip("/") + "/", path.lstrip("/"))


def account_email(*, user: Any, template: str, context: dict[str, Any]) -> EmailMessage:
    """``accounts/email/<template>_subject.txt`` and ``_body.txt`` rendered in ``user``'s
    language, as a message to ``user.email``."""
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        context = {"user": user, "site_url": settings.PINGSHEN_SITE_URL, **context}
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        body = render_to_string(f"accounts/email/{template}_body.txt", context)
    # A header cannot hold a line break: a name with one must not break the message.
    return EmailMessage(" ".join(subject.split()), body, None, [user.email])


def account_email_send(*, user: Any, template: str, context: dict[str, Any]) -> None:
    """Render ``account_email`` and send it."""
    account_email(user=user, template=template, context=context).send()


def invitation_link(user: Any) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = invitation_token_generator.make_token(user)
    return site_url(reverse("invitation", kwargs={"uidb64": uid, "token": token}))


def _invitable(users: Any) -> Any:
    """Accounts an invitation still makes sense for: active, with an address, no password yet."""
    return [u for u in users if u.is_active and u.email and not u.has_usable_password()]


def _invitation(user: Any) -> EmailMessage:
    return account_email(
        user=user,
        template="invitation",
        context={"link": invitation_link(user), "days": settings.PINGSHEN_INVITATION_DAYS},
    )


def invitation_send(*, user_id: int) -> bool:
    """Send the invitation to set a password. Returns False (and sends nothing) when the
    account is gone, inactive, has no address or already has a password."""
    from .models import User

    users = _invitable(User.objects.filter(pk=user_id))
    if not users:
        return False
    _invitation(users[0]).send()
    return True


def invitations_send_many(*, user_ids: list[int]) -> int:
    """``invitation_send`` for many accounts (an import's chunk): one query, one connection to
    the mail server. Returns how many were sent; a message the server refuses is logged and
    the others still go."""
    from .models import User

    messages = [_invitation(user) for user in _invitable(User.objects.filter(pk__in=user_ids).order_by("pk"))]
    if not messages:
        return 0
    connection = get_connection(fail_silently=False)
    sent = 0
    with connection:
        for message in messages:
            message.connection = connection
            try:
                sent += message.send()
            except Exception:  # noqa: BLE001 - one refused address must not stop the others
                logger.exception("invitation e-mail to %s not sent", message.to)
    return sent
