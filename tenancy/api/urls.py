from finance_dashboard.routers import ApiRouter, uuid_kwarg
from tenancy.api import views

app_name = "tenancy"

router = ApiRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register(
    f"organizations/{uuid_kwarg('organization_pk')}/members",
    views.OrganizationMemberViewSet,
    basename="organization-member",
)
router.register(
    f"organizations/{uuid_kwarg('organization_pk')}/projects",
    views.OrganizationProjectViewSet,
    basename="organization-project",
)
router.register(
    f"organizations/{uuid_kwarg('organization_pk')}/invitations",
    views.OrganizationInvitationViewSet,
    basename="organization-invitation",
)
router.register("projects", views.ProjectViewSet, basename="project")
router.register(f"projects/{uuid_kwarg('project_pk')}/members", views.ProjectMemberViewSet, basename="project-member")
router.register("invitations", views.MyInvitationViewSet, basename="invitation")

urlpatterns = router.urls
