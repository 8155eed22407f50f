import datetime
from decimal import Decimal, localcontext
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from analytics import demo, rollups
from analytics.models import DailyRollup, MonthlyRollup
from records.currency import round_half_up
from records.models import Category, Record, Tag
from tenancy.models import Organization, OrganizationMember, OrgRole, ProjectMember
from tests.accounts.factories import UserFactory
from tests.records.factories import make_record
from tests.tenancy.factories import OrganizationFactory, OrganizationMemberFactory

pytestmark = pytest.mark.django_db

RECORDS = 300
TODAY = datetime.date(2026, 3, 15)


def seed_demo(seed: int = 7) -> str:
    out = StringIO()
    call_command("seed_demo", f"--records={RECORDS}", f"--seed={seed}", f"--today={TODAY}", stdout=out)
    return out.getvalue()


def demo_records():
    return Record.objects.filter(project__organization__name=demo.DEMO_ORGANIZATION_NAME)


def ledger() -> list[tuple]:
    """The demo's records without their ids, as a sorted multiset."""
    return sorted(
        demo_records().values_list(
            "project__name", "type", "category__name", "amount", "currency", "base_amount_minor", "date", "source"
        )
    )


def login(api_client, email: str, password: str = demo.DEMO_PASSWORD):
    return api_client.post("/api/v1/auth/login", {"email": email, "password": password}, format="json")


def test_the_demo_owner_signs_in_and_finds_both_projects_filled(api_client):
    output = seed_demo()

    response = login(api_client, demo.OWNER_EMAIL)
    assert response.status_code == 200, response.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    organizations = api_client.get("/api/v1/organizations/").json()["results"]
    assert [(org["name"], org["role"]) for org in organizations] == [(demo.DEMO_ORGANIZATION_NAME, "owner")]
    projects = api_client.get(f"/api/v1/organizations/{organizations[0]['id']}/projects/").json()["results"]
    assert sorted((project["name"], project["base_currency"]) for project in projects) == [
        ("Household (USD)", "USD"),
        ("Studio (EUR)", "EUR"),
    ]
    for project in projects:
        page = api_client.get(f"/api/v1/projects/{project['id']}/records/?page_size=5").json()
        assert len(page["results"]) == 5
        categories = api_client.get(f"/api/v1/projects/{project['id']}/categories/").json()["results"]
        assert {category["type"] for category in categories} == {"income", "expense"}

    assert demo_records().count() == RECORDS
    assert Tag.objects.filter(project__organization__name=demo.DEMO_ORGANIZATION_NAME).count() >= 6
    assert Record.tags.through.objects.filter(record__in=demo_records()).exists()
    assert "demo@example.com" in output
    assert "viewer@example.com" in output


def test_every_role_has_a_demo_member_who_can_sign_in(api_client):
    seed_demo()

    organization = Organization.objects.get(name=demo.DEMO_ORGANIZATION_NAME)
    org_roles = dict(OrganizationMember.objects.filter(organization=organization).values_list("user__email", "role"))
    assert org_roles == {
        "demo@example.com": OrgRole.OWNER,
        "admin@example.com": OrgRole.ADMIN,
        "member@example.com": OrgRole.MEMBER,
        "manager@example.com": OrgRole.MEMBER,
        "analyst@example.com": OrgRole.MEMBER,
        "viewer@example.com": OrgRole.MEMBER,
    }
    main_project_roles = dict(
        ProjectMember.objects.filter(project__name="Household (USD)", project__organization=organization).values_list(
            "member__user__email", "role"
        )
    )
    assert main_project_roles == {
        "demo@example.com": "owner",
        "manager@example.com": "admin",
        "analyst@example.com": "analyst",
        "viewer@example.com": "viewer",
    }
    for email in org_roles:
        assert login(api_client, email).status_code == 200, email


def test_records_are_realistic_and_their_base_amounts_exact():
    seed_demo()

    records = list(demo_records().select_related("project", "category"))
    dates = [record.date for record in records]
    assert min(dates) >= TODAY - datetime.timedelta(days=demo.WINDOW_DAYS - 1)
    assert max(dates) <= TODAY
    assert max(dates) - min(dates) > datetime.timedelta(days=2 * 365)
    assert {record.type for record in records} == {"income", "expense"}
    foreign = [record for record in records if record.currency != record.project.base_currency]
    assert 0 < len(foreign) < len(records) / 5
    for record in records:
        assert record.category.project_id == record.project_id
        assert record.category.type == record.type
        if record.currency == record.project.base_currency:
            assert record.exchange_rate == 1
        with localcontext() as context:
            context.prec = 60
            expected = round_half_up(record.amount * record.exchange_rate, record.project.base_currency)
        assert record.base_amount_minor == expected
        decimals = {"JPY": 0, "KWD": 3}.get(record.currency, 2)
        assert record.amount == record.amount.quantize(Decimal(1).scaleb(-decimals))
    assert rollups.verify() == []


def test_rerunning_replaces_the_demo_with_the_same_data_and_leaves_other_tenants_alone(tenant):
    # Given another tenant with a record, and an organization of the same name owned by someone else
    other_record = make_record(tenant.project, amount="12.34")
    lookalike = OrganizationFactory(name=demo.DEMO_ORGANIZATION_NAME)
    OrganizationMemberFactory(organization=lookalike, role=OrgRole.OWNER)
    others_before = (
        list(Record.objects.exclude(pk__in=demo_records()).values_list("pk", "amount")),
        list(DailyRollup.objects.values_list("project_id", "total_minor", "record_count")),
        list(MonthlyRollup.objects.values_list("project_id", "total_minor", "record_count")),
    )

    seed_demo()
    first = ledger()
    seed_demo()

    assert ledger() == first
    assert len(first) == RECORDS
    assert Organization.objects.filter(name=demo.DEMO_ORGANIZATION_NAME).count() == 2  # the demo and the lookalike
    assert User.objects.filter(email=demo.OWNER_EMAIL).count() == 1
    assert Category.objects.filter(project__organization__name=demo.DEMO_ORGANIZATION_NAME).count() == sum(
        len(profile.categories) for profile in demo.PROFILES
    )
    others_after = (
        list(Record.objects.exclude(pk__in=demo_records()).values_list("pk", "amount")),
        list(
            DailyRollup.objects.exclude(project__organization__name=demo.DEMO_ORGANIZATION_NAME).values_list(
                "project_id", "total_minor", "record_count"
            )
        ),
        list(
            MonthlyRollup.objects.exclude(project__organization__name=demo.DEMO_ORGANIZATION_NAME).values_list(
                "project_id", "total_minor", "record_count"
            )
        ),
    )
    assert others_after == others_before
    assert Record.objects.filter(pk=other_record.pk).exists()
    assert Organization.objects.filter(pk=lookalike.pk).exists()
    assert rollups.verify() == []


def test_another_seed_gives_other_data():
    seed_demo(seed=7)
    first = ledger()
    seed_demo(seed=8)
    assert len(ledger()) == RECORDS
    assert ledger() != first


def test_existing_users_are_reused_as_they_are(api_client):
    admin = UserFactory(email="admin@example.com")  # signed up earlier, with a password of their own

    output = seed_demo()

    assert User.objects.filter(email__iexact="admin@example.com").count() == 1
    assert OrganizationMember.objects.get(organization__name=demo.DEMO_ORGANIZATION_NAME, user=admin).role == "admin"
    assert login(api_client, "admin@example.com").status_code == 401
    assert "existing account" in output
