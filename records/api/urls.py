from finance_dashboard.routers import ApiRouter, uuid_kwarg
from records.api import views

app_name = "records"

router = ApiRouter()
project = f"projects/{uuid_kwarg('project_pk')}"
router.register(f"{project}/records", views.RecordViewSet, basename="record")
router.register(f"{project}/categories", views.CategoryViewSet, basename="category")
router.register(f"{project}/tags", views.TagViewSet, basename="tag")

urlpatterns = router.urls
