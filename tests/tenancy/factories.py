from dataclasses import dataclass, field

import factory

from tenancy.models import (
    Organization,
    OrganizationMember,
    OrgRole,
    Project,
    ProjectGrant,
    ProjectMember,
    ProjectRole,
)
from tests.accounts.factories import UserFactory


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    description = "An organization for tests."


class OrganizationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationMember

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrgRole.MEMBER


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    base_currency = "USD"


class ProjectMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMember

    project = factory.SubFactory(ProjectFactory)
    member = factory.LazyAttribute(
        lambda o: OrganizationMemberFactory(organization=o.project.organization, role=OrgRole.MEMBER)
    )
    role = ProjectRole.VIEWER


def grant(membership: ProjectMember, **levels) -> ProjectMember:
    for domain, level in levels.items():
        ProjectGrant.objects.update_or_create(project_member=membership, domain=domain, defaults={"level": level})
    return membership


PERSONAS = (
    "org_owner",
    "org_admin",
    "org_member",
    "project_owner",
    "project_admin",
    "analyst",
    "viewer",
    "outsider",
    "anonymous",
)


@dataclass
class Tenant:
    """An organization with one project and a user in every role.

    The project personas are plain organization members holding that project
    role; `org_member` belongs to the organization but not to the project;
    `outsider` owns another organization.
    """

    organization: Organization
    project: Project
    users: dict = field(default_factory=dict)
    org_memberships: dict = field(default_factory=dict)
    project_memberships: dict = field(default_factory=dict)

    def member(self, persona: str) -> OrganizationMember:
        return self.org_memberships[persona]


def build_tenant(base_currency: str = "USD") -> Tenant:
    organization = OrganizationFactory()
    project = ProjectFactory(organization=organization, base_currency=base_currency)
    tenant = Tenant(organization=organization, project=project)
    org_roles = {"org_owner": OrgRole.OWNER, "org_admin": OrgRole.ADMIN, "org_member": OrgRole.MEMBER}
    project_roles = {
        "project_owner": ProjectRole.OWNER,
        "project_admin": ProjectRole.ADMIN,
        "analyst": ProjectRole.ANALYST,
        "viewer": ProjectRole.VIEWER,
    }
    for persona, role in org_roles.items():
        membership = OrganizationMemberFactory(organization=organization, role=role)
        tenant.users[persona] = membership.user
        tenant.org_memberships[persona] = membership
    for persona, role in project_roles.items():
        membership = OrganizationMemberFactory(organization=organization, role=OrgRole.MEMBER)
        tenant.users[persona] = membership.user
        tenant.org_memberships[persona] = membership
        tenant.project_memberships[persona] = ProjectMember.objects.create(
            project=project, member=membership, role=role
        )
    outsider_org = OrganizationFactory()
    outsider = OrganizationMemberFactory(organization=outsider_org, role=OrgRole.OWNER)
    tenant.users["outsider"] = outsider.user
    return tenant
