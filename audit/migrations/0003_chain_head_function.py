"""One statement instead of two for every audited transaction on PostgreSQL (issue 18).

``audit_chain_head(key)`` takes the trail's advisory lock, then reads the newest entry. It is a
VOLATILE PL/pgSQL function on purpose: under READ COMMITTED each query inside such a function
takes a fresh snapshot, so the head is read *after* the lock is held and sees every entry
committed by the writer that held it before. A plain CTE or a sub-select would read the head
with the snapshot of the statement's start, taken before the lock wait, and two writers could
take the same ``seq``. SQLite has no such function and keeps the plain read (it serialises
writers itself).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_chain_head(lock_key bigint, OUT head_seq bigint, OUT head_hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT seq, row_hash INTO head_seq, head_hash FROM audit_auditentry ORDER BY seq DESC LIMIT 1;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS audit_chain_head(bigint);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_hash_chain"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
