"""Money committed to an item never exceeds what was granted, enforced by PostgreSQL.

The services already check this under a row lock; the trigger is the second wall, for
any write that does not come through them (a shell, a future bug). It locks the
application row itself, so two transactions cannot both pass the check.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION funding_disbursement_within_grant() RETURNS trigger AS $$
DECLARE
    granted numeric;
    committed numeric;
BEGIN
    IF NEW.status = 'rejected' THEN
        RETURN NEW;
    END IF;
    SELECT approved_yuan INTO granted FROM applications_application
        WHERE id = NEW.application_id FOR UPDATE;
    SELECT COALESCE(SUM(amount_yuan), 0) INTO committed FROM funding_disbursement
        WHERE application_id = NEW.application_id AND status <> 'rejected' AND id <> NEW.id;
    IF granted IS NULL OR committed + NEW.amount_yuan > granted THEN
        RAISE EXCEPTION 'disbursements for application %% would exceed the amount granted', NEW.application_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE TRIGGER funding_disbursement_within_grant
    BEFORE INSERT OR UPDATE OF amount_yuan, status, application_id ON funding_disbursement
    FOR EACH ROW EXECUTE FUNCTION funding_disbursement_within_grant();
"""

DROP = """
DROP TRIGGER IF EXISTS funding_disbursement_within_grant ON funding_disbursement;
DROP FUNCTION IF EXISTS funding_disbursement_within_grant();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
