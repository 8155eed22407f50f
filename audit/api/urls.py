from audit.api import views
from finance_dashboard.routers import ApiRouter, uuid_kwarg

app_name = "audit"

router = ApiRouter()
router.register(
    f"organizations/{uuid_kwarg('organization_pk')}/audit-log",
    views.OrganizationAuditLogViewSet,
    basename="organization-audit-log",
)
router.register(
    f"projects/{uuid_kwarg('project_pk')}/audit-log", views.ProjectAuditLogViewSet, basename="project-audit-log"
)

urlpatterns = router.urls
