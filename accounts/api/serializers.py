from rest_framework import serializers

from accounts.models import AuthSession, User
from accounts.services import user_email_verified
from finance_dashboard.serializers import StrictCharField, StrictEmailField, StrictModelSerializer

_PASSWORD = {"max_length": 128, "trim_whitespace": False, "write_only": True, "style": {"input_type": "password"}}


class UserSerializer(StrictModelSerializer):
    email_verified = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "name", "email_verified"]
        read_only_fields = fields

    def get_email_verified(self, user) -> bool:
        return user_email_verified(user)


class MeSerializer(UserSerializer):
    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "date_joined"]
        read_only_fields = ["id", "email", "email_verified", "date_joined"]
        extra_kwargs = {"name": {"required": True, "allow_blank": False, "max_length": 150}}


class RegisterSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)
    password = StrictCharField(**_PASSWORD)
    name = StrictCharField(max_length=150)


class EmailSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)


class EmailCodeSerializer(EmailSerializer):
    code = StrictCharField(max_length=16, help_text="The 6-digit code from the email.")


class LoginSerializer(EmailSerializer):
    password = StrictCharField(**_PASSWORD)


class GoogleSignInSerializer(serializers.Serializer):
    id_token = StrictCharField(max_length=8192, help_text="A Google ID token (JWT) for this service's client id.")


class RefreshSerializer(serializers.Serializer):
    refresh = StrictCharField(max_length=4096)


class RefreshedTokensSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokensSerializer(RefreshedTokensSerializer):
    user = UserSerializer()


class PasswordResetConfirmSerializer(EmailCodeSerializer):
    new_password = StrictCharField(**_PASSWORD)


class PasswordChangeSerializer(serializers.Serializer):
    current_password = StrictCharField(**_PASSWORD)
    new_password = StrictCharField(**_PASSWORD)


class SessionSerializer(StrictModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = AuthSession
        fields = ["id", "created_at", "last_used_at", "user_agent", "ip_address", "current"]
        read_only_fields = fields

    def get_current(self, session) -> bool:
        current = getattr(self.context["request"].user, "auth_session", None)
        return current is not None and current.pk == session.pk
