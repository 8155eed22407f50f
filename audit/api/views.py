"""The audit log, read-only, for an organization and for one project."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from audit import selectors
from audit.api.serializers import AuditEventSerializer
from audit.filters import AuditEventFilter
from finance_dashboard.pagination import KeysetCursorPagination
from tenancy.api.base import OrganizationScopedViewSet, ProjectScopedViewSet
from tenancy.permissions import FINANCE_MANAGE, ORG_ADMIN


class AuditLogMixin(mixins.ListModelMixin):
    """Newest first, by keyset cursor; nothing but reads."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    pagination_class = KeysetCursorPagination
    ordering_fields = {"created_at": "created_at"}
    default_ordering = "-created_at"
    http_method_names = ["get", "head", "options"]


@extend_schema(tags=["audit"])
@extend_schema_view(
    list=extend_schema(
        summary="Audit log of the organization, its projects included (owner, admin)",
        description="Every change in the organization, newest first. Events cannot be changed or deleted.",
    )
)
class OrganizationAuditLogViewSet(AuditLogMixin, OrganizationScopedViewSet):
    permission_map = {"list": ORG_ADMIN}

    def scope_queryset(self):
        return selectors.organization_events(organization=self.organization)


@extend_schema(tags=["audit"])
@extend_schema_view(
    list=extend_schema(
        summary="Audit log of the project (finance manage)",
        description="Every change in the project, newest first. Events cannot be changed or deleted.",
    )
)
class ProjectAuditLogViewSet(AuditLogMixin, ProjectScopedViewSet):
    permission_map = {"list": FINANCE_MANAGE}

    def scope_queryset(self):
        return selectors.project_events(project=self.project)
