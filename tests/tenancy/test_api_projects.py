import pytest

from tenancy import services
from tenancy.models import Project, ProjectGrant, ProjectMember, ProjectRole
from tenancy.permissions import effective_level
from tests.accounts.helpers import error_codes
from tests.tenancy.factories import ProjectFactory, ProjectMemberFactory, grant

pytestmark = pytest.mark.django_db


def projects_path(tenant):
    return f"/api/v1/organizations/{tenant.organization.pk}/projects/"


def project_path(tenant, suffix=""):
    return f"/api/v1/projects/{tenant.project.pk}/{suffix}"


class TestEffectiveLevel:
    @pytest.mark.parametrize(
        ("org_role", "project_role", "grants", "finance", "analytics"),
        [
            ("member", "owner", {}, "manage", "manage"),
            ("member", "admin", {}, "manage", "manage"),
            ("member", "analyst", {}, "read", "manage"),
            ("member", "viewer", {}, "none", "read"),
            ("member", "viewer", {"finance": "read"}, "read", "read"),
            ("member", "analyst", {"analytics": "read"}, "read", "read"),
            ("member", "admin", {"finance": "none"}, "none", "manage"),
            ("owner", None, {}, "manage", "manage"),
            ("admin", None, {}, "manage", "manage"),
            ("admin", "viewer", {"finance": "none"}, "manage", "manage"),
            ("member", None, {}, "none", "none"),
        ],
    )
    def test_role_defaults_grants_and_organization_admins(self, org_role, project_role, grants, finance, analytics):
        levels = {
            domain: effective_level(org_role=org_role, project_role=project_role, grants=grants, domain=domain)
            for domain in ("finance", "analytics")
        }
        assert levels == {"finance": finance, "analytics": analytics}


class TestProjects:
    def test_create_with_defaults_makes_the_creator_owner(self, tenant, as_persona):
        response = as_persona("org_admin").post(projects_path(tenant), {"name": "Ledger"})
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {
            "id",
            "organization",
            "name",
            "description",
            "base_currency",
            "role",
            "permissions",
            "created_at",
        }
        assert body["base_currency"] == "USD"
        assert body["role"] == "owner"
        assert body["permissions"] == {"finance": "manage", "analytics": "manage"}
        assert body["organization"] == str(tenant.organization.pk)
        membership = ProjectMember.objects.get(project_id=body["id"])
        assert (membership.member, membership.role) == (tenant.member("org_admin"), ProjectRole.OWNER)

    @pytest.mark.parametrize("currency", ["XYZ", "usd", "US", "EURO", 840, "", None])
    def test_unknown_currencies_are_400(self, tenant, as_persona, currency):
        response = as_persona("org_owner").post(projects_path(tenant), {"name": "P", "base_currency": currency})
        assert response.status_code == 400
        assert not Project.objects.filter(name="P").exists()

    @pytest.mark.parametrize("currency", ["EUR", "JPY", "KWD", "INR"])
    def test_iso_currencies_are_accepted(self, tenant, as_persona, currency):
        response = as_persona("org_owner").post(projects_path(tenant), {"name": "P", "base_currency": currency})
        assert response.status_code == 201
        assert response.json()["base_currency"] == currency

    def test_organization_is_never_writable(self, tenant, other_tenant, as_persona):
        response = as_persona("org_owner").post(
            projects_path(tenant), {"name": "P", "organization": str(other_tenant.organization.pk)}
        )
        assert response.status_code == 201
        assert response.json()["organization"] == str(tenant.organization.pk)

    def test_list_shows_projects_visible_to_me(self, tenant, as_persona):
        hidden = ProjectFactory(organization=tenant.organization, name="Hidden")
        viewer_sees = {row["id"] for row in as_persona("viewer").get(projects_path(tenant)).json()["results"]}
        admin_sees = {row["id"] for row in as_persona("org_admin").get(projects_path(tenant)).json()["results"]}
        member_sees = as_persona("org_member").get(projects_path(tenant)).json()["results"]
        assert viewer_sees == {str(tenant.project.pk)}
        assert admin_sees == {str(tenant.project.pk), str(hidden.pk)}
        assert member_sees == []

    def test_list_query_count_is_constant(self, tenant, as_persona, django_assert_max_num_queries):
        for _ in range(6):
            ProjectFactory(organization=tenant.organization)
        client = as_persona("org_owner")
        with django_assert_max_num_queries(4):
            response = client.get(projects_path(tenant))
        assert response.json()["count"] == 7

    def test_retrieve_shows_my_role_and_effective_permissions(self, tenant, as_persona):
        grant(tenant.project_memberships["viewer"], finance="read")
        body = as_persona("viewer").get(project_path(tenant)).json()
        assert body["role"] == "viewer"
        assert body["permissions"] == {"finance": "read", "analytics": "read"}
        org_admin_view = as_persona("org_admin").get(project_path(tenant)).json()
        assert org_admin_view["role"] is None
        assert org_admin_view["permissions"] == {"finance": "manage", "analytics": "manage"}

    def test_soft_delete_hides_the_project(self, tenant, as_persona):
        assert as_persona("project_admin").delete(project_path(tenant)).status_code == 204
        assert as_persona("org_owner").get(project_path(tenant)).status_code == 404
        assert as_persona("org_owner").get(project_path(tenant, "members/")).status_code == 404
        project = Project.objects.get(pk=tenant.project.pk)
        assert project.deleted_at is not None
        services.project_restore(project=project, actor=None)
        assert as_persona("viewer").get(project_path(tenant)).status_code == 200

    def test_base_currency_changes_while_empty(self, tenant, as_persona):
        response = as_persona("project_owner").patch(project_path(tenant), {"base_currency": "EUR"})
        assert response.status_code == 200
        assert response.json()["base_currency"] == "EUR"


class TestProjectMembers:
    def add(self, client, tenant, persona, role="viewer", **extra):
        body = {"user": str(tenant.users[persona].pk), "role": role, **extra}
        return client.post(project_path(tenant, "members/"), body, format="json")

    def test_add_an_organization_member_with_grants(self, tenant, as_persona):
        response = self.add(as_persona("project_admin"), tenant, "org_member", "viewer", grants={"finance": "read"})
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "user", "role", "permissions", "grants", "joined_at"}
        assert body["grants"] == {"finance": "read"}
        assert body["permissions"] == {"finance": "read", "analytics": "read"}

    def test_outsider_cannot_be_added(self, tenant, as_persona):
        response = self.add(as_persona("org_owner"), tenant, "outsider")
        assert response.status_code == 400
        assert error_codes(response) == ["not_organization_member"]

    @pytest.mark.parametrize("user", ["00000000-0000-0000-0000-000000000000", "nope", 3, None])
    def test_unknown_users_are_400(self, tenant, as_persona, user):
        response = as_persona("org_owner").post(project_path(tenant, "members/"), {"user": user, "role": "viewer"})
        assert response.status_code == 400

    def test_existing_member_cannot_be_added_twice(self, tenant, as_persona):
        response = self.add(as_persona("org_owner"), tenant, "analyst")
        assert response.status_code == 400
        assert error_codes(response) == ["already_member"]

    @pytest.mark.parametrize("role", ["owner", "king", ""])
    def test_owner_and_unknown_roles_are_400(self, tenant, as_persona, role):
        assert self.add(as_persona("org_owner"), tenant, "org_member", role).status_code == 400

    @pytest.mark.parametrize("grants", [{"payroll": "read"}, {"finance": "all"}, {"finance": 3}, "read", ["finance"]])
    def test_bad_grants_are_400(self, tenant, as_persona, grants):
        assert self.add(as_persona("org_owner"), tenant, "org_member", grants=grants).status_code == 400
        assert not ProjectMember.objects.filter(member=tenant.member("org_member")).exists()

    def test_only_owners_grant_admin(self, tenant, as_persona):
        assert self.add(as_persona("project_admin"), tenant, "org_member", "admin").status_code == 403
        assert self.add(as_persona("project_owner"), tenant, "org_member", "admin").status_code == 201

    def test_org_admin_grants_admin(self, tenant, as_persona):
        assert self.add(as_persona("org_admin"), tenant, "org_member", "admin").status_code == 201

    def test_grants_change_and_null_drops_them(self, tenant, as_persona):
        client = as_persona("project_owner")
        path = project_path(tenant, f"members/{tenant.project_memberships['viewer'].pk}/")
        response = client.patch(path, {"grants": {"finance": "write"}}, format="json")
        assert response.json()["permissions"]["finance"] == "write"
        response = client.patch(path, {"grants": {"finance": None}}, format="json")
        assert response.json()["grants"] == {}
        assert response.json()["permissions"]["finance"] == "none"
        assert not ProjectGrant.objects.exists()

    def test_admin_never_changes_the_owner(self, tenant, as_persona):
        path = project_path(tenant, f"members/{tenant.project_memberships['project_owner'].pk}/")
        assert as_persona("project_admin").patch(path, {"role": "viewer"}).status_code == 403
        assert as_persona("project_admin").delete(path).status_code == 403

    def test_project_admin_cannot_manage_another_admin(self, tenant, as_persona):
        other_admin = ProjectMemberFactory(project=tenant.project, role=ProjectRole.ADMIN)
        path = project_path(tenant, f"members/{other_admin.pk}/")
        assert as_persona("project_admin").patch(path, {"role": "viewer"}).status_code == 403
        assert as_persona("project_owner").patch(path, {"role": "viewer"}).status_code == 200

    def test_nobody_changes_their_own_role(self, tenant, as_persona):
        path = project_path(tenant, f"members/{tenant.project_memberships['project_admin'].pk}/")
        assert (
            as_persona("project_admin").patch(path, {"grants": {"finance": "manage"}}, format="json").status_code == 403
        )

    def test_role_change_via_patch_to_owner_is_400(self, tenant, as_persona):
        path = project_path(tenant, f"members/{tenant.project_memberships['viewer'].pk}/")
        assert as_persona("project_owner").patch(path, {"role": "owner"}).status_code == 400

    def test_viewer_leaves_but_owner_cannot(self, tenant, as_persona):
        viewer_path = project_path(tenant, f"members/{tenant.project_memberships['viewer'].pk}/")
        owner_path = project_path(tenant, f"members/{tenant.project_memberships['project_owner'].pk}/")
        assert as_persona("viewer").delete(viewer_path).status_code == 204
        assert as_persona("project_owner").delete(owner_path).status_code == 409

    def test_viewer_cannot_remove_others(self, tenant, as_persona):
        path = project_path(tenant, f"members/{tenant.project_memberships['analyst'].pk}/")
        assert as_persona("viewer").delete(path).status_code == 403

    def test_members_list_query_count_is_constant(self, tenant, as_persona, django_assert_max_num_queries):
        for membership in tenant.project_memberships.values():
            grant(membership, finance="read")
        for _ in range(5):
            ProjectMemberFactory(project=tenant.project)
        client = as_persona("viewer")
        with django_assert_max_num_queries(5):
            response = client.get(project_path(tenant, "members/"))
        assert response.json()["count"] == 9

    def test_member_of_another_project_is_404(self, tenant, other_tenant, as_persona):
        path = project_path(tenant, f"members/{other_tenant.project_memberships['viewer'].pk}/")
        assert as_persona("org_owner").patch(path, {"role": "analyst"}).status_code == 404


class TestProjectTransfer:
    def test_transfer_makes_the_old_owner_admin(self, tenant, as_persona):
        response = as_persona("project_owner").post(
            project_path(tenant, "transfer-ownership"), {"member": str(tenant.project_memberships["viewer"].pk)}
        )
        assert response.status_code == 200
        assert response.json()["role"] == "owner"
        roles = dict(ProjectMember.objects.filter(project=tenant.project).values_list("id", "role"))
        assert roles[tenant.project_memberships["project_owner"].pk] == ProjectRole.ADMIN
        assert list(roles.values()).count(ProjectRole.OWNER) == 1

    def test_org_admin_may_transfer(self, tenant, as_persona):
        response = as_persona("org_admin").post(
            project_path(tenant, "transfer-ownership"), {"member": str(tenant.project_memberships["analyst"].pk)}
        )
        assert response.status_code == 200

    def test_member_of_another_project_is_400(self, tenant, other_tenant, as_persona):
        response = as_persona("project_owner").post(
            project_path(tenant, "transfer-ownership"),
            {"member": str(other_tenant.project_memberships["viewer"].pk)},
        )
        assert response.status_code == 400
