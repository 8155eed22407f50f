from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from finance_dashboard.serializers import (
    ScopedPrimaryKeyRelatedField,
    StrictCharField,
    StrictEmailField,
    StrictModelSerializer,
)
from tenancy.models import (
    Domain,
    Invitation,
    InvitationProject,
    Level,
    Organization,
    OrganizationMember,
    OrgRole,
    Project,
    ProjectMember,
    ProjectRole,
)
from tenancy.permissions import effective_level
from tenancy.selectors import access_from_annotations, live_projects

INVITABLE_ORG_ROLES = [OrgRole.ADMIN, OrgRole.MEMBER]
ASSIGNABLE_PROJECT_ROLES = [ProjectRole.ADMIN, ProjectRole.ANALYST, ProjectRole.VIEWER]


class UserSummarySerializer(StrictModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name"]
        read_only_fields = fields


class PermissionsSerializer(serializers.Serializer):
    """Effective access levels per domain."""

    finance = serializers.ChoiceField(choices=Level.choices)
    analytics = serializers.ChoiceField(choices=Level.choices)


class GrantsSerializer(serializers.Serializer):
    """Explicit per-domain overrides of the role defaults. On update, null
    drops a domain's override."""

    finance = serializers.ChoiceField(choices=Level.choices, required=False, allow_null=True)
    analytics = serializers.ChoiceField(choices=Level.choices, required=False, allow_null=True)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(Domain.values))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown permission domain."] for name in unknown}, code="invalid_choice"
                )
        return super().to_internal_value(data)


# --- organizations ------------------------------------------------------------------


class OrganizationSerializer(StrictModelSerializer):
    role = serializers.ChoiceField(source="my_role", choices=OrgRole.choices, read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "description", "role", "created_at"]
        read_only_fields = ["id", "role", "created_at"]
        extra_kwargs = {
            "name": {"allow_blank": False, "max_length": 150},
            "description": {"required": False, "allow_blank": True, "max_length": 2000},
        }


class DeletionCodeSerializer(serializers.Serializer):
    code = StrictCharField(max_length=16, help_text="The 6-digit code emailed by `deletion-code`.")


class OrganizationMemberSerializer(StrictModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = OrganizationMember
        fields = ["id", "user", "role", "joined_at"]
        read_only_fields = fields


class OrganizationMemberRoleSerializer(serializers.Serializer):
    """The member's new role: required, although the method is PATCH."""

    role = serializers.ChoiceField(choices=INVITABLE_ORG_ROLES, help_text="`owner` moves only by transfer.")

    # The role is the one thing this PATCH changes, so the body is never
    # partial; ignoring `partial=True` is also what keeps drf-spectacular from
    # documenting `role` as optional.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass


class OrganizationTransferSerializer(serializers.Serializer):
    member = ScopedPrimaryKeyRelatedField(
        model=OrganizationMember,
        scoped_queryset=lambda view: OrganizationMember.objects.filter(organization=view.organization),
        help_text="Membership id of the new owner.",
    )


# --- projects ---------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^[A-Z]{3}$",
        "minLength": 3,
        "maxLength": 3,
        "description": "An ISO 4217 code in upper case that is legal tender today, e.g. `USD`.",
    }
)
class CurrencyCodeField(StrictCharField):
    default_error_messages = {"unknown_currency": "{value!r} is not an active ISO 4217 currency code."}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_length", 3)
        kwargs.setdefault("max_length", 3)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        from records.currency import is_active_currency

        value = super().to_internal_value(data)
        if not is_active_currency(value):
            self.fail("unknown_currency", value=value)
        return value


class ProjectSerializer(StrictModelSerializer):
    role = serializers.ChoiceField(source="my_role", choices=ProjectRole.choices, read_only=True, allow_null=True)
    permissions = serializers.SerializerMethodField()
    base_currency = CurrencyCodeField(required=False, help_text="ISO 4217 code; default USD. Fixed once records exist.")

    class Meta:
        model = Project
        fields = ["id", "organization", "name", "description", "base_currency", "role", "permissions", "created_at"]
        read_only_fields = ["id", "organization", "role", "permissions", "created_at"]
        extra_kwargs = {
            "name": {"allow_blank": False, "max_length": 150},
            "description": {"required": False, "allow_blank": True, "max_length": 2000},
        }

    @extend_schema_field(PermissionsSerializer)
    def get_permissions(self, project) -> dict:
        return access_from_annotations(project).permissions()


class ProjectMemberSerializer(StrictModelSerializer):
    user = UserSummarySerializer(source="member.user", read_only=True)
    permissions = serializers.SerializerMethodField()
    grants = serializers.SerializerMethodField()

    class Meta:
        model = ProjectMember
        fields = ["id", "user", "role", "permissions", "grants", "joined_at"]
        read_only_fields = fields

    @staticmethod
    def _grants(membership) -> dict:
        return {grant.domain: grant.level for grant in membership.grants.all()}

    @extend_schema_field(PermissionsSerializer)
    def get_permissions(self, membership) -> dict:
        grants = self._grants(membership)
        return {
            domain: effective_level(
                org_role=membership.member.role, project_role=membership.role, grants=grants, domain=domain
            )
            for domain in Domain.values
        }

    @extend_schema_field(GrantsSerializer)
    def get_grants(self, membership) -> dict:
        return self._grants(membership)


class ProjectMemberCreateSerializer(serializers.Serializer):
    user = serializers.UUIDField(help_text="Id of a user who is a member of the project's organization.")
    role = serializers.ChoiceField(choices=ASSIGNABLE_PROJECT_ROLES)
    grants = GrantsSerializer(required=False)


class ProjectMemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=ASSIGNABLE_PROJECT_ROLES, required=False)
    grants = GrantsSerializer(required=False)


class ProjectTransferSerializer(serializers.Serializer):
    member = ScopedPrimaryKeyRelatedField(
        model=ProjectMember,
        scoped_queryset=lambda view: ProjectMember.objects.filter(project=view.project),
        help_text="Project membership id of the new owner.",
    )


# --- invitations --------------------------------------------------------------------------


class InvitationProjectInputSerializer(serializers.Serializer):
    project = ScopedPrimaryKeyRelatedField(
        model=Project, scoped_queryset=lambda view: live_projects().filter(organization=view.organization)
    )
    role = serializers.ChoiceField(choices=ASSIGNABLE_PROJECT_ROLES)
    grants = GrantsSerializer(required=False)


class InvitationCreateSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)
    org_role = serializers.ChoiceField(choices=INVITABLE_ORG_ROLES)
    projects = InvitationProjectInputSerializer(many=True, required=False, max_length=100)


class InvitationProjectSerializer(serializers.ModelSerializer):
    grants = serializers.SerializerMethodField()

    class Meta:
        model = InvitationProject
        fields = ["project", "role", "grants"]
        read_only_fields = fields

    @extend_schema_field(GrantsSerializer)
    def get_grants(self, offer) -> dict:
        return dict(offer.grants)


class OrganizationSummarySerializer(StrictModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name"]
        read_only_fields = fields


class InvitationSerializer(StrictModelSerializer):
    organization = OrganizationSummarySerializer(read_only=True)
    projects = InvitationProjectSerializer(source="project_roles", many=True, read_only=True)
    status = serializers.ChoiceField(
        source="effective_status", choices=Invitation._meta.get_field("status").choices, read_only=True
    )
    invited_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "organization",
            "email",
            "org_role",
            "projects",
            "status",
            "expires_at",
            "invited_by",
            "created_at",
        ]
        read_only_fields = fields


class InvitationTokenSerializer(serializers.Serializer):
    token = StrictCharField(max_length=256, help_text="The token from the invitation link (`...?token=<token>`).")
