"""Reads of the accounts app."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import AuthSession, User


def live_sessions(*, user: User) -> QuerySet[AuthSession]:
    return AuthSession.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by(
        "-created_at", "-id"
    )
