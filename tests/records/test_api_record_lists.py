import datetime
import uuid
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest

from records import services
from records.models import Record
from tests.records.factories import CategoryFactory, TagFactory, make_record
from tests.tenancy.factories import ProjectMemberFactory

pytestmark = pytest.mark.django_db


def records_path(project):
    return f"/api/v1/projects/{project.pk}/records/"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def cursor_of(link):
    return parse_qs(urlparse(link).query)["cursor"][0]


@pytest.fixture
def ledger(tenant):
    """Six records with known attributes."""
    p = tenant.project
    food = CategoryFactory(project=p, name="Food", type="expense")
    rent = CategoryFactory(project=p, name="Rent", type="expense")
    salary = CategoryFactory(project=p, name="Salary", type="income")
    red, blue = TagFactory(project=p, name="red"), TagFactory(project=p, name="blue")
    owner, analyst = tenant.users["project_owner"], tenant.users["project_admin"]
    rows = {
        "groceries": make_record(
            p,
            actor=owner,
            category=food,
            amount="25.00",
            date=datetime.date(2026, 1, 5),
            tags=[red],
            source="card",
            description="Weekly Groceries",
        ),
        "lunch": make_record(
            p,
            actor=analyst,
            category=food,
            amount="12.00",
            date=datetime.date(2026, 1, 20),
            tags=[blue],
            source="cash",
            description="lunch",
        ),
        "rent": make_record(
            p,
            actor=owner,
            category=rent,
            amount="900.00",
            date=datetime.date(2026, 2, 1),
            tags=[red, blue],
            source="bank",
        ),
        "salary": make_record(
            p,
            actor=owner,
            category=salary,
            type="income",
            amount="3000.00",
            date=datetime.date(2026, 2, 28),
            source="bank",
        ),
        "euro": make_record(
            p,
            actor=owner,
            category=food,
            amount="10.00",
            date=datetime.date(2026, 3, 1),
            currency="EUR",
            exchange_rate=Decimal("1.1"),
        ),
        "old": make_record(p, actor=owner, category=rent, amount="850.00", date=datetime.date(2025, 12, 1)),
    }
    return {
        "rows": {name: str(record.pk) for name, record in rows.items()},
        "food": food,
        "rent": rent,
        "red": red,
        "blue": blue,
        "analyst": analyst,
    }


class TestFilters:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"type": "income"}, {"salary"}),
            ({"source": "bank"}, {"rent", "salary"}),
            ({"currency": "EUR"}, {"euro"}),
            ({"date_from": "2026-01-20", "date_to": "2026-02-28"}, {"lunch", "rent", "salary"}),
            ({"amount_min": "12", "amount_max": "25.00"}, {"groceries", "lunch"}),
            ({"search": "GROCER"}, {"groceries"}),
        ],
    )
    def test_simple_filters(self, tenant, as_persona, ledger, params, expected):
        found = set(ids(as_persona("project_owner").get(records_path(tenant.project), params)))
        assert found == {ledger["rows"][name] for name in expected}

    def test_category_is_repeatable(self, tenant, as_persona, ledger):
        client = as_persona("project_owner")
        found = ids(client.get(records_path(tenant.project), {"category": [ledger["rent"].pk]}))
        assert set(found) == {ledger["rows"]["rent"], ledger["rows"]["old"]}
        both = ids(client.get(records_path(tenant.project), {"category": [ledger["rent"].pk, ledger["food"].pk]}))
        assert len(both) == 5

    def test_tag_matches_any_of(self, tenant, as_persona, ledger):
        client = as_persona("project_owner")
        found = ids(client.get(records_path(tenant.project), {"tag": [ledger["red"].pk, ledger["blue"].pk]}))
        assert sorted(found) == sorted([ledger["rows"][n] for n in ("groceries", "lunch", "rent")])

    def test_created_by(self, tenant, as_persona, ledger):
        found = ids(as_persona("project_owner").get(records_path(tenant.project), {"created_by": ledger["analyst"].pk}))
        assert found == [ledger["rows"]["lunch"]]

    @pytest.mark.parametrize(
        "params",
        [
            {"date_from": "2026-03-01", "date_to": "2026-01-01"},
            {"amount_min": "10", "amount_max": "5"},
            {"date_from": "yesterday"},
            {"amount_min": "ten"},
            {"type": "gift"},
            {"source": "crypto"},
            {"created_by": "not-a-uuid"},
            {"category": "not-a-uuid"},
            {"category": str(uuid.uuid4())},
            {"include_deleted": "maybe"},
            {"ordering": "description"},
            {"cursor": "forged"},
        ],
    )
    def test_bad_filters_are_400(self, tenant, as_persona, ledger, params):
        response = as_persona("project_owner").get(records_path(tenant.project), params)
        assert response.status_code == 400
        assert response.json()["type"] in ("validation_error", "client_error")
        # Every error carries a machine-readable code (found by fuzzing: a null one broke the schema).
        assert all(isinstance(error["code"], str) and error["code"] for error in response.json()["errors"])

    @pytest.mark.parametrize(
        ("params", "error"),
        [
            (
                {"date_from": "2026-03-01", "date_to": "2026-01-01"},
                {"code": "invalid_range", "detail": "date_to must not be before date_from.", "attr": "date_to"},
            ),
            (
                {"amount_min": "6", "amount_max": "0"},
                {"code": "invalid_range", "detail": "amount_max must not be before amount_min.", "attr": "amount_max"},
            ),
        ],
    )
    def test_reversed_range_is_400_invalid_range(self, tenant, as_persona, params, error):
        response = as_persona("project_owner").get(records_path(tenant.project), params)
        assert response.status_code == 400
        assert response.json()["errors"] == [error]

    @pytest.mark.parametrize("value", ["1e3", "-1", " 5", "1.2345", "0x10", "NaN", "١٢"])
    def test_amount_bounds_are_plain_decimal_strings(self, tenant, as_persona, value):
        response = as_persona("project_owner").get(records_path(tenant.project), {"amount_min": value})
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "amount_min"

    @pytest.mark.parametrize("params", [{"page_size": "abc"}, {"page_size": "null"}, {"page_size": "5.0"}])
    def test_page_size_that_is_not_a_whole_number_is_400(self, tenant, as_persona, params):
        response = as_persona("project_owner").get(records_path(tenant.project), params)
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "page_size"

    @pytest.mark.parametrize("params", [{"type": ""}, {"date_to": ""}, {"page_size": ""}, {"amount_min": ""}])
    def test_empty_query_values_mean_not_given(self, tenant, as_persona, ledger, params):
        client = as_persona("project_owner")
        assert ids(client.get(records_path(tenant.project), params)) == ids(client.get(records_path(tenant.project)))

    def test_category_of_another_project_is_400(self, tenant, other_tenant, as_persona, ledger):
        foreign = CategoryFactory(project=other_tenant.project)
        assert (
            as_persona("project_owner").get(records_path(tenant.project), {"category": foreign.pk}).status_code == 400
        )


class TestOrderingAndPagination:
    @pytest.mark.parametrize(
        ("ordering", "first"),
        [
            ("-date", "euro"),
            ("date", "old"),
            ("amount", "euro"),
            ("-amount", "salary"),
            ("-created_at", "old"),
            ("created_at", "groceries"),
        ],
    )
    def test_orderings(self, tenant, as_persona, ledger, ordering, first):
        found = ids(as_persona("project_owner").get(records_path(tenant.project), {"ordering": ordering}))
        assert found[0] == ledger["rows"][first]

    def test_default_ordering_is_newest_date_first(self, tenant, as_persona, ledger):
        rows = as_persona("project_owner").get(records_path(tenant.project)).json()["results"]
        assert [row["date"] for row in rows] == sorted((row["date"] for row in rows), reverse=True)

    def test_page_size_is_clamped_to_200(self, tenant, as_persona):
        category = CategoryFactory(project=tenant.project)
        actor = tenant.users["project_owner"]
        for index in range(205):
            services.record_create(
                project=tenant.project,
                actor=actor,
                type="expense",
                amount=Decimal("1"),
                date=datetime.date(2026, 1, 1) + datetime.timedelta(days=index % 30),
                category=category,
            )
        body = as_persona("project_owner").get(records_path(tenant.project), {"page_size": 500}).json()
        assert len(body["results"]) == 200
        assert body["next"] is not None
        assert (
            len(as_persona("project_owner").get(records_path(tenant.project), {"page_size": 0}).json()["results"]) == 50
        )

    @pytest.mark.parametrize("ordering", ["-date", "date", "amount", "-amount", "created_at", "-created_at"])
    def test_every_record_exactly_once_while_records_are_inserted(self, tenant, as_persona, ordering):
        # Given 40 records with many ties on date and amount
        category = CategoryFactory(project=tenant.project)
        actor = tenant.users["project_owner"]

        def add(index):
            return services.record_create(
                project=tenant.project,
                actor=actor,
                type="expense",
                amount=Decimal(index % 3 + 1),
                date=datetime.date(2026, 1, 1) + datetime.timedelta(days=index % 4),
                category=category,
            )

        existing = {str(add(index).pk) for index in range(40)}
        client = as_persona("project_owner")
        seen, params, page = [], {"page_size": 7, "ordering": ordering}, 0
        # When new records arrive between every page
        while True:
            body = client.get(records_path(tenant.project), params).json()
            seen += [row["id"] for row in body["results"]]
            add(100 + page)
            page += 1
            if not body["next"]:
                break
            params = {"page_size": 7, "ordering": ordering, "cursor": cursor_of(body["next"])}
        # Then nothing was repeated and nothing that existed was skipped
        assert len(seen) == len(set(seen))
        assert existing <= set(seen)

    def test_previous_link_walks_back(self, tenant, as_persona):
        category = CategoryFactory(project=tenant.project)
        for index in range(10):
            make_record(tenant.project, category=category, date=datetime.date(2026, 1, index + 1))
        client = as_persona("project_owner")
        first = client.get(records_path(tenant.project), {"page_size": 4}).json()
        assert first["previous"] is None
        second = client.get(first["next"]).json()
        back = client.get(second["previous"]).json()
        assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]

    def test_cursor_from_another_ordering_is_400(self, tenant, as_persona):
        category = CategoryFactory(project=tenant.project)
        for index in range(3):
            make_record(tenant.project, category=category, date=datetime.date(2026, 1, index + 1))
        client = as_persona("project_owner")
        cursor = cursor_of(client.get(records_path(tenant.project), {"page_size": 1}).json()["next"])
        response = client.get(records_path(tenant.project), {"cursor": cursor, "ordering": "amount"})
        assert response.status_code == 400

    def test_tampered_cursor_is_400(self, tenant, as_persona):
        category = CategoryFactory(project=tenant.project)
        for index in range(3):
            make_record(tenant.project, category=category, date=datetime.date(2026, 1, index + 1))
        client = as_persona("project_owner")
        cursor = cursor_of(client.get(records_path(tenant.project), {"page_size": 1}).json()["next"])
        tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
        assert client.get(records_path(tenant.project), {"cursor": tampered}).status_code == 400

    def test_a_page_of_200_costs_a_constant_number_of_queries(self, tenant, as_persona, django_assert_max_num_queries):
        tags = [TagFactory(project=tenant.project) for _ in range(3)]
        categories = [CategoryFactory(project=tenant.project) for _ in range(3)]
        creators = [ProjectMemberFactory(project=tenant.project, role="admin").member.user for _ in range(4)]
        for index in range(200):
            services.record_create(
                project=tenant.project,
                actor=creators[index % 4],
                type="expense",
                amount=Decimal("2.50"),
                date=datetime.date(2026, 1, 1) + datetime.timedelta(days=index),
                category=categories[index % 3],
                tags=tags[: index % 4],
            )
        client = as_persona("project_owner")
        # auth + scope + page + tags
        with django_assert_max_num_queries(4):
            response = client.get(records_path(tenant.project), {"page_size": 200})
        assert len(response.json()["results"]) == 200
        assert Record.objects.count() == 200
