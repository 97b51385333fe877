"""Viewflow's process and task admin, read-only: a status typed in the admin would move a
process past our services (their checks, audit rows and notifications)."""

from django.contrib import admin
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task

from core.admin import ReadOnlyAdmin

for model in (Process, Task):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Process)
class ProcessAdmin(ReadOnlyAdmin, viewflow_admin.ProcessAdmin):
    pass


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin, viewflow_admin.TaskAdmin):
    pass
