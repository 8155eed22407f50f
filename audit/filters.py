"""FilterSets for the audit log."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import QuerySet

from audit.models import AuditEvent


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


class AuditEventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error(
                "date_to", forms.ValidationError("date_to must not be before date_from.", code="invalid_range")
            )
        return cleaned


class AuditEventFilter(django_filters.FilterSet):
    """Exact matches on the event's columns; `date_from`/`date_to` are
    inclusive days of `created_at` in UTC. They filter on a half-open range of
    instants rather than `created_at__date`, so the (scope, created_at) index
    still serves the query and the server's time zone plays no part."""

    action = django_filters.CharFilter(max_length=64, help_text='Exact action, e.g. "record.updated".')
    actor = django_filters.UUIDFilter(field_name="actor_id", help_text="Id of the user who made the change.")
    target_type = django_filters.CharFilter(max_length=64, help_text='Exact target type, e.g. "project".')
    target_id = django_filters.CharFilter(max_length=64, help_text="Id of the changed object.")
    date_from = django_filters.DateFilter(
        method="filter_date_from", help_text="Events on or after this day (UTC), `YYYY-MM-DD`."
    )
    date_to = django_filters.DateFilter(method="filter_date_to", help_text="Events on or before this day (UTC).")

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "target_type", "target_id", "date_from", "date_to"]
        form = AuditEventFilterForm

    def filter_date_from(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.filter(created_at__gte=_start_of_day(value))

    def filter_date_to(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        if value == datetime.date.max:
            return queryset
        return queryset.filter(created_at__lt=_start_of_day(value + datetime.timedelta(days=1)))
