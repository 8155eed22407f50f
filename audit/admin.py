"""The audit log in the operators' console: searchable, filterable, read-only.
The database refuses changes to events anyway (migration 0002); the console
does not offer them."""

from django.contrib import admin

from audit.models import AuditEvent
from finance_dashboard.admin_base import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor_email", "target_type", "target_id", "organization_id", "ip_address"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_email", "target_id", "action"]
    date_hierarchy = "created_at"
    # Columns read the event's own fields (ids, the copied email), never a
    # related row, so a page costs the same whatever it shows.
    list_select_related = False
    show_full_result_count = False
    fields = [
        "id",
        "created_at",
        "action",
        "actor_id",
        "actor_email",
        "organization_id",
        "project_id",
        "target_type",
        "target_id",
        "changes",
        "ip_address",
    ]
    readonly_fields = fields
    actions = None
