"""Invitations send email to arbitrary addresses: throttle who sends them."""

from finance_dashboard.throttling import RateThrottle


class InvitationUserThrottle(RateThrottle):
    scope = "invitation_user"

    def get_cache_key(self, request, view):
        return self.key(str(request.user.pk))


class InvitationOrganizationThrottle(RateThrottle):
    scope = "invitation_org"

    def get_cache_key(self, request, view):
        return self.key(str(view.kwargs.get("organization_pk")))
