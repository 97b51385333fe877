"""Request parsers that never read more than the configured body size."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser reading at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes: a body longer
    than that is a 413 without being read to its end. ``BodySizeLimitMiddleware`` refuses a
    body whose announced length is too long; this catches one sent without a length."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise RequestTooLarge()
        return super().parse(io.BytesIO(data), media_type, parser_context)
