"""The Django admin shows, it does not act (issue 14.3).

Every change of state goes through a service that checks who may do it and writes an audit
row; the admin would bypass both. So: no API tokens at all (the DRF token admin lists live
keys and mints new ones for anyone), and the role groups read-only (adding a group's
permissions or renaming ``finance_head`` would grant a role past ``roles_check``).
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import TokenProxy

from core.admin import ReadOnlyAdmin

for model in (TokenProxy, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Group)
class RoleGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    pass
