from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = "Organizations and projects"
    default_auto_field = "django.db.models.BigAutoField"
