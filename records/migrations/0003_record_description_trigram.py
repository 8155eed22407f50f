"""Fast `search` on PostgreSQL: a trigram index on the description.

`search` is a case-insensitive substring match (Django's icontains, which
PostgreSQL runs as `UPPER(description) LIKE UPPER('%term%')`). Without an index
a rare term scans every record of the project (~250 ms at a million rows);
with this trigram index on the same expression it is an index lookup.
pg_trgm is a trusted extension (PostgreSQL 13+), so the database owner can
create it. SQLite has no equivalent and keeps the scan.
"""

from django.db import migrations

from finance_dashboard.migration_sql import vendor_sql

INDEX = "record_description_trgm_idx"


class Migration(migrations.Migration):
    dependencies = [("records", "0002_records_categories_tags")]

    operations = [
        vendor_sql(
            forward={
                "postgresql": [
                    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                    f"CREATE INDEX IF NOT EXISTS {INDEX} ON records_record "
                    "USING gin ((UPPER(description::text)) gin_trgm_ops) WHERE deleted_at IS NULL",
                ]
            },
            backward={"postgresql": [f"DROP INDEX IF EXISTS {INDEX}"]},
        )
    ]
