"""Everyone who already acts for an organisation keeps doing so: an approved membership each."""

from django.db import migrations


def approve_existing(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    rows = [
        Membership(user_id=pk, organisation_id=org_id, status="approved")
        for pk, org_id in User.objects.exclude(organisation=None).values_list("pk", "organisation_id")
    ]
    Membership.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_membership")]

    operations = [migrations.RunPython(approve_existing, migrations.RunPython.noop)]
