"""The project package: settings, URLs, the Celery app, the two flows and their clocks."""

from .celery import app as celery_app

__all__ = ["celery_app"]
