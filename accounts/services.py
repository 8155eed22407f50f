"""Every write of the accounts app: users, one-time codes, sessions, passwords."""

from __future__ import annotations

import enum
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from rest_framework.exceptions import ValidationError
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import errors
from accounts.emails import send_code_email
from accounts.models import AuthSession, CodeFailure, CodePurpose, EmailCode, SignInMethod, User, UserManager
from audit.services import audit_log

# --- users ---------------------------------------------------------------------


def normalize_email(email: str) -> str:
    return UserManager.normalize_email(email)


def user_register(*, email: str, password: str, name: str) -> User:
    """Create an unverified user and email them a verification code.

    Raises ValidationError for a weak password or a taken email.
    """
    email = normalize_email(email)
    validate_new_password(password, user=User(email=email, name=name), field="password")
    if User.objects.filter(email__iexact=email).exists():
        raise _email_taken()
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, name=name)
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
            audit_log(action="user.registered", actor=user, target=user)
    except IntegrityError:
        raise _email_taken() from None
    code_send(email=email, purpose=CodePurpose.VERIFY_EMAIL)
    return user


def _email_taken() -> ValidationError:
    return ValidationError({"email": ["An account with this email address already exists."]}, code=errors.EMAIL_TAKEN)


def validate_new_password(password: str, *, user: User, field: str) -> None:
    """Django's password validators, reported against the request field."""
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationError({field: list(exc.messages)}, code="weak_password") from None


def user_email_verified(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def _mark_email_verified(user: User) -> None:
    updated = EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True, primary=True)
    if not updated:
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


@transaction.atomic
def user_update(*, user: User, actor: User, name: str) -> User:
    before = {"name": user.name}
    user.name = name
    user.save(update_fields=["name"])
    audit_log(action="user.updated", actor=actor, target=user, changes={"name": [before["name"], name]})
    return user


@transaction.atomic
def user_set_active(*, user: User, actor: User | None, active: bool) -> User:
    """Activate or deactivate; deactivation revokes every session at once."""
    if user.is_active != active:
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        audit_log(
            action="user.activated" if active else "user.deactivated",
            actor=actor,
            target=user,
            changes={"is_active": [not active, active]},
        )
    if not active:
        sessions_revoke_all(user=user, reason="user_deactivated", actor=actor)
    return user


# --- one-time codes -------------------------------------------------------------


def _code_hash(*, email: str, purpose: str, scope: str, code: str) -> str:
    return salted_hmac("accounts.emailcode", f"{purpose}|{scope}|{email}|{code}", algorithm="sha256").hexdigest()


def code_issue(*, email: str, purpose: str, scope: str = "") -> str:
    """Store a fresh code (voiding older ones for the same email, purpose and
    scope) and return it in clear, for the caller to send."""
    email = normalize_email(email)
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        EmailCode.objects.filter(email=email, purpose=purpose, scope=scope, used_at__isnull=True).update(used_at=now)
        EmailCode.objects.create(
            email=email,
            purpose=purpose,
            scope=scope,
            code_hash=_code_hash(email=email, purpose=purpose, scope=scope, code=code),
            created_at=now,
            expires_at=now + settings.AUTH_CODE_TTL,
        )
    return code


def code_send(*, email: str, purpose: str, scope: str = "", to: str | None = None) -> None:
    code = code_issue(email=email, purpose=purpose, scope=scope)
    send_code_email(email=to or normalize_email(email), purpose=purpose, code=code)


class _CodeOutcome(enum.Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


def _failures_lockout_seconds(email: str, now) -> int:
    window_start = now - timedelta(hours=1)
    recent = CodeFailure.objects.filter(email=email, created_at__gt=window_start)
    limit = settings.AUTH_CODE_FAILURES_PER_HOUR
    if recent.count() < limit:
        return 0
    # Locked until the oldest failure that still counts toward the limit ages out.
    pivot = recent.order_by("-created_at").values_list("created_at", flat=True)[limit - 1]
    return max(1, int((pivot + timedelta(hours=1) - now).total_seconds()) + 1)


def code_verify(*, email: str, purpose: str, code: str, scope: str = "") -> None:
    """Consume a code, or raise.

    InvalidCode (400) for a wrong, expired, used or dead code; a code dies at
    its fifth wrong try. TooManyCodeFailures (429) once the email has had ten
    wrong codes within the hour. The failure bookkeeping commits even though
    the caller then sees an error.
    """
    email = normalize_email(email)
    now = timezone.now()
    with transaction.atomic():
        wait = _failures_lockout_seconds(email, now)
        if wait:
            outcome = None
        else:
            outcome = _code_try(email=email, purpose=purpose, scope=scope, code=code, now=now)
            if outcome is _CodeOutcome.REJECTED:
                CodeFailure.objects.create(email=email, created_at=now)
    if wait:
        raise errors.TooManyCodeFailures(wait=wait)
    if outcome is _CodeOutcome.REJECTED:
        raise errors.InvalidCode()


def _code_try(*, email: str, purpose: str, scope: str, code: str, now) -> _CodeOutcome:
    live = (
        EmailCode.objects.select_for_update()
        .filter(email=email, purpose=purpose, scope=scope, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if live is None:
        return _CodeOutcome.REJECTED
    expected = _code_hash(email=email, purpose=purpose, scope=scope, code=str(code).strip())
    if constant_time_compare(live.code_hash, expected):
        # The conditional update is what makes a code single-use under races.
        used = EmailCode.objects.filter(pk=live.pk, used_at__isnull=True).update(used_at=now)
        return _CodeOutcome.ACCEPTED if used else _CodeOutcome.REJECTED
    live.attempts += 1
    if live.attempts >= settings.AUTH_CODE_MAX_TRIES:
        live.used_at = now
    live.save(update_fields=["attempts", "used_at"])
    return _CodeOutcome.REJECTED


# --- sessions and tokens ------------------------------------------------------------


@dataclass(frozen=True)
class ClientInfo:
    """Where a sign-in comes from."""

    user_agent: str = ""
    ip_address: str | None = None


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    session: AuthSession


def _mint(*, user: User, session_id: uuid.UUID) -> RefreshToken:
    refresh = RefreshToken.for_user(user)
    refresh["sid"] = str(session_id)
    return refresh


def _pair(refresh: RefreshToken, session: AuthSession) -> TokenPair:
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh), session=session)


@transaction.atomic
def session_create(*, user: User, method: str, client: ClientInfo) -> TokenPair:
    """Sign `user` in: a new server-side session and its first token pair."""
    now = timezone.now()
    session_id = uuid.uuid4()
    refresh = _mint(user=user, session_id=session_id)
    session = AuthSession.objects.create(
        id=session_id,
        user=user,
        method=method,
        user_agent=client.user_agent[:512],
        ip_address=client.ip_address,
        refresh_jti=refresh[jwt_settings.JTI_CLAIM],
        created_at=now,
        last_used_at=now,
        expires_at=now + jwt_settings.REFRESH_TOKEN_LIFETIME,
    )
    audit_log(action="session.created", actor=user, target=session, changes={"method": [None, method]})
    return _pair(refresh, session)


def session_refresh(*, refresh_token: str) -> TokenPair:
    """Rotate a refresh token.

    Exactly one refresh can succeed per token: the swap of `refresh_jti` is a
    compare-and-set. Presenting a token that is no longer the current one is a
    replay, and revokes the whole session (so a stolen, already-rotated token
    kills the thief's and the victim's chain alike).
    """
    try:
        old = RefreshToken(refresh_token)
        session_id = uuid.UUID(str(old["sid"]))
        old_jti = str(old[jwt_settings.JTI_CLAIM])
    except (TokenError, KeyError, ValueError):
        raise errors.InvalidToken() from None
    now = timezone.now()
    session = AuthSession.objects.select_related("user").filter(pk=session_id).first()
    if session is None or not session.is_live or not session.user.is_active:
        raise errors.InvalidToken()
    refresh = _mint(user=session.user, session_id=session.pk)
    with transaction.atomic():
        swapped = AuthSession.objects.filter(pk=session.pk, refresh_jti=old_jti, revoked_at__isnull=True).update(
            refresh_jti=refresh[jwt_settings.JTI_CLAIM],
            last_used_at=now,
            expires_at=now + jwt_settings.REFRESH_TOKEN_LIFETIME,
        )
        if not swapped:
            _revoke(AuthSession.objects.filter(pk=session.pk), reason="refresh_replayed", actor=None, now=now)
    if not swapped:
        raise errors.InvalidToken("This refresh token was already used; the session has been revoked.")
    return _pair(refresh, session)


def _revoke(sessions, *, reason: str, actor: User | None, now=None) -> int:
    now = now or timezone.now()
    revoked = list(sessions.filter(revoked_at__isnull=True).select_for_update().values_list("pk", "user_id"))
    if not revoked:
        return 0
    AuthSession.objects.filter(pk__in=[pk for pk, _ in revoked]).update(revoked_at=now, revoke_reason=reason)
    for pk, user_id in revoked:
        audit_log(
            action="session.revoked",
            actor=actor,
            target_type="authsession",
            target_id=pk,
            changes={"revoke_reason": [None, reason], "user": [None, str(user_id)]},
        )
    return len(revoked)


@transaction.atomic
def session_revoke(*, session: AuthSession, reason: str, actor: User | None) -> None:
    _revoke(AuthSession.objects.filter(pk=session.pk), reason=reason, actor=actor)


@transaction.atomic
def sessions_revoke_all(*, user: User, reason: str, actor: User | None, keep: AuthSession | None = None) -> int:
    sessions = AuthSession.objects.filter(user=user)
    if keep is not None:
        sessions = sessions.exclude(pk=keep.pk)
    return _revoke(sessions, reason=reason, actor=actor)


def session_touch(session: AuthSession) -> None:
    """Record use, at most once a minute per session (a write per request would
    cost more than the lookup it accompanies)."""
    now = timezone.now()
    if now - session.last_used_at > timedelta(minutes=1):
        AuthSession.objects.filter(pk=session.pk).update(last_used_at=now)
        session.last_used_at = now


# --- sign-in flows ----------------------------------------------------------------


def sign_in_with_password(*, email: str, password: str, client: ClientInfo) -> TokenPair:
    email = normalize_email(email)
    user = authenticate(email=email, password=password)
    if user is None:
        raise errors.InvalidCredentials()
    if not user_email_verified(user):
        code_send(email=user.email, purpose=CodePurpose.VERIFY_EMAIL)
        raise errors.EmailNotVerified()
    return session_create(user=user, method=SignInMethod.PASSWORD, client=client)


def sign_in_with_verification_code(*, email: str, code: str, client: ClientInfo) -> TokenPair:
    code_verify(email=email, purpose=CodePurpose.VERIFY_EMAIL, code=code)
    user = User.objects.filter(email__iexact=normalize_email(email)).first()
    if user is None or not user.is_active:
        raise errors.InvalidCode()
    with transaction.atomic():
        _mark_email_verified(user)
        audit_log(action="user.email_verified", actor=user, target=user)
        return session_create(user=user, method=SignInMethod.EMAIL_VERIFICATION, client=client)


def sign_in_with_email_code(*, email: str, code: str, client: ClientInfo) -> TokenPair:
    """Code sign-in; the first one for an unknown address creates the account."""
    email = normalize_email(email)
    code_verify(email=email, purpose=CodePurpose.LOGIN, code=code)
    with transaction.atomic():
        user = _user_for_verified_email(email=email, name="")
        if not user.is_active:
            raise errors.InvalidCredentials()
        return session_create(user=user, method=SignInMethod.EMAIL_CODE, client=client)


def sign_in_with_google(*, claims: dict, client: ClientInfo) -> TokenPair:
    """Sign in with verified Google claims: the linked account, else the account
    with that (verified-by-Google) email, else a new one; then link it."""
    subject = str(claims["sub"])
    email = normalize_email(claims["email"])
    with transaction.atomic():
        social = SocialAccount.objects.select_related("user").filter(provider="google", uid=subject).first()
        if social is not None:
            user = social.user
            social.extra_data = claims
            social.last_login = timezone.now()
            social.save(update_fields=["extra_data", "last_login"])
        else:
            user = _user_for_verified_email(email=email, name=str(claims.get("name") or "")[:150])
            SocialAccount.objects.create(user=user, provider="google", uid=subject, extra_data=claims)
            audit_log(action="user.google_linked", actor=user, target=user, changes={"google_subject": [None, subject]})
        if not user.is_active:
            raise errors.InvalidToken("This account is disabled.")
        return session_create(user=user, method=SignInMethod.GOOGLE, client=client)


def _user_for_verified_email(*, email: str, name: str) -> User:
    """The user owning `email`, which has just been proven; created if new."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, name=name)
        except IntegrityError:
            # A parallel sign-in created it first.
            user = User.objects.get(email__iexact=email)
        else:
            audit_log(action="user.registered", actor=user, target=user)
    _mark_email_verified(user)
    return user


# --- passwords -------------------------------------------------------------------


def password_reset_request(*, email: str) -> None:
    """Email a reset code if an active account has this address; silently do
    nothing otherwise (the answer must not reveal which)."""
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        code_send(email=email, purpose=CodePurpose.PASSWORD_RESET)


def password_reset_confirm(*, email: str, code: str, new_password: str) -> None:
    email = normalize_email(email)
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    validate_new_password(new_password, user=user or User(email=email), field="new_password")
    code_verify(email=email, purpose=CodePurpose.PASSWORD_RESET, code=code)
    if user is None:
        raise errors.InvalidCode()
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _mark_email_verified(user)
        audit_log(action="user.password_reset", actor=user, target=user)
        sessions_revoke_all(user=user, reason="password_reset", actor=user)


@transaction.atomic
def password_change(*, user: User, session: AuthSession, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password):
        raise ValidationError({"current_password": ["The current password is wrong."]}, code=errors.WRONG_PASSWORD)
    validate_new_password(new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_log(action="user.password_changed", actor=user, target=user)
    sessions_revoke_all(user=user, reason="password_changed", actor=user, keep=session)
