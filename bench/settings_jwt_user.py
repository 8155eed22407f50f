"""Bench-only settings: the project's settings with simplejwt's plain `JWTAuthentication`.

It checks the token, then loads the user by the token's user id (one query), but
no server-side session, so revocation would not take effect until the token
expires. Against the default session check (one query: the session joined with
its user) it isolates what checking the session adds.
"""

from finance_dashboard.settings import *  # noqa: F403
from finance_dashboard.settings import REST_FRAMEWORK

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
}
