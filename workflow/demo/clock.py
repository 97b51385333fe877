"""The demo loader's clock: the demo year happened in 2016, not on the day it was loaded.

While :meth:`Clock.running` is active, ``django.utils.timezone.now()`` reads the loader's
simulated time instead of the wall clock. Everything that stamps a row goes through it: the
services (``submitted_at``, ``paid_at``, a notice's ``ends_at``, review due dates), every
``auto_now_add`` field (audit rows, notifications, decisions, contracts), viewflow's process
and task ``created`` / ``finished``, and the rules that read the time (a call takes
submissions only while open, an objection only while its notice runs). So the real steps run
unchanged, at the county's dates, and their rules hold at those dates.

``timezone.now`` is imported by name into many modules (viewflow's ``from
django.utils.timezone import now``, fields' ``default=timezone.now``), so patching that
attribute would miss them; what the function itself looks up when called, the module's
``datetime``, is patched instead. Each reading advances the clock by a second, so the rows
one step writes keep their order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from django.utils import timezone as django_timezone

#: The county's time zone: the demo's dates are Beijing time (UTC+8).
CST = dt.timezone(dt.timedelta(hours=8), "CST")
TICK = dt.timedelta(seconds=1)


def cst(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment of the county's working day."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=CST)


class Clock:
    """A settable clock; see the module's docstring."""

    def __init__(self) -> None:
        self._at: dt.datetime | None = None

    def set(self, when: dt.datetime) -> None:
        """Go to ``when`` (aware); later readings go on from there."""
        if when.tzinfo is None:
            raise ValueError("the demo clock takes aware datetimes")
        self._at = when.astimezone(dt.UTC)

    def read(self, tz: dt.tzinfo | None = None) -> dt.datetime:
        if self._at is None:
            return dt.datetime.now(tz)
        at, self._at = self._at, self._at + TICK
        return at.astimezone(tz) if tz is not None else at.replace(tzinfo=None)

    @contextmanager
    def running(self) -> Iterator[Clock]:
        """``timezone.now()`` reads this clock inside the block (the wall clock until the
        first :meth:`set`)."""
        clock = self

        class _Meta(type):
            # ``timezone.template_localtime`` asks isinstance(value, datetime) of this name.
            def __instancecheck__(cls, value: Any) -> bool:
                return isinstance(value, dt.datetime)

        class ClockedDatetime(metaclass=_Meta):
            @staticmethod
            def now(tz: dt.tzinfo | None = None) -> dt.datetime:
                return clock.read(tz)

        with mock.patch.object(django_timezone, "datetime", ClockedDatetime):
            yield self


def office_hours(at: dt.datetime) -> dt.datetime:
    """The same day's moment in the county's office hours: its 24 hours squeezed into 9:00 to
    17:00, in order, so that moments spread over days fall in the working day and stay in
    the order they had (it moves a moment at most nine hours)."""
    local = at.astimezone(CST)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + dt.timedelta(hours=9) + (local - midnight) / 3


def spread(start: dt.datetime, end: dt.datetime, n: int, of: int) -> dt.datetime:
    """The ``n``-th of ``of`` moments spread evenly from ``start`` to ``end``, in office hours."""
    return office_hours(start + (end - start) * n / max(of, 1))


DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Timeline:
    """When each stage of a round happens, from the dates it opens and closes: submissions
    while it is open, formal review in its last days, the draw just after it closes, the
    experts' answers and scores within their deadlines, the panel's meeting, the notice, then
    contracts. Each stage falls after the one before, so every item's history is in order."""

    opens: dt.datetime
    closes: dt.datetime

    @property
    def setup(self) -> dt.datetime:
        return self.opens - 7 * DAY

    def submission(self, n: int, of: int) -> dt.datetime:
        return spread(self.opens + DAY, self.closes - 10 * DAY, n, of)

    def formal_review(self, n: int, of: int) -> dt.datetime:
        return spread(self.closes - 9 * DAY, self.closes - DAY, n, of)

    @property
    def draw(self) -> dt.datetime:
        return self.closes + 3 * DAY

    def answer(self, n: int, of: int) -> dt.datetime:
        """An invited expert's acceptance (or refusal), within the response days."""
        return spread(self.draw + DAY, self.draw + 4 * DAY, n, of)

    def review(self, n: int, of: int) -> dt.datetime:
        return spread(self.draw + 5 * DAY, self.draw + 13 * DAY, n, of)

    def decision(self, n: int, of: int) -> dt.datetime:
        """The panel decides in one meeting."""
        return spread(self.draw + 20 * DAY, self.draw + 20 * DAY + dt.timedelta(hours=6), n, of)

    @property
    def notice(self) -> dt.datetime:
        return self.draw + 23 * DAY

    @property
    def notice_closed(self) -> dt.datetime:
        """The day after the notice ends (its notice days are seven)."""
        return self.notice + 8 * DAY

    def contract(self, n: int, of: int) -> dt.datetime:
        """A funded item's contract, or an award's first payment step."""
        return spread(self.notice_closed + 5 * DAY, self.notice_closed + 25 * DAY, n, of)
