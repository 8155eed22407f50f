"""Users, their server-side sign-in sessions and one-time email codes."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        """Addresses are stored lower-cased: one mailbox, one account."""
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with their email address; the address is unique
    case-insensitively, enforced by the database."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Unticking this signs the user out everywhere and refuses their tokens."
    )
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the operators' console.")
    date_joined = models.DateTimeField(default=timezone.now, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = UserManager.normalize_email(self.email)


class SignInMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    EMAIL_CODE = "email_code", "Email code"
    EMAIL_VERIFICATION = "email_verification", "Email verification"
    GOOGLE = "google", "Google"


class AuthSession(models.Model):
    """One sign-in. Access and refresh tokens carry its id; revoking the row
    refuses both on the very next request.

    `refresh_jti` names the only refresh token that may be used next; a refresh
    presenting any older one is a replay and revokes the session.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_sessions")
    method = models.CharField(max_length=32, choices=SignInMethod.choices)
    user_agent = models.CharField(max_length=512, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    refresh_jti = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["user", "-created_at"], condition=models.Q(revoked_at__isnull=True), name="authsession_live_idx"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_method_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class CodePurpose(models.TextChoices):
    VERIFY_EMAIL = "verify_email", "Email verification"
    LOGIN = "login", "Sign-in"
    PASSWORD_RESET = "password_reset", "Password reset"
    ORGANIZATION_DELETION = "organization_deletion", "Organization deletion"


class EmailCode(models.Model):
    """A 6-digit code sent by email. Only a keyed hash is stored; the hash
    binds the code to its email, purpose and scope (e.g. the organization a
    deletion code confirms), so a code is useless anywhere else."""

    id = models.BigAutoField(primary_key=True)
    email = models.EmailField(max_length=254)
    purpose = models.CharField(max_length=32, choices=CodePurpose.choices)
    scope = models.CharField(max_length=64, blank=True)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["email", "purpose", "scope", "-created_at"], name="emailcode_lookup_idx")]

    def __str__(self):
        return f"{self.get_purpose_display()} code for {self.email}"


class CodeFailure(models.Model):
    """A wrong code submitted for an email; ten within an hour lock further
    checks for that email until the hour has passed."""

    id = models.BigAutoField(primary_key=True)
    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["email", "created_at"], name="codefailure_window_idx")]

    def __str__(self):
        return f"wrong code for {self.email} at {self.created_at:%Y-%m-%d %H:%M:%S}"
