from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from finance_dashboard import health

# drf-spectacular's ReDoc page pulls fonts from Google's CDN; ours loads only /static/.
redoc = SpectacularRedocView.as_view(url_name="schema", template_name="finance_dashboard/redoc.html")

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("tenancy.api.urls")),
    path("", include("records.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("audit.api.urls")),
]

urlpatterns = [
    path("health/", health.health, name="health"),
    path("ready/", health.ready, name="ready"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema")),
    path("redoc", redoc, name="redoc"),
    path("redoc/", redoc),
    path("api/v1/", include(api_v1)),
]

handler400 = "finance_dashboard.errors.bad_request"
handler403 = "finance_dashboard.errors.permission_denied"
handler404 = "finance_dashboard.errors.not_found"
handler500 = "finance_dashboard.errors.server_error"
