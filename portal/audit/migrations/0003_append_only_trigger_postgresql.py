"""On PostgreSQL the database itself keeps the audit trail append-only: a trigger refuses every
UPDATE and DELETE on its rows, whoever runs them (the portal, a shell, a raw SQL client). One
exception: when an account is deleted, Django sets its entries' user to NULL (the entries keep
the copied e-mail); nothing else may change. SQLite keeps the model's guard only.

TRUNCATE is not a row operation: it is left to the database's privileges (the test suite empties
tables with it between transactional tests)."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.user_id IS NOT NULL AND NEW.user_id IS NULL
       AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Le journal d''accès est en ajout seul : % refusé sur l''entrée %.', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_actions_list_and_refusal"),
    ]

    operations = [migrations.RunPython(create, drop)]
