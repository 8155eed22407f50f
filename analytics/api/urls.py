from analytics.api import views
from finance_dashboard.routers import ApiRouter, uuid_kwarg

app_name = "analytics"

router = ApiRouter()
router.register(f"projects/{uuid_kwarg('project_pk')}/analytics", views.AnalyticsViewSet, basename="analytics")

urlpatterns = router.urls
