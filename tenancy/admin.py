"""Operators' console for tenants. Changes go through tenancy.services, so they
obey the same rules and leave the same audit trail as the API."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from rest_framework.exceptions import APIException

from finance_dashboard.admin_base import DeletedFilter, ReadOnlyAdmin
from tenancy import services
from tenancy.models import (
    Invitation,
    InvitationProject,
    Organization,
    OrganizationMember,
    Project,
    ProjectGrant,
    ProjectMember,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrganizationMemberInline(ReadOnlyInline):
    model = OrganizationMember
    fields = ["user", "role", "joined_at"]
    readonly_fields = fields
    ordering = ["joined_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class ProjectInline(ReadOnlyInline):
    model = Project
    fields = ["name", "base_currency", "created_at", "deleted_at"]
    readonly_fields = fields


class ProjectMemberInline(ReadOnlyInline):
    model = ProjectMember
    fields = ["member", "role", "joined_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__user", "member__organization")


class ProjectGrantInline(ReadOnlyInline):
    model = ProjectGrant
    fields = ["domain", "level"]
    readonly_fields = fields
    show_change_link = False


class InvitationProjectInline(ReadOnlyInline):
    model = InvitationProject
    fields = ["project", "role", "grants"]
    readonly_fields = fields


class SoftDeleteAdmin(admin.ModelAdmin):
    """Soft-deletable tenants: no hard delete from the console, restore by action."""

    actions = ["restore_selected"]

    def has_add_permission(self, request):
        # Tenants are created through the API, which also creates their owner.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def restore(self, obj, actor):
        raise NotImplementedError

    @admin.action(description="Restore selected (undo soft delete)")
    def restore_selected(self, request, queryset):
        restored = 0
        for obj in queryset.filter(deleted_at__isnull=False):
            self.restore(obj, request.user)
            restored += 1
        self.message_user(request, f"Restored {restored}.", messages.SUCCESS)


@admin.register(Organization)
class OrganizationAdmin(SoftDeleteAdmin):
    list_display = ["name", "member_count", "project_count", "created_at", "deleted_at"]
    list_filter = [DeletedFilter, "created_at"]
    search_fields = ["name", "id", "memberships__user__email"]
    readonly_fields = ["id", "created_at", "updated_at", "deleted_at", "deleted_by"]
    fields = ["id", "name", "description", "created_at", "updated_at", "deleted_at", "deleted_by"]
    inlines = [OrganizationMemberInline, ProjectInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=Count("memberships", distinct=True),
                project_count=Count("projects", filter=Q(projects__deleted_at__isnull=True), distinct=True),
            )
        )

    @admin.display(ordering="member_count", description="members")
    def member_count(self, obj):
        return obj.member_count

    @admin.display(ordering="project_count", description="projects")
    def project_count(self, obj):
        return obj.project_count

    def save_model(self, request, obj, form, change):
        services.organization_update(
            organization=obj, actor=request.user, **{field: form.cleaned_data[field] for field in form.changed_data}
        )

    def restore(self, obj, actor):
        services.organization_restore(organization=obj, actor=actor)


@admin.register(Project)
class ProjectAdmin(SoftDeleteAdmin):
    list_display = ["name", "organization", "base_currency", "created_at", "deleted_at"]
    list_filter = [DeletedFilter, "base_currency"]
    list_select_related = ["organization"]
    search_fields = ["name", "id", "organization__name"]
    readonly_fields = ["id", "created_at", "updated_at", "deleted_at", "deleted_by"]
    fields = [
        "id",
        "organization",
        "name",
        "description",
        "base_currency",
        "created_at",
        "updated_at",
        "deleted_at",
        "deleted_by",
    ]
    inlines = [ProjectMemberInline]

    def get_readonly_fields(self, request, obj=None):
        # A project never moves to another organization.
        return [*self.readonly_fields, "organization"]

    def save_model(self, request, obj, form, change):
        services.project_update(
            project=obj, actor=request.user, **{field: form.cleaned_data[field] for field in form.changed_data}
        )

    actions = ["restore_selected", "rebuild_analytics"]

    def restore(self, obj, actor):
        services.project_restore(project=obj, actor=actor)

    @admin.action(description="Rebuild analytics from the records")
    def rebuild_analytics(self, request, queryset):
        from analytics import rollups  # analytics builds on tenancy

        for project in queryset:
            rollups.rebuild(project_id=project.pk)
        self.message_user(request, f"Rebuilt analytics of {queryset.count()} project(s).", messages.SUCCESS)


@admin.register(OrganizationMember)
class OrganizationMemberAdmin(ReadOnlyAdmin):
    list_display = ["user", "organization", "role", "joined_at"]
    list_filter = ["role"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    readonly_fields = ["id", "user", "organization", "role", "joined_at"]


@admin.register(ProjectMember)
class ProjectMemberAdmin(ReadOnlyAdmin):
    list_display = ["member", "project", "role", "joined_at"]
    list_filter = ["role"]
    list_select_related = ["member__user", "member__organization", "project"]
    search_fields = ["member__user__email", "project__name"]
    readonly_fields = ["id", "member", "project", "role", "joined_at"]
    inlines = [ProjectGrantInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "org_role", "status", "invited_by", "created_at", "expires_at"]
    list_filter = ["status", "org_role"]
    list_select_related = ["organization", "invited_by"]
    search_fields = ["email", "organization__name"]
    readonly_fields = [
        "id",
        "organization",
        "email",
        "org_role",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
        "responded_at",
        "accepted_by",
    ]
    exclude = ["token_hash"]
    inlines = [InvitationProjectInline]
    actions = ["resend_selected", "revoke_selected"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Resend selected invitations (new link, fresh 7 days)")
    def resend_selected(self, request, queryset):
        accept_url = request.build_absolute_uri(reverse("tenancy:invitation-accept-by-token"))
        resent = 0
        for invitation in queryset.filter(status__in=["pending", "expired"]):
            try:
                services.invitation_resend(invitation=invitation, actor=request.user, accept_url=accept_url)
            except APIException as exc:
                self.message_user(request, f"{invitation.email}: {exc.detail}", messages.WARNING)
            else:
                resent += 1
        self.message_user(request, f"Resent {resent}.", messages.SUCCESS)

    @admin.action(description="Revoke selected pending invitations")
    def revoke_selected(self, request, queryset):
        revoked = 0
        for invitation in queryset.filter(status="pending"):
            services.invitation_revoke(invitation=invitation, actor=request.user)
            revoked += 1
        self.message_user(request, f"Revoked {revoked}.", messages.SUCCESS)
