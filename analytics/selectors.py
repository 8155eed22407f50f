"""The analytics answers, read from the rollups.

Whole months in a range come from MonthlyRollup and the partial months at its
edges from DailyRollup, so a summary or breakdown reads at most
(months + 62 days) x categories rows however many records there are. Filters
the rollups do not carry (tag, source, currency) fall back to aggregating the
records table, with the same answer shape.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum

from analytics.models import DailyRollup, MonthlyRollup
from records.models import Category, Record, RecordType
from records.selectors import tag_ids_prefetch
from tenancy.models import Project

ONE_DAY = datetime.timedelta(days=1)
SHARE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Filters:
    """What an analytics request narrows to. Dates are inclusive; None is open."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    type: str | None = None
    categories: tuple = ()
    tags: tuple = ()
    source: str | None = None
    currency: str | None = None

    @property
    def needs_records(self) -> bool:
        """Rollups know dates, categories and types; anything else needs the records."""
        return bool(self.tags or self.source or self.currency)


# --- date arithmetic ------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - ONE_DAY).replace(day=1)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def split_range(date_from, date_to) -> tuple[tuple | None, list[tuple]]:
    """Split [date_from, date_to] into whole months (first and last month
    start, None meaning open) and the day ranges left at the edges."""
    first_month = None if date_from is None else (date_from if date_from.day == 1 else next_month(date_from))
    last_month = None if date_to is None else previous_month(date_to + ONE_DAY)
    if first_month is not None and last_month is not None and first_month > last_month:
        return None, [(date_from, date_to)]
    edges = []
    if date_from is not None and date_from < first_month:
        edges.append((date_from, first_month - ONE_DAY))
    if date_to is not None and next_month(last_month) <= date_to:
        edges.append((next_month(last_month), date_to))
    return (first_month, last_month), edges


# --- totals -----------------------------------------------------------------------------


def _between(field_name: str, low, high) -> Q:
    q = Q()
    if low is not None:
        q &= Q(**{f"{field_name}__gte": low})
    if high is not None:
        q &= Q(**{f"{field_name}__lte": high})
    return q


def _merge(rows: Iterable[dict], by: tuple[str, ...]) -> dict[tuple, list[int]]:
    merged: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        key = tuple(row[name] for name in by)
        merged[key][0] += row["total"] or 0
        merged[key][1] += row["count"] or 0
    return merged


def _rollup_filter(model, project: Project, filters: Filters) -> QuerySet:
    rows = model.objects.filter(project=project)
    if filters.type:
        rows = rows.filter(type=filters.type)
    if filters.categories:
        rows = rows.filter(category_id__in=filters.categories)
    return rows


def _records(project: Project, filters: Filters) -> QuerySet:
    records = Record.objects.filter(project=project, deleted_at__isnull=True).filter(
        _between("date", filters.date_from, filters.date_to)
    )
    if filters.type:
        records = records.filter(type=filters.type)
    if filters.categories:
        records = records.filter(category_id__in=filters.categories)
    if filters.source:
        records = records.filter(source=filters.source)
    if filters.currency:
        records = records.filter(currency=filters.currency)
    if filters.tags:
        carrying = Record.tags.through.objects.filter(record_id=OuterRef("pk"), tag_id__in=filters.tags)
        records = records.filter(Exists(carrying))
    return records.order_by()


def totals(*, project: Project, filters: Filters, by: tuple[str, ...]) -> dict[tuple, list[int]]:
    """`{key: [total_minor, count]}` grouped by `by` (fields of both the
    rollups and the records: "type", "category_id")."""
    if filters.needs_records:
        rows = _records(project, filters).values(*by).annotate(total=Sum("base_amount_minor"), count=Count("id"))
        return _merge(rows, by)
    months, edges = split_range(filters.date_from, filters.date_to)
    aggregates = {"total": Sum("total_minor"), "count": Sum("record_count")}
    rows: list[dict] = []
    if months is not None:
        monthly = _rollup_filter(MonthlyRollup, project, filters).filter(_between("month", *months))
        rows += monthly.values(*by).annotate(**aggregates).order_by()
    if edges:
        daily = _rollup_filter(DailyRollup, project, filters).filter(_any_of(edges))
        rows += daily.values(*by).annotate(**aggregates).order_by()
    return _merge(rows, by)


def _any_of(day_ranges: list[tuple]) -> Q:
    """Days inside any of the (inclusive) ranges."""
    q = Q()
    for low, high in day_ranges:
        q |= _between("date", low, high)
    return q


def daily_series(*, project: Project, filters: Filters) -> dict[datetime.date, dict[str, int]]:
    """`{day: {type: total_minor}}` for days with records."""
    if filters.needs_records:
        rows = _records(project, filters).values("date", "type").annotate(total=Sum("base_amount_minor"))
    else:
        rows = (
            _rollup_filter(DailyRollup, project, filters)
            .filter(_between("date", filters.date_from, filters.date_to))
            .values("date", "type")
            .annotate(total=Sum("total_minor"))
            .order_by()
        )
    series: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        series[row["date"]][row["type"]] += row["total"] or 0
    return series


def monthly_series(*, project: Project, filters: Filters) -> dict[datetime.date, dict[str, int]]:
    """`{month start: {type: total_minor}}`: whole months from the monthly
    rollups, the edge days from the daily ones."""
    if filters.needs_records:
        series: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for day, by_type in daily_series(project=project, filters=filters).items():
            for kind, total in by_type.items():
                series[month_start(day)][kind] += total
        return series
    months, edges = split_range(filters.date_from, filters.date_to)
    series = defaultdict(lambda: defaultdict(int))
    if months is not None:
        rows = (
            _rollup_filter(MonthlyRollup, project, filters)
            .filter(_between("month", *months))
            .values("month", "type")
            .annotate(total=Sum("total_minor"))
            .order_by()
        )
        for row in rows:
            series[row["month"]][row["type"]] += row["total"] or 0
    if edges:
        rows = (
            _rollup_filter(DailyRollup, project, filters)
            .filter(_any_of(edges))
            .values("date", "type")
            .annotate(total=Sum("total_minor"))
            .order_by()
        )
        for row in rows:
            series[month_start(row["date"])][row["type"]] += row["total"] or 0
    return series


def data_span(*, project: Project, filters: Filters) -> tuple[datetime.date | None, datetime.date | None]:
    """First and last day with records (within the filters' own bounds)."""
    if filters.needs_records:
        span = _records(project, filters).aggregate(first=Min("date"), last=Max("date"))
    else:
        span = (
            _rollup_filter(DailyRollup, project, filters)
            .filter(record_count__gt=0)
            .filter(_between("date", filters.date_from, filters.date_to))
            .aggregate(first=Min("date"), last=Max("date"))
        )
    return span["first"], span["last"]


# --- the answers -------------------------------------------------------------------------------


def summary(*, project: Project, filters: Filters) -> dict:
    by_type = totals(project=project, filters=filters, by=("type",))
    income = by_type.get((RecordType.INCOME,), [0, 0])
    expense = by_type.get((RecordType.EXPENSE,), [0, 0])
    return {
        "total_income": income[0],
        "total_expense": expense[0],
        "net_balance": income[0] - expense[0],
        "record_count": income[1] + expense[1],
    }


def share(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0000")
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def category_breakdown(*, project: Project, filters: Filters) -> list[dict]:
    """Per category: total, count and share of its type's total, largest first."""
    by_category = totals(project=project, filters=filters, by=("category_id", "type"))
    by_category = {key: value for key, value in by_category.items() if value[1]}
    type_totals: dict[str, int] = defaultdict(int)
    for (_category, kind), (total, _count) in by_category.items():
        type_totals[kind] += total
    names = dict(
        Category.objects.filter(project=project, pk__in={category for category, _ in by_category}).values_list(
            "id", "name"
        )
    )
    rows = [
        {
            "category": {"id": category, "name": names.get(category, "")},
            "type": kind,
            "total": total,
            "count": count,
            "share": share(total, type_totals[kind]),
        }
        for (category, kind), (total, count) in by_category.items()
    ]
    return sorted(rows, key=lambda row: (-row["total"], row["category"]["name"], str(row["category"]["id"])))


INTERVAL_STARTS = {"day": lambda day: day, "week": week_start, "month": month_start}
INTERVAL_STEPS = {
    "day": lambda day: day + ONE_DAY,
    "week": lambda day: day + datetime.timedelta(days=7),
    "month": next_month,
}


def trend_bounds(*, project: Project, filters: Filters) -> tuple[datetime.date | None, datetime.date | None]:
    """The requested bounds, completed by the span of the data."""
    start, end = filters.date_from, filters.date_to
    if start is None or end is None:
        first, last = data_span(project=project, filters=filters)
        if start is None:
            start = first if end is None or first is None else min(first, end)
        if end is None:
            end = last if start is None or last is None else max(last, start)
        start = start or end
        end = end or start
    return start, end


def trends(*, project: Project, filters: Filters, interval: str, start, end) -> list[dict]:
    """Every period from `start` to `end` (inclusive), zero-filled."""
    if start is None:
        return []
    bounded = replace(filters, date_from=start, date_to=end)
    if interval == "month":
        series = monthly_series(project=project, filters=bounded)
    else:
        series = defaultdict(lambda: defaultdict(int))
        bucket = INTERVAL_STARTS[interval]
        for day, by_type in daily_series(project=project, filters=bounded).items():
            for kind, total in by_type.items():
                series[bucket(day)][kind] += total
    results = []
    period, last = INTERVAL_STARTS[interval](start), INTERVAL_STARTS[interval](end)
    while period <= last:
        income = series.get(period, {}).get(RecordType.INCOME, 0)
        expense = series.get(period, {}).get(RecordType.EXPENSE, 0)
        results.append({"period_start": period, "income": income, "expense": expense, "net": income - expense})
        period = INTERVAL_STEPS[interval](period)
    return results


def recent_records(*, project: Project, filters: Filters, limit: int) -> list[Record]:
    """The latest live records by date, then creation time."""
    records = _records(project, filters).select_related("created_by").prefetch_related(tag_ids_prefetch())
    return list(records.order_by("-date", "-created_at", "-id")[:limit])
