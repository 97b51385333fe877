from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AwardNominationProcess",
            fields=[],
            options={
                "verbose_name": "award-nomination process",
                "verbose_name_plural": "award-nomination processes",
                "ordering": ["-created"],
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("viewflow.process",),
        ),
    ]
