"""Organizations, projects, memberships and invitations."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from finance_dashboard.schema import error_response
from tenancy import selectors, services
from tenancy.api import serializers
from tenancy.api.base import OrganizationScopedViewSet, ProjectScopedViewSet, ScopedViewSet
from tenancy.filters import (
    InvitationFilter,
    OrganizationFilter,
    OrganizationMemberFilter,
    ProjectFilter,
    ProjectMemberFilter,
)
from tenancy.models import Invitation
from tenancy.permissions import (
    ANY_USER,
    ORG_ADMIN,
    ORG_MEMBER,
    ORG_OWNER,
    PROJECT_MEMBER_MANAGER,
    PROJECT_OWNER,
    PROJECT_VISIBLE,
)
from tenancy.throttling import InvitationOrganizationThrottle, InvitationUserThrottle

CONFLICT = error_response("Conflicts with the current state (see the error code).")
GONE = error_response("The invitation has expired.")


def _accept_url(request) -> str:
    return request.build_absolute_uri(reverse("tenancy:invitation-accept-by-token"))


# --- organizations ------------------------------------------------------------------------


@extend_schema(tags=["organizations"])
@extend_schema_view(
    list=extend_schema(summary="My organizations, each with my role"),
    create=extend_schema(summary="Create an organization (you become its owner)"),
    retrieve=extend_schema(summary="An organization I belong to"),
    partial_update=extend_schema(summary="Rename or describe (owner, admin)"),
    destroy=extend_schema(
        summary="Delete with the emailed confirmation code (owner)",
        request=serializers.DeletionCodeSerializer,
        responses={
            204: None,
            429: error_response("Ten wrong codes for the owner's email within the hour (`too_many_code_failures`)."),
        },
    ),
)
class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    scope = "organization"
    scope_url_kwarg = "pk"
    serializer_class = serializers.OrganizationSerializer
    filterset_class = OrganizationFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    permission_map = {
        "list": ANY_USER,
        "create": ANY_USER,
        "retrieve": ORG_MEMBER,
        "partial_update": ORG_ADMIN,
        "destroy": ORG_OWNER,
        "deletion_code": ORG_OWNER,
        "transfer_ownership": ORG_OWNER,
    }

    def scope_queryset(self):
        return selectors.organizations_of(user=self.request.user)

    def get_object(self):
        return self._scope[0]

    def perform_create(self, serializer):
        organization = services.organization_create(actor=self.request.user, **serializer.validated_data)
        organization.my_role = "owner"
        serializer.instance = organization

    def perform_update(self, serializer):
        services.organization_update(
            organization=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def destroy(self, request, *args, **kwargs):
        body = serializers.DeletionCodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.organization_delete(
            organization=self.organization, actor=request.user, code=body.validated_data["code"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Email the owner a code confirming deletion",
        request=None,
        responses={202: OpenApiResponse(description="Code sent.")},
    )
    @action(detail=True, methods=["post"], url_path="deletion-code")
    def deletion_code(self, request, pk=None):
        services.organization_deletion_code_send(organization=self.organization, actor=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Hand ownership to another member (you become admin)",
        request=serializers.OrganizationTransferSerializer,
        responses={200: serializers.OrganizationMemberSerializer},
    )
    @action(detail=True, methods=["post"], url_path="transfer-ownership")
    def transfer_ownership(self, request, pk=None):
        body = serializers.OrganizationTransferSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        new_owner = services.organization_transfer_ownership(
            organization=self.organization, actor=request.user, new_owner=body.validated_data["member"]
        )
        return Response(serializers.OrganizationMemberSerializer(new_owner).data)


@extend_schema(tags=["organizations"])
@extend_schema_view(
    list=extend_schema(summary="Members of the organization"),
    partial_update=extend_schema(
        summary="Change a member's role",
        request=serializers.OrganizationMemberRoleSerializer,
        responses={200: serializers.OrganizationMemberSerializer},
    ),
    destroy=extend_schema(
        summary="Remove a member, or leave (your own membership)", responses={204: None, 409: CONFLICT}
    ),
)
class OrganizationMemberViewSet(
    mixins.ListModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, OrganizationScopedViewSet
):
    serializer_class = serializers.OrganizationMemberSerializer
    filterset_class = OrganizationMemberFilter
    permission_map = {"list": ORG_MEMBER, "partial_update": ORG_ADMIN, "destroy": ORG_MEMBER}

    def scope_queryset(self):
        return selectors.organization_members(organization=self.organization)

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        body = serializers.OrganizationMemberRoleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.org_member_change_role(
            membership=membership, actor=request.user, actor_access=self.access, role=body.validated_data["role"]
        )
        return Response(self.get_serializer(membership).data)

    def perform_destroy(self, instance):
        services.org_member_remove(membership=instance, actor=self.request.user, actor_access=self.access)


# --- projects -------------------------------------------------------------------------------


def _annotated_project(project, user):
    return selectors.project_with_access(project_id=project.pk, user=user)[0]


@extend_schema(tags=["projects"])
@extend_schema_view(
    list=extend_schema(summary="Projects of the organization visible to me"),
    create=extend_schema(summary="Create a project (owner, admin); you become its owner"),
)
class OrganizationProjectViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, OrganizationScopedViewSet):
    serializer_class = serializers.ProjectSerializer
    filterset_class = ProjectFilter
    permission_map = {"list": ORG_MEMBER, "create": ORG_ADMIN}

    def scope_queryset(self):
        return selectors.projects_visible_to(organization=self.organization, user=self.request.user, access=self.access)

    def perform_create(self, serializer):
        project = services.project_create(
            organization=self.organization,
            actor=self.request.user,
            actor_access=self.access,
            **serializer.validated_data,
        )
        serializer.instance = _annotated_project(project, self.request.user)


@extend_schema(tags=["projects"])
@extend_schema_view(
    retrieve=extend_schema(summary="A project, with my role and effective permissions"),
    partial_update=extend_schema(
        summary="Edit a project (project or organization owner/admin)",
        responses={200: serializers.ProjectSerializer, 409: CONFLICT},
    ),
    destroy=extend_schema(summary="Soft-delete a project (project or organization owner/admin)"),
)
class ProjectViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ScopedViewSet):
    scope = "project"
    scope_url_kwarg = "pk"
    serializer_class = serializers.ProjectSerializer
    permission_map = {
        "retrieve": PROJECT_VISIBLE,
        "partial_update": PROJECT_MEMBER_MANAGER,
        "destroy": PROJECT_MEMBER_MANAGER,
        "transfer_ownership": PROJECT_OWNER,
    }

    def scope_queryset(self):
        return selectors.live_projects().filter(pk=self.project.pk)

    def get_object(self):
        return self.project

    def perform_update(self, serializer):
        services.project_update(project=self.project, actor=self.request.user, **serializer.validated_data)
        serializer.instance = _annotated_project(self.project, self.request.user)

    def perform_destroy(self, instance):
        services.project_delete(project=instance, actor=self.request.user)

    @extend_schema(
        summary="Hand project ownership to another project member (the old owner becomes admin)",
        request=serializers.ProjectTransferSerializer,
        responses={200: serializers.ProjectMemberSerializer},
    )
    @action(detail=True, methods=["post"], url_path="transfer-ownership")
    def transfer_ownership(self, request, pk=None):
        body = serializers.ProjectTransferSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        new_owner = services.project_transfer_ownership(
            project=self.project, actor=request.user, new_owner=body.validated_data["member"]
        )
        membership = selectors.project_members(project=self.project).get(pk=new_owner.pk)
        return Response(serializers.ProjectMemberSerializer(membership).data)


@extend_schema(tags=["projects"])
@extend_schema_view(
    list=extend_schema(summary="Members of the project with their effective permissions"),
    create=extend_schema(
        summary="Add an organization member to the project",
        request=serializers.ProjectMemberCreateSerializer,
        responses={201: serializers.ProjectMemberSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a member's role or grants (null drops a grant)",
        request=serializers.ProjectMemberUpdateSerializer,
        responses={200: serializers.ProjectMemberSerializer},
    ),
    destroy=extend_schema(
        summary="Remove a member, or leave (your own membership)", responses={204: None, 409: CONFLICT}
    ),
)
class ProjectMemberViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ProjectScopedViewSet,
):
    serializer_class = serializers.ProjectMemberSerializer
    filterset_class = ProjectMemberFilter
    permission_map = {
        "list": PROJECT_VISIBLE,
        "create": PROJECT_MEMBER_MANAGER,
        "partial_update": PROJECT_MEMBER_MANAGER,
        "destroy": PROJECT_VISIBLE,
    }

    def scope_queryset(self):
        return selectors.project_members(project=self.project)

    def _respond(self, membership, status_code=status.HTTP_200_OK):
        membership = self.scope_queryset().get(pk=membership.pk)
        return Response(self.get_serializer(membership).data, status=status_code)

    def create(self, request, *args, **kwargs):
        body = serializers.ProjectMemberCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        membership = services.project_member_add(
            project=self.project,
            actor=request.user,
            actor_access=self.access,
            user_id=data["user"],
            role=data["role"],
            grants={domain: level for domain, level in data.get("grants", {}).items() if level is not None},
        )
        return self._respond(membership, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        body = serializers.ProjectMemberUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.project_member_update(
            membership=membership,
            actor=request.user,
            actor_access=self.access,
            role=body.validated_data.get("role"),
            grants=body.validated_data.get("grants"),
        )
        return self._respond(membership)

    def perform_destroy(self, instance):
        services.project_member_remove(membership=instance, actor=self.request.user, actor_access=self.access)


# --- invitations ---------------------------------------------------------------------------


@extend_schema(tags=["invitations"])
@extend_schema_view(
    list=extend_schema(summary="Invitations of the organization (owner, admin)"),
    retrieve=extend_schema(summary="One invitation (owner, admin)"),
    create=extend_schema(
        summary="Invite someone with an organization role and project roles",
        request=serializers.InvitationCreateSerializer,
        responses={201: serializers.InvitationSerializer},
    ),
)
class OrganizationInvitationViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, OrganizationScopedViewSet
):
    serializer_class = serializers.InvitationSerializer
    filterset_class = InvitationFilter
    permission_map = {
        "list": ORG_ADMIN,
        "create": ORG_ADMIN,
        "retrieve": ORG_ADMIN,
        "revoke": ORG_ADMIN,
        "resend": ORG_ADMIN,
    }

    def scope_queryset(self):
        return selectors.organization_invitations(organization=self.organization)

    def get_throttles(self):
        if self.action == "create":
            return [InvitationUserThrottle(), InvitationOrganizationThrottle()]
        return super().get_throttles()

    def _respond(self, invitation, status_code=status.HTTP_200_OK):
        invitation = self.scope_queryset().get(pk=invitation.pk)
        return Response(self.get_serializer(invitation).data, status=status_code)

    def create(self, request, *args, **kwargs):
        body = serializers.InvitationCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        invitation = services.invitation_create(
            organization=self.organization,
            actor=request.user,
            email=data["email"],
            org_role=data["org_role"],
            projects=[
                services.InvitedProject(
                    project=item["project"],
                    role=item["role"],
                    grants={domain: level for domain, level in item.get("grants", {}).items() if level is not None},
                )
                for item in data.get("projects", [])
            ],
            accept_url=_accept_url(request),
        )
        return self._respond(invitation, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revoke a pending invitation",
        request=None,
        responses={200: serializers.InvitationSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        return self._respond(services.invitation_revoke(invitation=self.get_object(), actor=request.user))

    @extend_schema(
        summary="Send again with a new token and a fresh expiry",
        request=None,
        responses={200: serializers.InvitationSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def resend(self, request, *args, **kwargs):
        invitation = services.invitation_resend(
            invitation=self.get_object(), actor=request.user, accept_url=_accept_url(request)
        )
        return self._respond(invitation)


@extend_schema(tags=["invitations"])
@extend_schema_view(list=extend_schema(summary="Pending invitations addressed to my verified email"))
class MyInvitationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The invitee's side. An invitation addressed to someone else is a 404."""

    serializer_class = serializers.InvitationSerializer
    lookup_value_regex = ScopedViewSet.lookup_value_regex
    filter_backends = ()

    def get_queryset(self):
        return selectors.invitations_for_invitee(user=self.request.user)

    def _mine(self, pk) -> Invitation:
        return get_object_or_404(selectors.invitations_addressed_to(user=self.request.user), pk=pk)

    def _by_token(self, request) -> Invitation:
        body = serializers.InvitationTokenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitation = services.invitation_by_token(body.validated_data["token"])
        addressed = selectors.invitations_addressed_to(user=request.user)
        if invitation is None or not addressed.filter(pk=invitation.pk).exists():
            raise NotFound()
        return invitation

    def _respond(self, invitation):
        invitation = (
            Invitation.objects.select_related("organization", "invited_by")
            .prefetch_related("project_roles")
            .get(pk=invitation.pk)
        )
        return Response(self.get_serializer(invitation).data)

    @extend_schema(
        summary="Accept (joins the organization and every invited project at once)",
        request=None,
        responses={200: serializers.InvitationSerializer, 409: CONFLICT, 410: GONE},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._respond(services.invitation_accept(invitation=self._mine(pk), user=request.user))

    @extend_schema(
        summary="Decline", request=None, responses={200: serializers.InvitationSerializer, 409: CONFLICT, 410: GONE}
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._respond(services.invitation_decline(invitation=self._mine(pk), user=request.user))

    @extend_schema(
        summary="Accept with the token from the email link",
        operation_id="invitations_accept_by_token",
        request=serializers.InvitationTokenSerializer,
        responses={200: serializers.InvitationSerializer, 409: CONFLICT, 410: GONE},
    )
    @action(detail=False, methods=["post"], url_path="accept", url_name="accept-by-token")
    def accept_by_token(self, request):
        return self._respond(services.invitation_accept(invitation=self._by_token(request), user=request.user))

    @extend_schema(
        summary="Decline with the token from the email link",
        operation_id="invitations_decline_by_token",
        request=serializers.InvitationTokenSerializer,
        responses={200: serializers.InvitationSerializer, 409: CONFLICT, 410: GONE},
    )
    @action(detail=False, methods=["post"], url_path="decline", url_name="decline-by-token")
    def decline_by_token(self, request):
        return self._respond(services.invitation_decline(invitation=self._by_token(request), user=request.user))
