"""Machine-readable error codes raised by the tenancy app, and the exceptions
that carry them."""

from rest_framework import exceptions

from finance_dashboard.errors import Gone, conflict, invalid  # noqa: F401 (re-exported for the app)

OWNER_ONLY_BY_TRANSFER = "owner_only_by_transfer"
OWN_ROLE = "cannot_change_own_role"
OWNER_UNTOUCHABLE = "owner_untouchable"
ADMIN_NEEDS_OWNER = "only_owner_manages_admins"
OWNER_CANNOT_LEAVE = "owner_cannot_leave"
OWNS_PROJECTS = "member_owns_projects"
ALREADY_MEMBER = "already_member"
NOT_ORGANIZATION_MEMBER = "not_organization_member"
INVITATION_PENDING = "invitation_pending"
PROJECT_NOT_IN_ORGANIZATION = "project_not_in_organization"
INVITATION_NOT_PENDING = "invitation_not_pending"
INVITATION_EXPIRED = "invitation_expired"
BASE_CURRENCY_LOCKED = "base_currency_locked"
TRANSFER_TO_SELF = "transfer_to_self"


def forbidden(detail: str, code: str) -> exceptions.PermissionDenied:
    return exceptions.PermissionDenied(detail=detail, code=code)


def gone(detail: str, code: str) -> Gone:
    return Gone(detail=detail, code=code)
