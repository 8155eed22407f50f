from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # allauth 65.19-65.22 reach `cryptography.hazmat.primitives.serialization`
        # as an attribute of its package without importing it, which fails on
        # the first sign-in in a fresh process; importing it here makes the
        # attribute exist whichever version is installed.
        import cryptography.hazmat.primitives.serialization  # noqa: F401

        from accounts import schema  # noqa: F401  (registers the OpenAPI auth extension)
