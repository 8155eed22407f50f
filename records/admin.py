"""Operators' console for the records app. Writes go through services."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from finance_dashboard.admin_base import DeletedFilter
from records import services
from records.currency import format_amount
from records.exchange_rates import exchange_rate_delete, exchange_rate_save
from records.models import Category, ExchangeRate, Record, Tag


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


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    """Records are read-only here (their money and rollups change through the
    API); operators delete and restore them with the actions."""

    list_display = [
        "date",
        "type",
        "amount",
        "currency",
        "base_amount",
        "category",
        "project",
        "created_by",
        "deleted_at",
    ]
    list_filter = [DeletedFilter, "type", "currency", "source", "date", ("project", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["project", "category", "created_by"]
    search_fields = ["=id", "description", "project__name", "created_by__email"]
    date_hierarchy = "date"
    ordering = ["-date", "-created_at"]
    show_full_result_count = False
    actions = ["delete_selected_records", "restore_selected_records"]
    fields = [
        "id",
        "project",
        "type",
        "amount",
        "currency",
        "exchange_rate",
        "base_amount_minor",
        "category",
        "tags",
        "source",
        "description",
        "date",
        "created_by",
        "created_at",
        "updated_at",
        "deleted_at",
        "deleted_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="base amount")
    def base_amount(self, record):
        return format_amount(record.base_amount_minor, record.project.base_currency)

    @admin.action(description="Delete selected records (soft)")
    def delete_selected_records(self, request, queryset):
        count = 0
        for record in queryset.filter(deleted_at__isnull=True).select_related("project"):
            services.record_delete(record=record, actor=request.user)
            count += 1
        self.message_user(request, f"Deleted {count} record(s).", messages.SUCCESS)

    @admin.action(description="Restore selected records")
    def restore_selected_records(self, request, queryset):
        count = 0
        for record in queryset.filter(deleted_at__isnull=False).select_related("project"):
            services.record_restore(record=record, actor=request.user)
            count += 1
        self.message_user(request, f"Restored {count} record(s).", messages.SUCCESS)


class _VocabularyAdmin(admin.ModelAdmin):
    list_select_related = ["project"]
    autocomplete_fields = ["project"]
    readonly_fields = ["id", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "project"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["project", "name", "type"]

    def clean_type(self):
        kind = self.cleaned_data["type"]
        category = self.instance
        if category.pk and not category._state.adding and kind != Category.objects.get(pk=category.pk).type:
            if Record.objects.filter(category=category).exists():
                raise forms.ValidationError("Records use this category; its type cannot change.")
        return kind


@admin.register(Category)
class CategoryAdmin(_VocabularyAdmin):
    form = CategoryAdminForm
    list_display = ["name", "type", "project", "created_at"]
    list_filter = ["type"]
    search_fields = ["name", "project__name"]
    fields = ["id", "project", "name", "type", "created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            services.category_update(
                category=obj, actor=request.user, **{name: form.cleaned_data[name] for name in form.changed_data}
            )
        else:
            obj.pk = services.category_create(project=obj.project, actor=request.user, name=obj.name, type=obj.type).pk


@admin.register(Tag)
class TagAdmin(_VocabularyAdmin):
    list_display = ["name", "project", "created_at"]
    search_fields = ["name", "project__name"]
    fields = ["id", "project", "name", "created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            services.tag_update(tag=obj, actor=request.user, name=form.cleaned_data["name"])
        else:
            obj.pk = services.tag_create(project=obj.project, actor=request.user, name=obj.name).pk
