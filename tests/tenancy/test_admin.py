import pytest

from tenancy.models import Organization, Project
from tests.accounts.factories import UserFactory
from tests.tenancy.factories import OrganizationFactory, ProjectFactory, build_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_restore_actions_bring_tenants_back(staff_client, tenant, as_persona):
    Organization.objects.filter(pk=tenant.organization.pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert as_persona("viewer").get(f"/api/v1/projects/{tenant.project.pk}/").status_code == 404
    staff_client.post(
        "/admin/tenancy/organization/",
        {"action": "restore_selected", "_selected_action": [str(tenant.organization.pk)]},
    )
    assert as_persona("viewer").get(f"/api/v1/projects/{tenant.project.pk}/").status_code == 200

    Project.objects.filter(pk=tenant.project.pk).update(deleted_at="2026-01-01T00:00:00Z")
    staff_client.post(
        "/admin/tenancy/project/", {"action": "restore_selected", "_selected_action": [str(tenant.project.pk)]}
    )
    assert as_persona("viewer").get(f"/api/v1/projects/{tenant.project.pk}/").status_code == 200


def test_edit_goes_through_the_service_and_is_audited(staff_client, tenant):
    from audit.models import AuditEvent

    response = staff_client.post(
        f"/admin/tenancy/organization/{tenant.organization.pk}/change/",
        {
            "name": "Renamed by staff",
            "description": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "projects-TOTAL_FORMS": "0",
            "projects-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Organization.objects.get(pk=tenant.organization.pk).name == "Renamed by staff"
    assert AuditEvent.objects.filter(action="organization.updated", target_id=str(tenant.organization.pk)).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tenancy/organization/",
        "/admin/tenancy/project/",
        "/admin/tenancy/invitation/",
        "/admin/tenancy/projectmember/",
        "/admin/tenancy/organizationmember/",
    ],
)
def test_changelists_do_not_query_per_row(staff_client, path, django_assert_max_num_queries):
    for _ in range(3):
        build_tenant()
    OrganizationFactory.create_batch(3)
    ProjectFactory.create_batch(3)
    with django_assert_max_num_queries(12):
        response = staff_client.get(path)
    assert response.status_code == 200
