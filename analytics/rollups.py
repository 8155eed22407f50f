"""Keeping the rollups equal to the records.

The record services call `apply_change()` inside their transaction with what
a record contributed before and after the change. Deltas are added by upsert
(`INSERT ... ON CONFLICT DO UPDATE SET total = total + excluded.total`), one
statement per table, keys sorted so concurrent writers lock rows in the same
order: no lost update, no deadlock, no read-modify-write.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from analytics.models import DailyRollup, MonthlyRollup
from records.models import Record


@dataclass(frozen=True)
class Contribution:
    """What one live record adds to the rollups."""

    date: datetime.date
    category_id: object
    type: str
    amount_minor: int


def contribution_of(record: Record) -> Contribution | None:
    if record.deleted_at is not None:
        return None
    return Contribution(
        date=record.date, category_id=record.category_id, type=record.type, amount_minor=record.base_amount_minor
    )


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def apply_change(*, project_id, before: Contribution | None, after: Contribution | None) -> None:
    """Move a record's contribution from `before` to `after` (either may be None)."""
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for contribution, sign in ((before, -1), (after, 1)):
        if contribution is not None:
            key = (contribution.date, contribution.category_id, contribution.type)
            deltas[key][0] += sign * contribution.amount_minor
            deltas[key][1] += sign
    deltas = {key: value for key, value in deltas.items() if value != [0, 0]}
    if not deltas:
        return
    monthly: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for (day, category_id, kind), (amount, count) in deltas.items():
        monthly[(month_of(day), category_id, kind)][0] += amount
        monthly[(month_of(day), category_id, kind)][1] += count
    _upsert(DailyRollup, "date", project_id, deltas)
    _upsert(MonthlyRollup, "month", project_id, {key: value for key, value in monthly.items() if value != [0, 0]})


def _upsert(model, period_field: str, project_id, deltas: dict[tuple, list[int]]) -> None:
    if not deltas:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)

    def column(name):
        return quote(meta.get_field(name).column)

    project = meta.get_field("project").get_db_prep_value(project_id, connection)
    rows, params = [], []
    for (period, category_id, kind), (amount, count) in sorted(
        deltas.items(), key=lambda item: (item[0][0], str(item[0][1]))
    ):
        rows.append("(%s, %s, %s, %s, %s, %s)")
        params += [
            project,
            meta.get_field(period_field).get_db_prep_value(period, connection),
            meta.get_field("category").get_db_prep_value(category_id, connection),
            kind,
            amount,
            count,
        ]
    columns = ", ".join(
        column(name) for name in ("project", period_field, "category", "type", "total_minor", "record_count")
    )
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join(rows)} "
        f"ON CONFLICT ({column('project')}, {column(period_field)}, {column('category')}) DO UPDATE SET "
        f"{column('total_minor')} = {table}.{column('total_minor')} + EXCLUDED.{column('total_minor')}, "
        f"{column('record_count')} = {table}.{column('record_count')} + EXCLUDED.{column('record_count')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- rebuilding and verifying --------------------------------------------------------------


def _expected_rows(project_id=None) -> tuple[dict, dict]:
    """Rollup rows recomputed from the records: {(project, period, category, type): (total, count)}."""
    records = Record.objects.filter(deleted_at__isnull=True)
    if project_id is not None:
        records = records.filter(project_id=project_id)
    daily = {
        (row["project_id"], row["date"], row["category_id"], row["type"]): (row["total"], row["count"])
        for row in records.order_by()
        .values("project_id", "date", "category_id", "type")
        .annotate(total=Sum("base_amount_minor"), count=Count("id"))
    }
    monthly = {
        (row["project_id"], row["month"], row["category_id"], row["type"]): (row["total"], row["count"])
        for row in records.order_by()
        .annotate(month=TruncMonth("date"))
        .values("project_id", "month", "category_id", "type")
        .annotate(total=Sum("base_amount_minor"), count=Count("id"))
    }
    return daily, monthly


def _stored_rows(model, period_field: str, project_id=None) -> dict:
    rows = model.objects.exclude(record_count=0, total_minor=0)
    if project_id is not None:
        rows = rows.filter(project_id=project_id)
    return {
        (project, period, category, kind): (total, count)
        for project, period, category, kind, total, count in rows.values_list(
            "project_id", period_field, "category_id", "type", "total_minor", "record_count"
        )
    }


@transaction.atomic
def rebuild(*, project_id=None) -> tuple[int, int]:
    """Recompute the rollups from the records (all projects, or one).
    Returns the number of daily and monthly rows written."""
    for model in (DailyRollup, MonthlyRollup):
        rows = model.objects.all() if project_id is None else model.objects.filter(project_id=project_id)
        rows.delete()
    daily, monthly = _expected_rows(project_id)
    DailyRollup.objects.bulk_create(
        [
            DailyRollup(project_id=p, date=d, category_id=c, type=t, total_minor=s, record_count=n)
            for (p, d, c, t), (s, n) in daily.items()
        ],
        batch_size=5000,
    )
    MonthlyRollup.objects.bulk_create(
        [
            MonthlyRollup(project_id=p, month=m, category_id=c, type=t, total_minor=s, record_count=n)
            for (p, m, c, t), (s, n) in monthly.items()
        ],
        batch_size=5000,
    )
    return len(daily), len(monthly)


@dataclass(frozen=True)
class Difference:
    granularity: str
    key: tuple
    stored: tuple | None
    expected: tuple | None


def verify(*, project_id=None) -> list[Difference]:
    """Every rollup row that disagrees with a recomputation from the records."""
    daily, monthly = _expected_rows(project_id)
    differences = []
    for granularity, expected, stored in (
        ("daily", daily, _stored_rows(DailyRollup, "date", project_id)),
        ("monthly", monthly, _stored_rows(MonthlyRollup, "month", project_id)),
    ):
        for key in sorted(set(expected) | set(stored), key=str):
            if expected.get(key) != stored.get(key):
                differences.append(Difference(granularity, key, stored.get(key), expected.get(key)))
    return differences
