"""Property: after any sequence of record changes, every analytics answer
equals a straightforward recomputation from the records table."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import rollups, selectors
from records import services
from records.models import Record
from tests.records.factories import CategoryFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 1, 20)
DAYS = 60  # spans three months and their edges
# Month edges are where whole-month and daily rollups meet: draw them often.
EDGES = [datetime.date(2026, m, d) for m, d in [(1, 31), (2, 1), (2, 2), (2, 27), (2, 28), (3, 1), (3, 2), (3, 31)]]
dates = st.one_of(
    st.sampled_from(EDGES),
    st.integers(min_value=0, max_value=DAYS).map(lambda offset: START + datetime.timedelta(days=offset)),
)
maybe_dates = st.one_of(st.none(), dates)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
currencies = st.sampled_from([("USD", None), ("EUR", Decimal("1.08345")), ("JPY", Decimal("0.0066666667"))])

create = st.tuples(st.just("create"), st.integers(0, 2), amounts, dates, currencies)
update = st.tuples(st.just("update"), st.integers(0, 50), st.integers(0, 2), amounts, dates)
delete = st.tuples(st.just("delete"), st.integers(0, 50))
restore = st.tuples(st.just("restore"), st.integers(0, 50))
operations = st.lists(st.one_of(create, create, update, delete, restore), min_size=1, max_size=25)
ranges = st.lists(st.tuples(maybe_dates, maybe_dates), min_size=1, max_size=4)


def naive_totals(project, date_from, date_to):
    """{(category_id, type): [total, count]} straight from the records."""
    result = defaultdict(lambda: [0, 0])
    for record in Record.objects.filter(project=project, deleted_at__isnull=True):
        if (date_from and record.date < date_from) or (date_to and record.date > date_to):
            continue
        result[(record.category_id, record.type)][0] += record.base_amount_minor
        result[(record.category_id, record.type)][1] += 1
    return result


def naive_series(project, date_from, date_to, bucket):
    series = defaultdict(lambda: defaultdict(int))
    for record in Record.objects.filter(
        project=project, deleted_at__isnull=True, date__gte=date_from, date__lte=date_to
    ):
        series[bucket(record.date)][record.type] += record.base_amount_minor
    return series


def apply(operation, project, actor, categories):
    kind = operation[0]
    records = list(Record.objects.filter(project=project).order_by("created_at", "id"))
    if kind == "create":
        _, category_index, amount, day, (currency, rate) = operation
        category = categories[category_index]
        if currency == "JPY":
            amount = amount.quantize(Decimal(1)) or Decimal(1)
        services.record_create(
            project=project,
            actor=actor,
            type=category.type,
            amount=amount,
            date=day,
            category=category,
            currency=currency,
            exchange_rate=rate,
        )
    elif records:
        record = records[operation[1] % len(records)]
        if kind == "update" and record.deleted_at is None:
            _, _, category_index, amount, day = operation
            category = categories[category_index]
            if record.currency == "JPY":
                amount = amount.quantize(Decimal(1)) or Decimal(1)
            # A foreign-currency record keeps its rate when its date moves (no stored rates here).
            rate = record.exchange_rate if record.currency != project.base_currency else None
            services.record_update(
                record=record,
                actor=actor,
                type=category.type,
                category=category,
                amount=amount,
                date=day,
                exchange_rate=rate,
            )
        elif kind == "delete":
            services.record_delete(record=record, actor=actor)
        elif kind == "restore":
            services.record_restore(record=record, actor=actor)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(operations=operations, ranges=ranges)
def test_analytics_equal_a_recomputation_from_records(tenant, operations, ranges):
    project, actor = tenant.project, tenant.users["project_owner"]
    with transaction.atomic():
        categories = [
            CategoryFactory(project=project, type="expense"),
            CategoryFactory(project=project, type="expense"),
            CategoryFactory(project=project, type="income"),
        ]
        for operation in operations:
            apply(operation, project, actor, categories)

        assert rollups.verify(project_id=project.pk) == []
        for date_from, date_to in ranges:
            if date_from and date_to and date_from > date_to:
                date_from, date_to = date_to, date_from
            filters = selectors.Filters(date_from=date_from, date_to=date_to)
            expected = naive_totals(project, date_from, date_to)

            summary = selectors.summary(project=project, filters=filters)
            income = sum(v[0] for (_, kind), v in expected.items() if kind == "income")
            expense = sum(v[0] for (_, kind), v in expected.items() if kind == "expense")
            assert summary == {
                "total_income": income,
                "total_expense": expense,
                "net_balance": income - expense,
                "record_count": sum(v[1] for v in expected.values()),
            }

            breakdown = selectors.category_breakdown(project=project, filters=filters)
            assert {(row["category"]["id"], row["type"]): [row["total"], row["count"]] for row in breakdown} == {
                key: value for key, value in expected.items() if value[1]
            }
            for row in breakdown:
                assert row["share"] == selectors.share(row["total"], income if row["type"] == "income" else expense)

            start, end = selectors.trend_bounds(project=project, filters=filters)
            for interval in ("day", "week", "month"):
                points = selectors.trends(project=project, filters=filters, interval=interval, start=start, end=end)
                if start is None:
                    assert points == []
                    continue
                bucket = selectors.INTERVAL_STARTS[interval]
                series = naive_series(project, start, end, bucket)
                assert [point["period_start"] for point in points] == _periods(start, end, interval)
                for point in points:
                    assert point["income"] == series[point["period_start"]]["income"]
                    assert point["expense"] == series[point["period_start"]]["expense"]
                    assert point["net"] == point["income"] - point["expense"]
        transaction.set_rollback(True)


def _periods(start, end, interval):
    periods, period = [], selectors.INTERVAL_STARTS[interval](start)
    while period <= end:
        periods.append(period)
        period = selectors.INTERVAL_STEPS[interval](period)
    return periods
