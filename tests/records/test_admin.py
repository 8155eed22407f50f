import pytest
from django.core import mail

from analytics import rollups
from analytics.models import DailyRollup
from records.models import Record
from tenancy import services as tenancy_services
from tests.accounts.factories import UserFactory
from tests.records.factories import CategoryFactory, make_record
from tests.tenancy.factories import build_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_delete_and_restore_actions_keep_analytics_exact(staff_client, tenant):
    record = make_record(tenant.project)
    staff_client.post(
        "/admin/records/record/", {"action": "delete_selected_records", "_selected_action": [str(record.pk)]}
    )
    assert Record.objects.get(pk=record.pk).deleted_at is not None
    staff_client.post(
        "/admin/records/record/", {"action": "restore_selected_records", "_selected_action": [str(record.pk)]}
    )
    assert Record.objects.get(pk=record.pk).deleted_at is None
    assert rollups.verify() == []


def test_rebuild_analytics_action(staff_client, tenant):
    make_record(tenant.project)
    DailyRollup.objects.update(total_minor=0)
    staff_client.post(
        "/admin/tenancy/project/", {"action": "rebuild_analytics", "_selected_action": [str(tenant.project.pk)]}
    )
    assert rollups.verify() == []


def test_resend_invitation_action_emails_a_new_link(staff_client, tenant):
    invitation = tenancy_services.invitation_create(
        organization=tenant.organization,
        actor=tenant.users["org_owner"],
        email="x@example.com",
        org_role="member",
        projects=[],
        accept_url="http://testserver/accept",
    )
    mail.outbox.clear()
    staff_client.post(
        "/admin/tenancy/invitation/", {"action": "resend_selected", "_selected_action": [str(invitation.pk)]}
    )
    assert [message.to for message in mail.outbox] == [["x@example.com"]]


def test_category_type_in_use_is_a_form_error(staff_client, tenant):
    category = CategoryFactory(project=tenant.project, type="expense")
    make_record(tenant.project, category=category)
    response = staff_client.post(
        f"/admin/records/category/{category.pk}/change/",
        {"project": str(tenant.project.pk), "name": category.name, "type": "income"},
    )
    assert response.status_code == 200
    assert "cannot change" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/records/record/",
        "/admin/records/category/",
        "/admin/records/tag/",
        "/admin/records/exchangerate/",
        "/admin/analytics/dailyrollup/",
        "/admin/analytics/monthlyrollup/",
        "/admin/accounts/user/",
        "/admin/tenancy/organization/",
        "/admin/tenancy/project/",
        "/admin/audit/auditevent/",
    ],
)
def test_changelists_do_not_query_per_row(staff_client, path, django_assert_max_num_queries):
    for _ in range(2):
        tenant = build_tenant()
        for _ in range(15):
            make_record(tenant.project)
    with django_assert_max_num_queries(12):
        response = staff_client.get(path)
    assert response.status_code == 200
