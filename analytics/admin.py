"""Rollups are derived data: visible to operators, never edited by hand
(rebuild a project's analytics from the projects list instead)."""

from django.contrib import admin

from analytics.models import DailyRollup, MonthlyRollup
from finance_dashboard.admin_base import ReadOnlyAdmin


class _RollupAdmin(ReadOnlyAdmin):
    list_display = ["project", "category", "type", "total_minor", "record_count"]
    list_filter = ["type"]
    list_select_related = ["project", "category"]
    search_fields = ["project__name", "category__name", "=project__id"]
    show_full_result_count = False


@admin.register(DailyRollup)
class DailyRollupAdmin(_RollupAdmin):
    list_display = ["date", *_RollupAdmin.list_display]
    date_hierarchy = "date"
    ordering = ["-date"]


@admin.register(MonthlyRollup)
class MonthlyRollupAdmin(_RollupAdmin):
    list_display = ["month", *_RollupAdmin.list_display]
    ordering = ["-month"]
