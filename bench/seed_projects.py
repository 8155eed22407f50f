"""Seed the benchmark's tenant: one owner, one organization, one project per size.

Run by analytics_bench.py as `python -m bench.seed_projects` in a database of
its own (DATABASE_URL). Writes records with analytics.demo's bulk writer,
rebuilds and verifies the rollups, then VACUUM ANALYZEs the bulk-loaded tables
so the measurements start from a settled database (no autovacuum racing the
requests, visibility map set, fresh statistics). Prints one JSON line last:
{"email", "password", "projects": [{"id", "records"}, ...]}.
"""

import argparse
import json
import os
import sys
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", required=True, help="Records per project, one per project.")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--email", default="bench@example.com")
    parser.add_argument("--password", default="bench-password")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finance_dashboard.settings")
    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from analytics import demo, rollups
    from analytics.models import DailyRollup, MonthlyRollup
    from records.models import Record
    from tenancy import services as tenancy_services
    from tenancy.models import OrganizationMember, OrgRole
    from tenancy.permissions import Access

    today = timezone.localdate()
    projects = []
    with transaction.atomic():
        owner, _ = demo.ensure_user(email=args.email, name="Bench Owner", password=args.password)
        organization = tenancy_services.organization_create(actor=owner, name="Bench")
        membership = OrganizationMember.objects.get(organization=organization, user=owner)
        access = Access(org_role=OrgRole.OWNER, org_membership_id=membership.pk)
        writer = demo.BulkWriter()
        for index, size in enumerate(args.sizes):
            project = tenancy_services.project_create(
                organization=organization,
                actor=owner,
                actor_access=access,
                name=f"Bench {size:,} records",
                base_currency=demo.HOUSEHOLD.base_currency,
            )
            catalog = demo.create_catalog(project=project, profile=demo.HOUSEHOLD)
            started, done = time.perf_counter(), 0

            def progress(rows: int, size: int = size, started: float = started) -> None:
                nonlocal done
                done += rows
                rate = done / max(time.perf_counter() - started, 1e-9)
                print(f"  seeding {size:,}: {done:,} ({done * 100 // size}%, {rate:,.0f}/s)", flush=True)

            demo.seed_project_records(
                project=project,
                catalog=catalog,
                count=size,
                seed=args.seed + index,
                today=today,
                authors=[owner],
                writer=writer,
                progress=progress,
            )
            differences = rollups.verify(project_id=project.pk)
            if differences:
                sys.exit(f"rollups of {project} disagree with its records: {differences[:3]}")
            projects.append({"id": str(project.pk), "records": size})
            print(f"  {size:,} records and rollups in {time.perf_counter() - started:.1f} s", flush=True)

    if connection.vendor == "postgresql":
        started = time.perf_counter()
        quote = connection.ops.quote_name
        tables = [Record._meta.db_table, Record.tags.through._meta.db_table]
        tables += [DailyRollup._meta.db_table, MonthlyRollup._meta.db_table]
        with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(quote(table) for table in tables)}")
        print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)
    print(json.dumps({"email": args.email, "password": args.password, "projects": projects}))


if __name__ == "__main__":
    main()
