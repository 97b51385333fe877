"""Transports, one per channel, behind one interface (healthchecks' transport.py shape)."""

from __future__ import annotations

import smtplib
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.html import escape, linebreaks

from .models import Notification


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    def send(self, notification: Notification) -> None: ...


class EmailTransport:
    def send(self, notification: Notification) -> None:
        address = notification.recipient.email
        if not address:
            raise TransportError("recipient has no e-mail address", permanent=True)
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        message.attach_alternative(linebreaks(escape(notification.body)), "text/html")
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(str(exc), permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(str(exc)) from exc


#: The in-app inbox needs no transport: the row is the message.
TRANSPORTS: dict[str, Transport] = {"email": EmailTransport()}
