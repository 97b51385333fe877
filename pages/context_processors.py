"""What every page shows about the deployment: the bureau's name and its banner."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _


def deployment(request: HttpRequest) -> dict[str, Any]:
    return {
        "authority_name": settings.PINGSHEN_AUTHORITY_NAME or _("County Science & Technology Bureau"),
        "banner_text": settings.PINGSHEN_BANNER_TEXT,
    }
