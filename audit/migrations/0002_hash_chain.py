"""Hash-chain the audit trail (issue 19): seal the entries written so far, in the order they
were written (time, then id), then make the chain's columns required."""

from django.db import migrations, models

import audit.models


def seal_existing(apps, schema_editor):
    from audit.chain import GENESIS, entry_hash

    AuditEntry = apps.get_model("audit", "AuditEntry")
    prev, seq, batch = GENESIS, 0, []
    for entry in AuditEntry.objects.order_by("at", "id").iterator(chunk_size=2000):
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.row_hash = prev = entry_hash(entry)
        batch.append(entry)
        if len(batch) >= 2000:
            AuditEntry.objects.bulk_update(batch, ["seq", "prev_hash", "row_hash"])
            batch = []
    if batch:
        AuditEntry.objects.bulk_update(batch, ["seq", "prev_hash", "row_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(db_index=True, default=audit.models._now, verbose_name="at"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash of the entry before"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="row_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="sequence number"),
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=audit.models._now, verbose_name="checked at")),
                ("seq", models.BigIntegerField(verbose_name="sequence number")),
                ("row_hash", models.CharField(max_length=64, verbose_name="hash")),
            ],
            options={
                "verbose_name": "audit checkpoint",
                "verbose_name_plural": "audit checkpoints",
                "ordering": ["-at", "-id"],
            },
        ),
    ]
