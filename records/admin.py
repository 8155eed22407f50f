"""Operators' console for the records app. Writes go through services."""

from django.contrib import admin
from django.db import transaction

from records.exchange_rates import exchange_rate_delete, exchange_rate_save
from records.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Reference rates; operators add a missing pair or correct a day here.

    Records keep the rate they were saved with, so an edit only affects
    records written after it.
    """

    list_display = ["date", "base", "quote", "rate", "source"]
    list_filter = ["base", "quote", "source"]
    search_fields = ["base", "quote"]
    date_hierarchy = "date"
    ordering = ["-date"]
    fields = ["base", "quote", "date", "rate", "source", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
    # The ECB history alone is a few hundred thousand rows.
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        exchange_rate_save(rate=obj, actor=request.user)

    def delete_model(self, request, obj):
        exchange_rate_delete(rate=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for rate in queryset:
                exchange_rate_delete(rate=rate, actor=request.user)
