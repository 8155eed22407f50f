import csv
import datetime
import io
from decimal import Decimal

import pytest

from analytics.selectors import split_range
from records import services
from tests.records.factories import CategoryFactory, TagFactory, make_record
from tests.tenancy.factories import grant

pytestmark = pytest.mark.django_db

D = datetime.date


def analytics(project, name):
    return f"/api/v1/projects/{project.pk}/analytics/{name}"


@pytest.fixture
def books(tenant):
    """A small ledger in USD with known totals."""
    p = tenant.project
    owner = tenant.users["project_owner"]
    food = CategoryFactory(project=p, name="Food", type="expense")
    rent = CategoryFactory(project=p, name="Rent", type="expense")
    salary = CategoryFactory(project=p, name="Salary", type="income")
    cash = TagFactory(project=p, name="cash-only")
    make_record(p, actor=owner, category=salary, type="income", amount="3000.00", date=D(2026, 1, 31))
    make_record(p, actor=owner, category=rent, amount="1000.00", date=D(2026, 2, 1), source="bank")
    make_record(p, actor=owner, category=food, amount="100.10", date=D(2026, 2, 14), tags=[cash], source="cash")
    make_record(p, actor=owner, category=food, amount="0.01", date=D(2026, 3, 2))
    make_record(
        p,
        actor=owner,
        category=food,
        amount="50.00",
        date=D(2026, 3, 3),
        currency="EUR",
        exchange_rate=Decimal("1.08345"),
    )  # 54.1725 -> 54.17
    gone = make_record(p, actor=owner, category=food, amount="999.00", date=D(2026, 2, 20))
    services.record_delete(record=gone, actor=owner)
    return {"food": food, "rent": rent, "salary": salary, "cash": cash}


class TestSplitRange:
    @pytest.mark.parametrize(
        ("low", "high", "months", "edges"),
        [
            (D(2026, 1, 1), D(2026, 3, 31), (D(2026, 1, 1), D(2026, 3, 1)), []),
            (
                D(2026, 1, 15),
                D(2026, 3, 10),
                (D(2026, 2, 1), D(2026, 2, 1)),
                [(D(2026, 1, 15), D(2026, 1, 31)), (D(2026, 3, 1), D(2026, 3, 10))],
            ),
            (D(2026, 1, 15), D(2026, 1, 20), None, [(D(2026, 1, 15), D(2026, 1, 20))]),
            (D(2026, 1, 15), D(2026, 2, 10), None, [(D(2026, 1, 15), D(2026, 2, 10))]),
            (None, None, (None, None), []),
            (None, D(2026, 2, 27), (None, D(2026, 1, 1)), [(D(2026, 2, 1), D(2026, 2, 27))]),
            (D(2024, 2, 29), None, (D(2024, 3, 1), None), [(D(2024, 2, 29), D(2024, 2, 29))]),
            (D(2026, 12, 1), D(2026, 12, 31), (D(2026, 12, 1), D(2026, 12, 1)), []),
        ],
    )
    def test_whole_months_and_edge_days(self, low, high, months, edges):
        assert split_range(low, high) == (months, edges)


class TestSummary:
    def test_totals_exact_to_the_cent(self, tenant, as_persona, books):
        body = as_persona("viewer").get(analytics(tenant.project, "summary")).json()
        assert body == {
            "currency": "USD",
            "total_income": "3000.00",
            "total_expense": "1154.28",
            "net_balance": "1845.72",
            "record_count": 5,
        }

    @pytest.mark.parametrize(
        ("params", "expense", "count"),
        [
            ({"date_from": "2026-02-01", "date_to": "2026-02-28"}, "1100.10", 2),
            ({"date_from": "2026-02-14", "date_to": "2026-03-02"}, "100.11", 2),
            ({"date_to": "2026-01-31"}, "0.00", 1),
            ({"date_from": "2026-03-03"}, "54.17", 1),
            ({"date_from": "2030-01-01"}, "0.00", 0),
        ],
    )
    def test_date_ranges(self, tenant, as_persona, books, params, expense, count):
        body = as_persona("viewer").get(analytics(tenant.project, "summary"), params).json()
        assert (body["total_expense"], body["record_count"]) == (expense, count)

    def test_filters_the_rollups_cannot_answer_use_the_records(self, tenant, as_persona, books):
        client = as_persona("viewer")
        assert (
            client.get(analytics(tenant.project, "summary"), {"tag": books["cash"].pk}).json()["total_expense"]
            == "100.10"
        )
        assert client.get(analytics(tenant.project, "summary"), {"source": "bank"}).json()["total_expense"] == "1000.00"
        assert client.get(analytics(tenant.project, "summary"), {"currency": "EUR"}).json()["total_expense"] == "54.17"
        by_category = client.get(analytics(tenant.project, "summary"), {"category": books["rent"].pk}).json()
        assert by_category["total_expense"] == "1000.00"

    def test_negative_net_balance(self, tenant, as_persona, books):
        body = as_persona("viewer").get(analytics(tenant.project, "summary"), {"date_from": "2026-02-01"}).json()
        assert body["net_balance"] == "-1154.28"

    def test_empty_project_gives_zeros(self, other_tenant, client_for):
        body = client_for(other_tenant.users["viewer"]).get(analytics(other_tenant.project, "summary")).json()
        assert body == {
            "currency": "USD",
            "total_income": "0.00",
            "total_expense": "0.00",
            "net_balance": "0.00",
            "record_count": 0,
        }


class TestCategories:
    def test_breakdown_sorted_with_shares(self, tenant, as_persona, books):
        body = as_persona("viewer").get(analytics(tenant.project, "categories"), {"type": "expense"}).json()
        assert body["currency"] == "USD"
        assert [(row["category"]["name"], row["total"], row["count"], row["share"]) for row in body["results"]] == [
            ("Rent", "1000.00", 1, "0.8663"),
            ("Food", "154.28", 3, "0.1337"),
        ]
        assert body["results"][0]["type"] == "expense"
        assert body["results"][0]["category"]["id"] == str(books["rent"].pk)

    def test_without_type_each_share_is_of_its_own_type(self, tenant, as_persona, books):
        rows = as_persona("viewer").get(analytics(tenant.project, "categories")).json()["results"]
        assert [(row["category"]["name"], row["share"]) for row in rows] == [
            ("Salary", "1.0000"),
            ("Rent", "0.8663"),
            ("Food", "0.1337"),
        ]


class TestTrends:
    def test_monthly_trend_spans_the_data_and_zero_fills(self, tenant, as_persona, books):
        body = as_persona("viewer").get(analytics(tenant.project, "trends"), {"interval": "month"}).json()
        assert body["interval"] == "month"
        assert body["results"] == [
            {"period_start": "2026-01-01", "income": "3000.00", "expense": "0.00", "net": "3000.00"},
            {"period_start": "2026-02-01", "income": "0.00", "expense": "1100.10", "net": "-1100.10"},
            {"period_start": "2026-03-01", "income": "0.00", "expense": "54.18", "net": "-54.18"},
        ]

    def test_weeks_start_on_monday_and_every_week_is_present(self, tenant, as_persona, books):
        body = (
            as_persona("viewer")
            .get(
                analytics(tenant.project, "trends"),
                {"interval": "week", "date_from": "2026-01-28", "date_to": "2026-02-20"},
            )
            .json()
        )
        starts = [row["period_start"] for row in body["results"]]
        assert starts == ["2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16"]
        assert [row["expense"] for row in body["results"]] == ["1000.00", "0.00", "100.10", "0.00"]

    def test_daily_trend_with_explicit_bounds(self, tenant, as_persona, books):
        rows = (
            as_persona("viewer")
            .get(
                analytics(tenant.project, "trends"),
                {"interval": "day", "date_from": "2026-03-01", "date_to": "2026-03-04"},
            )
            .json()["results"]
        )
        assert [(row["period_start"], row["expense"]) for row in rows] == [
            ("2026-03-01", "0.00"),
            ("2026-03-02", "0.01"),
            ("2026-03-03", "54.17"),
            ("2026-03-04", "0.00"),
        ]

    def test_monthly_trend_with_partial_edge_months(self, tenant, as_persona, books):
        rows = (
            as_persona("viewer")
            .get(analytics(tenant.project, "trends"), {"date_from": "2026-01-31", "date_to": "2026-03-02"})
            .json()["results"]
        )
        assert [(row["period_start"], row["income"], row["expense"]) for row in rows] == [
            ("2026-01-01", "3000.00", "0.00"),
            ("2026-02-01", "0.00", "1100.10"),
            ("2026-03-01", "0.00", "0.01"),
        ]

    def test_no_data_no_bounds_is_an_empty_series(self, other_tenant, client_for):
        body = client_for(other_tenant.users["viewer"]).get(analytics(other_tenant.project, "trends")).json()
        assert body == {"currency": "USD", "interval": "month", "results": []}


class TestRecent:
    def test_latest_by_date_then_creation(self, tenant, as_persona, books):
        body = as_persona("viewer").get(analytics(tenant.project, "recent"), {"limit": 2}).json()
        assert [row["date"] for row in body["results"]] == ["2026-03-03", "2026-03-02"]
        assert body["results"][0]["base_amount"] == "54.17"

    def test_query_count_is_constant(self, tenant, as_persona, books, django_assert_max_num_queries):
        client = as_persona("viewer")
        with django_assert_max_num_queries(4):
            assert len(client.get(analytics(tenant.project, "recent"), {"limit": 50}).json()["results"]) == 5


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("trends", {"interval": "year"}),
        ("trends", {"interval": "day", "date_from": "2010-01-01", "date_to": "2026-01-01"}),
        ("summary", {"date_from": "2026-03-01", "date_to": "2026-01-01"}),
        ("summary", {"date_from": "garbage"}),
        ("categories", {"type": "gift"}),
        ("recent", {"limit": 51}),
        ("recent", {"limit": 0}),
        ("recent", {"limit": "ten"}),
        ("summary", {"category": "not-a-uuid"}),
        ("summary", {"currency": "XYZ"}),
        ("summary", {"source": "crypto"}),
    ],
)
def test_bad_input_is_400(tenant, as_persona, name, params):
    response = as_persona("viewer").get(analytics(tenant.project, name), params)
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"


def test_category_of_another_project_is_400(tenant, other_tenant, as_persona):
    foreign = CategoryFactory(project=other_tenant.project)
    assert as_persona("viewer").get(analytics(tenant.project, "summary"), {"category": foreign.pk}).status_code == 400


class TestPermissionsAndExports:
    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("viewer", 200),
            ("analyst", 200),
            ("org_member", 404),
            ("outsider", 404),
            ("anonymous", 401),
        ],
    )
    def test_read_needs_analytics_read(self, tenant, as_persona, books, persona, status):
        assert as_persona(persona).get(analytics(tenant.project, "summary")).status_code == status

    def test_analytics_none_grant_is_403(self, tenant, as_persona):
        grant(tenant.project_memberships["viewer"], analytics="none")
        assert as_persona("viewer").get(analytics(tenant.project, "summary")).status_code == 403

    def test_csv_needs_analytics_manage(self, tenant, as_persona, books):
        response = as_persona("viewer").get(analytics(tenant.project, "summary"), {"format": "csv"})
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["type"] == "client_error"

    def test_summary_csv(self, tenant, as_persona, books):
        response = as_persona("analyst").get(analytics(tenant.project, "summary"), HTTP_ACCEPT="text/csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows == [
            ["currency", "total_income", "total_expense", "net_balance", "record_count"],
            ["USD", "3000.00", "1154.28", "1845.72", "5"],
        ]

    @pytest.mark.parametrize("name", ["categories", "trends", "recent"])
    def test_every_answer_exports(self, tenant, as_persona, books, name):
        response = as_persona("analyst").get(analytics(tenant.project, name), {"format": "csv"})
        assert response.status_code == 200
        assert len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))) > 1

    def test_records_export_streams_every_filtered_record(self, tenant, as_persona, books):
        response = as_persona("project_owner").get(
            f"/api/v1/projects/{tenant.project.pk}/records/", {"format": "csv", "type": "expense", "ordering": "date"}
        )
        assert response.status_code == 200
        assert response.streaming
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0][:4] == ["id", "date", "type", "amount"]
        assert [row[1] for row in rows[1:]] == ["2026-02-01", "2026-02-14", "2026-03-02", "2026-03-03"]

    def test_records_export_needs_analytics_manage_too(self, tenant, as_persona, books):
        grant(tenant.project_memberships["project_admin"], analytics="read")
        response = as_persona("project_admin").get(
            f"/api/v1/projects/{tenant.project.pk}/records/", HTTP_ACCEPT="text/csv"
        )
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "params", "queries"),
    [
        ("summary", {}, 4),  # auth, scope, monthly rows (+ daily edges)
        ("summary", {"date_from": "2026-01-15", "date_to": "2026-02-20"}, 4),
        ("categories", {"type": "expense"}, 5),  # ... + category names
        ("trends", {"interval": "month"}, 5),  # ... + span of the data
        ("trends", {"interval": "week", "date_from": "2026-01-01", "date_to": "2026-03-31"}, 4),
    ],
)
def test_analytics_query_counts_do_not_grow_with_the_data(
    tenant, as_persona, books, name, params, queries, django_assert_max_num_queries
):
    for day in range(1, 28):
        make_record(tenant.project, category=books["food"], amount="1.00", date=D(2026, 2, day))
    client = as_persona("viewer")
    with django_assert_max_num_queries(queries):
        assert client.get(analytics(tenant.project, name), params).status_code == 200
