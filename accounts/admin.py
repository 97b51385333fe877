"""The Django admin shows, it does not act (issue 14.3).

Every change of state goes through a service that checks who may do it and writes an audit
row; the admin would bypass both. So: no API tokens at all (a token admin would list live
keys and mint new ones for anyone; ours are stored hashed and have no admin page), and the
role groups read-only (adding a group's permissions or renaming ``finance_head`` would grant
a role past ``roles_check``).
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from core.admin import ReadOnlyAdmin

admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    pass
