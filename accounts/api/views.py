"""The `/api/v1/auth/*` endpoints and `/api/v1/me`."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import errors, services
from accounts.api import serializers
from accounts.google import GoogleTokenError, verify_id_token
from accounts.models import CodePurpose
from accounts.selectors import live_sessions
from accounts.throttling import AuthEmailThrottle, AuthIPThrottle, EmailSendThrottle
from finance_dashboard.http import client_ip, user_agent
from finance_dashboard.schema import error_response

TAG = "auth"
ACCEPTED = OpenApiResponse(description="Accepted. The same answer whether or not an account exists.")
DISABLED = error_response("The account is disabled.")


def _client(request) -> services.ClientInfo:
    return services.ClientInfo(user_agent=user_agent(request), ip_address=client_ip(request))


def _tokens_response(request, pair: services.TokenPair) -> Response:
    body = {"access": pair.access, "refresh": pair.refresh, "user": pair.session.user}
    return Response(serializers.TokensSerializer(body, context={"request": request}).data)


class PublicAuthView(APIView):
    """Base for endpoints that sign people in: no token needed, throttled per
    client IP (and per email where the body names one)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (AuthIPThrottle,)
    throttle_group = "auth"
    input_serializer = None

    def get_authenticate_header(self, request):
        # Failed sign-ins are 401 (DRF would answer 403 on a view without authenticators).
        return 'Bearer realm="api"'

    def validated(self, request) -> dict:
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


@extend_schema(tags=[TAG], request=serializers.RegisterSerializer, responses={201: serializers.UserSerializer})
class RegisterView(PublicAuthView):
    """Create an account; a 6-digit verification code is emailed."""

    throttle_classes = (AuthIPThrottle, EmailSendThrottle)
    throttle_group = "register"
    input_serializer = serializers.RegisterSerializer

    def post(self, request):
        data = self.validated(request)
        user = services.user_register(email=data["email"], password=data["password"], name=data["name"])
        return Response(serializers.UserSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG], request=serializers.EmailCodeSerializer, responses={200: serializers.TokensSerializer})
class VerifyEmailView(PublicAuthView):
    """Verify the email address with the emailed code; signs in."""

    throttle_classes = (AuthIPThrottle, AuthEmailThrottle)
    throttle_group = "code_check"
    input_serializer = serializers.EmailCodeSerializer

    def post(self, request):
        data = self.validated(request)
        pair = services.sign_in_with_verification_code(email=data["email"], code=data["code"], client=_client(request))
        return _tokens_response(request, pair)


@extend_schema(
    tags=[TAG],
    request=serializers.LoginSerializer,
    responses={
        200: serializers.TokensSerializer,
        401: error_response("Wrong email or password (the same answer for both)."),
        403: error_response("The email address is not verified (`email_not_verified`); a fresh code is emailed."),
    },
)
class LoginView(PublicAuthView):
    """Sign in with email and password. An unverified address answers 403
    `email_not_verified` and gets a fresh code."""

    throttle_classes = (AuthIPThrottle, AuthEmailThrottle)
    throttle_group = "login"
    input_serializer = serializers.LoginSerializer

    def post(self, request):
        data = self.validated(request)
        pair = services.sign_in_with_password(email=data["email"], password=data["password"], client=_client(request))
        return _tokens_response(request, pair)


@extend_schema(tags=[TAG], request=serializers.EmailSerializer, responses={202: ACCEPTED})
class EmailCodeRequestView(PublicAuthView):
    """Email a 6-digit sign-in code (valid 10 minutes)."""

    throttle_classes = (AuthIPThrottle, EmailSendThrottle)
    throttle_group = "code_request"
    input_serializer = serializers.EmailSerializer

    def post(self, request):
        data = self.validated(request)
        services.code_send(email=data["email"], purpose=CodePurpose.LOGIN)
        return Response(status=status.HTTP_202_ACCEPTED)


@extend_schema(
    tags=[TAG], request=serializers.EmailCodeSerializer, responses={200: serializers.TokensSerializer, 401: DISABLED}
)
class EmailCodeVerifyView(PublicAuthView):
    """Sign in with an emailed code; creates the account on first use."""

    throttle_classes = (AuthIPThrottle, AuthEmailThrottle)
    throttle_group = "code_check"
    input_serializer = serializers.EmailCodeSerializer

    def post(self, request):
        data = self.validated(request)
        pair = services.sign_in_with_email_code(email=data["email"], code=data["code"], client=_client(request))
        return _tokens_response(request, pair)


@extend_schema(
    tags=[TAG],
    request=serializers.GoogleSignInSerializer,
    responses={
        200: serializers.TokensSerializer,
        401: error_response("The Google ID token could not be verified, or the account is disabled."),
    },
)
class GoogleSignInView(PublicAuthView):
    """Sign in with a Google ID token; signs up or links by verified email."""

    throttle_group = "google"
    input_serializer = serializers.GoogleSignInSerializer

    def post(self, request):
        data = self.validated(request)
        try:
            claims = verify_id_token(data["id_token"])
        except GoogleTokenError:
            raise errors.InvalidToken("The Google ID token could not be verified.") from None
        pair = services.sign_in_with_google(claims=claims, client=_client(request))
        return _tokens_response(request, pair)


@extend_schema(
    tags=[TAG],
    request=serializers.RefreshSerializer,
    responses={
        200: serializers.RefreshedTokensSerializer,
        401: error_response(
            "The refresh token is invalid, expired, revoked or already used (which revokes its session)."
        ),
    },
)
class TokenRefreshView(PublicAuthView):
    """Exchange a refresh token for a new pair. Reusing a refresh token revokes
    its whole session."""

    throttle_group = "refresh"
    input_serializer = serializers.RefreshSerializer

    def post(self, request):
        data = self.validated(request)
        pair = services.session_refresh(refresh_token=data["refresh"])
        return Response({"access": pair.access, "refresh": pair.refresh})


@extend_schema(tags=[TAG], request=serializers.EmailSerializer, responses={202: ACCEPTED})
class PasswordResetView(PublicAuthView):
    """Email a password reset code if the account exists."""

    throttle_classes = (AuthIPThrottle, EmailSendThrottle)
    throttle_group = "code_request"
    input_serializer = serializers.EmailSerializer

    def post(self, request):
        data = self.validated(request)
        services.password_reset_request(email=data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=[TAG], request=serializers.PasswordResetConfirmSerializer, responses={204: None})
class PasswordResetConfirmView(PublicAuthView):
    """Set a new password with the emailed code; signs out every session."""

    throttle_classes = (AuthIPThrottle, AuthEmailThrottle)
    throttle_group = "code_check"
    input_serializer = serializers.PasswordResetConfirmSerializer

    def post(self, request):
        data = self.validated(request)
        services.password_reset_confirm(email=data["email"], code=data["code"], new_password=data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=[TAG], request=None, responses={204: None})
class LogoutView(APIView):
    """Revoke the current session."""

    def post(self, request):
        services.session_revoke(session=request.user.auth_session, reason="logout", actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=[TAG], request=serializers.PasswordChangeSerializer, responses={204: None})
class PasswordChangeView(APIView):
    """Change the password; every other session is signed out."""

    def post(self, request):
        serializer = serializers.PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_change(
            user=request.user,
            session=request.user.auth_session,
            current_password=serializer.validated_data["current_password"],
            new_password=serializer.validated_data["new_password"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=[TAG])
class SessionViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's live sessions; deleting one revokes it."""

    serializer_class = serializers.SessionSerializer
    filter_backends = ()

    def get_queryset(self):
        return live_sessions(user=self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def perform_destroy(self, instance):
        services.session_revoke(session=instance, reason="revoked_by_user", actor=self.request.user)


@extend_schema(tags=["me"])
class MeView(APIView):
    """The signed-in user."""

    @extend_schema(responses=serializers.MeSerializer)
    def get(self, request):
        return Response(serializers.MeSerializer(request.user).data)

    @extend_schema(request=serializers.MeSerializer, responses=serializers.MeSerializer)
    def patch(self, request):
        serializer = serializers.MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "name" in serializer.validated_data:
            services.user_update(user=request.user, actor=request.user, name=serializer.validated_data["name"])
        return Response(serializers.MeSerializer(request.user).data)
