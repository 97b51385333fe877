"""Celery entry points of the accounts app: thin, safe to run twice (STYLE.md 9)."""

from __future__ import annotations

from celery import shared_task

from .emails import invitations_send_many


@shared_task
def invitations_send(*, user_ids: list[int]) -> int:
    """E-mail the invitation to set a password to each new account (an import's chunk).

    Running it twice sends twice only to accounts that have not set a password in between
    (``invitations_send_many`` skips the others)."""
    return invitations_send_many(user_ids=user_ids)
