"""The permission matrix of every tenant-scoped endpoint, as data.

Every routed (viewset, action) must have a row here; a new endpoint without
one fails `test_every_routed_action_has_a_row`. For each row and each persona
the expected outcome follows from API.md: anonymous 401; a persona who cannot
see the organization or project 404; one who can see it but is not allowed
403; an allowed persona gets the row's success status.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import resolve

from analytics.api.urls import router as analytics_router
from audit.api.urls import router as audit_router
from records.api.urls import router as records_router
from tenancy import services
from tenancy.api.urls import router as tenancy_router
from tenancy.models import OrgRole
from tests.records.factories import CategoryFactory, TagFactory, make_record
from tests.tenancy.factories import PERSONAS, OrganizationMemberFactory, ProjectMemberFactory

ROUTERS = [tenancy_router, records_router, analytics_router, audit_router]

ORG_PERSONAS = frozenset(
    {"org_owner", "org_admin", "org_member", "project_owner", "project_admin", "analyst", "viewer"}
)
PROJECT_PERSONAS = ORG_PERSONAS - {"org_member"}
SIGNED_IN = ORG_PERSONAS | {"outsider"}
ORG_ADMINS = frozenset({"org_owner", "org_admin"})
MEMBER_MANAGERS = ORG_ADMINS | {"project_owner", "project_admin"}
PROJECT_OWNERS = ORG_ADMINS | {"project_owner"}
# Finance levels by role: owner/admin (and organization owner/admin) manage, analyst read, viewer none.
FINANCE_MANAGERS = MEMBER_MANAGERS
FINANCE_READERS = FINANCE_MANAGERS | {"analyst"}


@dataclass(frozen=True)
class Row:
    method: str
    path: Callable
    allowed: frozenset
    visible_to: frozenset
    body: Callable = field(default=lambda t: None)
    success: tuple = (200,)


def org(t):
    return f"/api/v1/organizations/{t.organization.pk}/"


def project(t):
    return f"/api/v1/projects/{t.project.pk}/"


def new_org_member(t):
    return OrganizationMemberFactory(organization=t.organization, role=OrgRole.MEMBER)


def new_project_member(t):
    return ProjectMemberFactory(project=t.project, role="viewer")


def pending_invitation(t):
    return services.invitation_create(
        organization=t.organization,
        actor=t.users["org_owner"],
        email="invitee@example.com",
        org_role="member",
        projects=[],
        accept_url="http://testserver/accept",
    )


ROWS = {
    ("OrganizationViewSet", "list"): Row("get", lambda t: "/api/v1/organizations/", SIGNED_IN, SIGNED_IN),
    ("OrganizationViewSet", "create"): Row(
        "post", lambda t: "/api/v1/organizations/", SIGNED_IN, SIGNED_IN, lambda t: {"name": "New"}, (201,)
    ),
    ("OrganizationViewSet", "retrieve"): Row("get", org, ORG_PERSONAS, ORG_PERSONAS),
    ("OrganizationViewSet", "partial_update"): Row(
        "patch", org, ORG_ADMINS, ORG_PERSONAS, lambda t: {"description": "Changed"}
    ),
    ("OrganizationViewSet", "destroy"): Row(
        # The permission passes; the wrong code then makes it a 400.
        "delete",
        org,
        frozenset({"org_owner"}),
        ORG_PERSONAS,
        lambda t: {"code": "not-it"},
        (400,),
    ),
    ("OrganizationViewSet", "deletion_code"): Row(
        "post", lambda t: f"{org(t)}deletion-code", frozenset({"org_owner"}), ORG_PERSONAS, success=(202,)
    ),
    ("OrganizationViewSet", "transfer_ownership"): Row(
        "post",
        lambda t: f"{org(t)}transfer-ownership",
        frozenset({"org_owner"}),
        ORG_PERSONAS,
        lambda t: {"member": str(t.member("org_admin").pk)},
    ),
    ("OrganizationMemberViewSet", "list"): Row("get", lambda t: f"{org(t)}members/", ORG_PERSONAS, ORG_PERSONAS),
    ("OrganizationMemberViewSet", "partial_update"): Row(
        "patch",
        lambda t: f"{org(t)}members/{new_org_member(t).pk}/",
        ORG_ADMINS,
        ORG_PERSONAS,
        lambda t: {"role": "admin"},
    ),
    ("OrganizationMemberViewSet", "destroy"): Row(
        "delete", lambda t: f"{org(t)}members/{new_org_member(t).pk}/", ORG_ADMINS, ORG_PERSONAS, success=(204,)
    ),
    ("OrganizationProjectViewSet", "list"): Row("get", lambda t: f"{org(t)}projects/", ORG_PERSONAS, ORG_PERSONAS),
    ("OrganizationProjectViewSet", "create"): Row(
        "post", lambda t: f"{org(t)}projects/", ORG_ADMINS, ORG_PERSONAS, lambda t: {"name": "P"}, (201,)
    ),
    ("OrganizationInvitationViewSet", "list"): Row("get", lambda t: f"{org(t)}invitations/", ORG_ADMINS, ORG_PERSONAS),
    ("OrganizationInvitationViewSet", "create"): Row(
        "post",
        lambda t: f"{org(t)}invitations/",
        ORG_ADMINS,
        ORG_PERSONAS,
        lambda t: {
            "email": "new.person@example.com",
            "org_role": "member",
            "projects": [{"project": str(t.project.pk), "role": "viewer"}],
        },
        (201,),
    ),
    ("OrganizationInvitationViewSet", "retrieve"): Row(
        "get", lambda t: f"{org(t)}invitations/{pending_invitation(t).pk}/", ORG_ADMINS, ORG_PERSONAS
    ),
    ("OrganizationInvitationViewSet", "revoke"): Row(
        "post", lambda t: f"{org(t)}invitations/{pending_invitation(t).pk}/revoke", ORG_ADMINS, ORG_PERSONAS
    ),
    ("OrganizationInvitationViewSet", "resend"): Row(
        "post", lambda t: f"{org(t)}invitations/{pending_invitation(t).pk}/resend", ORG_ADMINS, ORG_PERSONAS
    ),
    ("ProjectViewSet", "retrieve"): Row("get", project, PROJECT_PERSONAS, PROJECT_PERSONAS),
    ("ProjectViewSet", "partial_update"): Row(
        "patch", project, MEMBER_MANAGERS, PROJECT_PERSONAS, lambda t: {"description": "Changed"}
    ),
    ("ProjectViewSet", "destroy"): Row("delete", project, MEMBER_MANAGERS, PROJECT_PERSONAS, success=(204,)),
    ("ProjectViewSet", "transfer_ownership"): Row(
        "post",
        lambda t: f"{project(t)}transfer-ownership",
        PROJECT_OWNERS,
        PROJECT_PERSONAS,
        lambda t: {"member": str(t.project_memberships["analyst"].pk)},
    ),
    ("ProjectMemberViewSet", "list"): Row("get", lambda t: f"{project(t)}members/", PROJECT_PERSONAS, PROJECT_PERSONAS),
    ("ProjectMemberViewSet", "create"): Row(
        "post",
        lambda t: f"{project(t)}members/",
        MEMBER_MANAGERS,
        PROJECT_PERSONAS,
        lambda t: {"user": str(t.users["org_member"].pk), "role": "viewer"},
        (201,),
    ),
    ("ProjectMemberViewSet", "partial_update"): Row(
        "patch",
        lambda t: f"{project(t)}members/{new_project_member(t).pk}/",
        MEMBER_MANAGERS,
        PROJECT_PERSONAS,
        lambda t: {"role": "analyst"},
    ),
    ("ProjectMemberViewSet", "destroy"): Row(
        "delete",
        lambda t: f"{project(t)}members/{new_project_member(t).pk}/",
        MEMBER_MANAGERS,
        PROJECT_PERSONAS,
        success=(204,),
    ),
}


def records(t, suffix=""):
    return f"{project(t)}records/{suffix}"


def a_record(t):
    return make_record(t.project, actor=t.users["project_owner"])


def a_deleted_record(t):
    from records.services import record_delete

    record = a_record(t)
    record_delete(record=record, actor=t.users["project_owner"])
    return record


def record_body(t):
    category = CategoryFactory(project=t.project, type="expense")
    return {"type": "expense", "amount": "10.00", "date": "2026-01-01", "category": str(category.pk)}


ROWS.update(
    {
        ("RecordViewSet", "list"): Row("get", records, FINANCE_READERS, PROJECT_PERSONAS),
        ("RecordViewSet", "retrieve"): Row(
            "get", lambda t: records(t, f"{a_record(t).pk}/"), FINANCE_READERS, PROJECT_PERSONAS
        ),
        ("RecordViewSet", "create"): Row("post", records, FINANCE_MANAGERS, PROJECT_PERSONAS, record_body, (201,)),
        ("RecordViewSet", "update"): Row(
            "put", lambda t: records(t, f"{a_record(t).pk}/"), FINANCE_MANAGERS, PROJECT_PERSONAS, record_body
        ),
        ("RecordViewSet", "partial_update"): Row(
            "patch",
            lambda t: records(t, f"{a_record(t).pk}/"),
            FINANCE_MANAGERS,
            PROJECT_PERSONAS,
            lambda t: {"description": "x"},
        ),
        ("RecordViewSet", "destroy"): Row(
            "delete", lambda t: records(t, f"{a_record(t).pk}/"), FINANCE_MANAGERS, PROJECT_PERSONAS, success=(204,)
        ),
        ("RecordViewSet", "restore"): Row(
            "post", lambda t: records(t, f"{a_deleted_record(t).pk}/restore"), FINANCE_MANAGERS, PROJECT_PERSONAS
        ),
    }
)
for kind, viewset, factory, body in [
    ("categories", "CategoryViewSet", CategoryFactory, lambda t: {"name": "New", "type": "income"}),
    ("tags", "TagViewSet", TagFactory, lambda t: {"name": "new"}),
]:
    ROWS.update(
        {
            (viewset, "list"): Row("get", lambda t, k=kind: f"{project(t)}{k}/", FINANCE_READERS, PROJECT_PERSONAS),
            (viewset, "retrieve"): Row(
                "get",
                lambda t, k=kind, f=factory: f"{project(t)}{k}/{f(project=t.project).pk}/",
                FINANCE_READERS,
                PROJECT_PERSONAS,
            ),
            (viewset, "create"): Row(
                "post", lambda t, k=kind: f"{project(t)}{k}/", FINANCE_MANAGERS, PROJECT_PERSONAS, body, (201,)
            ),
            (viewset, "partial_update"): Row(
                "patch",
                lambda t, k=kind, f=factory: f"{project(t)}{k}/{f(project=t.project).pk}/",
                FINANCE_MANAGERS,
                PROJECT_PERSONAS,
                lambda t: {"name": "Renamed"},
            ),
            (viewset, "destroy"): Row(
                "delete",
                lambda t, k=kind, f=factory: f"{project(t)}{k}/{f(project=t.project).pk}/",
                FINANCE_MANAGERS,
                PROJECT_PERSONAS,
                success=(204,),
            ),
        }
    )

for name in ("summary", "categories", "trends", "recent"):
    ROWS[("AnalyticsViewSet", name)] = Row(
        "get", lambda t, n=name: f"{project(t)}analytics/{n}", PROJECT_PERSONAS, PROJECT_PERSONAS
    )
ROWS[("OrganizationAuditLogViewSet", "list")] = Row("get", lambda t: f"{org(t)}audit-log/", ORG_ADMINS, ORG_PERSONAS)
ROWS[("ProjectAuditLogViewSet", "list")] = Row(
    "get", lambda t: f"{project(t)}audit-log/", FINANCE_MANAGERS, PROJECT_PERSONAS
)

# The invitee's own endpoints are scoped to the caller, not to a tenant;
# test_api_invitations covers them (someone else's invitation is a 404).
USER_SCOPED = {"MyInvitationViewSet"}


def routed_actions():
    for router in ROUTERS:
        yield from _routed(router)


def _routed(router):
    for _prefix, viewset, _basename in router.registry:
        for route in router.get_routes(viewset):
            for method, action in route.mapping.items():
                if hasattr(viewset, action) and method in viewset.http_method_names:
                    yield viewset, action


def test_every_routed_action_has_a_row():
    routed = {(viewset.__name__, action) for viewset, action in routed_actions() if viewset.__name__ not in USER_SCOPED}
    assert routed == set(ROWS), "add the missing rows, remove the stale ones"
    for viewset, action in routed_actions():
        if viewset.__name__ not in USER_SCOPED:
            assert action in viewset.permission_map, f"{viewset.__name__}.{action} has no permission_map row"


def expected(row: Row, persona: str) -> tuple:
    if persona == "anonymous":
        return (401,)
    if persona not in row.visible_to:
        return (404,)
    if persona not in row.allowed:
        return (403,)
    return row.success


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", list(ROWS), ids=lambda key: f"{key[0]}.{key[1]}")
def test_permission_matrix(endpoint, persona, tenant, as_persona):
    row = ROWS[endpoint]
    client = as_persona(persona)
    path = row.path(tenant)
    body = row.body(tenant)
    response = (
        getattr(client, row.method)(path, body, format="json")
        if body is not None
        else getattr(client, row.method)(path)
    )
    assert response.status_code in expected(row, persona), (persona, path, response.content[:500])
    if response.status_code >= 400:
        assert set(response.json()) == {"type", "errors"}


@pytest.mark.parametrize("endpoint", list(ROWS), ids=lambda key: f"{key[0]}.{key[1]}")
def test_another_tenants_ids_are_404(endpoint, tenant, other_tenant, client_for):
    """The owner of one organization calling every endpoint with another
    tenant's ids sees nothing but 404 (unscoped collections excepted)."""
    row = ROWS[endpoint]
    if row.visible_to == SIGNED_IN:
        pytest.skip("not tenant-scoped")
    client = client_for(tenant.users["org_owner"])
    path = row.path(other_tenant)
    body = row.body(other_tenant)
    response = (
        getattr(client, row.method)(path, body, format="json")
        if body is not None
        else getattr(client, row.method)(path)
    )
    assert response.status_code == 404


UNMAPPED = ["put", "patch", "delete", "post", "options"]


@pytest.mark.parametrize("method", UNMAPPED)
@pytest.mark.parametrize("endpoint", list(ROWS), ids=lambda key: f"{key[0]}.{key[1]}")
def test_methods_a_route_does_not_offer_are_405(endpoint, method, tenant, as_persona):
    """Never a 500: a method outside the route's mapping is refused cleanly."""
    path = ROWS[endpoint].path(tenant)
    view = resolve(path).func
    if method in view.actions and method in view.cls.http_method_names:
        pytest.skip("offered by this path")
    response = getattr(as_persona("org_owner"), method)(path)
    assert response.status_code == 405, response.content[:300]
