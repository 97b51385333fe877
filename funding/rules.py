from __future__ import annotations

from typing import Any

from accounts.enums import Role
from accounts.rules import has_role


def is_finance_officer(user: Any) -> bool:
    return has_role(user, Role.FINANCE_OFFICER)


def is_finance_head(user: Any) -> bool:
    return has_role(user, Role.FINANCE_HEAD)
