"""The rules the database itself enforces, whatever the Python code does."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from conftest import sign_in
from tenancy.models import (
    Invitation,
    OrganizationMember,
    OrgRole,
    ProjectGrant,
    ProjectMember,
    ProjectRole,
)
from tests.tenancy.factories import (
    OrganizationFactory,
    OrganizationMemberFactory,
    ProjectFactory,
    ProjectMemberFactory,
    build_tenant,
)

pytestmark = pytest.mark.django_db


def violates(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_one_membership_per_user_and_organization():
    membership = OrganizationMemberFactory()
    assert violates(
        lambda: OrganizationMember.objects.create(organization=membership.organization, user=membership.user)
    )


def test_one_owner_per_organization():
    owner = OrganizationMemberFactory(role=OrgRole.OWNER)
    assert violates(lambda: OrganizationMemberFactory(organization=owner.organization, role=OrgRole.OWNER))
    assert not violates(lambda: OrganizationMemberFactory(organization=owner.organization, role=OrgRole.ADMIN))


def test_one_owner_per_project():
    owner = ProjectMemberFactory(role=ProjectRole.OWNER)
    assert violates(lambda: ProjectMemberFactory(project=owner.project, role=ProjectRole.OWNER))


def test_one_project_membership_per_user():
    membership = ProjectMemberFactory()
    assert violates(lambda: ProjectMember.objects.create(project=membership.project, member=membership.member))


def test_project_member_must_belong_to_the_projects_organization():
    project = ProjectFactory()
    stranger = OrganizationMemberFactory(organization=OrganizationFactory())
    assert violates(lambda: ProjectMember.objects.create(project=project, member=stranger, role=ProjectRole.VIEWER))


def test_moving_a_project_member_to_another_organizations_project_is_refused():
    membership = ProjectMemberFactory()
    elsewhere = ProjectFactory()
    assert violates(lambda: ProjectMember.objects.filter(pk=membership.pk).update(project=elsewhere))


def test_roles_and_levels_come_from_their_tables():
    membership = ProjectMemberFactory()
    assert violates(lambda: OrganizationMember.objects.filter(pk=membership.member.pk).update(role="superuser"))
    assert violates(lambda: ProjectMember.objects.filter(pk=membership.pk).update(role="god"))
    assert violates(lambda: ProjectGrant.objects.create(project_member=membership, domain="finance", level="all"))
    assert violates(lambda: ProjectGrant.objects.create(project_member=membership, domain="payroll", level="read"))


def test_one_grant_per_member_and_domain():
    membership = ProjectMemberFactory()
    ProjectGrant.objects.create(project_member=membership, domain="finance", level="read")
    assert violates(lambda: ProjectGrant.objects.create(project_member=membership, domain="finance", level="write"))


def test_one_pending_invitation_per_address_case_insensitively():
    organization = OrganizationFactory()
    from django.utils import timezone

    def invite(email, token):
        Invitation.objects.create(organization=organization, email=email, token_hash=token, expires_at=timezone.now())

    invite("x@example.com", "a" * 64)
    assert violates(lambda: invite("X@example.com", "b" * 64))


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results = []

    def run(call):
        barrier.wait()
        try:
            results.append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ownership_transfers_leave_exactly_one_owner():
    tenant = build_tenant()
    owner = sign_in(APIClient(), tenant.users["org_owner"])
    path = f"/api/v1/organizations/{tenant.organization.pk}/transfer-ownership"
    targets = [tenant.member("org_admin"), tenant.member("org_member")]

    statuses = _race([lambda t=t: owner.post(path, {"member": str(t.pk)}, format="json").status_code for t in targets])

    assert sorted(statuses)[0] == 200
    assert all(code in (200, 403, 409) for code in statuses), statuses
    assert OrganizationMember.objects.filter(organization=tenant.organization, role=OrgRole.OWNER).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_project_member_adds_create_one_membership():
    tenant = build_tenant()
    owner = sign_in(APIClient(), tenant.users["org_owner"])
    path = f"/api/v1/projects/{tenant.project.pk}/members/"
    body = {"user": str(tenant.users["org_member"].pk), "role": "viewer"}

    statuses = _race([lambda: owner.post(path, body, format="json").status_code for _ in range(2)])

    assert sorted(statuses) in ([201, 400], [201, 409]), statuses
    assert ProjectMember.objects.filter(project=tenant.project, member=tenant.member("org_member")).count() == 1
