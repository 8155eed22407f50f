"""Admin building blocks shared by the apps' consoles."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model operators may inspect but not add, change or delete here
    (derived data, history, or rows whose changes belong to a service)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeletedFilter(admin.SimpleListFilter):
    """Live or soft-deleted rows (a `deleted_at` column)."""

    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Live"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(deleted_at__isnull=self.value() == "no")
        return queryset
