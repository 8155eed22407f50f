"""Organizations, projects, memberships with their roles, grants and invitations.

The rules that must never break live in the database: one membership per user
and organization (or project), exactly one owner per organization and per
project (partial unique constraints), role and level values from their tables
(check constraints), one grant per member and domain, one pending invitation
per address and organization, and a project member that belongs to the
project's organization (a trigger; see migration 0002).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class OrgRole(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class ProjectRole(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    ANALYST = "analyst", "Analyst"
    VIEWER = "viewer", "Viewer"


class Domain(models.TextChoices):
    FINANCE = "finance", "Finance"
    ANALYTICS = "analytics", "Analytics"


class Level(models.TextChoices):
    NONE = "none", "None"
    READ = "read", "Read"
    WRITE = "write", "Write"
    MANAGE = "manage", "Manage"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


def _in_choices(field: str, choices) -> models.Q:
    return models.Q(**{f"{field}__in": choices.values})


class SoftDeletable(models.Model):
    """Soft deletion: a deleted row vanishes from every endpoint but stays in
    the database until staff restore it."""

    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Organization(SoftDeletable):
    """A tenant: a company or team. Owns projects; people join it with a role."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class OrganizationMember(models.Model):
    """A user's membership of an organization, with their organization role."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_memberships"
    )
    role = models.CharField(max_length=16, choices=OrgRole.choices, default=OrgRole.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="tenancy_orgmember_one_per_user"),
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(role=OrgRole.OWNER), name="tenancy_org_one_owner"
            ),
            models.CheckConstraint(condition=_in_choices("role", OrgRole), name="tenancy_orgmember_role_valid"),
        ]
        indexes = [models.Index(fields=["user", "organization"], name="orgmember_user_idx")]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.role})"


class Project(SoftDeletable):
    """A ledger inside an organization, kept in one base currency."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True, max_length=2000)
    base_currency = models.CharField(max_length=3, default="USD")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "name"], name="project_org_name_idx")]

    def __str__(self):
        return self.name


class ProjectMember(models.Model):
    """A user's membership of a project, through their organization membership
    (so removing someone from the organization removes them from its projects)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(OrganizationMember, on_delete=models.CASCADE, related_name="project_memberships")
    role = models.CharField(max_length=16, choices=ProjectRole.choices, default=ProjectRole.VIEWER)
    joined_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "member"], name="tenancy_projectmember_one_per_user"),
            models.UniqueConstraint(
                fields=["project"], condition=models.Q(role=ProjectRole.OWNER), name="tenancy_project_one_owner"
            ),
            models.CheckConstraint(condition=_in_choices("role", ProjectRole), name="tenancy_projectmember_role_valid"),
        ]
        indexes = [models.Index(fields=["member", "project"], name="projectmember_member_idx")]

    def __str__(self):
        return f"{self.member.user} in {self.project} ({self.role})"


class ProjectGrant(models.Model):
    """An explicit access level in one domain that replaces the role default."""

    id = models.BigAutoField(primary_key=True)
    project_member = models.ForeignKey(ProjectMember, on_delete=models.CASCADE, related_name="grants")
    domain = models.CharField(max_length=16, choices=Domain.choices)
    level = models.CharField(max_length=16, choices=Level.choices)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["project_member", "domain"], name="tenancy_grant_one_per_domain"),
            models.CheckConstraint(condition=_in_choices("domain", Domain), name="tenancy_grant_domain_valid"),
            models.CheckConstraint(condition=_in_choices("level", Level), name="tenancy_grant_level_valid"),
        ]

    def __str__(self):
        return f"{self.domain}: {self.level}"


class Invitation(models.Model):
    """An offer to join an organization with a role, and any of its projects
    with a role and grants each. The token travels only in the email; the
    database keeps its SHA-256."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    org_role = models.CharField(max_length=16, choices=OrgRole.choices, default=OrgRole.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=models.Q(status=InvitationStatus.PENDING),
                name="tenancy_invitation_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(org_role__in=[OrgRole.ADMIN, OrgRole.MEMBER]), name="tenancy_invitation_role_valid"
            ),
            models.CheckConstraint(condition=_in_choices("status", InvitationStatus), name="tenancy_invitation_status"),
        ]
        indexes = [models.Index(fields=["email", "status"], name="invitation_email_idx")]

    def __str__(self):
        return f"{self.email} → {self.organization}"

    @property
    def effective_status(self) -> str:
        if self.status == InvitationStatus.PENDING and self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return self.status


class InvitationProject(models.Model):
    """One project an invitation gives access to, with its role and grants."""

    id = models.BigAutoField(primary_key=True)
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="project_roles")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=ProjectRole.choices)
    grants = models.JSONField(default=dict, blank=True, help_text='Domain overrides, e.g. {"finance": "read"}.')

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "project"], name="tenancy_invitationproject_once"),
            models.CheckConstraint(
                condition=models.Q(role__in=[ProjectRole.ADMIN, ProjectRole.ANALYST, ProjectRole.VIEWER]),
                name="tenancy_invitationproject_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.project} as {self.role}"
