from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Processes")

    def ready(self) -> None:
        # Load viewflow's node classes while the app registry is filled, in one thread:
        # runserver's reloader imports the URLconf (our flows, hence viewflow's nodes) in its
        # main thread while the system checks import them in another (viewflow's join-lock
        # check), and two threads importing those modules at once failed with
        # "KeyError: 'viewflow.workflow.nodes'" and no server (make run).
        import viewflow.workflow.nodes  # noqa: F401
        import viewflow.workflow.nodes.join  # noqa: F401
        from django.db.models.signals import post_migrate

        from .permissions import grant_role_permissions

        post_migrate.connect(grant_role_permissions, sender=self, weak=False)
