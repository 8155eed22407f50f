"""A project member must be a member of the project's organization.

The rule spans two tables (tenancy_projectmember.member -> organization vs
tenancy_projectmember.project -> organization), which no unique or check
constraint can express, so a trigger enforces it on both supported databases.
"""

from django.db import migrations

from finance_dashboard.migration_sql import vendor_sql

MESSAGE = "project member must belong to the organization of the project"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION tenancy_projectmember_same_organization() RETURNS trigger AS $$
BEGIN
    IF (SELECT organization_id FROM tenancy_organizationmember WHERE id = NEW.member_id)
       IS DISTINCT FROM (SELECT organization_id FROM tenancy_project WHERE id = NEW.project_id) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tenancy_projectmember_same_organization
BEFORE INSERT OR UPDATE OF member_id, project_id ON tenancy_projectmember
FOR EACH ROW EXECUTE FUNCTION tenancy_projectmember_same_organization();
"""

POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS tenancy_projectmember_same_organization ON tenancy_projectmember;
DROP FUNCTION IF EXISTS tenancy_projectmember_same_organization();
"""

SQLITE_CHECK = f"""
WHEN (SELECT organization_id FROM tenancy_organizationmember WHERE id = NEW.member_id)
     IS NOT (SELECT organization_id FROM tenancy_project WHERE id = NEW.project_id)
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""

SQLITE_FORWARD = [
    f"CREATE TRIGGER tenancy_projectmember_same_organization_insert BEFORE INSERT ON tenancy_projectmember "
    f"{SQLITE_CHECK}",
    f"CREATE TRIGGER tenancy_projectmember_same_organization_update "
    f"BEFORE UPDATE OF member_id, project_id ON tenancy_projectmember {SQLITE_CHECK}",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS tenancy_projectmember_same_organization_insert",
    "DROP TRIGGER IF EXISTS tenancy_projectmember_same_organization_update",
]


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]

    operations = [
        vendor_sql(
            forward={"postgresql": [POSTGRES_FORWARD], "sqlite": SQLITE_FORWARD},
            backward={"postgresql": [POSTGRES_BACKWARD], "sqlite": SQLITE_BACKWARD},
        )
    ]
