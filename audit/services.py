"""Writing audit events. Called by every service that changes something."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from audit.context import request_ip
from audit.models import AuditEvent


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(item) for item in value]
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for every field whose value changed."""
    changes = {}
    for field in sorted(set(before) | set(after)):
        old, new = _plain(before.get(field)), _plain(after.get(field))
        if old != new:
            changes[field] = [old, new]
    return changes


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {field: getattr(instance, field) for field in fields}


def audit_log(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    target_type: str | None = None,
    target_id: Any = None,
    organization=None,
    project=None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Must be called inside the transaction of the change."""
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target.pk
    if project is not None and organization is None:
        organization = project.organization_id
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        action=action,
        actor=actor_obj,
        actor_email=actor_obj.email if actor_obj else "",
        target_type=target_type or "",
        target_id=str(target_id or ""),
        organization_id=getattr(organization, "pk", organization),
        project_id=getattr(project, "pk", project),
        changes=_plain(dict(changes or {})),
        ip_address=request_ip.get(),
    )
