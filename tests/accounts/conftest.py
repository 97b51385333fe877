"""People who own their accounts: the API clients of tests/api and helpers to read mail."""

from __future__ import annotations

import re
from typing import Any

from tests.api.conftest import (  # noqa: F401 - shared API personas
    anon,
    as_applicant,
    as_other_applicant,
    as_staff,
    client_for,
)

LINK = re.compile(r"https?://\S+")


def link_in(message: Any) -> str:
    """The one link of an account e-mail, as a path the test client can open."""
    (url,) = [u for u in LINK.findall(message.body) if "/accounts/" in u]
    return "/" + url.split("/", 3)[3]
