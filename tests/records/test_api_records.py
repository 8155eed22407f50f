import datetime
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from records.models import ExchangeRate, Record
from tests.accounts.helpers import error_codes
from tests.records.factories import CategoryFactory, TagFactory, make_record
from tests.tenancy.factories import build_tenant, grant

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 3, 15)


def records_path(project, suffix=""):
    return f"/api/v1/projects/{project.pk}/records/{suffix}"


@pytest.fixture
def expense_category(tenant):
    return CategoryFactory(project=tenant.project, name="Rent", type="expense")


@pytest.fixture
def income_category(tenant):
    return CategoryFactory(project=tenant.project, name="Salary", type="income")


@pytest.fixture
def owner(as_persona):
    return as_persona("project_owner")


def body(of_category, /, **overrides):
    return {
        "type": of_category.type,
        "amount": "12.50",
        "date": "2026-03-15",
        "category": str(of_category.pk),
        **overrides,
    }


def set_base(tenant, currency):
    tenant.project.base_currency = currency
    tenant.project.save(update_fields=["base_currency"])


class TestCreate:
    def test_create_in_the_base_currency(self, tenant, owner, expense_category):
        tag = TagFactory(project=tenant.project)
        response = owner.post(
            records_path(tenant.project),
            body(expense_category, tags=[str(tag.pk)], source="card", description="March rent"),
        )
        assert response.status_code == 201, response.content
        record = response.json()
        assert set(record) == {
            "id",
            "type",
            "amount",
            "currency",
            "exchange_rate",
            "base_amount",
            "base_currency",
            "category",
            "tags",
            "source",
            "description",
            "date",
            "created_by",
            "created_at",
            "updated_at",
            "deleted_at",
        }
        assert record["amount"] == "12.50"
        assert record["currency"] == record["base_currency"] == "USD"
        assert record["exchange_rate"] == "1"
        assert record["base_amount"] == "12.50"
        assert record["tags"] == [str(tag.pk)]
        assert record["created_by"]["id"] == str(tenant.users["project_owner"].pk)
        assert AuditEvent.objects.filter(action="record.created", target_id=record["id"]).exists()

    @pytest.mark.parametrize(
        "amount", [12.5, 12, "12.505", "-1.00", "0", "0.00", "1e3", "abc", "", None, "1234567890123", " 12.50", "12,50"]
    )
    def test_bad_amounts_are_400_and_write_nothing(self, tenant, owner, expense_category, amount):
        response = owner.post(records_path(tenant.project), body(expense_category, amount=amount), format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "amount"
        assert not Record.objects.exists()

    @pytest.mark.parametrize(
        ("currency", "amount", "ok"),
        [
            ("JPY", "1500", True),
            ("JPY", "1500.5", False),
            ("JPY", "1500.0", False),
            ("KWD", "1.250", True),
            ("KWD", "1.2505", False),
            ("USD", "0.01", True),
            ("USD", "12.500", False),
        ],
    )
    def test_decimals_follow_the_currency(self, tenant, owner, expense_category, currency, amount, ok):
        set_base(tenant, currency)
        response = owner.post(records_path(tenant.project), body(expense_category, amount=amount))
        assert (response.status_code == 201) is ok, response.content
        if not ok:
            assert error_codes(response) == ["too_many_decimals"]

    def test_jpy_and_kwd_render_with_their_own_decimals(self, tenant, owner, expense_category):
        set_base(tenant, "KWD")
        record = owner.post(records_path(tenant.project), body(expense_category, amount="2")).json()
        assert record["amount"] == "2.000"
        assert record["base_amount"] == "2.000"

    @pytest.mark.parametrize(
        ("base", "currency", "amount", "rate", "base_amount"),
        [
            ("USD", "EUR", "100.00", "1.08345", "108.35"),  # 108.345 half-up
            ("USD", "EUR", "100.00", "1.08344", "108.34"),
            ("JPY", "USD", "12.34", "150.5", "1857"),  # 1857.17 -> 0 decimals
            ("JPY", "USD", "0.01", "50", "1"),  # 0.5 yen rounds up
            ("KWD", "USD", "10.00", "0.30755", "3.076"),  # 3.0755 -> 3 decimals, half-up
            ("USD", "JPY", "1000", "0.0066666667", "6.67"),
        ],
    )
    def test_explicit_rate_and_half_up_rounding(
        self, tenant, owner, expense_category, base, currency, amount, rate, base_amount
    ):
        set_base(tenant, base)
        response = owner.post(
            records_path(tenant.project), body(expense_category, currency=currency, amount=amount, exchange_rate=rate)
        )
        assert response.status_code == 201, response.content
        assert response.json()["base_amount"] == base_amount
        assert response.json()["exchange_rate"] == rate

    def test_stored_rate_is_the_latest_on_or_before_the_date_through_eur(self, tenant, owner, expense_category):
        set_base(tenant, "JPY")
        for day, usd, jpy in [(datetime.date(2026, 3, 10), "1.25", "150"), (datetime.date(2026, 3, 20), "1", "100")]:
            ExchangeRate.objects.create(base="EUR", quote="USD", date=day, rate=Decimal(usd))
            ExchangeRate.objects.create(base="EUR", quote="JPY", date=day, rate=Decimal(jpy))
        response = owner.post(records_path(tenant.project), body(expense_category, currency="USD", amount="10.00"))
        assert response.status_code == 201
        assert response.json()["exchange_rate"] == "120"
        assert response.json()["base_amount"] == "1200"

    def test_no_rate_is_400_exchange_rate_missing(self, tenant, owner, expense_category):
        response = owner.post(records_path(tenant.project), body(expense_category, currency="EUR"))
        assert response.status_code == 400
        assert error_codes(response) == ["exchange_rate_missing"]
        assert not Record.objects.exists()

    def test_base_currency_rate_must_be_one(self, tenant, owner, expense_category):
        response = owner.post(records_path(tenant.project), body(expense_category, exchange_rate="2"))
        assert response.status_code == 400

    @pytest.mark.parametrize("rate", [1.5, "0", "-1", "abc", "1.12345678901", "12345678901"])
    def test_bad_rates_are_400(self, tenant, owner, expense_category, rate):
        response = owner.post(
            records_path(tenant.project), body(expense_category, currency="EUR", exchange_rate=rate), format="json"
        )
        assert response.status_code == 400

    @pytest.mark.parametrize("currency", ["XYZ", "usd", "", 978])
    def test_unknown_currency_is_400(self, tenant, owner, expense_category, currency):
        response = owner.post(records_path(tenant.project), body(expense_category, currency=currency), format="json")
        assert response.status_code == 400

    def test_category_must_match_the_type(self, tenant, owner, income_category):
        response = owner.post(records_path(tenant.project), body(income_category, type="expense"))
        assert response.status_code == 400
        assert error_codes(response) == ["category_type_mismatch"]

    def test_category_and_tags_of_another_project_are_400(self, tenant, other_tenant, owner, expense_category):
        foreign_category = CategoryFactory(project=other_tenant.project, type="expense")
        foreign_tag = TagFactory(project=other_tenant.project)
        assert owner.post(records_path(tenant.project), body(foreign_category)).status_code == 400
        response = owner.post(records_path(tenant.project), body(expense_category, tags=[str(foreign_tag.pk)]))
        assert response.status_code == 400
        assert not Record.objects.exists()

    @pytest.mark.parametrize(
        "overrides",
        [
            {"date": "2026-02-30"},
            {"date": "15/03/2026"},
            {"date": None},
            {"type": "gift"},
            {"source": "crypto"},
            {"description": "x" * 1001},
            {"tags": "not-a-list"},
            {"tags": ["not-a-uuid"]},
            {"category": None},
            {"tags": [str(__import__("uuid").uuid4())]},
        ],
    )
    def test_malformed_fields_are_400(self, tenant, owner, expense_category, overrides):
        response = owner.post(records_path(tenant.project), body(expense_category, **overrides), format="json")
        assert response.status_code == 400
        assert not Record.objects.exists()

    def test_project_and_creator_are_never_writable(self, tenant, other_tenant, owner, expense_category):
        response = owner.post(
            records_path(tenant.project),
            body(expense_category, project=str(other_tenant.project.pk), created_by=str(tenant.users["viewer"].pk)),
        )
        assert response.status_code == 201
        record = Record.objects.get()
        assert record.project_id == tenant.project.pk
        assert record.created_by == tenant.users["project_owner"]


class TestCsvIsForTheListOnly:
    """Found by fuzzing: a single record or a write asked for as CSV came back
    as JSON labelled text/csv. CSV is an export of the list."""

    def test_detail_refuses_csv(self, tenant, owner, expense_category):
        record = make_record(project=tenant.project, category=expense_category)
        path = records_path(tenant.project, f"{record.pk}/")
        assert owner.get(path, HTTP_ACCEPT="text/csv").status_code == 406
        assert owner.get(path, {"format": "csv"}).status_code == 404
        response = owner.get(path, HTTP_ACCEPT="text/csv, application/json;q=0.5")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"

    def test_create_answers_json_whatever_is_accepted(self, tenant, owner, expense_category):
        response = owner.post(records_path(tenant.project), body(expense_category), HTTP_ACCEPT="text/csv")
        assert response.status_code == 406
        assert response["Content-Type"] == "application/json"
        assert not Record.objects.exists()

    def test_list_still_exports(self, tenant, as_persona, expense_category):
        make_record(project=tenant.project, category=expense_category)
        response = as_persona("project_owner").get(records_path(tenant.project), HTTP_ACCEPT="text/csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")


class TestUpdate:
    def test_patch_amount_keeps_the_rate_and_recomputes_the_base(self, tenant, owner, expense_category):
        set_base(tenant, "USD")
        record = owner.post(
            records_path(tenant.project), body(expense_category, currency="EUR", amount="10.00", exchange_rate="1.1")
        ).json()
        ExchangeRate.objects.create(base="EUR", quote="USD", date=D, rate=Decimal("2"))
        updated = owner.patch(records_path(tenant.project, f"{record['id']}/"), {"amount": "20.00"}).json()
        assert (updated["exchange_rate"], updated["base_amount"]) == ("1.1", "22.00")

    def test_patch_date_looks_the_stored_rate_up_again(self, tenant, owner, expense_category):
        ExchangeRate.objects.create(base="EUR", quote="USD", date=D, rate=Decimal("2"))
        record = owner.post(
            records_path(tenant.project), body(expense_category, currency="EUR", amount="10.00", exchange_rate="1.1")
        ).json()
        updated = owner.patch(records_path(tenant.project, f"{record['id']}/"), {"date": "2026-03-16"}).json()
        assert (updated["exchange_rate"], updated["base_amount"]) == ("2", "20.00")

    def test_patch_description_does_not_touch_money(self, tenant, owner, expense_category):
        record = owner.post(
            records_path(tenant.project), body(expense_category, currency="EUR", exchange_rate="1.1")
        ).json()
        ExchangeRate.objects.create(base="EUR", quote="USD", date=D, rate=Decimal("2"))
        updated = owner.patch(records_path(tenant.project, f"{record['id']}/"), {"description": "note"}).json()
        assert updated["base_amount"] == record["base_amount"]
        assert AuditEvent.objects.get(action="record.updated").changes == {"description": ["", "note"]}

    def test_audit_diff_shows_money_as_the_api_does_and_a_no_op_edit_changes_nothing(
        self, tenant, owner, expense_category
    ):
        # Regression: the "before" side came from the columns (amount "12.500",
        # rate "1.1000000000"), so a PATCH resending the same values logged a change.
        record = owner.post(
            records_path(tenant.project), body(expense_category, currency="EUR", exchange_rate="1.1")
        ).json()
        path = records_path(tenant.project, f"{record['id']}/")
        assert owner.patch(path, {"amount": "12.50", "exchange_rate": "1.1"}).status_code == 200
        assert not AuditEvent.objects.filter(action="record.updated").exists()
        assert owner.patch(path, {"amount": "20.00", "exchange_rate": "1.25"}).status_code == 200
        changes = AuditEvent.objects.get(action="record.updated").changes
        assert changes["amount"] == ["12.50", "20.00"]
        assert changes["exchange_rate"] == ["1.1", "1.25"]

    def test_put_replaces_and_needs_every_required_field(self, tenant, owner, expense_category):
        record = owner.post(records_path(tenant.project), body(expense_category)).json()
        path = records_path(tenant.project, f"{record['id']}/")
        assert owner.put(path, {"amount": "5.00"}).status_code == 400
        response = owner.put(path, body(expense_category, amount="5.00", tags=[]))
        assert response.status_code == 200
        assert response.json()["amount"] == "5.00"

    def test_changing_type_needs_a_matching_category(self, tenant, owner, expense_category, income_category):
        record = owner.post(records_path(tenant.project), body(expense_category)).json()
        path = records_path(tenant.project, f"{record['id']}/")
        assert owner.patch(path, {"type": "income"}).status_code == 400
        response = owner.patch(path, {"type": "income", "category": str(income_category.pk)})
        assert response.status_code == 200

    def test_switching_to_a_coarser_currency_checks_the_decimals(self, tenant, owner, expense_category):
        record = owner.post(records_path(tenant.project), body(expense_category, amount="12.50")).json()
        response = owner.patch(
            records_path(tenant.project, f"{record['id']}/"), {"currency": "JPY", "exchange_rate": "0.0067"}
        )
        assert response.status_code == 400

    def test_writer_edits_own_records_only(self, tenant, as_persona, expense_category):
        grant(tenant.project_memberships["viewer"], finance="write")
        writer = as_persona("viewer")
        mine = writer.post(records_path(tenant.project), body(expense_category)).json()
        theirs = make_record(tenant.project, actor=tenant.users["project_owner"], category=expense_category)
        assert writer.patch(records_path(tenant.project, f"{mine['id']}/"), {"amount": "1.00"}).status_code == 200
        assert writer.patch(records_path(tenant.project, f"{theirs.pk}/"), {"amount": "1.00"}).status_code == 403
        assert writer.delete(records_path(tenant.project, f"{theirs.pk}/")).status_code == 403
        assert writer.delete(records_path(tenant.project, f"{mine['id']}/")).status_code == 204

    def test_manager_edits_anyones_records(self, tenant, as_persona, expense_category):
        theirs = make_record(tenant.project, actor=tenant.users["viewer"], category=expense_category)
        response = as_persona("project_admin").patch(records_path(tenant.project, f"{theirs.pk}/"), {"amount": "3"})
        assert response.status_code == 200


class TestSoftDelete:
    def test_delete_hides_and_restore_brings_back(self, tenant, owner, expense_category):
        record = make_record(tenant.project, category=expense_category)
        path = records_path(tenant.project, f"{record.pk}/")
        assert owner.delete(path).status_code == 204
        assert owner.get(path).status_code == 404
        assert owner.get(records_path(tenant.project)).json()["results"] == []
        listed = owner.get(records_path(tenant.project), {"include_deleted": "true"}).json()["results"]
        assert [row["id"] for row in listed] == [str(record.pk)]
        assert listed[0]["deleted_at"] is not None
        restored = owner.post(records_path(tenant.project, f"{record.pk}/restore"))
        assert restored.status_code == 200
        assert restored.json()["deleted_at"] is None
        assert owner.get(path).status_code == 200

    def test_include_deleted_and_restore_need_manage(self, tenant, as_persona, expense_category):
        record = make_record(tenant.project, category=expense_category)
        as_persona("project_owner").delete(records_path(tenant.project, f"{record.pk}/"))
        grant(tenant.project_memberships["viewer"], finance="write")
        writer = as_persona("viewer")
        assert writer.get(records_path(tenant.project), {"include_deleted": "true"}).status_code == 403
        assert writer.post(records_path(tenant.project, f"{record.pk}/restore")).status_code == 403

    def test_restoring_a_live_record_is_a_no_op(self, tenant, owner, expense_category):
        record = make_record(tenant.project, category=expense_category)
        response = owner.post(records_path(tenant.project, f"{record.pk}/restore"))
        assert response.status_code == 200
        assert response.json()["deleted_at"] is None
        assert not AuditEvent.objects.filter(action="record.restored").exists()

    def test_record_of_another_project_is_404(self, tenant, other_tenant, owner):
        foreign = make_record(other_tenant.project)
        assert owner.get(records_path(tenant.project, f"{foreign.pk}/")).status_code == 404
        assert owner.delete(records_path(tenant.project, f"{foreign.pk}/")).status_code == 404
        assert owner.get(records_path(other_tenant.project, f"{foreign.pk}/")).status_code == 404


class TestBaseCurrencyLock:
    def test_base_currency_is_fixed_once_records_exist(self, tenant, owner, expense_category):
        make_record(tenant.project, category=expense_category)
        response = owner.patch(f"/api/v1/projects/{tenant.project.pk}/", {"base_currency": "EUR"})
        assert response.status_code == 409
        assert error_codes(response) == ["base_currency_locked"]
        assert owner.patch(f"/api/v1/projects/{tenant.project.pk}/", {"base_currency": "USD"}).status_code == 200


def test_tenant_builder_makes_fresh_projects(db):
    assert build_tenant().project.pk != build_tenant().project.pk
