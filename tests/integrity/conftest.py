"""Fixtures of the integrity tests (credit records, limits)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """These tests read messages in English: pages and API answer a request without a language
    in the site's default, so it is English here, and so are services called directly."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
