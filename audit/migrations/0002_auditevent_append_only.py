"""Audit events are append-only, and the database itself says so.

No code path updates or deletes an event; these triggers make sure none ever
can (a raw query, a future bug, a console session). Both raise an integrity
error.

PostgreSQL refuses UPDATE and DELETE. TRUNCATE fires no row trigger, so
Django's test flush (which truncates on PostgreSQL) still empties the table.

SQLite refuses UPDATE only: Django flushes SQLite between transactional tests
with DELETE, which a DELETE trigger would turn into a failure of every
`transaction=True` test that wrote an event.
"""

from django.db import migrations

from finance_dashboard.migration_sql import vendor_sql

MESSAGE = "audit events are append-only"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = '{MESSAGE}: ' || TG_OP || ' refused',
        ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditevent_append_only
BEFORE UPDATE OR DELETE ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_append_only();
"""

SQLITE_FORWARD = [
    f"CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        vendor_sql(
            forward={"postgresql": [POSTGRES_FORWARD], "sqlite": SQLITE_FORWARD},
            backward={"postgresql": [POSTGRES_BACKWARD], "sqlite": SQLITE_BACKWARD},
        )
    ]
