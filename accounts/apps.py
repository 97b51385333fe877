from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .services import roles_ensure

        post_migrate.connect(lambda **kwargs: roles_ensure(), sender=self, weak=False)
