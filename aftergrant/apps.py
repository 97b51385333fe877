from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftergrantConfig(AppConfig):
    name = "aftergrant"
    verbose_name = _("After the grant")
