"""Every write of the tenancy app. Views, the admin and commands call these;
each is one transaction that also writes its audit event."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import CodePurpose, User
from accounts.services import code_send, code_verify, normalize_email
from audit.services import audit_log, diff, snapshot
from tenancy import errors
from tenancy.emails import send_invitation_email
from tenancy.models import (
    Domain,
    Invitation,
    InvitationProject,
    InvitationStatus,
    Organization,
    OrganizationMember,
    OrgRole,
    Project,
    ProjectGrant,
    ProjectMember,
    ProjectRole,
)
from tenancy.permissions import LEVEL_RANK, ORG_ROLE_RANK, PROJECT_ROLE_RANK, Access

# --- organizations -----------------------------------------------------------------


@transaction.atomic
def organization_create(*, actor: User, name: str, description: str = "") -> Organization:
    organization = Organization.objects.create(name=name, description=description)
    OrganizationMember.objects.create(organization=organization, user=actor, role=OrgRole.OWNER)
    audit_log(
        action="organization.created",
        actor=actor,
        target=organization,
        organization=organization,
        changes={"name": [None, name], "description": [None, description]},
    )
    return organization


_ORGANIZATION_FIELDS = ("name", "description")


@transaction.atomic
def organization_update(*, organization: Organization, actor: User, **fields) -> Organization:
    current = Organization.objects.select_for_update().get(pk=organization.pk)
    before = snapshot(current, _ORGANIZATION_FIELDS)
    for name, value in fields.items():
        if name not in _ORGANIZATION_FIELDS:
            raise TypeError(f"organization field {name!r} is not editable")
        setattr(organization, name, value)
    organization.save(update_fields=[*fields, "updated_at"])
    changes = diff(before, snapshot(organization, _ORGANIZATION_FIELDS))
    if changes:
        audit_log(
            action="organization.updated", actor=actor, target=organization, organization=organization, changes=changes
        )
    return organization


def organization_deletion_code_send(*, organization: Organization, actor: User) -> None:
    """Email the owner a code that confirms deleting this one organization."""
    code_send(email=actor.email, purpose=CodePurpose.ORGANIZATION_DELETION, scope=str(organization.pk))


def organization_delete(*, organization: Organization, actor: User, code: str) -> None:
    """Soft-delete with the emailed code; the organization, its projects and
    their data disappear from every endpoint until staff restore them."""
    code_verify(email=actor.email, purpose=CodePurpose.ORGANIZATION_DELETION, code=code, scope=str(organization.pk))
    with transaction.atomic():
        Organization.objects.filter(pk=organization.pk).update(deleted_at=timezone.now(), deleted_by=actor)
        audit_log(action="organization.deleted", actor=actor, target=organization, organization=organization)


@transaction.atomic
def organization_restore(*, organization: Organization, actor: User | None) -> None:
    if organization.deleted_at is None:
        return
    Organization.objects.filter(pk=organization.pk).update(deleted_at=None, deleted_by=None)
    organization.deleted_at = None
    audit_log(action="organization.restored", actor=actor, target=organization, organization=organization)


# --- organization members -------------------------------------------------------------


def _lock_members(organization: Organization, *members: OrganizationMember) -> dict:
    """Lock the organization's row, then re-read the members involved: role
    changes and transfers on one organization happen one at a time."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    return OrganizationMember.objects.select_related("user").in_bulk([member.pk for member in members])


@transaction.atomic
def org_member_change_role(
    *, membership: OrganizationMember, actor: User, actor_access: Access, role: str
) -> OrganizationMember:
    """Change an organization role.

    `owner` only moves by transfer; nobody changes their own role; the owner
    is untouchable; an admin may promote a member to admin, and only the
    owner demotes an admin.
    """
    membership = _lock_members(membership.organization, membership)[membership.pk]
    if role == OrgRole.OWNER:
        raise errors.invalid("role", "Ownership moves only by transfer-ownership.", errors.OWNER_ONLY_BY_TRANSFER)
    if membership.user_id == actor.pk:
        raise errors.forbidden("You cannot change your own role.", errors.OWN_ROLE)
    if membership.role == OrgRole.OWNER:
        raise errors.forbidden("The owner's role changes only by transfer.", errors.OWNER_UNTOUCHABLE)
    if actor_access.org_role != OrgRole.OWNER and membership.role == OrgRole.ADMIN:
        raise errors.forbidden("Only the owner changes an admin's role.", errors.ADMIN_NEEDS_OWNER)
    if membership.role != role:
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_log(
            action="member.role_changed",
            actor=actor,
            target=membership,
            organization=membership.organization_id,
            changes={"role": [old, role], "user": [None, str(membership.user_id)]},
        )
    return membership


@transaction.atomic
def org_member_remove(*, membership: OrganizationMember, actor: User, actor_access: Access) -> None:
    """Remove a member, or leave (when it is yourself). Their project
    memberships in this organization go with them."""
    membership = _lock_members(membership.organization, membership)[membership.pk]
    leaving = membership.user_id == actor.pk
    if membership.role == OrgRole.OWNER:
        if leaving:
            raise errors.conflict("The owner cannot leave; transfer ownership first.", errors.OWNER_CANNOT_LEAVE)
        raise errors.forbidden("The owner cannot be removed.", errors.OWNER_UNTOUCHABLE)
    if not leaving:
        if ORG_ROLE_RANK[actor_access.org_role] < ORG_ROLE_RANK[OrgRole.ADMIN]:
            raise errors.forbidden("Only owners and admins remove members.", "permission_denied")
        if membership.role == OrgRole.ADMIN and actor_access.org_role != OrgRole.OWNER:
            raise errors.forbidden("Only the owner removes an admin.", errors.ADMIN_NEEDS_OWNER)
    owned = ProjectMember.objects.filter(member=membership, role=ProjectRole.OWNER, project__deleted_at__isnull=True)
    if owned.exists():
        raise errors.conflict("This member owns projects; transfer their ownership first.", errors.OWNS_PROJECTS)
    audit_log(
        action="member.left" if leaving else "member.removed",
        actor=actor,
        target=membership,
        organization=membership.organization_id,
        changes={"user": [str(membership.user_id), None], "role": [membership.role, None]},
    )
    membership.delete()


@transaction.atomic
def organization_transfer_ownership(
    *, organization: Organization, actor: User, new_owner: OrganizationMember
) -> OrganizationMember:
    """Make `new_owner` the owner; the previous owner becomes an admin."""
    current = OrganizationMember.objects.filter(organization=organization, role=OrgRole.OWNER).first()
    locked = _lock_members(organization, new_owner, *([current] if current else []))
    new_owner = locked[new_owner.pk]
    current = locked.get(current.pk) if current else None
    if current is None or current.user_id != actor.pk or current.role != OrgRole.OWNER:
        raise errors.forbidden("Only the owner transfers ownership.", "permission_denied")
    if new_owner.pk == current.pk:
        raise errors.invalid("member", "You already own this organization.", errors.TRANSFER_TO_SELF)
    old_role = new_owner.role
    # Demote first: the one-owner constraint holds at every statement.
    current.role = OrgRole.ADMIN
    current.save(update_fields=["role"])
    new_owner.role = OrgRole.OWNER
    new_owner.save(update_fields=["role"])
    audit_log(
        action="organization.ownership_transferred",
        actor=actor,
        target=organization,
        organization=organization,
        changes={"owner": [str(current.user_id), str(new_owner.user_id)], "new_owner_previous_role": [old_role, None]},
    )
    return new_owner


# --- projects -----------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    organization: Organization,
    actor: User,
    actor_access: Access,
    name: str,
    description: str = "",
    base_currency: str = "USD",
) -> Project:
    project = Project.objects.create(
        organization=organization, name=name, description=description, base_currency=base_currency
    )
    ProjectMember.objects.create(project=project, member_id=actor_access.org_membership_id, role=ProjectRole.OWNER)
    audit_log(
        action="project.created",
        actor=actor,
        target=project,
        project=project,
        changes={"name": [None, name], "base_currency": [None, base_currency]},
    )
    return project


_PROJECT_FIELDS = ("name", "description", "base_currency")


def project_holds_records(project: Project) -> bool:
    from records.models import Record  # records builds on tenancy, not the other way round

    return Record.objects.filter(project=project).exists()


@transaction.atomic
def project_update(*, project: Project, actor: User, **fields) -> Project:
    """Edit a project; its base currency is fixed once it holds records."""
    project = Project.objects.select_for_update().select_related("organization").get(pk=project.pk)
    if (
        "base_currency" in fields
        and fields["base_currency"] != project.base_currency
        and project_holds_records(project)
    ):
        raise errors.conflict("The base currency is fixed once the project holds records.", errors.BASE_CURRENCY_LOCKED)
    before = snapshot(project, _PROJECT_FIELDS)
    for name, value in fields.items():
        if name not in _PROJECT_FIELDS:
            raise TypeError(f"project field {name!r} is not editable")
        setattr(project, name, value)
    project.save(update_fields=[*fields, "updated_at"])
    changes = diff(before, snapshot(project, _PROJECT_FIELDS))
    if changes:
        audit_log(action="project.updated", actor=actor, target=project, project=project, changes=changes)
    return project


@transaction.atomic
def project_delete(*, project: Project, actor: User) -> None:
    Project.objects.filter(pk=project.pk).update(deleted_at=timezone.now(), deleted_by=actor)
    audit_log(action="project.deleted", actor=actor, target=project, project=project)


@transaction.atomic
def project_restore(*, project: Project, actor: User | None) -> None:
    if project.deleted_at is None:
        return
    Project.objects.filter(pk=project.pk).update(deleted_at=None, deleted_by=None)
    project.deleted_at = None
    audit_log(action="project.restored", actor=actor, target=project, project=project)


# --- project members ------------------------------------------------------------------


def _grants_of(membership: ProjectMember) -> dict[str, str]:
    return {grant.domain: grant.level for grant in membership.grants.all()}


def _apply_grants(membership: ProjectMember, grants: Mapping[str, str | None]) -> dict[str, list]:
    """Set or drop (None) per-domain overrides; returns the audit diff."""
    before = _grants_of(membership)
    for domain, level in grants.items():
        if level is None:
            ProjectGrant.objects.filter(project_member=membership, domain=domain).delete()
        else:
            ProjectGrant.objects.update_or_create(project_member=membership, domain=domain, defaults={"level": level})
    after = {**before, **{domain: level for domain, level in grants.items() if level is not None}}
    for domain, level in grants.items():
        if level is None:
            after.pop(domain, None)
    return {
        f"grants.{domain}": [before.get(domain), after.get(domain)]
        for domain in Domain.values
        if before.get(domain) != after.get(domain)
    }


def _check_may_assign(*, actor_access: Access, role: str) -> None:
    if role == ProjectRole.OWNER:
        raise errors.invalid(
            "role", "Project ownership moves only by transfer-ownership.", errors.OWNER_ONLY_BY_TRANSFER
        )
    if role == ProjectRole.ADMIN and not actor_access.owns_project:
        raise errors.forbidden(
            "Only the project owner or the organization's owners and admins grant admin.", errors.ADMIN_NEEDS_OWNER
        )


def _check_may_manage(*, actor: User, actor_access: Access, membership: ProjectMember) -> None:
    if membership.role == ProjectRole.OWNER:
        raise errors.forbidden("The project owner changes only by transfer.", errors.OWNER_UNTOUCHABLE)
    if membership.role == ProjectRole.ADMIN and not actor_access.owns_project:
        raise errors.forbidden(
            "Only the project owner or the organization's owners and admins manage admins.", errors.ADMIN_NEEDS_OWNER
        )


@transaction.atomic
def project_member_add(
    *,
    project: Project,
    actor: User,
    actor_access: Access,
    user_id,
    role: str,
    grants: Mapping[str, str | None] | None = None,
) -> ProjectMember:
    """Add a member of the project's organization to the project."""
    _check_may_assign(actor_access=actor_access, role=role)
    org_membership = OrganizationMember.objects.filter(organization_id=project.organization_id, user_id=user_id).first()
    if org_membership is None:
        raise errors.invalid(
            "user", "Only members of the organization can join its projects.", errors.NOT_ORGANIZATION_MEMBER
        )
    if ProjectMember.objects.filter(project=project, member=org_membership).exists():
        raise errors.invalid("user", "This user is already a member of the project.", errors.ALREADY_MEMBER)
    try:
        with transaction.atomic():
            membership = ProjectMember.objects.create(project=project, member=org_membership, role=role)
    except IntegrityError:
        raise errors.invalid("user", "This user is already a member of the project.", errors.ALREADY_MEMBER) from None
    grant_changes = _apply_grants(membership, grants or {})
    audit_log(
        action="project_member.added",
        actor=actor,
        target=membership,
        project=project,
        changes={"user": [None, str(user_id)], "role": [None, role], **grant_changes},
    )
    return membership


@transaction.atomic
def project_member_update(
    *,
    membership: ProjectMember,
    actor: User,
    actor_access: Access,
    role: str | None = None,
    grants: Mapping[str, str | None] | None = None,
) -> ProjectMember:
    membership = (
        ProjectMember.objects.select_for_update().select_related("member__user", "project").get(pk=membership.pk)
    )
    if membership.member.user_id == actor.pk:
        raise errors.forbidden("You cannot change your own role or grants.", errors.OWN_ROLE)
    _check_may_manage(actor=actor, actor_access=actor_access, membership=membership)
    changes: dict[str, list] = {}
    if role is not None and role != membership.role:
        _check_may_assign(actor_access=actor_access, role=role)
        changes["role"] = [membership.role, role]
        membership.role = role
        membership.save(update_fields=["role"])
    if grants:
        changes.update(_apply_grants(membership, grants))
    if changes:
        audit_log(
            action="member.role_changed" if "role" in changes else "member.grants_changed",
            actor=actor,
            target=membership,
            project=membership.project,
            changes={**changes, "user": [None, str(membership.member.user_id)]},
        )
    return membership


@transaction.atomic
def project_member_remove(*, membership: ProjectMember, actor: User, actor_access: Access) -> None:
    membership = ProjectMember.objects.select_for_update().select_related("member", "project").get(pk=membership.pk)
    leaving = membership.member.user_id == actor.pk
    if membership.role == ProjectRole.OWNER:
        if leaving:
            raise errors.conflict(
                "The project owner cannot leave; transfer ownership first.", errors.OWNER_CANNOT_LEAVE
            )
        raise errors.forbidden("The project owner cannot be removed.", errors.OWNER_UNTOUCHABLE)
    if not leaving:
        if not actor_access.manages_project_members:
            raise errors.forbidden("Only the project's owner and admins remove members.", "permission_denied")
        _check_may_manage(actor=actor, actor_access=actor_access, membership=membership)
    audit_log(
        action="project_member.left" if leaving else "project_member.removed",
        actor=actor,
        target=membership,
        project=membership.project,
        changes={"user": [str(membership.member.user_id), None], "role": [membership.role, None]},
    )
    membership.delete()


@transaction.atomic
def project_transfer_ownership(*, project: Project, actor: User, new_owner: ProjectMember) -> ProjectMember:
    """Make `new_owner` the project owner; the previous owner becomes admin."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    current = ProjectMember.objects.filter(project=project, role=ProjectRole.OWNER).select_related("member").first()
    new_owner = ProjectMember.objects.select_related("member").get(pk=new_owner.pk)
    if current is not None and current.pk == new_owner.pk:
        raise errors.invalid("member", "This member already owns the project.", errors.TRANSFER_TO_SELF)
    if current is not None:
        current.role = ProjectRole.ADMIN
        current.save(update_fields=["role"])
    old_role = new_owner.role
    new_owner.role = ProjectRole.OWNER
    new_owner.save(update_fields=["role"])
    audit_log(
        action="project.ownership_transferred",
        actor=actor,
        target=project,
        project=project,
        changes={
            "owner": [str(current.member.user_id) if current else None, str(new_owner.member.user_id)],
            "new_owner_previous_role": [old_role, None],
        },
    )
    return new_owner


# --- invitations -----------------------------------------------------------------------


@dataclass(frozen=True)
class InvitedProject:
    project: Project
    role: str
    grants: Mapping[str, str]


def _token_hash(token: str) -> str:
    # The token is 256 bits of randomness: a plain digest is enough to make
    # the stored value useless to someone reading the database.
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _token_hash(token)


def _expire_stale(organization: Organization, email: str) -> None:
    Invitation.objects.filter(
        organization=organization, email=email, status=InvitationStatus.PENDING, expires_at__lte=timezone.now()
    ).update(status=InvitationStatus.EXPIRED)


def invitation_create(
    *,
    organization: Organization,
    actor: User,
    email: str,
    org_role: str,
    projects: Iterable[InvitedProject],
    accept_url: str,
) -> Invitation:
    """Invite `email` with an organization role and roles in some of its
    projects; emails them a link carrying a single-use token."""
    email = normalize_email(email)
    projects = list(projects)
    if org_role not in (OrgRole.ADMIN, OrgRole.MEMBER):
        raise errors.invalid("org_role", "Invite as admin or member.", "invalid_choice")
    if OrganizationMember.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise errors.invalid("email", "This person is already a member of the organization.", errors.ALREADY_MEMBER)
    seen = set()
    for index, item in enumerate(projects):
        if item.project.organization_id != organization.pk or item.project.deleted_at is not None:
            raise errors.invalid(
                f"projects.{index}.project", "No such project in this organization.", errors.PROJECT_NOT_IN_ORGANIZATION
            )
        if item.project.pk in seen:
            raise errors.invalid(f"projects.{index}.project", "A project is listed twice.", "duplicate")
        seen.add(item.project.pk)
        if item.role == ProjectRole.OWNER:
            raise errors.invalid(f"projects.{index}.role", "Invite as admin, analyst or viewer.", "invalid_choice")
    token, token_hash = _new_token()
    now = timezone.now()
    try:
        with transaction.atomic():
            _expire_stale(organization, email)
            invitation = Invitation.objects.create(
                organization=organization,
                email=email,
                org_role=org_role,
                token_hash=token_hash,
                invited_by=actor,
                created_at=now,
                expires_at=now + settings.INVITATION_TTL,
            )
            InvitationProject.objects.bulk_create(
                InvitationProject(invitation=invitation, project=item.project, role=item.role, grants=dict(item.grants))
                for item in projects
            )
            audit_log(
                action="invitation.created",
                actor=actor,
                target=invitation,
                organization=organization,
                changes={
                    "email": [None, email],
                    "org_role": [None, org_role],
                    "projects": [
                        None,
                        [{"project": str(i.project.pk), "role": i.role, "grants": dict(i.grants)} for i in projects],
                    ],
                },
            )
    except IntegrityError:
        raise errors.invalid(
            "email", "A pending invitation to this address already exists.", errors.INVITATION_PENDING
        ) from None
    send_invitation_email(invitation=invitation, token=token, accept_url=accept_url)
    return invitation


def _lock_invitation(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)


def _require_pending(invitation: Invitation) -> None:
    if invitation.effective_status == InvitationStatus.EXPIRED:
        if invitation.status == InvitationStatus.PENDING:
            Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.EXPIRED)
        raise errors.gone("This invitation has expired.", errors.INVITATION_EXPIRED)
    if invitation.status != InvitationStatus.PENDING:
        raise errors.conflict(f"This invitation is {invitation.status}.", errors.INVITATION_NOT_PENDING)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    invitation = _lock_invitation(invitation)
    if invitation.status != InvitationStatus.PENDING:
        raise errors.conflict(f"This invitation is {invitation.status}.", errors.INVITATION_NOT_PENDING)
    invitation.status = InvitationStatus.REVOKED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit_log(
        action="invitation.revoked",
        actor=actor,
        target=invitation,
        organization=invitation.organization_id,
        changes={"status": [InvitationStatus.PENDING, InvitationStatus.REVOKED]},
    )
    return invitation


def invitation_resend(*, invitation: Invitation, actor: User, accept_url: str) -> Invitation:
    """A new token (the old one stops working) and a fresh 7 days."""
    token, token_hash = _new_token()
    with transaction.atomic():
        invitation = _lock_invitation(invitation)
        if invitation.status not in (InvitationStatus.PENDING, InvitationStatus.EXPIRED):
            raise errors.conflict(f"This invitation is {invitation.status}.", errors.INVITATION_NOT_PENDING)
        invitation.token_hash = token_hash
        invitation.status = InvitationStatus.PENDING
        invitation.expires_at = timezone.now() + settings.INVITATION_TTL
        try:
            with transaction.atomic():
                invitation.save(update_fields=["token_hash", "status", "expires_at"])
        except IntegrityError:
            raise errors.conflict("Another invitation to this address is pending.", errors.INVITATION_PENDING) from None
        audit_log(action="invitation.resent", actor=actor, target=invitation, organization=invitation.organization_id)
    send_invitation_email(invitation=invitation, token=token, accept_url=accept_url)
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organization").filter(token_hash=_token_hash(token)).first()


def _raise_role(current: str, offered: str, ranks: Mapping[str, int]) -> str:
    return offered if ranks[offered] > ranks[current] else current


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Invitation:
    """Join the organization and every invited project, all or nothing.

    Idempotent (a second click finds it accepted), never lowers a role the
    user already holds, and skips projects deleted since the invitation.
    """
    invitation = _lock_invitation(invitation)
    if invitation.status == InvitationStatus.ACCEPTED and invitation.accepted_by_id == user.pk:
        return invitation
    _require_pending(invitation)
    organization = invitation.organization
    org_membership, created = OrganizationMember.objects.get_or_create(
        organization=organization, user=user, defaults={"role": invitation.org_role}
    )
    if not created and org_membership.role != OrgRole.OWNER:
        raised = _raise_role(org_membership.role, invitation.org_role, ORG_ROLE_RANK)
        if raised != org_membership.role:
            org_membership.role = raised
            org_membership.save(update_fields=["role"])
    joined = []
    offers = invitation.project_roles.select_related("project").filter(
        project__deleted_at__isnull=True, project__organization=organization
    )
    for offer in offers:
        membership, created = ProjectMember.objects.get_or_create(
            project=offer.project, member=org_membership, defaults={"role": offer.role}
        )
        if created:
            _apply_grants(membership, offer.grants)
        else:
            raised = _raise_role(membership.role, offer.role, PROJECT_ROLE_RANK)
            if raised != membership.role:
                membership.role = raised
                membership.save(update_fields=["role"])
            current = _grants_of(membership)
            higher = {
                domain: level
                for domain, level in offer.grants.items()
                if domain in current and LEVEL_RANK[level] > LEVEL_RANK[current[domain]]
            }
            _apply_grants(membership, higher)
        joined.append(str(offer.project_id))
    invitation.status = InvitationStatus.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "responded_at", "accepted_by"])
    audit_log(
        action="invitation.accepted",
        actor=user,
        target=invitation,
        organization=organization,
        changes={"status": [InvitationStatus.PENDING, InvitationStatus.ACCEPTED], "projects": [None, joined]},
    )
    return invitation


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user: User) -> Invitation:
    invitation = _lock_invitation(invitation)
    if invitation.status == InvitationStatus.DECLINED:
        return invitation
    _require_pending(invitation)
    invitation.status = InvitationStatus.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    audit_log(
        action="invitation.declined",
        actor=user,
        target=invitation,
        organization=invitation.organization_id,
        changes={"status": [InvitationStatus.PENDING, InvitationStatus.DECLINED]},
    )
    return invitation
