"""Viewflow's inbox and queue link each task here; the work happens on our own pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from viewflow.workflow.models import Task


def task_page(request: HttpRequest, **kwargs: object) -> HttpResponse:
    task = get_object_or_404(Task, pk=kwargs.get("task_pk"), process_id=kwargs.get("process_pk"))
    return redirect("application-detail", pk=task.process.artifact_object_id)
