"""Bearer-token authentication backed by the server-side session.

The access token is a short simplejwt JWT carrying the session id (`sid`).
Each request loads that session joined with its user by primary key - one
indexed query, which replaces the user lookup a stateless JWT check would do
anyway - and refuses the token if the session is revoked or expired, or the
user is deactivated. That is what makes logout and revocation take effect on
the very next request.
"""

import uuid

from django.utils import timezone
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

from accounts import errors
from accounts.models import AuthSession
from accounts.services import session_touch


class SessionJWTAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token):
        try:
            return AccessToken(raw_token)
        except TokenError:
            raise errors.InvalidToken() from None

    def get_user(self, validated_token):
        try:
            session_id = uuid.UUID(str(validated_token["sid"]))
            user_id = str(validated_token[jwt_settings.USER_ID_CLAIM])
        except (KeyError, ValueError):
            raise errors.InvalidToken() from None
        session = AuthSession.objects.select_related("user").filter(pk=session_id).first()
        if (
            session is None
            or session.revoked_at is not None
            or session.expires_at <= timezone.now()
            or str(session.user_id) != user_id
            or not session.user.is_active
        ):
            raise errors.InvalidToken()
        session_touch(session)
        user = session.user
        user.auth_session = session
        return user
