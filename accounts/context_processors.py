from typing import Any

from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    codes: frozenset[str] = frozenset()
    if user.is_authenticated:
        codes = user.roles | ({"staff"} if user.is_superuser else frozenset())
    return {"user_roles": codes}
