from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .services import roles_ensure

        post_migrate.connect(lambda **kwargs: roles_ensure(), sender=self, weak=False)

        from django.db.models.signals import m2m_changed

        from .guards import finance_roles_guard
        from .models import User

        m2m_changed.connect(finance_roles_guard, sender=User.groups.through, dispatch_uid="pingshen-finance-roles")

        from django.contrib.auth.signals import user_logged_in

        from .recent import mark_authenticated

        # Every login proves the password now: the clock for money actions starts here.
        user_logged_in.connect(
            lambda sender, request, user, **kwargs: (
                mark_authenticated(request) if request is not None and hasattr(request, "session") else None
            ),
            weak=False,
            dispatch_uid="pingshen-auth-at",
        )
