"""Outside channels behind one interface (healthchecks' transport.py shape).

The in-app inbox is no channel: the ``Notification`` row is the inbox message. Every other
way out (e-mail, and e.g. SMS or a messenger later) is a class with a ``name``, an
``accepts`` that says whether a recipient gets this kind of notification that way, and a
``send``. ``settings.PINGSHEN_NOTIFICATION_CHANNELS`` lists them (name → dotted path), so
a further channel plugs in by a line of settings; the callers of ``notify`` never change.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from typing import Any, Protocol
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from .models import Notification


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        #: Set by a delivery batch: the notifications it put back to pending for a retry.
        self.ids: list[int] = []


class Channel(Protocol):
    name: str

    def accepts(self, user: Any, kind: str, *, email_opted_out: bool) -> bool:
        """Whether ``user`` gets notifications of ``kind`` this way.

        ``email_opted_out``: the user turned e-mail off for this kind (or gets it in the
        staff digest instead); a channel may honour that choice or keep its own.
        """
        ...

    def send(self, notification: Notification) -> None:
        """Deliver, or raise ``TransportError`` (``permanent`` if trying again cannot help)."""
        ...


# A channel may also have ``batch()``, a context manager around the sends of one delivery
# batch (e-mail keeps one SMTP connection open for it).


#: Kept for callers of the first interface (one transport per channel name).
Transport = Channel


def absolute_url(path: str) -> str:
    if not path:
        return ""
    return urljoin(settings.PINGSHEN_SITE_URL.rstrip("/") + "/", path.lstrip("/"))


#: The SMTP connection a delivery batch shares (``EmailChannel.batch``).
_connection: ContextVar[Any] = ContextVar("pingshen_email_connection", default=None)


class EmailChannel:
    """Django's mail: a text body and an HTML alternative, rendered from
    ``notifications/email/message.{txt,html}`` in the recipient's language."""

    name = "email"

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """One connection for a batch of sends. If it cannot be opened, each send tries on
        its own and reports its own failure."""
        connection = get_connection()
        try:
            getattr(connection, "open", lambda: None)()
        except (smtplib.SMTPException, OSError):
            yield
            return
        token = _connection.set(connection)
        try:
            yield
        finally:
            _connection.reset(token)
            with contextlib.suppress(smtplib.SMTPException, OSError):
                getattr(connection, "close", lambda: None)()

    def accepts(self, user: Any, kind: str, *, email_opted_out: bool) -> bool:
        return bool(user.email) and not email_opted_out

    def send(self, notification: Notification) -> None:
        recipient = notification.recipient
        address = recipient.email
        if not address:
            raise TransportError("recipient has no e-mail address", permanent=True)
        context = {
            "notification": notification,
            "recipient": recipient,
            "link": absolute_url(notification.url),
            "preferences_link": absolute_url("/inbox/preferences/"),
            "site_url": settings.PINGSHEN_SITE_URL,
        }
        language = getattr(recipient, "language", None) or settings.LANGUAGE_CODE
        context["language"] = language
        with translation.override(language):
            text = render_to_string("notifications/email/message.txt", context)
            html = render_to_string("notifications/email/message.html", context)
        message = EmailMultiAlternatives(
            subject=one_line(notification.subject),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            connection=_connection.get(),
        )
        message.attach_alternative(html, "text/html")
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(str(exc), permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(str(exc)) from exc


#: Line breaks of every kind: Django refuses a header holding CR or LF (``BadHeaderError``).
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")


def one_line(subject: str) -> str:
    """``subject`` on one line. A title typed with a line break reaches every subject about its
    item; unfolded it made each of those e-mails fail for good (``BadHeaderError``)."""
    return _LINE_BREAKS.sub(" ", subject).strip()


#: The first name of the e-mail channel's class.
EmailTransport = EmailChannel


@cache
def _load(config: tuple[tuple[str, str], ...]) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    for name, path in config:
        channel = import_string(path)()
        channel.name = name
        channels[name] = channel
    return channels


def channels() -> dict[str, Channel]:
    """The configured outside channels, name → instance, in settings order."""
    return _load(tuple(settings.PINGSHEN_NOTIFICATION_CHANNELS.items()))
