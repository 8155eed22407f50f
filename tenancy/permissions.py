"""Who may do what: the role and level tables, one function that answers
"what level does this user have in this domain of this project", and the DRF
permission class that reads each viewset's declarative action table.

Everything that decides access asks these tables; nothing re-implements them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import BasePermission

from tenancy.models import Domain, Level, OrgRole, ProjectRole

ORG_ROLE_RANK: Mapping[str, int] = MappingProxyType({OrgRole.MEMBER: 1, OrgRole.ADMIN: 2, OrgRole.OWNER: 3})
PROJECT_ROLE_RANK: Mapping[str, int] = MappingProxyType(
    {ProjectRole.VIEWER: 1, ProjectRole.ANALYST: 2, ProjectRole.ADMIN: 3, ProjectRole.OWNER: 4}
)
LEVEL_RANK: Mapping[str, int] = MappingProxyType({Level.NONE: 0, Level.READ: 1, Level.WRITE: 2, Level.MANAGE: 3})

# A project role's level in each domain, unless an explicit grant replaces it.
ROLE_DEFAULT_LEVELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        ProjectRole.OWNER: {Domain.FINANCE: Level.MANAGE, Domain.ANALYTICS: Level.MANAGE},
        ProjectRole.ADMIN: {Domain.FINANCE: Level.MANAGE, Domain.ANALYTICS: Level.MANAGE},
        ProjectRole.ANALYST: {Domain.FINANCE: Level.READ, Domain.ANALYTICS: Level.MANAGE},
        ProjectRole.VIEWER: {Domain.FINANCE: Level.NONE, Domain.ANALYTICS: Level.READ},
    }
)

# Organization roles that act with `manage` everywhere in every project of
# their organization, member of the project or not.
ORG_ROLES_OVER_ALL_PROJECTS = frozenset({OrgRole.OWNER, OrgRole.ADMIN})

# Project roles that manage the project's members (with organization owners/admins).
PROJECT_ROLES_MANAGING_MEMBERS = frozenset({ProjectRole.OWNER, ProjectRole.ADMIN})


@dataclass(frozen=True)
class Access:
    """The caller's standing in one organization, and in one project of it
    when the request is project-scoped. Resolved once per request."""

    org_role: str | None
    org_membership_id: object | None = None
    project_role: str | None = None
    project_membership_id: object | None = None
    grants: Mapping[str, str] = field(default_factory=dict)
    project_scoped: bool = False

    @property
    def is_org_member(self) -> bool:
        return self.org_role is not None

    @property
    def sees_all_projects(self) -> bool:
        return self.org_role in ORG_ROLES_OVER_ALL_PROJECTS

    @property
    def can_see_project(self) -> bool:
        return self.sees_all_projects or self.project_role is not None

    @property
    def manages_project_members(self) -> bool:
        return self.sees_all_projects or self.project_role in PROJECT_ROLES_MANAGING_MEMBERS

    @property
    def owns_project(self) -> bool:
        return self.sees_all_projects or self.project_role == ProjectRole.OWNER

    def level(self, domain: str) -> str:
        return effective_level(
            org_role=self.org_role, project_role=self.project_role, grants=self.grants, domain=domain
        )

    def permissions(self) -> dict[str, str]:
        return {domain: self.level(domain) for domain in Domain.values}


def effective_level(*, org_role: str | None, project_role: str | None, grants: Mapping[str, str], domain: str) -> str:
    """The access level in `domain` of one project: the single answer every
    permission check in the product relies on."""
    if org_role in ORG_ROLES_OVER_ALL_PROJECTS:
        return Level.MANAGE
    if project_role is None:
        return Level.NONE
    if domain in grants:
        return grants[domain]
    return ROLE_DEFAULT_LEVELS[project_role][domain]


def level_at_least(level: str, required: str) -> bool:
    return LEVEL_RANK[level] >= LEVEL_RANK[required]


def org_role_at_least(role: str | None, required: str) -> bool:
    return role is not None and ORG_ROLE_RANK[role] >= ORG_ROLE_RANK[required]


# --- requirements: what an action needs, as data ---------------------------------


class Requirement:
    """What an action requires of the caller's Access (and, for actions on one
    object, of the object)."""

    def allows(self, access: Access | None) -> bool:
        raise NotImplementedError

    def allows_object(self, access: Access | None, obj, user) -> bool:
        return True


@dataclass(frozen=True)
class SignedIn(Requirement):
    """Any signed-in user (actions outside a tenant, e.g. listing my organizations)."""

    def allows(self, access):
        return True


@dataclass(frozen=True)
class OrgRoleAtLeast(Requirement):
    role: str

    def allows(self, access):
        return access is not None and org_role_at_least(access.org_role, self.role)


@dataclass(frozen=True)
class ProjectVisible(Requirement):
    def allows(self, access):
        return access is not None and access.can_see_project


@dataclass(frozen=True)
class DomainLevel(Requirement):
    domain: str
    level: str

    def allows(self, access):
        return access is not None and access.can_see_project and level_at_least(access.level(self.domain), self.level)


@dataclass(frozen=True)
class AllOf(Requirement):
    requirements: tuple[Requirement, ...]

    def allows(self, access):
        return all(requirement.allows(access) for requirement in self.requirements)


@dataclass(frozen=True)
class OwnOrAny(Requirement):
    """`own` level for objects the caller created, `any` level for everyone's
    (finance `write` edits your own records, `manage` anybody's)."""

    domain: str
    own: str
    any: str
    owner_attribute: str = "created_by_id"

    def allows(self, access):
        return DomainLevel(self.domain, self.own).allows(access)

    def allows_object(self, access, obj, user):
        if level_at_least(access.level(self.domain), self.any):
            return True
        return getattr(obj, self.owner_attribute) == user.pk


@dataclass(frozen=True)
class ManagesProjectMembers(Requirement):
    """Project owner/admin, or organization owner/admin."""

    def allows(self, access):
        return access is not None and access.manages_project_members


@dataclass(frozen=True)
class OwnsProject(Requirement):
    """Project owner, or organization owner/admin."""

    def allows(self, access):
        return access is not None and access.owns_project


# Shorthands used in the viewsets' tables.
ANY_USER = SignedIn()
ORG_MEMBER = OrgRoleAtLeast(OrgRole.MEMBER)
ORG_ADMIN = OrgRoleAtLeast(OrgRole.ADMIN)
ORG_OWNER = OrgRoleAtLeast(OrgRole.OWNER)
PROJECT_VISIBLE = ProjectVisible()
PROJECT_MEMBER_MANAGER = ManagesProjectMembers()
PROJECT_OWNER = OwnsProject()
FINANCE_READ = DomainLevel(Domain.FINANCE, Level.READ)
FINANCE_WRITE = DomainLevel(Domain.FINANCE, Level.WRITE)
FINANCE_MANAGE = DomainLevel(Domain.FINANCE, Level.MANAGE)
FINANCE_WRITE_OWN_MANAGE_ANY = OwnOrAny(Domain.FINANCE, own=Level.WRITE, any=Level.MANAGE)
ANALYTICS_READ = DomainLevel(Domain.ANALYTICS, Level.READ)
ANALYTICS_MANAGE = DomainLevel(Domain.ANALYTICS, Level.MANAGE)


class ActionPermission(BasePermission):
    """Reads `view.permission_map[view.action]` and checks it against the
    Access the view resolved from its URL. An action without a row is refused
    loudly: forgetting to declare a rule must not open an endpoint."""

    message = "You do not have permission to perform this action."

    def has_permission(self, request, view) -> bool:
        if view.action in (None, "metadata") or request.method.lower() not in view.http_method_names:
            return True  # a method the view does not offer, or OPTIONS: DRF answers 405 next
        table = getattr(view, "permission_map", None)
        if table is None or view.action not in table:
            raise ImproperlyConfigured(f"{type(view).__name__} has no permission_map row for {view.action!r}")
        return table[view.action].allows(view.access)

    def has_object_permission(self, request, view, obj) -> bool:
        return view.permission_map[view.action].allows_object(view.access, obj, request.user)
