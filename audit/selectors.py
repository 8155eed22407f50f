"""Reads of the audit log. The views scope every query through these."""

from __future__ import annotations

from django.db.models import QuerySet

from audit.models import AuditEvent
from tenancy.models import Organization, Project


def organization_events(*, organization: Organization) -> QuerySet[AuditEvent]:
    """Every event of the organization, its projects' events included."""
    return AuditEvent.objects.filter(organization=organization)


def project_events(*, project: Project) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(project=project)
