"""Throttles for the public auth endpoints: per client IP and per email.

They count in the default cache, which is Redis when `REDIS_URL` is set, so
every instance of the service shares the counters. A throttled request gets
429 with `Retry-After`.
"""

from __future__ import annotations

import hashlib

from accounts.models import UserManager
from finance_dashboard.throttling import RateThrottle


class _AuthThrottle(RateThrottle):
    def group(self, view) -> str:
        """Endpoints share counters per `throttle_group` (e.g. all code checks)."""
        return getattr(view, "throttle_group", view.__class__.__name__)


class AuthIPThrottle(_AuthThrottle):
    scope = "auth_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": f"{self.scope}:{self.group(view)}", "ident": self.get_ident(request)}


class _EmailThrottle(_AuthThrottle):
    def get_cache_key(self, request, view):
        data = request.data
        email = data.get("email") if isinstance(data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None  # the serializer will refuse the request
        ident = hashlib.sha256(UserManager.normalize_email(email).encode()).hexdigest()
        return self.cache_format % {"scope": f"{self.scope}:{self.group(view)}", "ident": ident}


class AuthEmailThrottle(_EmailThrottle):
    """Sign-in attempts and code checks for one email address."""

    scope = "auth_email"


class EmailSendThrottle(_EmailThrottle):
    """Requests that make us send an email to one address."""

    scope = "email_send"
