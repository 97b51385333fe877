from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Processes")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .permissions import grant_role_permissions

        post_migrate.connect(grant_role_permissions, sender=self, weak=False)
