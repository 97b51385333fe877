"""``celery -A tests.deploy.fast_beat beat``: the production Celery app, its clocks due every 2 s.

The real schedule ticks every minute, hour or day, too slow to watch in a test. The tasks, the
broker and the beat process are the production ones; only the clocks the tests watch are kept
(closing due calls, and the staff digest, which has a ``dedupe_key``), so the workers are not
flooded (tests/deploy/test_several_hosts.py).
"""

from __future__ import annotations

from workflow.celery import app

WATCHED = ("close-due-calls", "staff-digest")
app.conf.beat_schedule = {
    name: {**entry, "schedule": 2.0} for name, entry in app.conf.beat_schedule.items() if name in WATCHED
}

__all__ = ["app"]
