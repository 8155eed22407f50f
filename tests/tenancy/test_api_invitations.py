import re
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import sign_in
from tenancy import services
from tenancy.models import (
    Invitation,
    InvitationStatus,
    OrganizationMember,
    OrgRole,
    ProjectGrant,
    ProjectMember,
    ProjectRole,
)
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import error_codes
from tests.tenancy.factories import OrganizationMemberFactory, ProjectFactory, ProjectMemberFactory, build_tenant

pytestmark = pytest.mark.django_db

INVITEE = "invitee@example.com"


def invitations_path(tenant, suffix=""):
    return f"/api/v1/organizations/{tenant.organization.pk}/invitations/{suffix}"


def invite(client, tenant, email=INVITEE, org_role="member", projects=None):
    if projects is None:
        projects = [{"project": str(tenant.project.pk), "role": "analyst", "grants": {"finance": "write"}}]
    return client.post(
        invitations_path(tenant), {"email": email, "org_role": org_role, "projects": projects}, format="json"
    )


def token_from_email(email=INVITEE) -> str:
    message = [m for m in mail.outbox if email in m.to][-1]
    link = re.search(r"https?://\S+", message.body).group(0)
    return parse_qs(urlparse(link).query)["token"][0]


@pytest.fixture
def invitee(db):
    return UserFactory(email=INVITEE)


class TestCreate:
    def test_invitation_is_created_and_emailed(self, tenant, as_persona):
        response = invite(as_persona("org_admin"), tenant)
        assert response.status_code == 201
        body = response.json()
        assert {"id", "email", "org_role", "projects", "status", "expires_at", "invited_by"} <= set(body)
        assert body["status"] == "pending"
        assert body["projects"] == [
            {"project": str(tenant.project.pk), "role": "analyst", "grants": {"finance": "write"}}
        ]
        assert body["invited_by"]["id"] == str(tenant.users["org_admin"].pk)
        token = token_from_email()
        assert len(token) >= 32
        stored = Invitation.objects.get()
        assert token not in stored.token_hash
        assert stored.expires_at - timezone.now() > timedelta(days=6, hours=23)

    def test_existing_member_is_400(self, tenant, as_persona):
        response = invite(as_persona("org_owner"), tenant, email=tenant.users["viewer"].email.upper())
        assert response.status_code == 400
        assert error_codes(response) == ["already_member"]

    def test_project_of_another_organization_is_400(self, tenant, other_tenant, as_persona):
        response = invite(
            as_persona("org_owner"), tenant, projects=[{"project": str(other_tenant.project.pk), "role": "viewer"}]
        )
        assert response.status_code == 400
        assert not Invitation.objects.exists()
        assert not mail.outbox

    def test_second_pending_invitation_is_400(self, tenant, as_persona):
        client = as_persona("org_owner")
        assert invite(client, tenant).status_code == 201
        response = invite(client, tenant, email=INVITEE.upper())
        assert response.status_code == 400
        assert error_codes(response) == ["invitation_pending"]

    def test_an_expired_invitation_does_not_block_a_new_one(self, tenant, as_persona):
        client = as_persona("org_owner")
        invite(client, tenant)
        Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        assert invite(client, tenant).status_code == 201
        assert Invitation.objects.filter(status=InvitationStatus.EXPIRED).count() == 1

    @pytest.mark.parametrize(
        "body",
        [
            {"email": "x@example.com", "org_role": "owner"},
            {"email": "x@example.com", "org_role": "member", "projects": [{"project": "nope", "role": "viewer"}]},
            {"email": "x@example.com", "org_role": "member", "projects": "all"},
            {"email": "not-an-email", "org_role": "member"},
            {"email": "x@example.com", "org_role": "member", "projects": [{"role": "viewer"}]},
        ],
    )
    def test_bad_bodies_are_400(self, tenant, as_persona, body):
        assert as_persona("org_owner").post(invitations_path(tenant), body, format="json").status_code == 400
        assert not Invitation.objects.exists()

    @pytest.mark.parametrize("role", ["owner", "boss"])
    def test_project_role_escalation_is_400(self, tenant, as_persona, role):
        response = invite(as_persona("org_owner"), tenant, projects=[{"project": str(tenant.project.pk), "role": role}])
        assert response.status_code == 400

    def test_duplicate_project_is_400(self, tenant, as_persona):
        item = {"project": str(tenant.project.pk), "role": "viewer"}
        assert invite(as_persona("org_owner"), tenant, projects=[item, item]).status_code == 400

    def test_empty_project_list_is_fine(self, tenant, as_persona):
        assert invite(as_persona("org_owner"), tenant, projects=[]).status_code == 201

    def test_creation_is_throttled_per_user(self, tenant, as_persona, settings):
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "invitation_user": "2/hour"}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        client = as_persona("org_owner")
        statuses = [invite(client, tenant, email=f"p{i}@example.com", projects=[]).status_code for i in range(3)]
        assert statuses == [201, 201, 429]

    def test_list_filters_by_status(self, tenant, as_persona, django_assert_max_num_queries):
        client = as_persona("org_owner")
        for index in range(4):
            invite(client, tenant, email=f"p{index}@example.com")
        first, second = Invitation.objects.order_by("created_at")[:2]
        services.invitation_revoke(invitation=first, actor=tenant.users["org_owner"])
        Invitation.objects.filter(pk=second.pk).update(expires_at=timezone.now())
        with django_assert_max_num_queries(5):
            pending = client.get(invitations_path(tenant), {"status": "pending"}).json()
        assert pending["count"] == 2
        assert client.get(invitations_path(tenant), {"status": "revoked"}).json()["count"] == 1
        expired = client.get(invitations_path(tenant), {"status": "expired"}).json()
        assert [row["status"] for row in expired["results"]] == ["expired"]
        assert client.get(invitations_path(tenant), {"status": "lost"}).status_code == 400


class TestRevokeAndResend:
    def test_revoke_then_revoke_again_is_409(self, tenant, as_persona):
        client = as_persona("org_admin")
        invitation_id = invite(client, tenant).json()["id"]
        response = client.post(invitations_path(tenant, f"{invitation_id}/revoke"))
        assert response.status_code == 200
        assert response.json()["status"] == "revoked"
        assert client.post(invitations_path(tenant, f"{invitation_id}/revoke")).status_code == 409

    def test_resend_kills_the_old_token(self, tenant, as_persona, invitee, client_for):
        client = as_persona("org_admin")
        invitation_id = invite(client, tenant).json()["id"]
        old_token = token_from_email()
        Invitation.objects.update(expires_at=timezone.now() + timedelta(days=1))
        assert client.post(invitations_path(tenant, f"{invitation_id}/resend")).status_code == 200
        new_token = token_from_email()
        assert new_token != old_token
        assert Invitation.objects.get().expires_at > timezone.now() + timedelta(days=6)
        invitee_client = client_for(invitee)
        assert invitee_client.post("/api/v1/invitations/accept", {"token": old_token}).status_code == 404
        assert invitee_client.post("/api/v1/invitations/accept", {"token": new_token}).status_code == 200

    def test_invitation_of_another_organization_is_404(self, tenant, other_tenant, as_persona, client_for):
        other_invitation = invite(client_for(other_tenant.users["org_owner"]), other_tenant).json()["id"]
        assert as_persona("org_owner").post(invitations_path(tenant, f"{other_invitation}/revoke")).status_code == 404


class TestInvitee:
    def test_invitee_sees_pending_invitations_to_their_verified_address(self, tenant, as_persona, invitee, client_for):
        invite(as_persona("org_owner"), tenant)
        body = client_for(invitee).get("/api/v1/invitations/").json()
        assert body["count"] == 1
        assert body["results"][0]["organization"]["name"] == tenant.organization.name

    def test_unverified_address_sees_nothing(self, tenant, as_persona, client_for):
        unverified = UserFactory(email=INVITEE, verified=False)
        invite(as_persona("org_owner"), tenant)
        assert client_for(unverified).get("/api/v1/invitations/").json()["count"] == 0

    def test_accept_creates_every_membership_at_once(self, tenant, as_persona, invitee, client_for):
        second = ProjectFactory(organization=tenant.organization)
        invitation_id = invite(
            as_persona("org_owner"),
            tenant,
            org_role="admin",
            projects=[
                {"project": str(tenant.project.pk), "role": "analyst", "grants": {"finance": "write"}},
                {"project": str(second.pk), "role": "viewer"},
            ],
        ).json()["id"]

        response = client_for(invitee).post(f"/api/v1/invitations/{invitation_id}/accept")

        assert response.status_code == 200
        assert response.json()["status"] == "accepted"
        org_membership = OrganizationMember.objects.get(organization=tenant.organization, user=invitee)
        assert org_membership.role == OrgRole.ADMIN
        roles = dict(ProjectMember.objects.filter(member=org_membership).values_list("project_id", "role"))
        assert roles == {tenant.project.pk: ProjectRole.ANALYST, second.pk: ProjectRole.VIEWER}
        assert ProjectGrant.objects.get(project_member__member=org_membership).level == "write"
        project = client_for(invitee).get(f"/api/v1/projects/{tenant.project.pk}/").json()
        assert project["role"] == "analyst"

    def test_accept_is_idempotent(self, tenant, as_persona, invitee, client_for):
        invitation_id = invite(as_persona("org_owner"), tenant).json()["id"]
        client = client_for(invitee)
        assert client.post(f"/api/v1/invitations/{invitation_id}/accept").status_code == 200
        assert client.post(f"/api/v1/invitations/{invitation_id}/accept").status_code == 200
        assert OrganizationMember.objects.filter(organization=tenant.organization, user=invitee).count() == 1

    def test_someone_elses_invitation_is_404(self, tenant, as_persona, invitee, client_for):
        invitation_id = invite(as_persona("org_owner"), tenant).json()["id"]
        token = token_from_email()
        stranger = client_for(UserFactory())
        assert stranger.post(f"/api/v1/invitations/{invitation_id}/accept").status_code == 404
        assert stranger.post(f"/api/v1/invitations/{invitation_id}/decline").status_code == 404
        assert stranger.post("/api/v1/invitations/accept", {"token": token}).status_code == 404
        assert not OrganizationMember.objects.filter(organization=tenant.organization, user__email=INVITEE).exists()

    def test_expired_invitation_is_410(self, tenant, as_persona, invitee, client_for):
        invitation_id = invite(as_persona("org_owner"), tenant).json()["id"]
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        response = client_for(invitee).post(f"/api/v1/invitations/{invitation_id}/accept")
        assert response.status_code == 410
        assert error_codes(response) == ["invitation_expired"]
        assert not OrganizationMember.objects.filter(user=invitee).exists()

    def test_revoked_invitation_cannot_be_accepted(self, tenant, as_persona, invitee, client_for):
        owner = as_persona("org_owner")
        invitation_id = invite(owner, tenant).json()["id"]
        owner.post(invitations_path(tenant, f"{invitation_id}/revoke"))
        assert client_for(invitee).post(f"/api/v1/invitations/{invitation_id}/accept").status_code == 409

    def test_accept_and_decline_by_token(self, tenant, as_persona, invitee, client_for):
        owner = as_persona("org_owner")
        invite(owner, tenant)
        client = client_for(invitee)
        response = client.post("/api/v1/invitations/decline", {"token": token_from_email()})
        assert response.status_code == 200
        assert response.json()["status"] == "declined"
        assert client.post("/api/v1/invitations/accept", {"token": token_from_email()}).status_code == 409

    @pytest.mark.parametrize("token", ["", "x" * 300, 5, None])
    def test_bad_tokens_are_4xx(self, tenant, invitee, client_for, token):
        response = client_for(invitee).post("/api/v1/invitations/accept", {"token": token}, format="json")
        assert response.status_code == 400

    def test_unknown_token_is_404(self, invitee, client_for):
        assert client_for(invitee).post("/api/v1/invitations/accept", {"token": "unknown-token"}).status_code == 404

    def test_accept_never_lowers_an_existing_role(self, tenant, as_persona, invitee, client_for):
        invitation_id = invite(as_persona("org_owner"), tenant, org_role="member").json()["id"]
        # Meanwhile the invitee joined as admin and became the project's admin.
        membership = OrganizationMemberFactory(organization=tenant.organization, user=invitee, role=OrgRole.ADMIN)
        ProjectMember.objects.create(project=tenant.project, member=membership, role=ProjectRole.ADMIN)
        assert client_for(invitee).post(f"/api/v1/invitations/{invitation_id}/accept").status_code == 200
        membership.refresh_from_db()
        assert membership.role == OrgRole.ADMIN
        assert ProjectMember.objects.get(member=membership).role == ProjectRole.ADMIN

    def test_accept_skips_projects_deleted_meanwhile(self, tenant, as_persona, invitee, client_for):
        invitation_id = invite(as_persona("org_owner"), tenant).json()["id"]
        services.project_delete(project=tenant.project, actor=tenant.users["org_owner"])
        assert client_for(invitee).post(f"/api/v1/invitations/{invitation_id}/accept").status_code == 200
        assert not ProjectMember.objects.filter(member__user=invitee).exists()
        assert OrganizationMember.objects.filter(user=invitee, organization=tenant.organization).exists()

    def test_accept_is_all_or_nothing(self, tenant, as_persona, invitee, client_for, monkeypatch):
        second = ProjectFactory(organization=tenant.organization)
        invitation_id = invite(
            as_persona("org_owner"),
            tenant,
            projects=[
                {"project": str(tenant.project.pk), "role": "viewer"},
                {"project": str(second.pk), "role": "viewer"},
            ],
        ).json()["id"]
        calls = []
        original = services._apply_grants

        def fail_on_second(membership, grants):
            calls.append(membership)
            if len(calls) == 2:
                raise RuntimeError("boom")
            return original(membership, grants)

        monkeypatch.setattr(services, "_apply_grants", fail_on_second)
        client = client_for(invitee)
        client.raise_request_exception = False
        assert client.post(f"/api/v1/invitations/{invitation_id}/accept").status_code == 500
        assert not OrganizationMember.objects.filter(user=invitee).exists()
        assert not ProjectMember.objects.filter(member__user=invitee).exists()
        assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_invitation_lifecycle_through_the_outbox(tenant, as_persona, client_for):
    """Invite by email, sign up as the invitee, verify, accept from the link."""
    invite(as_persona("org_owner"), tenant, email="newcomer@example.com")
    token = token_from_email("newcomer@example.com")
    anonymous = APIClient()
    anonymous.post("/api/v1/auth/otp/request", {"email": "newcomer@example.com"})
    code = re.search(r"\b\d{6}\b", mail.outbox[-1].body).group(0)
    tokens = anonymous.post("/api/v1/auth/otp/verify", {"email": "newcomer@example.com", "code": code}).json()
    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert anonymous.post("/api/v1/invitations/accept", {"token": token}).status_code == 200
    projects = anonymous.get(f"/api/v1/organizations/{tenant.organization.pk}/projects/").json()["results"]
    assert [(row["id"], row["role"], row["permissions"]["finance"]) for row in projects] == [
        (str(tenant.project.pk), "analyst", "write")
    ]


@pytest.mark.django_db(transaction=True)
def test_double_click_accept_creates_one_membership():
    tenant = build_tenant()
    invitee = UserFactory(email=INVITEE)
    invitation = services.invitation_create(
        organization=tenant.organization,
        actor=tenant.users["org_owner"],
        email=INVITEE,
        org_role="member",
        projects=[services.InvitedProject(project=tenant.project, role="viewer", grants={})],
        accept_url="http://testserver/",
    )
    barrier = threading.Barrier(2)
    statuses = []

    def accept():
        client = sign_in(APIClient(), invitee)
        barrier.wait()
        statuses.append(client.post(f"/api/v1/invitations/{invitation.pk}/accept").status_code)
        connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200, 200]
    assert OrganizationMember.objects.filter(organization=tenant.organization, user=invitee).count() == 1
    assert ProjectMember.objects.filter(project=tenant.project, member__user=invitee).count() == 1


def test_project_member_factory_is_usable(db):
    assert ProjectMemberFactory().member.organization_id


def test_invitee_list_query_count_is_constant(tenant, client_for, django_assert_max_num_queries):
    invitee = UserFactory(email=INVITEE)
    for other in [build_tenant() for _ in range(3)]:
        services.invitation_create(
            organization=other.organization,
            actor=other.users["org_owner"],
            email=INVITEE,
            org_role="member",
            projects=[services.InvitedProject(project=other.project, role="viewer", grants={})],
            accept_url="http://testserver/",
        )
    client = client_for(invitee)
    # auth + verified emails + count + page + project rows
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/invitations/").json()["count"] == 3
