"""The ranked call's items made ``reviewed`` for a run: the suggested funding list's candidates.

``bench.scale.load`` leaves its items in review (where the ranking shows them, and the list has
nothing to propose); ``bench.page_profile`` and ``bench.pages_load --suggestions`` measure the
list on the same items as the panel sees them after the reviews, then put them back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def items_reviewed(call: Any, *, keep: bool = False) -> Iterator[None]:
    """The call's items in review become ``reviewed`` (the suggested list's candidates) for the
    duration; the same rows go back in review afterwards unless ``keep``."""
    from django.db import connection

    from applications.enums import ApplicationStatus
    from applications.models import Application

    def settle() -> None:
        # 10,000 rows rewritten leave as many dead versions and stale statistics behind: run
        # after run, every page read slower (medians doubled over four runs) until a vacuum.
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {Application._meta.db_table}")

    moved = list(Application.objects.filter(call=call, status=ApplicationStatus.IN_REVIEW).values_list("pk", flat=True))
    Application.objects.filter(pk__in=moved).update(status=ApplicationStatus.REVIEWED)
    settle()
    try:
        yield
    finally:
        if not keep:
            Application.objects.filter(pk__in=moved).update(status=ApplicationStatus.IN_REVIEW)
            settle()
