"""Operators' console for users and their sessions. Writes go through services."""

from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts import services
from accounts.models import AuthSession, EmailCode, User


class VerifiedFilter(admin.SimpleListFilter):
    title = "email verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(email_verified=True)
        if self.value() == "no":
            return queryset.filter(email_verified=False)
        return queryset


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ["email", "name", "password", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"]


class AuthSessionInline(admin.TabularInline):
    model = AuthSession
    fields = ["method", "ip_address", "user_agent", "created_at", "last_used_at", "revoked_at", "revoke_reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ["email", "name", "is_active", "is_staff", "email_verified", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", VerifiedFilter]
    search_fields = ["email", "name"]
    ordering = ["email"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [AuthSessionInline]
    actions = ["deactivate_users", "revoke_all_sessions"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]

    def get_queryset(self, request):
        verified = EmailAddress.objects.filter(user=OuterRef("pk"), email=OuterRef("email"), verified=True)
        return super().get_queryset(request).annotate(email_verified=Exists(verified))

    @admin.display(boolean=True, ordering="email_verified", description="verified")
    def email_verified(self, user):
        return user.email_verified

    def save_model(self, request, obj, form, change):
        # Deactivation must revoke sessions: route the flag through the service.
        wants_active = obj.is_active
        if change and "is_active" in form.changed_data:
            obj.is_active = not wants_active
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            services.user_set_active(user=obj, actor=request.user, active=wants_active)

    @admin.action(description="Deactivate and sign out everywhere")
    def deactivate_users(self, request, queryset):
        for user in queryset:
            services.user_set_active(user=user, actor=request.user, active=False)
        self.message_user(request, f"Deactivated {queryset.count()} user(s).", messages.SUCCESS)

    @admin.action(description="Sign out everywhere (revoke all sessions)")
    def revoke_all_sessions(self, request, queryset):
        total = sum(
            services.sessions_revoke_all(user=user, reason="revoked_by_staff", actor=request.user) for user in queryset
        )
        self.message_user(request, f"Revoked {total} session(s).", messages.SUCCESS)


class LiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("revoked", "Revoked"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(AuthSession)
class AuthSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "method", "ip_address", "created_at", "last_used_at", "revoked_at", "revoke_reason"]
    list_filter = [LiveFilter, "method", "revoke_reason"]
    list_select_related = ["user"]
    search_fields = ["user__email", "ip_address", "user_agent"]
    autocomplete_fields = ["user"]
    date_hierarchy = "created_at"
    actions = ["revoke"]
    readonly_fields = [
        "id",
        "user",
        "method",
        "user_agent",
        "ip_address",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoke_reason",
    ]
    exclude = ["refresh_jti"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke selected sessions")
    def revoke(self, request, queryset):
        count = 0
        for session in queryset.filter(revoked_at__isnull=True):
            services.session_revoke(session=session, reason="revoked_by_staff", actor=request.user)
            count += 1
        self.message_user(request, f"Revoked {count} session(s).", messages.SUCCESS)


@admin.register(EmailCode)
class EmailCodeAdmin(admin.ModelAdmin):
    """Read-only: useful to see whether a code went out and how it was used.
    Only hashes are stored, so nothing here can be used to sign in."""

    list_display = ["email", "purpose", "created_at", "expires_at", "attempts", "used_at"]
    list_filter = ["purpose"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    exclude = ["code_hash"]
    readonly_fields = ["email", "purpose", "scope", "created_at", "expires_at", "attempts", "used_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
