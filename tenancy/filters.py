"""FilterSets for the tenancy lists."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from tenancy.models import (
    Invitation,
    InvitationStatus,
    Organization,
    OrganizationMember,
    OrgRole,
    Project,
    ProjectMember,
)


class OrganizationFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", max_length=150)

    class Meta:
        model = Organization
        fields = ["name"]


class OrganizationMemberFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=OrgRole.choices)

    class Meta:
        model = OrganizationMember
        fields = ["role"]


class ProjectFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", max_length=150)

    class Meta:
        model = Project
        fields = ["name"]


class ProjectMemberFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=ProjectMember._meta.get_field("role").choices)

    class Meta:
        model = ProjectMember
        fields = ["role"]


class InvitationFilter(django_filters.FilterSet):
    """`status` is the effective status: a pending invitation past its expiry
    is `expired` (the stored status catches up lazily)."""

    status = django_filters.ChoiceFilter(choices=InvitationStatus.choices, method="filter_status")
    email = django_filters.CharFilter(lookup_expr="iexact", max_length=254)

    class Meta:
        model = Invitation
        fields = ["status", "email"]

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        if value == InvitationStatus.EXPIRED:
            return queryset.filter(
                Q(status=InvitationStatus.EXPIRED) | Q(status=InvitationStatus.PENDING, expires_at__lte=now)
            )
        if value == InvitationStatus.PENDING:
            return queryset.filter(status=InvitationStatus.PENDING, expires_at__gt=now)
        return queryset.filter(status=value)
