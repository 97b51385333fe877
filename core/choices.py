"""A choice's label as ``get_FOO_display`` answers it, at the cost of one lookup."""

from __future__ import annotations

from typing import Any

from django.db import models


def choice_label(choices: type[models.Choices], value: Any) -> Any:
    """The label of ``value`` in the reader's language, or ``value`` itself when it is not one of
    ``choices``: what Django's ``get_FOO_display`` answers. Django's builds a dict of every
    choice on each call and hashes each lazy label, which translates it: one application's
    status cost twenty ``gettext`` calls, a 120-row list of them 2,400 (a third of the rows'
    rendering). This finds the one member and translates its label only."""
    try:
        member = choices(value)
    except ValueError:
        return value
    return str(member.label)
